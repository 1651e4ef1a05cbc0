/**
 * Building blocks of the line formats whose fields one regular expression captures. The pattern is
 * written in the syntax JavaScript and RE2 read alike (no lookaround, no backreferences, no named
 * groups), because Logs Insights runs the same pattern in DuckDB (regexp_extract) to extract a field
 * from @message: see LineExtraction in types.ts.
 */
import { ParsedEvents } from './parsed-events.js';
import type { Fields, LineExtraction, LineParser, ParseOptions, ParsedEvent } from './types.js';

/** A run of non-space characters (possibly empty). */
export const TOKEN = '([^ ]*)';
/** A double-quoted value with backslash escapes; the capture is the text between the quotes. */
export const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';
/** A value in square brackets (`[06/Feb/2019:00:00:38 +0000]`). */
export const BRACKETED = '\\[([^\\]]*)\\]';

export interface Part {
  /** Field names of this part's capture groups, in order. */
  names: string[];
  /** Pattern with exactly names.length capture groups. */
  re: string;
}

export const token = (name: string): Part => ({ names: [name], re: TOKEN });
export const quoted = (name: string): Part => ({ names: [name], re: QUOTED });
/** `ip:port`, or `-` (both absent). The last colon separates the port (IPv6 addresses have colons). */
export const hostPort = (ip: string, port: string): Part => ({ names: [ip, port], re: '(?:([^ ]*):([0-9]*)|-)' });

/**
 * The pattern of space-separated parts: `required` always, then `optional` parts, each present only
 * if those before it are (formats grow by appending fields), then anything after (fields added later
 * than this parser).
 */
export function sequence(required: Part[], optional: Part[] = [], sep = ' ', rest = true): LineExtraction {
  let tail = '';
  for (let i = optional.length - 1; i >= 0; i--) tail = `(?:${sep}${optional[i]!.re}${tail})?`;
  const pattern = `^${required.map((p) => p.re).join(sep)}${tail}${rest ? `(?:${sep}.*)?` : ''}$`;
  return { pattern, fields: [...required, ...optional].flatMap((p) => p.names) };
}

/** The fields of a line matched by `re` (compiled from extraction.pattern); empty captures are left out. */
export function capture(re: RegExp, fields: readonly string[], line: string): Fields | null {
  const m = re.exec(line);
  if (m === null) return null;
  return valuesToFields(m, fields, 1);
}

/** values[offset + k] as the field names[k], leaving out empty and missing values. */
export function valuesToFields(values: ArrayLike<string | undefined>, names: readonly string[], offset: number): Fields {
  const out: Fields = {};
  for (let k = 0; k < names.length; k++) {
    const v = values[offset + k];
    if (v !== undefined && v !== '') out[names[k]!] = v;
  }
  return out;
}

/**
 * Where a format's time is in a line that matched its pattern, without capturing every field or
 * cutting the time out of the line: the index where the time starts; where it ends is left in
 * `timeEnd` (one number more to return, without an object per line).
 */
export type TimeAt = (line: string) => number;
/** The end of the span the last TimeAt found. */
export let timeEnd = 0;

/** The n-th space-separated token (when the pattern's first n+1 parts are tokens). */
export function tokenAt(n: number): TimeAt {
  return (line) => {
    let from = 0;
    for (let k = 0; k < n; k++) from = line.indexOf(' ', from) + 1;
    const to = line.indexOf(' ', from);
    timeEnd = to < 0 ? line.length : to;
    return from;
  };
}

/** The text in the brackets after the n-th space. */
export function bracketAfter(n: number): TimeAt {
  return (line) => {
    let from = 0;
    for (let k = 0; k < n; k++) from = line.indexOf(' ', from) + 1;
    timeEnd = line.indexOf(']', from);
    return from + 1;
  };
}

/** Reads a time from line[from, to): epoch ms, or NaN if malformed. */
export type TimeReader = (line: string, from: number, to: number) => number;

/** text[from, to) as a string (the text itself when it is the whole of it). */
export function lineOf(text: string, from: number, to: number): string {
  return from === 0 && to === text.length ? text : text.slice(from, to);
}

