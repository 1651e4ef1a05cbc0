/**
 * One load-generator thread: sends PutLogEvents batches read from the data set, as fast as the server
 * acknowledges them, with a fixed number of requests in flight.
 *
 * Per request the thread does only cheap work: read the batch's bytes (page cache), rewrite its 1,000
 * timestamps in place, hash and sign (node:crypto), and send on a keep-alive socket. Batches are taken
 * from a counter shared by all threads (Atomics), so the data set is sent once, in order, whatever the
 * number of threads. Each stream has at most one request in flight, as real agents do.
 *
 * A ThrottlingException (or 503) is retried after a short, growing backoff and counted; the events
 * count only once acknowledged. Other errors drop the batch and are counted with their first messages.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Signer, type Credentials } from './sigv4.js';

export interface Target {
  group: string;
  stream: string;
}

/** How a batch's placeholder timestamps are rewritten just before sending. */
export type TimestampMode =
  /** 1,000 events spread over the 250 ms before the send: live data. */
  | { kind: 'now' }
  /** Original timestamps plus a fixed offset: the data set's time span, ending near the run's start. */
  | { kind: 'shift'; deltaMs: number };

export interface WorkerPlan {
  url: string;
  creds: Credentials;
  region: string;
  batchesPath: string;
  offsets: number[];
  /** Events per batch (every batch of a data set has the same number). */
  batchSize: number;
  /** Batches of the data set that may be sent: indices [0, batchLimit). */
  batchLimit: number;
  /** true: keep going past batchLimit, reusing batches (counter modulo batchLimit) until stopped. */
  wrap: boolean;
  /** Int32Array(1) over a SharedArrayBuffer: the next batch to send, shared by all threads. */
  counter: SharedArrayBuffer;
  targets: Target[];
  inflight: number;
  timestamps: TimestampMode;
  /** When set, this thread starts at most this many batches a second (evenly spaced); else as fast as acknowledged. */
  batchesPerS?: number | undefined;
}

export interface Counters {
  requests: number;
  ackedEvents: number;
  rejectedEvents: number;
  throttled: number;
  unavailable: number;
  networkErrors: number;
  failedRequests: number;
  failedEvents: number;
  bytesSent: number;
  /** Batches taken past batchLimit (data reused). */
  wrapped: number;
  errorSamples: string[];
}

export function emptyCounters(): Counters {
  return {
    requests: 0,
    ackedEvents: 0,
    rejectedEvents: 0,
    throttled: 0,
    unavailable: 0,
    networkErrors: 0,
    failedRequests: 0,
    failedEvents: 0,
    bytesSent: 0,
    wrapped: 0,
    errorSamples: [],
  };
}

export type ToWorker = { type: 'snapshot'; id: number } | { type: 'stop' };
export type FromWorker =
  | { type: 'snapshot'; id: number; counters: Counters }
  | {
      type: 'done';
      counters: Counters;
      /** [ack time (ms since epoch), request latency ms] of every acknowledged request. */
      acks: number[];
      eventLoopUtilization: number;
    }
  | { type: 'fatal'; message: string };

const NEEDLE = Buffer.from('"timestamp":');

/** Rewrites every `"timestamp":<13 digits>` of a logEvents array in place. */
export function patchTimestamps(buf: Buffer, from: number, count: number, map: (original: number, i: number) => number): void {
  let pos = from;
  for (let i = 0; i < count; i++) {
    pos = buf.indexOf(NEEDLE, pos);
    if (pos < 0) throw new Error(`batch has ${i} timestamps, expected ${count}`);
    pos += NEEDLE.length;
    let v = 0;
    for (let k = 0; k < 13; k++) v = v * 10 + ((buf[pos + k] as number) - 48);
    if (buf[pos + 13] !== 0x2c) throw new Error('timestamps must be 13 digits');
    let out = Math.floor(map(v, i));
    if (out < 1e12 || out >= 1e13) throw new Error(`timestamp ${out} is not 13 digits`);
    for (let k = 12; k >= 0; k--) {
      buf[pos + k] = 48 + (out % 10);
      out = Math.floor(out / 10);
    }
    pos += 13;
  }
}

interface Reply {
  status: number;
  body: string;
}

function post(agent: Agent, url: URL, headers: Record<string, string>, body: Buffer): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      { agent, host: url.hostname, port: url.port, method: 'POST', path: '/', headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(120_000, () => req.destroy(new Error('no reply within 120 s')));
    req.end(body);
  });
}

/** The AWS error name of an error reply (awsJson puts it in `__type`, sometimes namespaced). */
export function errorType(reply: Reply): string {
  try {
    const t = (JSON.parse(reply.body) as { __type?: string }).__type ?? '';
    return t.slice(t.lastIndexOf('#') + 1) || `HTTP ${reply.status}`;
  } catch {
    return `HTTP ${reply.status}`;
  }
}

