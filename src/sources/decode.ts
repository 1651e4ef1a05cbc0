/**
 * One delivered object's bytes → the events to store: gunzip (recognised by its magic bytes, whatever
 * the key says), UTF-8, the format (the source's, else from the key layout, else from the content),
 * then the format's parser (src/formats). Deterministic: the same bytes give the same events in the
 * same order, which recovery after a crash relies on (state.ts).
 *
 * What is stored: a parsed event's message as the format gives it (the line, or the record's JSON); a
 * line or record that did not parse as `{"parseError": <why>, "raw": <the text>}` at the object's
 * LastModified, so it is kept, found by `parseError`, and counted.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { isUtf8 } from 'node:buffer';
import { FORMAT_TAG, decodeText, formatByName, formatOfKey, parseText, sniffFormat, type Format } from '../formats/index.js';
import { MAX_EVENT_BYTES, EVENT_OVERHEAD_BYTES } from '../ingest/put-log-events.js';

/** An object whose decompressed size passes this is refused (recorded as failed). */
export const MAX_OBJECT_BYTES = 256 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);
/** A longer message is cut to this many bytes of raw text (kept as a parse error). */
const CUT_BYTES = 256 * 1024;

export type Decoded =
  | { kind: 'events'; format: Format; events: Array<{ timestamp: number; message: string }>; parseErrors: number }
  | { kind: 'skip'; reason: string }
  | { kind: 'failed'; reason: string };

export async function decodeObject(key: string, bytes: Buffer, formatSetting: string, lastModifiedMs: number): Promise<Decoded> {
  let data = bytes;
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      data = await gunzipAsync(bytes, { maxOutputLength: MAX_OBJECT_BYTES });
    } catch (e) {
      return { kind: 'failed', reason: `not valid gzip: ${(e as Error).message}` };
    }
  }
  if (!isUtf8(data)) return { kind: 'failed', reason: 'not text: the object is not UTF-8 (nor gzip of it)' };
  const text = decodeText(data); // ASCII (most logs) decodes as Latin-1, several times faster than UTF-8
  let format: Format | null;
  if (formatSetting !== 'auto') format = formatByName(formatSetting);
  else {
    const byKey = formatOfKey(key);
    if (byKey !== null && 'skip' in byKey) return { kind: 'skip', reason: byKey.skip };
    const name = byKey?.format ?? sniffFormat(text);
    format = name === null ? null : formatByName(name);
  }
  if (format === null) return { kind: 'failed', reason: `the format is not recognised from the key or the content (give the source a format; the group tag ${FORMAT_TAG} names it for Insights)` };
  const parsed = parseText(format, text, { fallbackMs: lastModifiedMs });
  let parseErrors = 0;
  const events = Array.from({ length: parsed.count }, (_, i) => {
    const timestamp = parsed.timestamp(i);
    let message = parsed.message(i);
    let error = parsed.parseError(i);
    if (Buffer.byteLength(message) + EVENT_OVERHEAD_BYTES > MAX_EVENT_BYTES) {
      error = `the event is larger than ${MAX_EVENT_BYTES - EVENT_OVERHEAD_BYTES} bytes: cut to ${CUT_BYTES}`;
      message = Buffer.from(message).subarray(0, CUT_BYTES).toString('utf8');
    }
    if (error === undefined) return { timestamp, message };
    parseErrors++;
    return { timestamp, message: JSON.stringify({ parseError: error, raw: message }) };
  });
  // In time order, as the store's readers expect a batch (stable: equal times keep the object's order).
  events.sort((a, b) => a.timestamp - b.timestamp);
  return { kind: 'events', format, events, parseErrors };
}
