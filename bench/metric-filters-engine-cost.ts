/**
 * `node dist/bench/metric-filters-engine-cost.js`: the CPU the metric filter engine (src/metrics/
 * metric-filters.ts with its worker thread and a real metric store) costs per ingested event, by thread,
 * for one or more builds side by side (A/B in the same process, rounds alternating).
 *
 * Steadier than the server bench on a shared machine: no HTTP, no client, no log store; a stand-in for
 * the store's catalog and batch hook feeds the engine the metric-filters bench's events (batches of
 * 1,000, one batch per turn of the event loop, as requests would) with its 100 filters, then waits until
 * every event is evaluated and the metric store has flushed. Threads' CPU time over that comes from
 * /proc (schedstat, nanoseconds): the main thread (the event loop that answers PutLogEvents: the bar's
 * bottleneck), the filter worker thread, and the process's other threads (V8's garbage collection and
 * compilers, DuckDB's). Linux only.
 *
 * Also measured, as `plain`: the same feeding of a group without filters, whose main thread time is
 * what the harness itself costs (subtract it).
 *
 * In every phase the main thread first does with each batch some of what ingest does (parses the
 * PutLogEvents body with ingest/put-body.ts, which makes the messages, and hashes it as SigV4 does),
 * and the batches stay alive until the round ends (the hot tier holds them): so the main thread's
 * difference from `plain` also counts how much the engine's threads slow the event loop's own work
 * (shared caches and memory, V8's helper threads), which the server bench sees, not only the engine's
 * own work on the main thread (posting, recording).
 *
 *   --build NAME=DIST   a build's dist directory (repeatable; default current=this build's dist)
 *   --batches N         batches of 1,000 events a round (default 80)
 *   --rounds N          rounds (default 7)
 *   --pace MS           a batch every MS milliseconds at most (default 14: about the server bench's
 *                       70,000 events/s, so that the engine sees batches as the server's does, not all
 *                       at once; 0: one batch per turn of the event loop)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pino } from 'pino';
import type { LogGroup, MetricFilterRecord } from '../src/store/catalog.js';
import type { HotBatch } from '../src/store/hot.js';
import type { BatchListener, LogStore } from '../src/store/store.js';
import type { MetricStore } from '../src/metrics/metric-store.js';
import type { MetricFilterEngine } from '../src/metrics/metric-filters.js';
import { parsePutLogEventsBody } from '../src/ingest/put-body.js';
import { cloudTrailRecords, filterRecords, messageOf } from './metric-filters.js';
import { median } from './stats.js';

const EVENTS = 1000;

/** CPU time of this process's threads, ns, by thread id. */
function threadNs(): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of readdirSync('/proc/self/task')) {
    try {
      out.set(Number(t), Number(readFileSync(`/proc/self/task/${t}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

interface Phase {
  name: string;
  store: MetricStore;
  engine: MetricFilterEngine;
  group: LogGroup;
  listeners: BatchListener[];
  dir: string;
}

/** A build's engine over a fresh metric store; `records` empty: the feeding alone (the baseline). */
async function openPhase(name: string, dist: string, records: MetricFilterRecord[]): Promise<Phase> {
  const { MetricStore } = (await import(pathToFileURL(resolve(dist, 'src/metrics/metric-store.js')).href)) as typeof import('../src/metrics/metric-store.js');
  const { MetricFilterEngine } = (await import(pathToFileURL(resolve(dist, 'src/metrics/metric-filters.js')).href)) as typeof import('../src/metrics/metric-filters.js');
  const dir = mkdtempSync(join(tmpdir(), 'mf-engine-cost-'));
  const logger = pino({ level: 'warn' });
  const store = await MetricStore.open({ dataDir: dir, clock: { now: () => Date.now() }, logger, retentionMs: 86_400_000 * 10_000, memoryLimit: '64MB', tempDir: dir });
  const group = { id: 1, name: 'g', nextSeq: 0, streamsById: new Map() } as unknown as LogGroup;
  const listeners: BatchListener[] = [];
  // What the engine reads of the log store: the catalog's groups and filters, and the batch hook.
  const logs = {
    catalog: { groupsById: new Map([[1, group]]), metricFilters: new Map(records.length > 0 ? [[1, new Map(records.map((r) => [r.name, r]))]] : []) },
    onBatch: (l: BatchListener) => void listeners.push(l),
  } as unknown as LogStore;
  const engine = await MetricFilterEngine.open({ store: logs, metrics: store, logger, worker: true });
  return { name, store, engine, group, listeners, dir };
}

const { values } = parseArgs({
  options: { build: { type: 'string', multiple: true }, batches: { type: 'string', default: '80' }, rounds: { type: 'string', default: '7' }, pace: { type: 'string', default: '14' } },
});
const here = resolve(fileURLToPath(new URL('../', import.meta.url)));
const BATCHES = Number(values.batches);
const ROUNDS = Number(values.rounds);
const PACE_MS = Number(values.pace);
const records = filterRecords(1);
// The baseline: the same feeding, into a group without filters (the engine ignores its batches).
const phases: Phase[] = [await openPhase('plain', here, [])];
for (const b of values.build ?? [`current=${here}`]) {
  const i = b.indexOf('=');
  phases.push(await openPhase(b.slice(0, i), b.slice(i + 1), records));
}
const trail = cloudTrailRecords();
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
const stats: Record<string, { main: number[]; worker: number[]; other: number[] }> = {};
for (const p of phases) stats[p.name] = { main: [], worker: [], other: [] };

async function round(p: Phase, r: number): Promise<{ main: number; worker: number; other: number }> {
  // The request bodies (built before measuring): four streams, event times of the last second before
  // each batch, as the server bench sends them.
  const base = Date.now();
  const bodies: Buffer[] = [];
  for (let b = 0; b < BATCHES; b++) {
    const now = base + b * 20;
    const logEvents = Array.from({ length: EVENTS }, (_, k) => ({ timestamp: now - EVENTS + k, message: messageOf(trail, r * 1e6 + b * EVENTS + k) }));
    bodies.push(Buffer.from(JSON.stringify({ logGroupName: 'g', logStreamName: `s${b % 4}`, logEvents })));
  }
  const kept: HotBatch[] = [];
  const before = threadNs();
  const start = performance.now();
  for (let b = 0; b < BATCHES; b++) {
    const wait = start + b * PACE_MS - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    // What ingest does first, in every phase (see the module comment); the messages are what it makes.
    const body = bodies[b]!;
    createHash('sha256').update(body).digest('hex');
    const events = parsePutLogEventsBody(body)!.logEvents as Array<{ timestamp: number; message: string }>;
    const messages = events.map((e) => e.message);
    const batch: HotBatch = { groupId: 1, streamId: b % 4, walFile: 0, ingestMs: base + b * 20, firstSeq: p.group.nextSeq, timestamps: events.map((e) => e.timestamp), messages, bytes: body.length };
    p.group.nextSeq += EVENTS;
    kept.push(batch);
    for (const l of p.listeners) l(p.group, undefined as never, batch);
    await turn();
  }
  await p.store.settle();
  const after = threadNs();
  kept.length = 0;
  const workerTid = p.engine.workerThread();
  let main = 0;
  let worker = 0;
  let other = 0;
  for (const [tid, ns] of after) {
    const d = ns - (before.get(tid) ?? 0);
    if (tid === process.pid) main += d;
    else if (tid === workerTid) worker += d;
    else other += d;
  }
  const n = BATCHES * EVENTS * 1000; // ns → µs per event
  return { main: main / n, worker: worker / n, other: other / n };
}

for (let r = -1; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? phases : [...phases].reverse();
  const line: string[] = [];
  for (const p of order) {
    const x = await round(p, r + 1);
    // Round -1 warms up (JIT, the worker's start): not counted.
    if (r < 0) continue;
    stats[p.name]!.main.push(x.main);
    stats[p.name]!.worker.push(x.worker);
    stats[p.name]!.other.push(x.other);
    line.push(`${p.name} main ${x.main.toFixed(3)} worker ${x.worker.toFixed(3)} other ${x.other.toFixed(3)}`);
  }
  if (r >= 0) process.stderr.write(`round ${r + 1}: ${line.join(', ')} µs/event\n`);
}
const plainMain = stats.plain!.main;
for (const p of phases) {
  const s = stats[p.name]!;
  // The main thread's cost over `plain` in the same round (the two ran one after the other), median.
  const overPlain = median(s.main.map((m, i) => m - plainMain[i]!));
  const m = median(s.main);
  const w = median(s.worker);
  const o = median(s.other);
  process.stdout.write(`${p.name}: main thread ${m.toFixed(3)} (over plain, by round: ${overPlain.toFixed(3)}), filter worker ${w.toFixed(3)}, other threads ${o.toFixed(3)} µs/event (medians of ${ROUNDS}); matched ${p.engine.stats.eventsMatched}\n`);
  await p.engine.close();
  await p.store.close();
  rmSync(p.dir, { recursive: true, force: true });
}
