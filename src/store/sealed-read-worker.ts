/**
 * The thread that reads sealed segment files for partial decryption (sealed-reads.ts): each request names
 * a file and the byte ranges to read from it, into a shared buffer the main thread gives; the reads are
 * synchronous here, so a request is one trip between threads however many ranges it has, and a file not
 * in the page cache blocks this thread, not the server's event loop. Only sealed bytes pass through here:
 * no key, no plaintext.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface ReadRequest {
  id: number;
  path: string;
  into: SharedArrayBuffer;
  /** [file position (negative: before the end), length, offset in `into`], read in this order. */
  reads: Array<[number, number, number]>;
}

export type ReadAnswer =
  /** `size`: the file's; `got`: bytes read for each read (less than asked only at the end of the file). */
  | { id: number; size: number; got: number[] }
  | { id: number; error: { message: string; code?: string } };

parentPort!.on('message', (m: ReadRequest) => {
  let answer: ReadAnswer;
  try {
    const fd = openSync(m.path, 'r');
    try {
      const into = new Uint8Array(m.into);
      const size = fstatSync(fd).size;
      const got = m.reads.map(([from, length, at]) => {
        const position = from < 0 ? Math.max(0, size + from) : from;
        let n = 0;
        while (n < length) {
          const r = readSync(fd, into, at + n, length - n, position + n);
          if (r === 0) break;
          n += r;
        }
        return n;
      });
      answer = { id: m.id, size, got };
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    answer = { id: m.id, error: { message: err.message, ...(err.code !== undefined ? { code: err.code } : {}) } };
  }
  parentPort!.postMessage(answer);
});
