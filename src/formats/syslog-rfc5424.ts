/**
 * Syslog messages in RFC 5424 form, one per line:
 * `<PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]`
 * (https://www.rfc-editor.org/rfc/rfc5424#section-6). NILVALUE `-` is kept as written; the priority
 * is kept as a number in text (facility = pri / 8, severity = pri % 8). A NILVALUE timestamp gives the
 * fallback time.
 */
import { isoTimeAt, mostly, regexLineParser, tokenAt } from './line-regex.js';
import type { LineExtraction, LineFormat } from './types.js';

const SD = '(-|(?:\\[(?:[^\\]"\\\\]|\\\\.|"(?:[^"\\\\]|\\\\.)*")*\\])+)';
const EXTRACTION: LineExtraction = {
  pattern: `^<([0-9]{1,3})>([0-9]{1,2}) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ${SD}(?: (.*))?$`,
  fields: ['pri', 'version', 'timestamp', 'hostname', 'appname', 'procid', 'msgid', 'structured_data', 'msg'],
};

export const syslogRfc5424: LineFormat = {
  kind: 'lines',
  name: 'syslog-rfc5424',
  reference: 'https://www.rfc-editor.org/rfc/rfc5424',
  lineParser: (opts) => regexLineParser(EXTRACTION, tokenAt(1), isoTimeAt, opts, 'syslog (RFC 5424)'),
  sniff: (lines) => mostly(lines, (l) => /^<\d{1,3}>\d{1,2} (\d{4}-\d\d-\d\dT\S+|-) /.test(l)),
  extraction: () => EXTRACTION,
};
