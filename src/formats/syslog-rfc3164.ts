/**
 * BSD syslog (RFC 3164) lines: `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`, and the same without
 * `<PRI>` as syslog daemons write them to files (https://www.rfc-editor.org/rfc/rfc3164#section-4.1).
 * The timestamp has no year and no zone: it is read as UTC in the year of the fallback time (the
 * object's delivery time), or the year before when that would put it more than a day in the future.
 */
import { monthIndex, mostly, regexLineParser } from './line-regex.js';
import type { LineExtraction, LineFormat } from './types.js';

const EXTRACTION: LineExtraction = {
  pattern: '^(?:<([0-9]{1,3})>)?([A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}) ([^ ]+) (?:([^ :\\[]+)(?:\\[([^\\]]*)\\])?: ?)?(.*)$',
  fields: ['pri', 'timestamp', 'hostname', 'appname', 'procid', 'msg'],
};

/** The 15 characters of the timestamp, after `<PRI>` if there is one. */
const afterPri = (line: string): string => {
  const from = line.charCodeAt(0) === 60 ? line.indexOf('>') + 1 : 0;
  return line.slice(from, from + 15);
};

export function bsdTime(s: unknown, refMs: number): number {
  if (typeof s !== 'string') return Number.NaN;
  const m = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)$/.exec(s);
  const mon = m ? monthIndex(m[1]!) : undefined;
  if (!m || mon === undefined) return Number.NaN;
  const year = new Date(refMs).getUTCFullYear();
  const at = (y: number): number => Date.UTC(y, mon, Number(m[2]!.trim()), +m[3]!, +m[4]!, +m[5]!);
  const t = at(year);
  return t > refMs + 86_400_000 ? at(year - 1) : t;
}

export const syslogRfc3164: LineFormat = {
  kind: 'lines',
  name: 'syslog-rfc3164',
  reference: 'https://www.rfc-editor.org/rfc/rfc3164',
  lineParser: (opts) => regexLineParser(EXTRACTION, afterPri, (v, o) => bsdTime(v, o.fallbackMs), opts, 'syslog (RFC 3164)'),
  sniff: (lines) => mostly(lines, (l) => /^(<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ /.test(l)),
  extraction: () => EXTRACTION,
};
