/**
 * JSON lines: one JSON object per line (https://jsonlines.org/). The fields are the object's members
 * (Logs Insights discovers them itself, see docs/insights.md). The event time is the first of
 * `timestamp`, `@timestamp`, `time`, `ts`, `date` that reads as a time: an ISO 8601 string, or a
 * number of epoch seconds, milliseconds, microseconds or nanoseconds (told apart by magnitude).
 */
import { isoTime, LazyFieldsEvent, mostly, rawEvent } from './line-regex.js';

const readObject = (line: string): Fields => JSON.parse(line) as Fields;
import type { Fields, LineFormat, LineParser, ParseOptions } from './types.js';

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
  if (typeof v === 'string') return /^\d+(\.\d+)?$/.test(v) ? epochNumberMs(Number(v)) : isoTime(v);
  return Number.NaN;
}

/** A line parser for JSON objects whose time `time` reads (NaN: the fallback). */
export function jsonLineParser(opts: ParseOptions, time: (o: Fields) => number, what: string): LineParser {
  return {
    parse(line) {
      let o: unknown;
      try {
        o = JSON.parse(line);
      } catch (e) {
        return rawEvent(line, opts.fallbackMs, `not JSON: ${(e as Error).message}`);
      }
      if (o === null || typeof o !== 'object' || Array.isArray(o)) return rawEvent(line, opts.fallbackMs, `a ${what} line is a JSON object`);
      const t = time(o as Fields);
      // The parsed object is not kept (see LazyFieldsEvent): fields are parsed again if asked for.
      return new LazyFieldsEvent(Number.isFinite(t) ? t : opts.fallbackMs, line, readObject);
    },
  };
}

function defaultTime(o: Fields): number {
  for (const k of TIME_KEYS) {
    if (k in o) {
      const t = timeValueMs(o[k]);
      if (Number.isFinite(t)) return t;
    }
  }
  return Number.NaN;
}

export const jsonLines: LineFormat = {
  kind: 'lines',
  name: 'json',
  reference: 'https://jsonlines.org/',
  lineParser: (opts) => jsonLineParser(opts, defaultTime, 'JSON lines'),
  sniff: (lines) => mostly(lines, (l) => l.startsWith('{') && l.endsWith('}')),
};
