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
import { deflatedPiece, type DeflatedPiece } from './gzip-pieces.js';
import { subscriptionEventId } from './payload.js';

/** Events of one stream in sequence order: event i has sequence number firstSeq + (offsets?.[i] ?? i). */
export interface PieceInput {
  firstSeq: number;
  offsets: number[] | null;
  timestamps: number[];
  messages: string[];
}

export interface PieceEncoder {
  /** The deflated JSON of the events, comma-separated, each as JSON.stringify writes a subscription event. */
  encode(input: PieceInput): Promise<DeflatedPiece>;
  close(): Promise<void>;
}

/** Characters JSON.stringify escapes in a string: quote, backslash, controls, lone surrogates. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * The events' JSON written straight into bytes, as JSON.stringify writes each event: building it as one
 * string first (join) cost three times as much, most of it in copying. A message that needs no escaping
 * (the usual case) is written as it is, without JSON.stringify making a copy of it.
 */
export function eventsJson(input: PieceInput): Buffer {
  const { firstSeq, offsets, timestamps, messages } = input;
  let size = 0;
  for (const m of messages) size += m.length + 100;
  let buf = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i]!;
    const ts = timestamps[i]!;
    const head = `${i === 0 ? '' : ','}{"id":"${subscriptionEventId(ts, firstSeq + (offsets === null ? i : offsets[i]!))}","timestamp":${ts},"message":`;
    const plain = !NEEDS_ESCAPE.test(m);
    const body = plain ? m : JSON.stringify(m);
    // UTF-8 takes at most 3 bytes per UTF-16 unit; +4 for the quotes and the closing brace.
    const most = (head.length + body.length) * 3 + 4;
    if (at + most > buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(buf.length * 2, at + most));
      buf.copy(bigger, 0, 0, at);
      buf = bigger;
    }
    at += buf.write(head, at, 'latin1');
    if (plain) {
      buf[at++] = 0x22;
      at += buf.write(m, at, 'utf8');
      buf[at++] = 0x22;
    } else at += buf.write(body, at, 'utf8');
    buf[at++] = 0x7d;
  }
  return buf.subarray(0, at);
}

/** The whole job: JSON, deflate (fastest level, full flush), CRC. */
export function encodePiece(input: PieceInput): DeflatedPiece {
  return deflatedPiece(eventsJson(input));
}

/** Encodes in the calling thread (tests, tools; the server uses WorkerEncoder). */
export const inlineEncoder: PieceEncoder = {
  encode: (input) => new Promise((resolve) => resolve(encodePiece(input))),
  close: async () => {},
};

export type ToWorker = { id: number; input: PieceInput };
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
    if (this.closed) return Promise.reject(new Error('the subscription encoder is closed'));
    const w = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage({ id, input } satisfies ToWorker);
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