/** Events of a 200 reply that the server did not store (rejectedLogEventsInfo). */
export function rejectedCount(body: string, n: number): number {
  if (!body.includes('rejectedLogEventsInfo')) return 0;
  const info = (JSON.parse(body) as { rejectedLogEventsInfo?: Record<string, number> }).rejectedLogEventsInfo ?? {};
  const tooNew = info['tooNewLogEventStartIndex'];
  const tooOld = info['tooOldLogEventEndIndex'];
  const expired = info['expiredLogEventEndIndex'];
  let rejected = tooNew === undefined ? 0 : n - tooNew;
  rejected += Math.max(tooOld === undefined ? 0 : tooOld + 1, expired === undefined ? 0 : expired + 1);
  return Math.min(n, rejected);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(plan: WorkerPlan): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error('load-worker.js runs as a worker thread');
  const url = new URL(plan.url);
  const host = url.host;
  const agent = new Agent({ keepAlive: true, maxSockets: plan.inflight });
  const signer = new Signer(plan.creds, plan.region);
  const counter = new Int32Array(plan.counter);
  const fh: FileHandle = await open(plan.batchesPath, 'r');
  const prefixes = plan.targets.map((t) => Buffer.from(`{"logGroupName":${JSON.stringify(t.group)},"logStreamName":${JSON.stringify(t.stream)},"logEvents":`));
  const free = plan.targets.map((_, i) => i);
  const c = emptyCounters();

  const acks: number[] = [];
  const sample = (s: string): void => {
    if (c.errorSamples.length < 5) c.errorSamples.push(s.slice(0, 300));
  };
  let stopping = false;
  let consecutiveNetworkErrors = 0;
  const elu0 = performance.eventLoopUtilization();

  port.on('message', (m: ToWorker) => {
    if (m.type === 'stop') stopping = true;
    else port.postMessage({ type: 'snapshot', id: m.id, counters: { ...c, errorSamples: [...c.errorSamples] } } satisfies FromWorker);
  });

  const nBatches = plan.offsets.length - 1;
  // Pacing: each batch start takes the next slot of an even schedule; a late start does not earn a burst.
  const intervalMs = plan.batchesPerS === undefined ? 0 : 1000 / plan.batchesPerS;
  let nextStart = performance.now();
  async function pace(): Promise<void> {
    if (intervalMs === 0) return;
    const now = performance.now();
    const at = Math.max(nextStart, now);
    nextStart = at + intervalMs;
    if (at > now) await sleep(at - now);
  }
  async function slot(): Promise<void> {
    while (!stopping) {
      await pace();
      if (stopping) return;
      const taken = Atomics.add(counter, 0, 1);
      if (taken >= plan.batchLimit && !plan.wrap) return;
      if (taken >= plan.batchLimit) c.wrapped++;
      const b = taken % Math.min(plan.batchLimit, nBatches);
      const ti = free.shift();
      if (ti === undefined) throw new Error('more requests in flight than streams');
      const prefix = prefixes[ti] as Buffer;
      const start = plan.offsets[b] as number;
      const len = (plan.offsets[b + 1] as number) - start;
      const body = Buffer.allocUnsafe(prefix.length + len + 1);
      prefix.copy(body, 0);
      await fh.read(body, prefix.length, len, start);
      body[body.length - 1] = 0x7d; // }
      const n = plan.batchSize;
      for (let attempt = 0; !stopping || attempt === 0; attempt++) {
        const sendMs = Date.now();
        if (plan.timestamps.kind === 'now') patchTimestamps(body, prefix.length, n, (_, i) => sendMs - Math.floor((n - 1 - i) / 4));
        else if (attempt === 0) {
          const delta = plan.timestamps.deltaMs;
          patchTimestamps(body, prefix.length, n, (v) => v + delta);
        }
        const headers = signer.sign(host, 'PutLogEvents', body, sendMs);
        const t0 = performance.now();
        let reply: Reply;
        try {
          reply = await post(agent, url, headers, body);
          consecutiveNetworkErrors = 0;
        } catch (err) {
          c.networkErrors++;
          sample(`network: ${(err as Error).message}`);
          if (++consecutiveNetworkErrors > 50) throw new Error(`server unreachable: ${(err as Error).message}`, { cause: err });
          await sleep(200);
          continue;
        }
        c.requests++;
        c.bytesSent += body.length;
        if (reply.status === 200) {
          const rejected = rejectedCount(reply.body, n);
          c.ackedEvents += n - rejected;
          c.rejectedEvents += rejected;
          if (rejected > 0) sample(`rejected: ${reply.body}`);
          acks.push(Date.now(), performance.now() - t0);
          break;
        }
        const type = errorType(reply);
        if (type === 'ThrottlingException' || reply.status === 503) {
          if (type === 'ThrottlingException') c.throttled++;
          else c.unavailable++;
          await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
          continue;
        }
        c.failedRequests++;
        c.failedEvents += n;
        sample(`${type}: ${reply.body}`);
        break;
      }
      free.push(ti);
    }
  }

  const slots = Math.min(plan.inflight, plan.targets.length);
  await Promise.all(Array.from({ length: slots }, () => slot()));
  await fh.close();
  agent.destroy();
  const elu = performance.eventLoopUtilization(elu0);
  port.postMessage({ type: 'done', counters: c, acks, eventLoopUtilization: elu.utilization } satisfies FromWorker);
}

if (parentPort !== null && workerData !== null && typeof workerData === 'object') {
  main(workerData as WorkerPlan).catch((err: unknown) => {
    parentPort?.postMessage({ type: 'fatal', message: err instanceof Error ? (err.stack ?? err.message) : String(err) } satisfies FromWorker);
  });
}
