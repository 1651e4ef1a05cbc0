/**
 * Turning a run of matching events into its deflated JSON (a piece, gzip-pieces.ts): the costly part of
 * delivery, per event. It runs in a worker thread of its own (piece-worker.ts), not on the event loop
 * that acknowledges ingestion: the server's thread only hands over the events (a copy of the strings,
 * much cheaper than escaping them into JSON) and gets back the deflated bytes, transferred, not copied.
 *
 * encodePiece is the whole job, a pure function; the worker runs it, and so does inlineEncoder (tests,
 * tools). One deflate stream per piece, ended by a full flush: byte-aligned and not final, as
 * gzip-pieces.ts needs. A fresh stream costs tens of microseconds; a piece is a batch of up to thousands
 * of events, milliseconds of deflating.
 */
import { Worker } from 'node:worker_threads';
import { bodyEventsJson, type BodySource } from './body-json.js';
import { deflatedPiece, type DeflatedPiece } from './gzip-pieces.js';
import { subscriptionEventId } from './payload.js';

/** Events of one stream in sequence order: event i has sequence number firstSeq + (offsets?.[i] ?? i). */
export interface PieceInput {
  firstSeq: number;
  offsets: number[] | null;
  /** An array, or in the encoder thread a view of the ring (WorkerEncoder copies them there). */
  timestamps: ArrayLike<number>;
  /** The messages; WorkerEncoder does not send them to its thread when `source` gives them. */
  messages: string[];
  /**
   * The PutLogEvents body the events came from (body-json.ts): event i is its logEvents[source.lo +
   * (offsets?.[i] ?? i)]. The JSON is then written from the body's bytes.
   */
  source?: BodySource;
}

/** The messages were not sent (the source gives them) and the source does not: ask again with them. */
const NEED_MESSAGES = 'the body does not give the messages';

export interface PieceEncoder {
  /** The deflated JSON of the events, comma-separated, each as JSON.stringify writes a subscription event. */
  encode(input: PieceInput): Promise<DeflatedPiece>;
  close(): Promise<void>;
}

/** Buffer's own encoder, without write()'s argument handling. */
interface Utf8Writing {
  utf8Write(text: string, offset: number): number;
}

/** Characters of JSON written to the buffer at a time: strings of ordinary size, few calls into C++. */
const CHUNK_CHARS = 16 * 1024;

/**
 * The events' JSON, as JSON.stringify writes each event, comma-separated, into bytes: appended to a string
 * of about 16 K characters, written out each time it is full. One string for everything (join) cost three
 * times as much (a string of megabytes takes fresh pages); a write per event cost half as much again.
 */
export function eventsJson(input: PieceInput, alloc: (bytes: number) => Buffer = Buffer.allocUnsafeSlow): Buffer {
  const { firstSeq, offsets, timestamps, messages } = input;
  let chars = 0;
  for (const m of messages) chars += m.length;
  // UTF-8 takes at most 3 bytes a UTF-16 unit; what escaping adds past that is checked below.
  let buf = alloc(chars * 3 + 120 * messages.length + 16);
  let at = 0;
  let piece = '';
  const flush = (): void => {
    if (at + piece.length * 3 > buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, at + piece.length * 3));
      buf.copy(bigger, 0, 0, at);
      buf = bigger;
    }
    at += (buf as unknown as Utf8Writing).utf8Write(piece, at);
    piece = '';
  };
  for (let i = 0; i < messages.length; i++) {
    const ts = timestamps[i]!;
    const id = subscriptionEventId(ts, firstSeq + (offsets === null ? i : offsets[i]!));
    piece += `${i === 0 ? '' : ','}{"id":"${id}","timestamp":${ts},"message":${JSON.stringify(messages[i]!)}}`;
    if (piece.length >= CHUNK_CHARS) flush();
  }
  flush();
  return buf.subarray(0, at);
}

/**
 * The events' JSON: from the body when there is one that gives the messages, else from the strings.
 * `alloc` gives the memory it is written to (the encoder thread reuses one buffer: see scratch).
 */
export function piecesJson(input: PieceInput, alloc?: (bytes: number) => Buffer): Buffer {
  const fromBody = input.source === undefined ? null : bodyEventsJson(input.firstSeq, input.offsets, input.timestamps, input.source, alloc);
  if (fromBody !== null) return fromBody;
  if (input.messages.length !== input.timestamps.length) throw new Error(NEED_MESSAGES);
  return eventsJson(input, alloc);
}

/** The whole job: JSON, deflate (fastest level, full flush), CRC. */
export function encodePiece(input: PieceInput, alloc?: (bytes: number) => Buffer): DeflatedPiece {
  return deflatedPiece(piecesJson(input, alloc));
}

/** Scratch memory the encoder thread writes JSON to, kept up to this size between pieces. */
const SCRATCH_KEPT = 8 * 1024 * 1024;

