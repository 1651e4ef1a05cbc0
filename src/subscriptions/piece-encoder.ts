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
  timestamps: number[];
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
export function eventsJson(input: PieceInput): Buffer {
  const { firstSeq, offsets, timestamps, messages } = input;
  let chars = 0;
  for (const m of messages) chars += m.length;
  // UTF-8 takes at most 3 bytes a UTF-16 unit; what escaping adds past that is checked below.
  let buf = Buffer.allocUnsafeSlow(chars * 3 + 120 * messages.length + 16);
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

/** The events' JSON: from the body when there is one that gives the messages, else from the strings. */
export function piecesJson(input: PieceInput): Buffer {
  const fromBody = input.source === undefined ? null : bodyEventsJson(input.firstSeq, input.offsets, input.timestamps, input.source);
  if (fromBody !== null) return fromBody;
  if (input.messages.length !== input.timestamps.length) throw new Error(NEED_MESSAGES);
  return eventsJson(input);
}

/** The whole job: JSON, deflate (fastest level, full flush), CRC. */
export function encodePiece(input: PieceInput): DeflatedPiece {
  return deflatedPiece(piecesJson(input));
}

/** Encodes in the calling thread (tests, tools; the server uses WorkerEncoder). */
export const inlineEncoder: PieceEncoder = {
  encode: (input) => new Promise((resolve) => resolve(encodePiece(input))),
  close: async () => {},
};

export type ToWorker = { id: number; input: PieceInput };

/**
 * What goes to the thread: with a body, its bytes (one copy, transferred) instead of a structured clone
 * of every message string; the messages only if asked again (NEED_MESSAGES).
 */
function toWorker(id: number, input: PieceInput, withMessages: boolean): { msg: ToWorker; transfer: ArrayBuffer[] } {
  const { source } = input;
  if (source === undefined || withMessages) return { msg: { id, input: { firstSeq: input.firstSeq, offsets: input.offsets, timestamps: input.timestamps, messages: input.messages } }, transfer: [] };
  // A copy of just the view: a Buffer may be a slice of a larger (pooled) ArrayBuffer, which a clone copies whole.
  const body = new Uint8Array(source.body);
  return { msg: { id, input: { firstSeq: input.firstSeq, offsets: input.offsets, timestamps: input.timestamps, messages: [], source: { ...source, body } } }, transfer: [body.buffer] };
}
export type FromWorker = { id: number; data: Uint8Array; crc: number; length: number } | { id: number; error: string };

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
    const w = this.ensureWorker();
    const id = this.nextId++;
    const { msg, transfer } = toWorker(id, input, withMessages);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage(msg, transfer);
    });
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
    const w = new Worker(new URL('./piece-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 16 } });
    w.unref();
    w.on('message', (m: FromWorker) => {
      const waiter = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if (!waiter) return;
      if ('error' in m) waiter.reject(new Error(`the subscription encoder failed: ${m.error}`));
      else waiter.resolve({ data: Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength), crc: m.crc, length: m.length });
    });
    const fail = (e: Error): void => {
      if (this.worker !== w) return;
      this.worker = undefined;
      for (const waiter of this.waiting.values()) waiter.reject(e);
      this.waiting.clear();
    };
    w.on('error', (e) => fail(e));
    w.on('exit', (code) => fail(new Error(`the subscription encoder thread exited (${code})`)));
    this.worker = w;
    return w;
  }
}
