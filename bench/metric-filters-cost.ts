/**
 * `node dist/bench/metric-filters-cost.js`: the CPU that evaluating the metric-filters bench's 100
 * filters costs per event, in this thread, for one or more builds of filter-eval (A/B in the same run).
 *
 * On a 2-core machine ingest saturates both cores, so every CPU-microsecond the filter worker spends per
 * event is ingest lost; on a shared machine wall-clock throughput is noise, CPU per event much less so.
 * The events and filters are bench/metric-filters.ts's; requests are what the engine posts to its
 * worker (runs of 1,000 events, up to 8,000 events a request). Each measurement first passes the
 * request through structuredClone, as postMessage does (the strings the worker sees are fresh copies),
 * and reports that transport cost apart: `clone` (the main thread's serialization and the worker's
 * deserialization together). Builds and rounds alternate; medians are printed, and every build's
 * results are checked equal to the first build's (the same rows, in any order).
 *
 * Compare two builds at a time: the order alternates, so each is measured as often after the other
 * (whose garbage it may collect) as first; with more builds, the middle ones always follow the same one.
 *
 *   --build NAME=DIST   a build's dist directory (repeatable; default current=this build's dist)
 *   --events N          events per round (default 40000)
 *   --rounds N          rounds (default 9)
 */
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { MetricFilterRecord } from '../src/store/catalog.js';
import type { EvalResult, EventRun } from '../src/metrics/filter-eval.js';
import { cloudTrailRecords, filterRecords, messageOf } from './metric-filters.js';
import { median } from './stats.js';

interface Build {
  name: string;
  /** Posts a request the way the build's engine does; returns what the worker receives. */
  transport: (runs: EventRun[]) => unknown;
  evaluate: (request: unknown) => EvalResult;
}

/** The request one engine posts: its `pack` (when the build has one) turns runs into what it sends. */
async function loadBuild(name: string, dist: string, records: MetricFilterRecord[]): Promise<Build> {
  const mod = (await import(pathToFileURL(resolve(dist, 'src/metrics/filter-eval.js')).href)) as {
    FilterSet: new (r: MetricFilterRecord[]) => { evaluate: (x: never) => EvalResult };
    packRuns?: (runs: EventRun[]) => unknown;
  };
  const set = new mod.FilterSet(records);
  const pack = mod.packRuns;
  return {
    name,
    transport: (runs) => structuredClone(pack ? pack(runs) : runs),
    evaluate: (req) => set.evaluate(req as never),
  };
}

const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};


const { values } = parseArgs({
  options: {
    build: { type: 'string', multiple: true },
    events: { type: 'string', default: '40000' },
    rounds: { type: 'string', default: '9' },
  },
});
const here = resolve(fileURLToPath(new URL('../', import.meta.url)));
const builds = (values.build ?? [`current=${here}`]).map((b) => {
  const i = b.indexOf('=');
  return { name: b.slice(0, i), dist: b.slice(i + 1) };
});
const records = filterRecords(1);
const loaded = await Promise.all(builds.map((b) => loadBuild(b.name, b.dist, records)));
const trail = cloudTrailRecords();
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);

/** One round's requests: batches of 1,000 events, 8 to a request, as the engine takes them. */
function requests(round: number): EventRun[][] {
  const out: EventRun[][] = [];
  const base = 1_800_000_000_000 + round * 60_000;
  for (let b = 0; b * 1000 < EVENTS; b++) {
    if (b % 8 === 0) out.push([]);
    const n = Math.min(1000, EVENTS - b * 1000);
    out.at(-1)!.push({
      timestamps: Array.from({ length: n }, (_, k) => base + b * 700 + k),
      // Flat strings, as the server's request parsing makes them (put-body.ts), not slices of the
      // fixture's text (a structured clone copies a slice at about twice the cost).
      messages: Array.from({ length: n }, (_, k) => JSON.parse(JSON.stringify(messageOf(trail, round * 1e6 + b * 1000 + k))) as string),
    });
  }
  return out;
}

/**
 * A result as what it records: its rows as a sorted list (the order of rows is not part of the result:
 * it follows the order the patterns are tested in), with their sketches' buckets sorted.
 */
function rowSet(r: EvalResult): { rows: string[]; matched: number; skipped: number } {
  const rows = r.filter.map((f, i) => JSON.stringify([f, r.second[i], r.dims[i], r.count[i], r.sum[i], r.min[i], r.max[i], r.sketch[i] ? [...r.sketch[i]!].sort() : null]));
  return { rows: rows.sort(), matched: r.matched, skipped: r.skipped };
}

const evalUs: Record<string, number[]> = {};
const cloneUs: Record<string, number[]> = {};
for (const b of loaded) {
  evalUs[b.name] = [];
  cloneUs[b.name] = [];
}
for (let round = -1; round < ROUNDS; round++) {
  const reqs = requests(round + 1);
  const order = round % 2 === 0 ? loaded : [...loaded].reverse();
  const results: EvalResult[][] = [];
  for (const b of order) {
    let clone = 0;
    let evaluation = 0;
    const got: EvalResult[] = [];
    for (const r of reqs) {
      const t0 = cpuUs();
      const sent = b.transport(r);
      const t1 = cpuUs();
      got.push(b.evaluate(sent));
      const t2 = cpuUs();
      clone += t1 - t0;
      evaluation += t2 - t1;
    }
    results.push(got);
    // Round -1 warms the builds up (JIT): not counted.
    if (round >= 0) {
      evalUs[b.name]!.push(evaluation / EVENTS);
      cloneUs[b.name]!.push(clone / EVENTS);
    }
  }
  for (let i = 1; i < results.length; i++) assert.deepEqual(results[i]!.map(rowSet), results[0]!.map(rowSet), 'builds disagree');
  if (round >= 0) process.stderr.write(`round ${round + 1}: ${order.map((b) => `${b.name} eval ${evalUs[b.name]!.at(-1)!.toFixed(2)} clone ${cloneUs[b.name]!.at(-1)!.toFixed(2)}`).join(', ')} µs/event\n`);
}
for (const b of loaded) {
  process.stdout.write(`${b.name}: evaluation ${median(evalUs[b.name]!).toFixed(2)} µs/event, transport (structuredClone) ${median(cloneUs[b.name]!).toFixed(2)} µs/event (medians of ${ROUNDS})\n`);
}