/**
 * An allocator that hands out the same memory again and again (the JSON is deflated, then dropped):
 * a fresh buffer of a megabyte a piece costs its pages' faults, zeroing and unmapping, about as much as
 * writing the JSON into it.
 */
export function scratch(): (bytes: number) => Buffer {
  let kept = Buffer.allocUnsafeSlow(0);
  return (bytes) => {
    if (bytes <= kept.length) return kept;
    const fresh = Buffer.allocUnsafeSlow(bytes);
    if (bytes <= SCRATCH_KEPT) kept = fresh;
    return fresh;
  };
}

/** Encodes in the calling thread (tests, tools; the server uses WorkerEncoder). */
export const inlineEncoder: PieceEncoder = {
  encode: (input) => new Promise((resolve) => resolve(encodePiece(input))),
  close: async () => {},
};

/**
 * A body in the ring (BodyRing): where, and what else BodySource says; the events' timestamps (float64)
 * and the body's message spans (int32, BodySource.spans) follow it there, at tsAt and spansAt.
 */
export interface RingSource {
  at: number;
  length: number;
  lo: number;
  utf8Bytes: number;
  tsAt: number;
  /** Events (timestamps). */
  count: number;
  /** -1: no spans. */
  spansAt: number;
  spansLength: number;
}

export type ToWorker = { id: number; input: Omit<PieceInput, 'source'>; ring?: RingSource };
/** The thread is sent requests, and answers, in batches (WorkerEncoder.flush). */
export type ToWorkerBatch = ToWorker[];
export type WorkerData = { ring: SharedArrayBuffer };

/**
 * How long a request to the encoder thread waits for others to go with it (flush): a little of a
 * delivery's latency (batches wait up to 200 ms for events anyway) for fewer wake-ups of the thread.
 */
const FLUSH_MS = 20;

/** Bytes of bodies on their way to the encoder thread at a time (past that, the strings go). */
const RING_BYTES = 16 * 1024 * 1024;

/**
 * Shared memory for the bodies handed to the encoder thread: the event loop copies a body in (a
 * memcpy into pages in use already) and the thread reads it in place. A fresh ArrayBuffer a body,
 * transferred, cost more on the event loop than the clone of its strings (a few hundred microseconds
 * for 300 KB: page faults, and unmapping when the thread let it go). Space is taken in order around
 * the ring and given back in order: the thread answers in the order it is asked.
 */
export class BodyRing {
  readonly sab = new SharedArrayBuffer(RING_BYTES);
  readonly bytes = new Uint8Array(this.sab);
  private head = 0;
  /** Space in use, in the order it was taken: [start, end) and whether it was given back. */
  private readonly live: Array<{ id: number; start: number; end: number; done: boolean }> = [];

  /**
   * Copies `body` in for request `id`, at a multiple of 8; -1 when there is no room now. Aligned because
   * V8 copies to and from shared memory a word at a time only when both sides are word-aligned, else a
   * byte at a time: six times slower (93 against 15 us for 330 KB), on the event loop here and in the
   * encoder thread reading it back (bodies are word-aligned: Node's buffers and its pool's slices are).
   */
  put(id: number, body: Uint8Array): number {
    const at = this.reserve(id, body.length);
    if (at >= 0) this.bytes.set(body, at);
    return at;
  }

  /** Takes `n` bytes for request `id`, at a multiple of 8, for the caller to write; -1 when there is no room now. */
  reserve(id: number, n: number): number {
    const size = this.bytes.length;
    if (n === 0 || n >= size) return -1;
    if (this.live.length === 0) this.head = 0;
    const tail = this.live[0]?.start ?? 0;
    const head = Math.ceil(this.head / 8) * 8;
    let at = -1;
    if (this.live.length === 0 || this.head > tail) {
      // In use: [tail, head). Free: [head, size), then [0, tail).
      if (size - head >= n) at = head;
      else if (tail > n) at = 0;
    } else if (tail - head > n) {
      at = head; // in use: [tail, size) and [0, head); free: [head, tail)
    }
    if (at < 0) return -1;
    this.live.push({ id, start: at, end: at + n, done: false });
    this.head = at + n;
    return at;
  }

  /** Gives back what request `id` took (answered, or failed). */
  release(id: number): void {
    const e = this.live.find((x) => x.id === id);
    if (e) e.done = true;
    while (this.live[0]?.done) this.live.shift();
  }

  clear(): void {
    this.live.length = 0;
    this.head = 0;
  }
}

const align8 = (n: number): number => Math.ceil(n / 8) * 8;

/**
 * What goes to the thread: with a body, its bytes in the ring instead of a structured clone of every
 * message string, and the timestamps and the body's message spans after it (a structured clone of a
 * batch's timestamps, an array of numbers, was most of what postMessage cost the event loop); the
 * messages when the ring is full, or if asked again (NEED_MESSAGES).
 */
