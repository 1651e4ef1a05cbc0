/**
 * Building blocks of the line formats whose fields one regular expression captures. The pattern is
 * written in the syntax JavaScript and RE2 read alike (no lookaround, no backreferences, no named
 * groups), because Logs Insights runs the same pattern in DuckDB (regexp_extract) to extract a field
 * from @message: see LineExtraction in types.ts.
 */
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
  const out: Fields = {};
  for (let i = 0; i < fields.length; i++) {
    const v = m[i + 1];
    if (v !== undefined && v !== '') out[fields[i]!] = v;
  }
  return out;
}

/** A raw event for a line that could not be parsed: kept, never dropped. */
export function rawEvent(line: string, fallbackMs: number, error: string): ParsedEvent {
  return { timestamp: fallbackMs, message: line, fields: {}, parseError: error };
}

/**
 * A line parser for a fixed extraction: each line must match; `time` reads the event time from the
 * fields (NaN: use the fallback and keep the event, its fields are still good).
 */
export function regexLineParser(ex: LineExtraction, time: (f: Fields) => number, opts: ParseOptions, what: string): LineParser {
  const re = new RegExp(ex.pattern);
  return {
    parse(line) {
      const fields = capture(re, ex.fields, line);
      if (fields === null) return rawEvent(line, opts.fallbackMs, `not a ${what} line`);
      const t = time(fields);
      return { timestamp: Number.isFinite(t) ? t : opts.fallbackMs, message: line, fields };
    },
  };
}

const MONTHS: Record<string, number> = { Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11 };
export const monthIndex = (m: string): number | undefined => MONTHS[m];

/** `06/Feb/2019:00:00:38 +0000` (Common Log Format) to epoch ms; NaN if malformed. */
export function clfTime(s: unknown): number {
  if (typeof s !== 'string') return Number.NaN;
  const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))? ([+-])(\d{2})(\d{2})$/.exec(s);
  if (!m) return Number.NaN;
  const mon = MONTHS[m[2]!];
  if (mon === undefined) return Number.NaN;
  const utc = Date.UTC(+m[3]!, mon, +m[1]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? +m[7].padEnd(3, '0') : 0);
  const off = (+m[9]! * 60 + +m[10]!) * 60_000;
  return m[8] === '+' ? utc - off : utc + off;
}

/** An ISO 8601 time; without a zone it is UTC (as AWS writes `2018-12-20T02:59:40`). NaN if malformed. */
export function isoTime(s: unknown): number {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) return Number.NaN;
  // Fractions past milliseconds (ALB writes microseconds) are cut, as Date.parse only reads three digits reliably.
  const t = s.replace(/(\.\d{3})\d+/, '$1');
  return Date.parse(/(?:Z|[+-]\d{2}:?\d{2})$/.test(t) ? t : `${t}Z`);
}

/** Epoch seconds written as text (VPC flow logs' start) to ms; NaN if not a number. */
export function secondsTime(s: unknown): number {
  return typeof s === 'string' && /^\d{1,12}$/.test(s) ? Number(s) * 1000 : Number.NaN;
}

/** A parse of a whole object's text, line by line, with the counts ParseResult wants. */
export function parseLines(parser: LineParser, text: string): { events: ParsedEvent[]; errors: number; skipped: number } {
  const events: ParsedEvent[] = [];
  let errors = 0;
  let skipped = 0;
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    start = end + 1;
    if (line === '') continue;
    const e = parser.parse(line);
    if (e === null) skipped++;
    else {
      if (e.parseError !== undefined) errors++;
      events.push(e);
    }
  }
  return { events, errors, skipped };
}

/** Sniffing: at least two thirds of the sample lines pass `test` (a file may hold a few odd lines). */
export function mostly(lines: readonly string[], test: (line: string) => boolean): boolean {
  let n = 0;
  for (const l of lines) if (test(l)) n++;
  return lines.length > 0 && n * 3 >= lines.length * 2;
}
