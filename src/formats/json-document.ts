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
  // Each record's message is its text as delivered (compact JSON, as CloudTrail writes it to
  // CloudWatch Logs); slicing costs less than writing every record out again.
  const spans = elementSpans(text, key);
  const sliced = spans !== null && spans.length === records.length;
  const events: ParsedEvent[] = [];
  let errors = 0;
  for (let k = 0; k < records.length; k++) {
    const r: unknown = records[k];
    const message = sliced ? text.slice(spans[2 * k]!, spans[2 * k + 1]!) : JSON.stringify(r);
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

const QUOTE = 34;
const BACKSLASH = 92;

/** The index just past the string that opens at text[i] (a `"`). */
function skipString(text: string, i: number): number {
  for (let j = i + 1; ; ) {
    const q = text.indexOf('"', j);
    if (q < 0) return text.length;
    let b = q - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    if ((q - 1 - b) % 2 === 0) return q + 1;
    j = q + 1;
  }
}

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * [start, end, start, end, ...] of the elements of the array that is the top-level member `key` of
 * the JSON object `text` (already known to be valid JSON), without parsing it; null if not found.
 */
export function elementSpans(text: string, key: string): number[] | null {
  const n = text.length;
  let depth = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = skipString(text, i);
      if (depth === 1) {
        let j = end;
        while (j < n && isSpace(text.charCodeAt(j))) j++;
        if (text.charCodeAt(j) === 58 /* : */ && text.slice(i + 1, end - 1) === key) {
          j++;
          while (j < n && isSpace(text.charCodeAt(j))) j++;
          return text.charCodeAt(j) === 91 /* [ */ ? arrayElements(text, j) : null;
        }
      }
      i = end;
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
    i++;
  }
  return null;
}

/** Spans of the elements of the array opening at text[open]. */
function arrayElements(text: string, open: number): number[] {
  const spans: number[] = [];
  const n = text.length;
  let depth = 0;
  let start = -1;
  let last = -1;
  for (let i = open + 1; i < n; ) {
    const c = text.charCodeAt(i);
    if (depth === 0 && (c === 44 /* , */ || c === 93 /* ] */)) {
      if (start >= 0) spans.push(start, last + 1);
      if (c === 93) return spans;
      start = -1;
      i++;
      continue;
    }
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (start < 0) start = i;
    if (c === QUOTE) {
      i = skipString(text, i);
      last = i - 1;
      continue;
    }
    if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
    last = i;
    i++;
  }
  return spans;
}