function toWorker(id: number, input: PieceInput, withMessages: boolean, ring: BodyRing): ToWorker {
  const { source, timestamps } = input;
  const spans = source?.spans;
  const n = timestamps.length;
  const tsOffset = source === undefined ? 0 : align8(source.body.length);
  const spansOffset = tsOffset + 8 * n;
  const at = source === undefined || withMessages ? -1 : ring.reserve(id, spansOffset + 4 * (spans?.length ?? 0));
  if (at < 0) return { id, input: { firstSeq: input.firstSeq, offsets: input.offsets, timestamps, messages: input.messages } };
  ring.bytes.set(source!.body, at);
  new Float64Array(ring.sab, at + tsOffset, n).set(timestamps);
  if (spans !== undefined) new Int32Array(ring.sab, at + spansOffset, spans.length).set(spans);
  return {
    id,
    input: { firstSeq: input.firstSeq, offsets: input.offsets, timestamps: [], messages: [] },
    ring: { at, length: source!.body.length, lo: source!.lo, utf8Bytes: source!.utf8Bytes, tsAt: at + tsOffset, count: n, spansAt: spans === undefined ? -1 : at + spansOffset, spansLength: spans?.length ?? 0 },
  };
}
export type FromWorker = { id: number; data: Uint8Array; crc: number; length: number } | { id: number; error: string };
export type FromWorkerBatch = FromWorker[];

/**
 * One worker thread for every subscription of the server. Requests are answered in any order; if the
 * worker dies, what it had is rejected (the consumer retries the delivery, which asks again) and the
 * next request starts a new worker.
 */
export class WorkerEncoder implements PieceEncoder {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (p: DeflatedPiece) => void; reject: (e: Error) => void }>();
  private closed = false;
  private readonly ring = new BodyRing();
  /** Requests not yet sent to the thread (flush). */
  private outbox: ToWorker[] = [];

  encode(input: PieceInput): Promise<DeflatedPiece> {
    const first = this.post(input, false);
    if (input.source === undefined) return first;
    // Ingest's body gives the batch's messages by construction; should it not, the strings do.
    return first.catch((e: unknown) => {
      if ((e as Error).message.includes(NEED_MESSAGES)) return this.post(input, true);
      throw e;
    });
  }

  private post(input: PieceInput, withMessages: boolean): Promise<DeflatedPiece> {
    if (this.closed) return Promise.reject(new Error('the subscription encoder is closed'));
    this.ensureWorker();
    const id = this.nextId++;
    const msg = toWorker(id, input, withMessages, this.ring);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.outbox.push(msg) === 1) setTimeout(() => this.flush(), FLUSH_MS);
    });
  }

  /**
   * Sends what was asked since the last flush in one message: the pieces a write made visible (a group
   * commit covers several batches, read by every consumer of the group) wake the thread once, not once
   * each. Each wake-up of a sleeping thread costs the event loop a system call and, when both cores are
   * busy, often its core for a scheduler slice (the woken thread runs first): at 100 pieces a second that
   * was most of the time postMessage took on the event loop under load. A postMessage to the sleeping
   * thread cost the event loop 70-90 us of CPU (7 to one awake), so requests wait up to FLUSH_MS for
   * others (every visible write used to be a flush of its own, at the next turn of the loop).
   */
  private flush(): void {
    const batch = this.outbox;
    if (batch.length === 0) return; // sent by an earlier flush, or dropped with a thread that died
    this.outbox = [];
    if (this.closed) return; // rejected by close()
    this.ensureWorker().postMessage(batch);
  }

  /** Requests waiting for the worker (for tests). */
  get pending(): number {
    return this.waiting.size;
  }

  /** Ends the worker thread; requests waiting are rejected. Later requests start a new one (for tests). */
  async restart(): Promise<void> {
    await this.worker?.terminate();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    // A small heap, collected early: the worker holds only the events of the pieces being encoded.
    const w = new Worker(new URL('./piece-worker.js', import.meta.url), {
      resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 },
      workerData: { ring: this.ring.sab } satisfies WorkerData,
    });
    w.unref();
    w.on('message', (answers: FromWorkerBatch) => {
      for (const m of answers) {
        const waiter = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        this.ring.release(m.id);
        if (!waiter) continue;
        if ('error' in m) waiter.reject(new Error(`the subscription encoder failed: ${m.error}`));
        else waiter.resolve({ data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), crc: m.crc, length: m.length });
      }
    });
    const fail = (e: Error): void => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(e);
      this.waiting.clear();
      this.outbox = []; // their requests were rejected just now
      this.ring.clear(); // nothing of the dead thread's reads it any more
    };
    w.on('error', (e) => fail(e));
    w.on('exit', (code) => fail(new Error(`the subscription encoder thread exited (${code})`)));
    this.worker = w;
    return w;
  }
}
