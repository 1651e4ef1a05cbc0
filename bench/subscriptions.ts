/**
 * The bars of issue #7, in one process (store, engine and the peer share it, so the numbers are an upper
 * bound on what the server alone costs). NOT part of `npm run bench`; run it on an otherwise idle
 * machine, after `npm run build`:
 *
 *   node dist/bench/subscriptions.js [--seconds 20] [--rate 50000]
 *
 * 1. latency: events are appended at --rate events/s (batches of 500) to a group with a function
 *    subscription (HTTP peer on 127.0.0.1); for each delivered event, the time from the append's
 *    acknowledgement to its arrival at the peer. Bar: p99 <= 1 s.
 * 2. throughput: appends as fast as 8 writers go for --seconds, with no subscription and then with two
 *    on the same group. Bar: at most 15% lower with the subscriptions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openHarness, recordingServer } from '../src/subscriptions/testing.js';
import type { Harness } from '../src/subscriptions/testing.js';
import type { LogGroup } from '../src/store/catalog.js';
import { decodeAwslogs } from '../src/subscriptions/testing.js';
import { percentile, fmtInt, fmtMs } from './stats.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, rate: { type: 'string', default: '50000' } } });
const seconds = Number(values.seconds);
const rate = Number(values.rate);
const BATCH = 500;
const message = (k: number): string => `{"level":"info","n":${k},"path":"/api/v1/items","status":200,"latency_ms":12}`;

async function withHarness<T>(fn: (h: Harness, g: LogGroup) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-subs-'));
  const h = await openHarness(dir, { retry: { baseMs: 100, maxMs: 1000, budgetMs: 3_600_000 } });
  try {
    const g = await h.group('bench', ['s0', 's1', 's2', 's3']);
    return await fn(h, g);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function latency(): Promise<number[]> {
  const ackBySeq = new Map<number, number>();
  const delays: number[] = [];
  const peer = await recordingServer((r) => {
    const now = performance.now();
    const m = decodeAwslogs(r.body);
    for (const e of m.logEvents) {
      const seq = Number(e.id.slice(20));
      const batchStart = seq - (seq % BATCH);
      const ack = ackBySeq.get(batchStart);
      if (ack !== undefined && m.messageType === 'DATA_MESSAGE') delays.push(now - ack);
    }
    r.body = Buffer.alloc(0); // keep memory flat: the recorder keeps requests
    return { status: 200 };
  });
  try {
    await withHarness(async (h, g) => {
      await h.subscribe(g, 'all', '', { kind: 'function', name: 'bench', config: { url: peer.url }, createdMs: Date.now() }, 'arn:aws:lambda:us-east-1:000000000000:function:bench');
      const end = performance.now() + seconds * 1000;
      let k = 0;
      while (performance.now() < end) {
        const t0 = performance.now();
        const msgs = Array.from({ length: BATCH }, (_, j) => message(k + j));
        const { firstSeq } = await appendBatch(h, g, `s${(k / BATCH) % 4}`, msgs);
        ackBySeq.set(firstSeq, performance.now());
        k += BATCH;
        const wait = (BATCH / rate) * 1000 - (performance.now() - t0);
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        peer.requests.length = 0;
      }
      const deadline = performance.now() + 30_000;
      while (delays.length < k && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    });
  } finally {
    await peer.close();
  }
  return delays;
}

async function appendBatch(h: Harness, g: LogGroup, stream: string, msgs: string[]): Promise<{ firstSeq: number }> {
  const now = Date.now();
  const { appendEvents } = await import('../src/store/testing.js');
  return appendEvents(h.store, g, stream, msgs.map((m) => ({ timestamp: now, message: m })), now);
}

async function throughput(subscriptions: number): Promise<number> {
  const peer = await recordingServer((r) => {
    r.body = Buffer.alloc(0);
    return { status: 200 };
  });
  try {
    return await withHarness(async (h, g) => {
      for (let i = 0; i < subscriptions; i++) {
        await h.subscribe(g, `f${i}`, i === 0 ? '' : 'status', { kind: 'function', name: `t${i}`, config: { url: peer.url }, createdMs: Date.now() }, `arn:aws:lambda:us-east-1:000000000000:function:t${i}`);
      }
      const end = performance.now() + seconds * 1000;
      let events = 0;
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let k = 0; performance.now() < end; k++) {
            await appendBatch(h, g, `s${w % 4}`, Array.from({ length: BATCH }, (_, j) => message(k * BATCH + j)));
            events += BATCH;
            peer.requests.length = 0;
          }
        }),
      );
      return events / seconds;
    });
  } finally {
    await peer.close();
  }
}

const delays = await latency();
console.log(`latency at ${fmtInt(rate)} events/s: ${fmtInt(delays.length)} events delivered; p50 ${fmtMs(percentile(delays, 50))}, p99 ${fmtMs(percentile(delays, 99))} (bar: p99 <= 1 s)`);
const base = await throughput(0);
const withTwo = await throughput(2);
console.log(`ingest: ${fmtInt(base)} events/s alone, ${fmtInt(withTwo)} events/s with two subscriptions (${(((base - withTwo) / base) * 100).toFixed(1)}% lower; bar: <= 15%)`);
