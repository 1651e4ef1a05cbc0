/** Shared by the document formats (CloudTrail, AWS Config): a JSON document holding an array of records. */
import type { JsonTimeReader } from './json-lines.js';
import { minify, scanRecords } from './json-scan.js';
import { parseLines } from './line-regex.js';
import { NO_FIELDS, ParsedEvents } from './parsed-events.js';
import type { Fields, ParseOptions, ParseResult } from './types.js';

const readRecord = (message: string): Fields => JSON.parse(message) as Fields;

/**
 * The records of `text` (a JSON object whose member `key` is an array of objects), one event each
 * at the time `time` reads from the record's member `timeKey` (NaN: the fallback), or null if `text`
 * is not such a document. A record that is not an object is kept as a raw event.
 *
 * Each record's message is its text as delivered (compact JSON, as CloudTrail writes records to
 * CloudWatch Logs), without whitespace outside strings if the file was indented. The document is
 * validated and split by a scan that builds no objects (json-scan.ts); the records' fields are parsed
 * from the message only if asked for (ParsedEvents.fields). Documents the scan is unsure of (not valid
 * JSON, `key` twice or written with escapes) are left to JSON.parse.
 */
export function recordsDocument(text: string, key: string, timeKey: string, time: JsonTimeReader, opts: ParseOptions): ParseResult | null {
  const scan = scanRecords(text, key, timeKey);
  if (scan === 'not-records') return null;
  if (scan === 'unsure') return parsedRecordsDocument(text, key, timeKey, time, opts);
  const r = scan.records;
  const out = new ParsedEvents(text, readRecord, r.length / 5);
  const notObject = `a ${key} entry is a JSON object`;
  for (let k = 0; k < r.length; k += 5) {
    const from = r[k]!;
    const to = r[k + 1]!;
    const flags = r[k + 4]!;
    // A record with whitespace outside its strings (an indented file) is stored without it.
    const minified = flags & 2 ? minify(text, from, to) : undefined;
    if (flags & 1) {
      out.addError(opts.fallbackMs, notObject, from, to, minified);
      continue;
    }
    const tFrom = r[k + 2]!;
    let t = tFrom < 0 ? Number.NaN : time(text, tFrom, r[k + 3]!);
    if (!Number.isFinite(t)) t = opts.fallbackMs;
    if (minified === undefined) out.add(t, from, to);
    else out.addMessage(t, minified);
  }
  return out;
}

/** recordsDocument by JSON.parse, for what the scan leaves to it; messages are the records written out again. */
function parsedRecordsDocument(text: string, key: string, timeKey: string, time: JsonTimeReader, opts: ParseOptions): ParseResult | null {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return null;
  }
  const records = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>)[key] : undefined;
  if (!Array.isArray(records)) return null;
  const out = new ParsedEvents(text, readRecord, records.length);
  for (const r of records as unknown[]) {
    const message = JSON.stringify(r);
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      out.addError(opts.fallbackMs, `a ${key} entry is a JSON object`, -1, -1, message);
      continue;
    }
    const v = (r as Fields)[timeKey];
    const vText = v === undefined ? undefined : JSON.stringify(v);
    const t = vText === undefined ? Number.NaN : time(vText, 0, vText.length);
    out.addMessage(Number.isFinite(t) ? t : opts.fallbackMs, message);
  }
  return out;
}

/** A document we cannot read: every line kept as a raw event with `error`. */
export function rawDocument(text: string, opts: ParseOptions, error: string): ParseResult {
  return parseLines({ time: () => error, read: NO_FIELDS }, text, opts.fallbackMs);
}
