/**
 * Seals a Parquet file written in the private scratch space into its place in the data dir, on a thread
 * of its own (segment-sealer-worker.ts), for at-rest.ts storeSegment.
 *
 * On the event loop, sealing a segment took one turn of the loop per 64 KiB frame written (and more for
 * the reads and the footer): about 25 ms for a 5 MB segment when idle, but 200 to 700 ms while the loop
 * served ingest at the hot tier's cap, so sealing slowed down exactly when it had to keep up (issue #7,
 * docs/storage.md). The thread reads, encrypts, writes and syncs with blocking calls; the event loop
 * posts one message and wakes once for the answer.
 *
 * Contract: when seal() resolves, the sealed file is at `dest`, synced, and `plain` is untouched (the
 * caller adopts it into the read cache); the directory entry is the caller's to sync. When it rejects,
 * nothing is at `dest` and its temporary file is gone, whether the thread threw or died. The data key is
 * copied to the thread for the one request, and zeroed there when it is done.
 */
import { promises as fsp } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { DataKey } from '../kms/envelope.js';

export interface SealSegmentRequest {
  /** The plaintext Parquet file (scratch space). */
  plain: string;
  /** Where the sealed file goes; `${dest}.tmp` is written first. */
  dest: string;
  key: DataKey;
  /** The sealed stream's additional data (at-rest.ts aad: group, 'segment', place). */
  aad: Uint8Array;
  /** Largest plaintext frame. */
  frameBytes: number;
}

export interface SealedSegment {
  /** Bytes of the sealed file. */
  fileBytes: number;
  /** The plaintext's layout with its frame cuts (segment-layout.ts encodeLayout). */
  layout: string;
}

/** A request as posted to the thread (the key as plain data: structured clone copies it). */
export interface ToSealThread {
  id: number;
  plain: string;
  dest: string;
  keyId: string;
  keyVersion: number;
  key: Uint8Array;
  aad: Uint8Array;
  frameBytes: number;
}

export type FromSealThread = ({ id: number } & SealedSegment) | { id: number; error: string; code?: string };

export class SegmentSealError extends Error {
  override readonly name = 'SegmentSealError';
  readonly code: string | undefined;
  constructor(message: string, code?: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

interface Waiter {
  dest: string;
  resolve: (r: SealedSegment) => void;
  reject: (e: Error) => void;
}

export class SegmentSealer {
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 0;
  private closed = false;

  seal(req: SealSegmentRequest): Promise<SealedSegment> {
    if (this.closed) return Promise.reject(new SegmentSealError('the segment sealer is closed'));
    const id = ++this.nextId;
    return new Promise<SealedSegment>((resolve, reject) => {
      this.waiting.set(id, { dest: req.dest, resolve, reject });
      // Copies of the key and the additional data alone, moved to the thread: cloning a view would copy
      // all of the buffer under it, which for a small Buffer is Node's shared pool.
      const key = new Uint8Array(req.key.key);
      const aad = new Uint8Array(req.aad);
      const msg: ToSealThread = { id, plain: req.plain, dest: req.dest, keyId: req.key.keyId, keyVersion: req.key.version, key, aad, frameBytes: req.frameBytes };
      this.ensureWorker().postMessage(msg, [key.buffer, aad.buffer]);
    });
  }

  /** Requests waiting for the thread (for tests). */
  get pending(): number {
    return this.waiting.size;
  }

  /** Ends the thread; requests waiting are rejected (their temporary files removed). */
  async close(): Promise<void> {
    this.closed = true;
    await this.worker?.terminate();
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./segment-sealer-worker.js', import.meta.url), {
      // It holds one frame and one read at a time.
      resourceLimits: { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 16 },
    });
    w.unref();
    w.on('message', (m: FromSealThread) => {
      const waiter = this.waiting.get(m.id);
      if (!waiter) return;
      this.waiting.delete(m.id);
      if ('error' in m) waiter.reject(new SegmentSealError(`sealing the segment ${waiter.dest} failed: ${m.error}`, m.code));
      else waiter.resolve({ fileBytes: m.fileBytes, layout: m.layout });
    });
    const fail = (e: Error): void => {
      if (this.worker !== w) return;
      this.worker = undefined; // the next request starts a new thread
      const waiters = [...this.waiting.values()];
      this.waiting.clear();
      // The thread has stopped, so nothing writes these any more; a rename it finished is a file the
      // catalog never hears of (the seal is retried), removed here or by the next start's recovery.
      void Promise.all(waiters.map((wt) => Promise.all([fsp.rm(`${wt.dest}.tmp`, { force: true }), fsp.rm(wt.dest, { force: true })]))).then(
        () => waiters.forEach((wt) => wt.reject(new SegmentSealError(`sealing the segment ${wt.dest} failed: ${e.message}`, undefined, { cause: e }))),
        (rmErr: unknown) => waiters.forEach((wt) => wt.reject(new SegmentSealError(`sealing the segment ${wt.dest} failed: ${e.message}`, undefined, { cause: rmErr }))),
      );
    };
    w.on('error', (e) => fail(e));
    w.on('exit', (code) => fail(new Error(this.closed ? 'the segment sealer was closed' : `the segment sealing thread exited (${code})`)));
    this.worker = w;
    return w;
  }
}
