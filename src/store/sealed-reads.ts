/**
 * Reads of sealed segment files for partial decryption (partial-plaintext.ts), in one worker thread shared
 * by the process (sealed-read-worker.ts): all the ranges a segment needs at once (its head and footer when
 * it opens, its column chunks when a query names them) are one request, read synchronously there, instead
 * of a trip to the thread pool for each (a trip costs both threads a wake-up: about 30 µs of CPU, and a
 * segment needed 12 of them for a count by time). The bytes land in a shared buffer the caller owns.
 */
import { Worker } from 'node:worker_threads';
import type { ReadAnswer, ReadRequest } from './sealed-read-worker.js';

/** A read of `length` bytes at file position `position` (negative: that many bytes before the end) into the buffer at `at`. */
export type SealedRead = readonly [position: number, length: number, at: number];

class SealedReads {
  private worker: Worker | undefined;
  private online: Promise<void> | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (a: { size: number; got: number[] }) => void; reject: (e: Error) => void }>();

  /**
   * Starts the thread (a store opening calls it, so that the first query does not wait for it); resolves
   * once it runs.
   */
  start(): Promise<void> {
    if (this.worker !== undefined) return this.online!;
    const w = new Worker(new URL('./sealed-read-worker.js', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 } });
    this.online = new Promise<void>((resolve, reject) => {
      w.once('online', () => {
        // Referenced until it runs (whoever waits for it keeps the process alive), then only while a read waits.
        if (this.waiting.size === 0) w.unref();
        resolve();
      });
      w.once('error', reject);
    });
    this.online.catch(() => undefined); // a reader that waits for it (read) gets the error
    w.on('message', (a: ReadAnswer) => {
      const p = this.waiting.get(a.id);
      if (p === undefined) return;
      this.waiting.delete(a.id);
      if ('error' in a) p.reject(Object.assign(new Error(a.error.message), a.error.code !== undefined ? { code: a.error.code } : {}));
      else p.resolve(a);
    });
    const fail = (e: Error): void => {
      if (this.worker === w) this.worker = undefined;
      for (const p of this.waiting.values()) p.reject(e);
      this.waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the sealed-file reader thread exited (${code})`)));
    this.worker = w;
    return this.online;
  }

  /**
   * Reads these ranges of the file at `path` into `into` (a Buffer over a SharedArrayBuffer): the file's
   * size, and the bytes read for each range (fewer only at the end of the file).
   */
  read(path: string, into: Buffer, reads: readonly SealedRead[]): Promise<{ size: number; got: number[] }> {
    if (!(into.buffer instanceof SharedArrayBuffer)) throw new Error('internal: sealed reads go into a shared buffer');
    void this.start();
    const id = this.nextId++;
    const base = into.byteOffset;
    const request: ReadRequest = { id, path, into: into.buffer, reads: reads.map(([position, length, at]) => [position, length, base + at]) };
    const w = this.worker!;
    // Referenced while a read is waiting, so that a process waiting for nothing else does not exit meanwhile.
    if (this.waiting.size === 0) w.ref();
    return new Promise<{ size: number; got: number[] }>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      w.postMessage(request);
    }).finally(() => {
      if (this.waiting.size === 0 && this.worker === w) w.unref();
    });
  }
}

/** The process's reader. */
export const sealedReads = new SealedReads();
