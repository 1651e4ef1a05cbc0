/**
 * What a consumer delivers, in pieces that can be shared: a "part" is a run of consecutive events of one
 * log stream that a filter pattern matched, with the deflated JSON of those events (gzip-pieces.ts).
 *
 * Parts of whole hot batches are cached on the batch, by filter pattern: two subscriptions of a group
 * with the same pattern (two destinations for the same events, the common case) match and encode each
 * event once, whatever their batch boundaries; the cache goes once every subscription of the group has
 * delivered the batch (engine.ts keepTail), or with the batch.
 */
import type { HotBatch, StoredEvent } from '../store/hot.js';
import type { HotRun } from '../store/read-seq.js';
import type { BatchSource } from '../store/store.js';
import { gzipOfPieces, storedPiece, type DeflatedPiece } from './gzip-pieces.js';
import type { PieceEncoder, PieceInput } from './piece-encoder.js';
import { setEncoded, subscriptionEventId, type SubscriptionEvent, type SubscriptionMessage } from './payload.js';

/** Matching events of a run of one stream, and (once asked for) their JSON deflated. */
export interface Part {
  streamId: number;
  /** Ingestion time of the events (of their oldest, for a part of several batches). */
  ingestMs: number;
  count: number;
  /** UTF-8 bytes of the messages plus 26 a event, as CloudWatch counts a batch's size. */
  bytes: number;
  /** Sequence number of the first matching event. */
  firstSeq: number;
  lastSeq: number;
  events(): SubscriptionEvent[];
  piece(): Promise<DeflatedPiece>;
}

/** A part; `input` gives its events, for the encoder and for sinks that read the events themselves. */
function makePart(streamId: number, ingestMs: number, bytes: number, input: () => PieceInput, firstSeq: number, lastSeq: number, count: number, encoder: PieceEncoder, onEncoded?: () => void): Part {
  let piece: Promise<DeflatedPiece> | undefined;
  return {
    streamId,
    ingestMs,
    count,
    bytes,
    firstSeq,
    lastSeq,
    events: () => {
      const { firstSeq: base, offsets, timestamps, messages } = input();
      return messages.map((message, i) => ({ id: subscriptionEventId(timestamps[i]!, base + (offsets === null ? i : offsets[i]!)), timestamp: timestamps[i]!, message }));
    },
    piece: () =>
      (piece ??= encoder.encode(input()).then(
        (p) => {
          onEncoded?.();
          return p;
        },
        (e: unknown) => {
          piece = undefined; // asked again when the delivery is retried (a new encoder thread, if it died)
          throw e;
        },
      )),
  };
}

/** Parts of whole hot batches, by filter pattern (null: nothing matched). */
const shared = new WeakMap<Readonly<HotBatch>, Map<string, Part | null>>();

/**
 * The PutLogEvents bodies of recent batches of subscribed groups (engine.ts), from which the encoder
 * writes the events' JSON (body-json.ts). Dropped once the batch's whole part is encoded, or when the
 * engine lets the batch go: at most the engine's tail of recent batches holds them.
 */
const sources = new WeakMap<Readonly<HotBatch>, BatchSource>();

export function noteSource(batch: Readonly<HotBatch>, source: BatchSource): void {
  sources.set(batch, source);
}

export function forgetSource(batch: Readonly<HotBatch>): void {
  sources.delete(batch);
}

/**
 * The predicate of a filter pattern that matches every event (`""`, the usual one for a subscription
 * that ships a whole group): a whole batch is then its own part, without a call and an index an event.
 */
export const MATCH_ALL = (): boolean => true;

