/** Shared by the document formats (CloudTrail, AWS Config): a JSON document holding an array of records. */
import type { JsonTimeReader } from './json-lines.js';
import { minify, scanRecords } from './json-scan.js';
import { LazyFieldsEvent, parseLines, rawEvent } from './line-regex.js';
import type { Fields, ParseOptions, ParseResult, ParsedEvent } from './types.js';

const readRecord = (message: string): Fields => JSON.parse(message) as Fields;

/**
 * The records of `text` (a JSON object whose member `key` is an array of objects), one event each
 * at the time `time` reads from the record's member `timeKey` (NaN: the fallback), or null if `text`
 * is not such a document. A record that is not an object is kept as a raw event.
 *
 * Each record's message is its text as delivered (compact JSON, as CloudTrail writes records to
 * CloudWatch Logs), without whitespace outside strings if the file was indented. The document is
 * validated and split by a scan that builds no objects (json-scan.ts); the records' fields are parsed
 * from the message only if asked for (LazyFieldsEvent). Documents the scan is unsure of (not valid
 * JSON, `key` twice or written with escapes) are left to JSON.parse.
 */
export function recordsDocument(text: string, key: string, timeKey: string, time: JsonTimeReader, opts: ParseOptions): ParseResult | null {
  const scan = scanRecords(text, key, timeKey);
  if (scan === 'not-records') return null;
  if (scan === 'unsure') return parsedRecordsDocument(text, key, timeKey, time, opts);
  const r = scan.records;
  const events: ParsedEvent[] = [];
  let errors = 0;
  const notObject = `a ${key} entry is a JSON object`;
  for (let k = 0; k < r.length; k += 5) {
    const flags = r[k + 4]!;
    const message = flags & 2 ? minify(text, r[k]!, r[k + 1]!) : text.slice(r[k]!, r[k + 1]!);
    if (flags & 1) {
      errors++;
      events.push(rawEvent(message, opts.fallbackMs, notObject));
      continue;
    }
    const tFrom = r[k + 2]!;
    const t = tFrom < 0 ? Number.NaN : time(text, tFrom, r[k + 3]!);
    events.push(new LazyFieldsEvent(Number.isFinite(t) ? t : opts.fallbackMs, message, readRecord));
  }
  return { events, errors, skipped: 0 };
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
  const events: ParsedEvent[] = [];
  let errors = 0;
  for (const r of records as unknown[]) {
    const message = JSON.stringify(r);
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      errors++;
      events.push(rawEvent(message, opts.fallbackMs, `a ${key} entry is a JSON object`));
      continue;
    }
    const v = (r as Fields)[timeKey];
    const vText = v === undefined ? undefined : JSON.stringify(v);
    const t = vText === undefined ? Number.NaN : time(vText, 0, vText.length);
    events.push(new LazyFieldsEvent(Number.isFinite(t) ? t : opts.fallbackMs, message, readRecord));
  }
  return { events, errors, skipped: 0 };
}

/** A document we cannot read: every line kept as a raw event with `error`. */
export function rawDocument(text: string, opts: ParseOptions, error: string): ParseResult {
  return parseLines({ parse: (line) => rawEvent(line, opts.fallbackMs, error) }, text);
}
