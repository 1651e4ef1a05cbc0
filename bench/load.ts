/**
 * The load generator: a few worker threads (load-worker.ts) sharing one batch counter, driven and
 * observed from the main thread.
 *
 * Throughput is measured between two snapshots of the workers' counters, so warm-up and the drain after
 * `stop()` are excluded by construction. Threads rather than processes so that one `process.cpuUsage()`
 * gives the whole load generator's CPU time, to set against the server's.
 */
import { Worker } from 'node:worker_threads';
import type { Dataset } from './dataset.js';
import type { Credentials } from './sigv4.js';
import type { Counters, FromWorker, Target, TimestampMode, ToWorker, WorkerPlan } from './load-worker.js';
import { emptyCounters } from './load-worker.js';

export type { Counters, Target, TimestampMode } from './load-worker.js';

export interface LoadOptions {
  url: string;
  creds: Credentials;
  region: string;
  dataset: Dataset;
  /** Send batches [0, batchLimit) of the data set... */
  batchLimit: number;
  /** ...and, when true, keep reusing them until stop(). */
  wrap: boolean;
  targets: Target[];
  threads: number;
  /** Requests in flight over all threads. */
  inflight: number;
  timestamps: TimestampMode;
  /** Batches a second over all threads (split evenly); undefined: as fast as the server acknowledges. */
  batchesPerS?: number;
}

export interface Snapshot {
  atMs: number;
  cpuUs: number;
  counters: Counters;
}

export interface LoadResult {
  counters: Counters;
  /** [ack time ms, latency ms] pairs of all threads. */
  acks: number[];
  eventLoopUtilization: number[];
}

export function sumCounters(list: Counters[]): Counters {
  const out = emptyCounters();

  for (const c of list) {
    for (const k of Object.keys(out) as (keyof Counters)[]) {
      if (k === 'errorSamples') out.errorSamples.push(...c.errorSamples);
      else out[k] += c[k];
    }
  }
  out.errorSamples = out.errorSamples.slice(0, 8);
  return out;
}

export function diffCounters(a: Counters, b: Counters): Counters {
  const out = { ...b, errorSamples: b.errorSamples };
  for (const k of Object.keys(out) as (keyof Counters)[]) if (k !== 'errorSamples') out[k] = b[k] - a[k];
  return out;
}

export class LoadRun {
  private readonly workers: Worker[] = [];
  /** Latest counters of each thread (from a snapshot or its final report). */
  private readonly last: Counters[] = [];
  private readonly live: boolean[] = [];
  private readonly waiters = new Map<number, () => void>();
  private readonly finished: Promise<LoadResult>;

  constructor(opts: LoadOptions) {
    const counter = new SharedArrayBuffer(4);
    const threads = Math.max(1, Math.min(opts.threads, opts.targets.length));
    const results: Promise<{ acks: number[]; elu: number }>[] = [];
    for (let w = 0; w < threads; w++) {
      const targets = opts.targets.filter((_, i) => i % threads === w);
      const inflight = Math.floor(opts.inflight / threads) + (w < opts.inflight % threads ? 1 : 0);
      const plan: WorkerPlan = {
        url: opts.url,
        creds: opts.creds,
        region: opts.region,
        batchesPath: opts.dataset.batchesPath,
        offsets: opts.dataset.offsets,
        batchSize: opts.dataset.meta.batchSize,
        batchLimit: opts.batchLimit,
        wrap: opts.wrap,
        counter,
        targets,
        inflight: Math.max(1, Math.min(inflight, targets.length)),
        timestamps: opts.timestamps,
        batchesPerS: opts.batchesPerS === undefined ? undefined : opts.batchesPerS / threads,
      };
      const worker = new Worker(new URL('./load-worker.js', import.meta.url), { workerData: plan });
      this.workers.push(worker);
      this.last.push(sumCounters([]));
      this.live.push(true);
      results.push(
        new Promise((resolve, reject) => {
          worker.on('message', (m: FromWorker) => {
            if (m.type === 'fatal') {
              reject(new Error(`load worker failed: ${m.message}`));
              return;
            }
            this.last[w] = m.counters;
            if (m.type === 'done') {
              this.live[w] = false;
              resolve({ acks: m.acks, elu: m.eventLoopUtilization });
            }
            this.waiters.get(w)?.();
          });
          worker.on('error', reject);
          worker.on('exit', (code) => reject(new Error(`load worker exited with code ${code} before finishing`)));
        }),
      );
    }
    this.finished = Promise.all(results).then(async (parts) => {
      await Promise.all(this.workers.map((w) => w.terminate()));
      return {
        counters: sumCounters(this.last),
        acks: parts.flatMap((p) => p.acks),
        eventLoopUtilization: parts.map((p) => p.elu),
      };
    });
    this.finished.catch(() => Promise.all(this.workers.map((w) => w.terminate())));
  }

  /** The summed counters of all threads, now (a thread that does not answer within 2 s counts as of its last report). */
  async snapshot(): Promise<Snapshot> {
    const waits = this.workers.map((worker, w) => {
      if (!this.live[w]) return Promise.resolve();
      return new Promise<void>((resolve) => {
        this.waiters.set(w, () => {
          this.waiters.delete(w);
          resolve();
        });
        worker.postMessage({ type: 'snapshot', id: w } satisfies ToWorker);
      });
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waits), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]);
    clearTimeout(timer);
    const u = process.cpuUsage();
    return { atMs: Date.now(), cpuUs: u.user + u.system, counters: sumCounters(this.last) };
  }

  /** Resolves when every thread has sent its share (or stopped). */
  get done(): Promise<LoadResult> {
    return this.finished;
  }

  /** Ends the threads at once (after an error elsewhere); a no-op once they are done. */
  async terminate(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /** Stops taking new batches; requests in flight complete. */
  async stop(): Promise<LoadResult> {
    for (const w of this.workers) w.postMessage({ type: 'stop' } satisfies ToWorker);
    return this.finished;
  }
}
