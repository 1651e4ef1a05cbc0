/**
 * CloudFront standard logs (legacy): W3C extended format, tab-separated, with `#Version:` and
 * `#Fields:` header lines; the date and time columns are UTC. Fields in order:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
 * (Standard log file fields). Names become snake_case so that queries need no backticks:
 * `cs(User-Agent)` → `cs_user_agent`, `x-edge-location` → `x_edge_location`.
 */
import { isoTime, lineOf, mostly, valuesToFields } from './line-regex.js';
import type { LineExtraction, LineFormat, LineParser } from './types.js';

export const CLOUDFRONT_FIELDS = [
  'date', 'time', 'x-edge-location', 'sc-bytes', 'c-ip', 'cs-method', 'cs(Host)', 'cs-uri-stem', 'sc-status',
  'cs(Referer)', 'cs(User-Agent)', 'cs-uri-query', 'cs(Cookie)', 'x-edge-result-type', 'x-edge-request-id',
  'x-host-header', 'cs-protocol', 'cs-bytes', 'time-taken', 'x-forwarded-for', 'ssl-protocol', 'ssl-cipher',
  'x-edge-response-result-type', 'cs-protocol-version', 'fle-status', 'fle-encrypted-fields', 'c-port',
  'time-to-first-byte', 'x-edge-detailed-result-type', 'sc-content-type', 'sc-content-len', 'sc-range-start', 'sc-range-end',
] as const;

export const w3cFieldName = (w3c: string): string => w3c.replace(/[()-]+/g, '_').replace(/_$/, '').toLowerCase();

function extractionFor(w3c: readonly string[]): LineExtraction {
  return { pattern: `^${w3c.map(() => '([^\\t]*)').join('\\t')}$`, fields: w3c.map(w3cFieldName) };
}

function timeOf(d: string | undefined, t: string | undefined): number {
  if (d === undefined || t === undefined || d.length !== 10 || t.length < 8) return Number.NaN;
  return isoTime(`${d}T${t}Z`);
}

export const cloudfrontAccessLog: LineFormat = {
  kind: 'lines',
  name: 'cloudfront',
  reference: 'https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html',
  lineParser(opts) {
    let names = CLOUDFRONT_FIELDS.map(w3cFieldName);
    let dateAt = 0;
    let timeAt = 1;
    const reader = (fieldNames: readonly string[]) => (line: string) => valuesToFields(line.split('\t'), fieldNames, 0);
    const parser: LineParser = {
      read: reader(names),
      time(text, from, to) {
        const line = lineOf(text, from, to);
        if (line.startsWith('#')) {
          if (line.startsWith('#Fields:')) {
            names = line.slice(8).trim().split(/\s+/).map(w3cFieldName);
            dateAt = names.indexOf('date');
            timeAt = names.indexOf('time');
            parser.read = reader(names);
          }
          return null;
        }
        const values = line.split('\t');
        if (values.length !== names.length) return `a CloudFront log line has ${names.length} tab-separated fields, this line has ${values.length}`;
        const t = timeOf(values[dateAt], values[timeAt]);
        return Number.isFinite(t) ? t : opts.fallbackMs;
      },
    };
    return parser;
  },
  sniff: (lines) => lines.some((l) => l.startsWith('#Fields: date time x-edge-location')) || (mostly(lines, (l) => /^\d{4}-\d\d-\d\d\t\d\d:\d\d:\d\d\t[A-Z0-9-]+\t\d+\t/.test(l))),
  extraction(fieldList) {
    return extractionFor(fieldList ? fieldList.trim().split(/\s+/) : CLOUDFRONT_FIELDS);
  },
};
