/**
 * JSON lines: one JSON object per line (https://jsonlines.org/). The fields are the object's members
 * (Logs Insights discovers them itself, see docs/insights.md). The event time is the first of
 * `timestamp`, `@timestamp`, `time`, `ts`, `date` that reads as a time: an ISO 8601 string, or a
 * number of epoch seconds, milliseconds, microseconds or nanoseconds (told apart by magnitude).
 */
import { scalarAt, scanObject, skipWs } from './json-scan.js';
import { isoTime, isoTimeAt, lineOf, mostly } from './line-regex.js';
import type { Fields, LineFormat, LineParser, ParseOptions } from './types.js';

const readObject = (line: string): Fields => JSON.parse(line) as Fields;

/** Where JSON lines keep their time, in order of preference. */
const TIME_KEYS = ['timestamp', '@timestamp', 'time', 'ts', 'date'];

/** A number of epoch seconds, ms, µs or ns to ms. */
export function epochNumberMs(n: number): number {
  if (!Number.isFinite(n) || n <= 0) return Number.NaN;
  if (n < 1e11) return Math.round(n * 1000);
  if (n < 1e14) return Math.round(n);
  if (n < 1e17) return Math.round(n / 1000);
  return Math.round(n / 1e6);
}

export function timeValueMs(v: unknown): number {
  if (typeof v === 'number') return epochNumberMs(v);
  if (typeof v === 'string') return isDecimal(v, 0, v.length) ? epochNumberMs(Number(v)) : isoTime(v);
  return Number.NaN;
}

/** Whether v[from, to) is digits, optionally with a fraction (`^\d+(\.\d+)?$`). */
function isDecimal(v: string, from: number, to: number): boolean {
  let i = from;
  while (i < to && isDigit(v.charCodeAt(i))) i++;
  if (i === from) return false;
  if (i === to) return true;
  if (v.charCodeAt(i) !== 46 /* . */ || i + 1 === to) return false;
  for (i++; i < to; i++) if (!isDigit(v.charCodeAt(i))) return false;
  return true;
}

/**
 * Reads a time from the JSON value s[from, to) of a valid line, in place where it can: epoch ms, or
 * NaN. jsonTime(read) reads it as `read` reads the value JSON.parse gives.
 */
export type JsonTimeReader = (s: string, from: number, to: number) => number;

/**
 * timeValueMs of a JSON value in place. A string's characters are read as its text first: an ISO
 * time or a decimal has no backslash, so one that reads as either has no escapes and means what it
 * reads; only a string that does not is decoded (JSON.parse) and read again.
 */
export const jsonTimeValueMs: JsonTimeReader = (s, from, to) => {
  const c = s.charCodeAt(from);
  if (c === 34 /* " */) {
    if (isDecimal(s, from + 1, to - 1)) return epochNumberMs(Number(s.slice(from + 1, to - 1)));
    const t = isoTimeAt(s, from + 1, to - 1);
    return Number.isFinite(t) || !hasBackslash(s, from + 1, to - 1) ? t : timeValueMs(scalarAt(s, from, to));
  }
  if (isDigit(c) && to - from <= 15 && allDigits(s, from, to)) return epochNumberMs(integerAt(s, from, to));
  return timeValueMs(scalarAt(s, from, to));
};

/** isoTime of a JSON value in place (see jsonTimeValueMs). */
export const jsonIsoTime: JsonTimeReader = (s, from, to) => {
  if (s.charCodeAt(from) !== 34 /* " */) return Number.NaN;
  const t = isoTimeAt(s, from + 1, to - 1);
  return Number.isFinite(t) || !hasBackslash(s, from + 1, to - 1) ? t : isoTime(scalarAt(s, from, to));
};

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** Whether s[from, to) is all digits. */
function allDigits(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/** The integer written in s[from, to) (digits, at most 15: exact in a double). */
function integerAt(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) n = n * 10 + (s.charCodeAt(i) - 48);
  return n;
}

/** Whether s[from, to) holds a backslash. */
function hasBackslash(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 92) return true;
  return false;
}

/**
 * A line parser for JSON objects whose time is the first of the members `timeKeys` that `time`
 * reads as a time (NaN: the next, then the fallback). Lines are validated by a scan (json-scan.ts)
 * that builds no object: the event's message is the line, its fields are parsed only if asked for
 * (ParsedEvents.fields). A line the scan rejects is left to JSON.parse, for its error message.
 */
export function jsonLineParser(opts: ParseOptions, timeKeys: readonly string[], time: JsonTimeReader, what: string): LineParser {
  const found = new Int32Array(2 * timeKeys.length);
  const notObject = `a ${what} line is a JSON object`;
  return {
    read: readObject,
    time(text, from, to) {
      // Read in place: the scan of a valid line ends within it (scanObject).
      const i = skipWs(text, from);
      const end = i < to && text.charCodeAt(i) === 123 /* { */ ? scanObject(text, i, timeKeys, found, to) : -1;
      if (end < 0 || end > to || !blankUntil(text, end, to)) {
        // Not an object, or not JSON: JSON.parse says which (and how).
        const line = lineOf(text, from, to);
        let o: unknown;
        try {
          o = JSON.parse(line);
        } catch (e) {
          return `not JSON: ${(e as Error).message}`;
        }
        if (o === null || typeof o !== 'object' || Array.isArray(o)) return notObject;
        // The scan rejected what JSON.parse reads as an object: never expected, but keep the event.
        return timeOfObject(o as Fields, timeKeys, time, opts.fallbackMs);
      }
      let t = Number.NaN;
      for (let k = 0; k < timeKeys.length && !Number.isFinite(t); k++) {
        const at = found[2 * k]!;
        if (at >= 0) t = time(text, at, found[2 * k + 1]!);
      }
      return Number.isFinite(t) ? t : opts.fallbackMs;
    },
  };
}

/** Whether s[from, to) is JSON whitespace only. */
function blankUntil(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!(c === 32 || c === 10 || c === 13 || c === 9)) return false;
  }
  return true;
}

/** The time of a parsed object, as jsonLineParser reads it from the line. */
function timeOfObject(o: Fields, timeKeys: readonly string[], time: JsonTimeReader, fallbackMs: number): number {
  for (const k of timeKeys) {
    if (!Object.hasOwn(o, k)) continue;
    const text = JSON.stringify(o[k]);
    const t = time(text, 0, text.length);
    if (Number.isFinite(t)) return t;
  }
  return fallbackMs;
}

export const jsonLines: LineFormat = {
  kind: 'lines',
  name: 'json',
  reference: 'https://jsonlines.org/',
  lineParser: (opts) => jsonLineParser(opts, TIME_KEYS, jsonTimeValueMs, 'JSON lines'),
  sniff: (lines) => mostly(lines, (l) => l.startsWith('{') && l.endsWith('}')),
};