function partOfRun(run: HotRun, predicate: (m: string) => boolean, encoder: PieceEncoder): Part | null {
  const b = run.batch;
  const n = b.timestamps.length;
  if (predicate === MATCH_ALL && run.lo === 0 && run.hi === n) {
    const input = (): PieceInput => {
      const src = sources.get(b);
      const source = src === undefined ? undefined : { body: src.body, lo: src.lo, utf8Bytes: b.bytes, ...(src.spans !== undefined ? { spans: src.spans } : {}) };
      return { firstSeq: b.firstSeq, offsets: null, timestamps: b.timestamps, messages: b.messages, source };
    };
    return makePart(b.streamId, b.ingestMs, b.bytes + 26 * n, input, b.firstSeq, b.firstSeq + n - 1, n, encoder, () => sources.delete(b));
  }
  const keep: number[] = [];
  let bytes = 0;
  let all = true;
  for (let k = run.lo; k < run.hi; k++) {
    if (predicate(b.messages[k]!)) keep.push(k);
    else all = false;
  }
  if (keep.length === 0) return null;
  if (all && run.lo === 0 && run.hi === b.timestamps.length) bytes = b.bytes + 26 * keep.length;
  else for (const k of keep) bytes += Buffer.byteLength(b.messages[k]!) + 26;
  const whole = all && run.lo === 0 && run.hi === b.timestamps.length;
  const input = (): PieceInput => {
    const src = sources.get(b);
    const source = src === undefined ? undefined : { body: src.body, lo: src.lo, utf8Bytes: bytes - 26 * keep.length, ...(src.spans !== undefined ? { spans: src.spans } : {}) };
    return whole
      ? { firstSeq: b.firstSeq, offsets: null, timestamps: b.timestamps, messages: b.messages, source }
      : { firstSeq: b.firstSeq, offsets: keep, timestamps: keep.map((k) => b.timestamps[k]!), messages: keep.map((k) => b.messages[k]!), source };
  };
  // The part of a whole batch is shared by the group's subscriptions: once it is encoded, the body has served.
  const onEncoded = run.lo === 0 && run.hi === b.timestamps.length ? () => sources.delete(b) : undefined;
  return makePart(b.streamId, b.ingestMs, bytes, input, b.firstSeq + keep[0]!, b.firstSeq + keep.at(-1)!, keep.length, encoder, onEncoded);
}

/** Drops what was matched and encoded of a batch once every subscription of its group delivered it. */
export function forgetParts(batch: Readonly<HotBatch>): void {
  shared.delete(batch);
  sources.delete(batch);
}

/** The matching part of a hot run; shared with other subscriptions of the same pattern for a whole batch. */
export function hotPart(run: HotRun, pattern: string, predicate: (m: string) => boolean, encoder: PieceEncoder): Part | null {
  if (run.lo !== 0 || run.hi !== run.batch.timestamps.length) return partOfRun(run, predicate, encoder);
  let byPattern = shared.get(run.batch);
  if (!byPattern) shared.set(run.batch, (byPattern = new Map()));
  let part = byPattern.get(pattern);
  if (part === undefined) byPattern.set(pattern, (part = partOfRun(run, predicate, encoder)));
  return part;
}

/** Parts of events read from segments (seq order): matching events, cut at each change of stream. */
export function coldParts(events: readonly StoredEvent[], predicate: (m: string) => boolean, encoder: PieceEncoder): Part[] {
  const parts: Part[] = [];
  let run: StoredEvent[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const list = run;
    const bytes = list.reduce((a, e) => a + Buffer.byteLength(e.message) + 26, 0);
    const ingestMs = list.reduce((a, e) => Math.min(a, e.ingestMs), Infinity);
    const input = (): PieceInput => ({ firstSeq: 0, offsets: list.map((e) => e.seq), timestamps: list.map((e) => e.timestamp), messages: list.map((e) => e.message) });
    parts.push(makePart(list[0]!.streamId, ingestMs, bytes, input, list[0]!.seq, list.at(-1)!.seq, list.length, encoder));
    run = [];
  };
  for (const e of events) {
    if (!predicate(e.message)) continue;
    if (run.length > 0 && run[0]!.streamId !== e.streamId) flush();
    run.push(e);
  }
  flush();
  return parts;
}

const COMMA = storedPiece(',');
const TAIL = storedPiece(']}');

/**
 * A DATA_MESSAGE of one stream from its parts, in order: its gzip is assembled from the parts' deflated
 * JSON (registered with payload.ts, which the sinks encode with), and its logEvents are built only if a
 * sink or the dead-letter path reads them.
 */
export function messageOfParts(owner: string, logGroup: string, logStream: string, filterName: string, parts: readonly Part[]): SubscriptionMessage {
  const shell = { messageType: 'DATA_MESSAGE' as const, owner, logGroup, logStream, subscriptionFilters: [filterName] };
  let logEvents: SubscriptionEvent[] | undefined;
  const m = Object.defineProperty({ ...shell } as SubscriptionMessage, 'logEvents', {
    enumerable: true,
    get: () => (logEvents ??= parts.flatMap((p) => p.events())),
  });
  setEncoded(m, async () => {
    const pieces = await Promise.all(parts.map((p) => p.piece()));
    // JSON.stringify(m): the shell's keys in order, then the events between `"logEvents":[` and `]}`.
    const head = storedPiece(JSON.stringify({ ...shell, logEvents: [] }).slice(0, -2));
    const all: DeflatedPiece[] = [head];
    pieces.forEach((p, i) => all.push(...(i === 0 ? [p] : [COMMA, p])));
    all.push(TAIL);
    return gzipOfPieces(all);
  });
  return m;
}
