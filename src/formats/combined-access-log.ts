/**
 * nginx and Apache access logs in the combined format (and the common format, its first seven
 * fields): `client - user [time] "request" status bytes "referer" "user agent"`. The layout is
 * Apache's LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-agent}i\""
 * (https://httpd.apache.org/docs/2.4/logs.html#combined), which nginx's predefined `combined` format
 * repeats (https://nginx.org/en/docs/http/ngx_http_log_module.html#log_format). The request line is
 * also split into method, path and protocol when it has that shape.
 */
import { bracketAfter, clfTimeAt, mostly, regexLineParser } from './line-regex.js';
import type { LineExtraction, LineFormat } from './types.js';

const Q = '(?:[^"\\\\]|\\\\.)*';
const EXTRACTION: LineExtraction = {
  pattern: `^([^ ]+) ([^ ]+) ([^ ]+) \\[([^\\]]+)\\] "(([A-Z]+) ([^ "]+) (HTTP/[0-9.]+)|${Q})" ([0-9]{3}|-) ([0-9]+|-)(?: "(${Q})" "(${Q})")?(?: .*)?$`,
  fields: ['client_ip', 'ident', 'user', 'time', 'request', 'method', 'path', 'protocol', 'status', 'bytes', 'referer', 'user_agent'],
};

export const combinedAccessLog: LineFormat = {
  kind: 'lines',
  name: 'combined',
  reference: 'https://httpd.apache.org/docs/2.4/logs.html#combined',
  lineParser: (opts) => regexLineParser(EXTRACTION, bracketAfter(3), clfTimeAt, opts, 'combined access log'),
  sniff: (lines) => mostly(lines, (l) => /^\S+ \S+ \S+ \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "/.test(l)),
  extraction: () => EXTRACTION,
};
