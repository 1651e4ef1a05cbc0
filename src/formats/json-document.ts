/** Shared by the document formats (CloudTrail, AWS Config): a JSON document holding an array of records. */
import { LazyFieldsEvent, parseLines, rawEvent } from './line-regex.js';

const readRecord = (message: string): Fields => JSON.parse(message) as Fields;
import type { Fields, ParseOptions, ParseResult, ParsedEvent } from './types.js';

/**
 * The records of `text` (a JSON object whose member `key` is an array of objects), one event each,
 * or null if `text` is not such a document. A record that is not an object is kept as a raw event.
 */
export function recordsDocument(text: string, key: string, time: (r: Fields) => number, opts: ParseOptions): ParseResult | null {
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
  for (const r of records) {
    const message = JSON.stringify(r);
    if (r === null || typeof r !== 'object' || Array.isArray(r)) {
      errors++;
      events.push(rawEvent(message, opts.fallbackMs, `a ${key} entry is a JSON object`));
      continue;
    }
    const t = time(r as Fields);
    // The parsed record is not kept: its fields are read again from the message if asked for
    // (holding every record's object graph until the whole document is parsed costs more in GC).
    events.push(new LazyFieldsEvent(Number.isFinite(t) ? t : opts.fallbackMs, message, readRecord));
  }
  return { events, errors, skipped: 0 };
}

/** A document we cannot read: every line kept as a raw event with `error`. */
export function rawDocument(text: string, opts: ParseOptions, error: string): ParseResult {
  return parseLines({ parse: (line) => rawEvent(line, opts.fallbackMs, error) }, text);
}
