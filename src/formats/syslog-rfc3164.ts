/**
 * BSD syslog (RFC 3164) lines: `<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG`, and the same without
 * `<PRI>` as syslog daemons write them to files (https://www.rfc-editor.org/rfc/rfc3164#section-4.1).
 * The timestamp has no year and no zone: it is read as UTC in the year of the fallback time (the
 * object's delivery time), or the year before when that would put it more than a day in the future.
 */
import { monthAt, monthIndex, mostly, regexLineParser, utc } from './line-regex.js';
import type { LineExtraction, LineFormat } from './types.js';

const EXTRACTION: LineExtraction = {
  pattern: '^(?:<([0-9]{1,3})>)?([A-Z][a-z]{2} [ 0-9][0-9] [0-9]{2}:[0-9]{2}:[0-9]{2}) ([^ ]+) (?:([^ :\\[]+)(?:\\[([^\\]]*)\\])?: ?)?(.*)$',
  fields: ['pri', 'timestamp', 'hostname', 'appname', 'procid', 'msg'],
};

/** Where the 15 characters of the timestamp start, after `<PRI>` if there is one. */
const afterPri = (line: string): number => (line.charCodeAt(0) === 60 ? line.indexOf('>') + 1 : 0);

/** `Mmm dd hh:mm:ss` in the year that puts it at most a day after `refMs` (UTC); NaN if malformed. */
export function bsdTime(s: unknown, refMs: number): number {
  return bsdTimeIn(s, new Date(refMs).getUTCFullYear(), refMs);
}

function bsdTimeIn(s: unknown, year: number, refMs: number): number {
  if (typeof s !== 'string' || s.length !== 15 || s[3] !== ' ' || s[6] !== ' ' || s[9] !== ':' || s[12] !== ':') return Number.NaN;
  const mon = monthIndex(s.slice(0, 3));
  const day = s[4] === ' ' ? Number(s[5]) : Number(s.slice(4, 6));
  const h = Number(s.slice(7, 9));
  const mi = Number(s.slice(10, 12));
  const sec = Number(s.slice(13, 15));
  if (mon === undefined || !(day >= 1 && day <= 31 && h <= 23 && mi <= 59 && sec <= 60)) return Number.NaN;
  const t = Date.UTC(year, mon, day, h, mi, sec);
  return t > refMs + 86_400_000 ? Date.UTC(year - 1, mon, day, h, mi, sec) : t;
}

/**
 * bsdTimeIn of line.slice(from, from + 15) in a line that matched EXTRACTION (so the day, hours,
 * minutes and seconds are digits, the day's first one possibly a space), read in place.
 */
function matchedBsdTime(line: string, from: number, year: number, refMs: number): number {
  const mon = monthAt(line, from);
  const d = (k: number): number => line.charCodeAt(from + k) - 48;
  const day = line.charCodeAt(from + 4) === 32 ? d(5) : d(4) * 10 + d(5);
  const h = d(7) * 10 + d(8);
  const mi = d(10) * 10 + d(11);
  const sec = d(13) * 10 + d(14);
  if (mon === undefined || !(day >= 1 && day <= 31 && h <= 23 && mi <= 59 && sec <= 60)) return Number.NaN;
  const t = utc(year, mon, day, h, mi, sec, 0);
  return t > refMs + 86_400_000 ? utc(year - 1, mon, day, h, mi, sec, 0) : t;
}

export const syslogRfc3164: LineFormat = {
  kind: 'lines',
  name: 'syslog-rfc3164',
  reference: 'https://www.rfc-editor.org/rfc/rfc3164',
  lineParser(opts) {
    const year = new Date(opts.fallbackMs).getUTCFullYear();
    return regexLineParser(EXTRACTION, afterPri, (line, from) => matchedBsdTime(line, from, year, opts.fallbackMs), opts, 'syslog (RFC 3164)');
  },
  sniff: (lines) => mostly(lines, (l) => /^(<\d{1,3}>)?[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ /.test(l)),
  extraction: () => EXTRACTION,
};
