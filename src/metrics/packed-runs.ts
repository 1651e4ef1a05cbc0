/**
 * Runs of events handed to the filter worker in shared memory instead of as a structured clone of every
 * message string. Why: posting an array of strings serializes each string into a buffer that grows to
 * the request's size, and the worker allocates it and each string back; on these VMs every freshly
 * mapped page costs a fault, so a clone of a few megabytes cost about 2 µs an event on each side. Here
 * the main thread writes the timestamps and the messages' UTF-8 bytes into a SharedArrayBuffer kept in a
 * small pool (its pages stay mapped from one request to the next), and the worker reads each message
 * back as a string, one copy.
 *
 * Exact: UTF-8 round-trips every well-formed string; a run with a lone surrogate (which UTF-8 would
 * replace) is not packed, nor is a request too large for the pool (pack() gives null: the caller posts
 * the strings). A buffer goes back to the pool only once the worker answered for it (release()).
 *
 * Layout of a packed request of n events: timestamps as n float64 from byte 0, the end of each
 * message's bytes as n uint32 from 8n, message bytes from 12n.
 */
import type { EventRun } from './filter-eval.js';

export interface PackedRuns {
  buffer: SharedArrayBuffer;
  /** Events in each run, in order. */
  runLengths: number[];
}

/** Requests whose messages need more than this are posted as strings (and such buffers not kept). */
const MAX_BYTES = 32 * 1024 * 1024;
/** Smallest buffer allocated (a usual request is 1 to 8 batches of events). */
const MIN_BYTES = 1024 * 1024;
/** Free buffers kept for reuse. */
const KEEP = 4;

export class RunPacker {
  private readonly free: SharedArrayBuffer[] = [];

  /** The runs in a buffer from the pool, or null: post them as they are. */
  pack(runs: readonly EventRun[]): PackedRuns | null {
    let n = 0;
    let chars = 0;
    for (const r of runs) {
      n += r.messages.length;
      for (let i = 0; i < r.messages.length; i++) {
        const m = r.messages[i]!;
        // One-byte strings are well-formed without a scan (V8); others are checked.
        if (!wellFormed(m)) return null;
        chars += m.length;
      }
    }
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const need = 12 * n + 3 * chars;
    if (need > MAX_BYTES) return null;
    const buffer = this.take(need);
    const timestamps = new Float64Array(buffer, 0, n);
    const ends = new Uint32Array(buffer, 8 * n, n);
    const bytes = Buffer.from(buffer);
    let at = 12 * n;
    let k = 0;
    const runLengths: number[] = [];
    for (const r of runs) {
      runLengths.push(r.messages.length);
      for (let i = 0; i < r.messages.length; i++, k++) {
        timestamps[k] = r.timestamps[i]!;
        at += bytes.write(r.messages[i]!, at, 'utf8');
        ends[k] = at;
      }
    }
    return { buffer, runLengths };
  }

  /** Gives a buffer back once the worker is done with it (it answered the request). */
  release(p: PackedRuns): void {
    if (this.free.length < KEEP) this.free.push(p.buffer);
  }

  private take(need: number): SharedArrayBuffer {
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i]!;
      if (b.byteLength >= need) {
        this.free.splice(i, 1);
        return b;
      }
    }
    // Too small ones are dropped for a bigger one, sized to a power of two so that growth stops soon.
    if (this.free.length > 0) this.free.shift();
    let size = MIN_BYTES;
    while (size < need) size *= 2;
    return new SharedArrayBuffer(size);
  }
}

/** String.prototype.isWellFormed (Node.js 20; not in TypeScript's ES2023 library). */
const wellFormed = (s: string): boolean => (s as string & { isWellFormed(): boolean }).isWellFormed();

/** The worker's side: the runs back, each message a string of its own. */
export function unpack(p: PackedRuns): EventRun[] {
  let n = 0;
  for (const l of p.runLengths) n += l;
  const timestamps = new Float64Array(p.buffer, 0, n);
  const ends = new Uint32Array(p.buffer, 8 * n, n);
  const bytes = Buffer.from(p.buffer);
  const runs: EventRun[] = [];
  let k = 0;
  let at = 12 * n;
  for (const l of p.runLengths) {
    const messages = new Array<string>(l);
    for (let i = 0; i < l; i++, k++) {
      const end = ends[k]!;
      messages[i] = bytes.toString('utf8', at, end);
      at = end;
    }
    runs.push({ timestamps: timestamps.subarray(k - l, k), messages });
  }
  return runs;
}