/**
 * A line parser for a fixed extraction: each line must match (RegExp.test: no captures are built);
 * `time` reads the event time from where `at` finds it (NaN: use the fallback and keep the event,
 * its fields are still good).
 */
export function regexLineParser(ex: LineExtraction, at: TimeAt, time: TimeReader, opts: ParseOptions, what: string): LineParser {
  const re = new RegExp(ex.pattern);
  const notMatched = `not a ${what} line`;
  return {
    time(text, from, to) {
      const line = lineOf(text, from, to);
      if (!re.test(line)) return notMatched;
      const t = time(line, at(line), timeEnd);
      return Number.isFinite(t) ? t : opts.fallbackMs;
    },
    read: (line) => capture(re, ex.fields, line) ?? {},
  };
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
export const monthIndex = (m: string): number | undefined => MONTHS[m];

/** The three letters of a month's English abbreviation, as one number. */
const MONTH_CODES = new Map(Object.entries(MONTHS).map(([m, k]) => [(m.charCodeAt(0) << 16) | (m.charCodeAt(1) << 8) | m.charCodeAt(2), k]));

/** monthIndex(s.slice(i, i + 3)) without the slice. */
export function monthAt(s: string, i: number): number | undefined {
  const a = s.charCodeAt(i);
  const b = s.charCodeAt(i + 1);
  const c = s.charCodeAt(i + 2);
  if (!(a < 128 && b < 128 && c < 128)) return undefined;
  return MONTH_CODES.get((a << 16) | (b << 8) | c);
}

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : Number.NaN;
};
const num2 = (s: string, i: number): number => digit(s, i) * 10 + digit(s, i + 1);
const num4 = (s: string, i: number): number => num2(s, i) * 100 + num2(s, i + 2);

/** The day of the last utc() call: the lines of one log mostly share their date. */
let cachedY = Number.NaN;
let cachedMo = Number.NaN;
let cachedD = Number.NaN;
let cachedDayMs = Number.NaN;

/**
 * UTC ms of a calendar time, NaN when a part is out of range (Date.UTC would roll it over). The same
 * as Date.UTC(y, mo, d, h, mi, sec, ms), which is Date.UTC(y, mo, d) plus the time of day in ms.
 */
export function utc(y: number, mo: number, d: number, h: number, mi: number, sec: number, ms: number): number {
  if (!(mo >= 0 && mo <= 11 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 60)) return Number.NaN;
  if (y !== cachedY || mo !== cachedMo || d !== cachedD) {
    cachedDayMs = Date.UTC(y, mo, d);
    cachedY = y;
    cachedMo = mo;
    cachedD = d;
  }
  return cachedDayMs + ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

/**
 * `06/Feb/2019:00:00:38 +0000` (Common Log Format, optionally with a fraction after the seconds) to
 * epoch ms; NaN if malformed. Read by position: this runs once per line of every access log.
 */
export function clfTime(s: unknown): number {
  return typeof s === 'string' ? clfTimeAt(s, 0, s.length) : Number.NaN;
}

/** clfTime(s.slice(p, end)) without the slice. */
export function clfTimeAt(s: string, p: number, end: number): number {
  const c = (k: number): number => s.charCodeAt(p + k);
  if (end - p < 26 || c(2) !== 47 || c(6) !== 47 || c(11) !== 58 || c(14) !== 58 || c(17) !== 58) return Number.NaN;
  const mon = monthAt(s, p + 3);
  if (mon === undefined) return Number.NaN;
  let i = p + 20;
  let ms = 0;
  if (s.charCodeAt(i) === 46 /* . */) {
    let k = 0;
    for (i++; i < end && s.charCodeAt(i) !== 32; i++, k++) if (k < 3) ms = ms * 10 + digit(s, i);
    if (k === 0) return Number.NaN;
    for (; k < 3; k++) ms *= 10;
  }
  const sign = s.charCodeAt(i + 1);
  if (end !== i + 6 || s.charCodeAt(i) !== 32 || (sign !== 43 /* + */ && sign !== 45)) return Number.NaN;
  const off = (num2(s, i + 2) * 60 + num2(s, i + 4)) * 60_000;
  const t = utc(num4(s, p + 7), mon, num2(s, p), num2(s, p + 12), num2(s, p + 15), num2(s, p + 18), ms);
  return sign === 43 ? t - off : t + off;
}

/**
 * An ISO 8601 time `YYYY-MM-DDTHH:MM:SS[.fraction][Z|±HH:MM|±HHMM]`; without a zone it is UTC (as AWS
 * writes `2018-12-20T02:59:40`). Fractions past milliseconds (ALB writes microseconds) are cut. NaN
 * if malformed. Read by position, as clfTime.
 */
export function isoTime(s: unknown): number {
  return typeof s === 'string' ? isoTimeAt(s, 0, s.length) : Number.NaN;
}

/** isoTime(s.slice(p, end)) without the slice. */
export function isoTimeAt(s: string, p: number, end: number): number {
  const t10 = s.charCodeAt(p + 10);
  if (end - p < 19 || s.charCodeAt(p + 4) !== 45 || s.charCodeAt(p + 7) !== 45 || (t10 !== 84 /* T */ && t10 !== 32) || s.charCodeAt(p + 13) !== 58 || s.charCodeAt(p + 16) !== 58) return Number.NaN;
  let i = p + 19;
  let ms = 0;
  if (i < end && s.charCodeAt(i) === 46 /* . */) {
    let k = 0;
    for (i++; i < end && digit(s, i) >= 0; i++, k++) if (k < 3) ms = ms * 10 + digit(s, i);
    if (k === 0) return Number.NaN;
    for (; k < 3; k++) ms *= 10;
  }
  let off = 0;
  const z = i < end ? s.charCodeAt(i) : -1;
  if (i === end - 1 && z === 90 /* Z */) i++;
  else if (z === 43 /* + */ || z === 45 /* - */) {
    const colon = i + 3 < end && s.charCodeAt(i + 3) === 58 ? 1 : 0;
    if (end !== i + 5 + colon) return Number.NaN;
    off = (num2(s, i + 1) * 60 + num2(s, i + 3 + colon)) * 60_000 * (z === 43 ? 1 : -1);
    i = end;
  }
  if (i !== end) return Number.NaN;
  return utc(num4(s, p), num2(s, p + 5) - 1, num2(s, p + 8), num2(s, p + 11), num2(s, p + 14), num2(s, p + 17), ms) - off;
}

/** Epoch seconds written as text (VPC flow logs' start) to ms; NaN if not a number. */
export function secondsTime(s: unknown): number {
  return typeof s === 'string' ? secondsTimeAt(s, 0, s.length) : Number.NaN;
}

/** secondsTime(s.slice(from, to)) without the slice. */
export function secondsTimeAt(s: string, from: number, to: number): number {
  if (to <= from || to - from > 12) return Number.NaN;
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + digit(s, i);
  return n * 1000;
}

/** A parse of a whole object's text, line by line: one event per line that is not a header or empty. */
export function parseLines(parser: LineParser, text: string, fallbackMs: number): ParsedEvents {
  const out = new ParsedEvents(text, parser.read, text.length >> 5);
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    const lineEnd = end > start && text.charCodeAt(end - 1) === 13 /* \r */ ? end - 1 : end;
    const from = start;
    start = end + 1;
    if (lineEnd === from) continue;
    const t = parser.time(text, from, lineEnd);
    if (typeof t === 'number') out.add(t, from, lineEnd);
    else if (t === null) {
      out.skipped++;
      out.setReader(parser.read);
    } else out.addError(fallbackMs, t, from, lineEnd);
  }
  return out;
}

/** One line as an event (null for a header line), as parseLines reads it: for tests and sniffing. */
export function parseLine(parser: LineParser, line: string, fallbackMs: number): ParsedEvent | null {
  const t = parser.time(line, 0, line.length);
  if (t === null) return null;
  if (typeof t === 'string') return { timestamp: fallbackMs, message: line, fields: {}, parseError: t };
  return { timestamp: t, message: line, fields: parser.read(line) };
}

/** Sniffing: at least two thirds of the sample lines pass `test` (a file may hold a few odd lines). */
export function mostly(lines: readonly string[], test: (line: string) => boolean): boolean {
  let n = 0;
  for (const l of lines) if (test(l)) n++;
  return lines.length > 0 && n * 3 >= lines.length * 2;
}
