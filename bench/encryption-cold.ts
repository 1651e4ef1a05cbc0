/**
 * A small harness for the first Logs Insights query after a restart, encrypted against plaintext
 * (docs/encryption.md), without the full `--only search,encryption` run: `load` ingests the first
 * `--events` events of an existing search data set into an encrypted and a plaintext data dir (once),
 * then `measure` alternates fresh server processes on each and times the first query of each process,
 * with the server's CPU seconds spent from StartQuery to Complete.
 *
 *   node dist/bench/encryption-cold.js load --dataset <dir> --dir /tmp/cold --events 2000000
 *   node dist/bench/encryption-cold.js measure --dir /tmp/cold --rounds 5 [--server dist/src/cli/main.js] [--only bins,errors] [--base <other build's main.js>] [--delay 3000]
 *
 * `--base` runs a second build on the encrypted data as a third side (A/B of a change); `--delay` waits
 * after each start, to tell the query's cost from background work at start. Each query's line gives the
 * server's CPU split between its busiest thread and the others. For where the CPU goes, `perf record -g
 * -p <server pid>` during one query (the server started with node's --perf-basic-prof-only-functions)
 * sorts it by library: DuckDB, V8's compiler, JavaScript, the kernel (docs/encryption.md).
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LogsClient } from './client.js';
import type { Dataset, DatasetMeta } from './dataset.js';
import { insightsQueries, runInsightsQuery } from './insights.js';
import { LoadRun } from './load.js';
import { ServerProcess, BENCH_CREDS } from './server.js';
import { median } from './stats.js';

const creds = BENCH_CREDS;
const region = 'us-east-1';
const group = '/bench/search/mixed';

interface Window {
  startTime: number;
  endTime: number;
  events: number;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    dataset: { type: 'string' },
    dir: { type: 'string', default: '/tmp/cold' },
    events: { type: 'string', default: '2000000' },
    rounds: { type: 'string', default: '5' },
    server: { type: 'string', default: 'dist/src/cli/main.js' },
    only: { type: 'string' },
    /** A second server build (e.g. before a change), run on the encrypted data too: a third side. */
    base: { type: 'string' },
    /** The query's time range (default: the loaded range with a minute's margin); the benchmark's ends at the second of the last event. */
    window: { type: 'string' },
    /** Milliseconds to wait after a server is ready before its query (background work at start then ends first). */
    delay: { type: 'string', default: '0' },
    /** Directory for the servers' CPU profiles (--cpu-prof) in `measure`. */
    prof: { type: 'string' },
  },
});

const log = (line: string): void => void process.stderr.write(`[cold ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

/** CPU time of every thread of `pid` (schedstat: nanoseconds, not clock ticks), milliseconds: in all, and by thread id. */
async function threadsCpuMs(pid: number): Promise<{ all: number; by: Map<string, number> }> {
  let ns = 0;
  const by = new Map<string, number>();
  for (const t of await readdir(`/proc/${pid}/task`)) {
    try {
      const n = Number((await readFile(`/proc/${pid}/task/${t}/schedstat`, 'utf8')).split(' ')[0]);
      ns += n;
      by.set(t, n / 1e6);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return { all: ns / 1e6, by };
}

/**
 * CPU milliseconds spent between two readings by the busiest thread and by all the others (threads are
 * all named `node`: the busiest is usually the server's JavaScript, which runs in a worker thread, or a
 * DuckDB thread; the others are DuckDB's, the thread pool, V8's compiler and collector threads).
 */
function cpuByThread(a: Map<string, number>, b: Map<string, number>): { top: number; rest: number } {
  const d = [...b].map(([k, v]) => v - (a.get(k) ?? 0)).sort((x, y) => y - x);
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { top: r(d[0] ?? 0), rest: r(d.slice(1).reduce((x, y) => x + y, 0)) };
}

async function start(dataDir: string, encrypted: boolean, label: string, entry = values.server!): Promise<ServerProcess> {
  return ServerProcess.start({
    entry,
    dataDir,
    creds,
    logPath: join(values.dir!, `${label}.server.log`),
    extraArgs: encrypted ? [] : ['--no-encryption'],
    nodeArgs: values.prof === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${join(values.prof, label)}`],
    startTimeoutMs: 120_000,
  });
}

async function load(): Promise<void> {
  const dsDir = values.dataset;
  if (dsDir === undefined) throw new Error('--dataset is required');
  const meta = JSON.parse(await readFile(join(dsDir, 'meta.json'), 'utf8')) as DatasetMeta;
  const offsets = JSON.parse(await readFile(join(dsDir, 'batches.idx.json'), 'utf8')) as number[];
  const dataset: Dataset = { dir: dsDir, meta, batchesPath: join(dsDir, 'batches.bin'), textPath: join(dsDir, 'events.txt'), offsets };
  const events = Number(values.events);
  const batches = events / meta.batchSize;
  const deltaMs = Date.now() - 60_000 - (meta.startMs + events * meta.stepMs);
  const window: Window = { startTime: Math.floor((meta.startMs + deltaMs) / 1000) - 60, endTime: Math.ceil(Date.now() / 1000) + 60, events };
  const streams = Array.from({ length: 16 }, (_, s) => `host-${s}`);
  for (const [name, encrypted] of [['enc', true], ['plain', false]] as const) {
    const dataDir = join(values.dir!, name);
    await mkdir(dataDir, { recursive: true });
    const server = await start(dataDir, encrypted, `${name}-load`);
    const client = new LogsClient(server.url, creds, region);
    await client.ensureStreams(group, streams);
    const run = new LoadRun({ url: server.url, creds, region, dataset, batchLimit: batches, wrap: false, targets: streams.map((stream) => ({ group, stream })), threads: 2, inflight: 12, timestamps: { kind: 'shift', deltaMs } });
    const done = await run.done;
    log(`${name}: ${done.counters.ackedEvents} events acknowledged`);
    client.close();
    await server.stop(600_000);
    // Shredding and indexing, as the benchmark waits for them.
    const m = await start(dataDir, encrypted, `${name}-maintenance`);
    for (;;) {
      const text = await (await fetch(`${m.url}/metrics`)).text();
      const left = Number(/^logward_unshredded_segments (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
      const unindexed = Number(/^logward_unindexed_segments (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
      if (left === 0 && unindexed === 0) break;
      log(`${name}: ${left} to shred, ${unindexed} to index`);
      await new Promise((r) => setTimeout(r, 3000));
    }
    await m.stop(600_000);
  }
  await writeFile(join(values.dir!, 'window.json'), JSON.stringify(window));
}

async function measure(): Promise<void> {
  const window = JSON.parse(await readFile(values.window ?? join(values.dir!, 'window.json'), 'utf8')) as Window;
  const rounds = Number(values.rounds);
  const only = values.only === undefined ? undefined : new Set(values.only.split(','));
  const specs = insightsQueries('error').filter((s) => only === undefined || only.has(s.key));
  type Side = 'enc' | 'plain' | 'base';
  const sides: Side[] = values.base === undefined ? ['enc', 'plain'] : ['enc', 'plain', 'base'];
  const once = async (side: Side, query: string): Promise<{ ms: number; cpuMs: number; rows: number; by: { top: number; rest: number } }> => {
    const dir = side === 'plain' ? 'plain' : 'enc';
    const server = await start(join(values.dir!, dir), side !== 'plain', `${side}-query`, side === 'base' ? values.base : values.server);
    const client = new LogsClient(server.url, creds, region);
    try {
      if (Number(values.delay) > 0) await new Promise((r) => setTimeout(r, Number(values.delay)));
      const c0 = await threadsCpuMs(server.pid);
      const r = await runInsightsQuery(client, { group, startTime: window.startTime, endTime: window.endTime, query, pollMs: 10 });
      const c1 = await threadsCpuMs(server.pid);
      return { ms: r.ms, cpuMs: c1.all - c0.all, rows: r.rows.length, by: cpuByThread(c0.by, c1.by) };
    } finally {
      client.close();
      await server.stop(600_000);
    }
  };
  const loadavg = async (): Promise<string> => (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).join(' ');
  for (const spec of specs) {
    const out = new Map<Side, { ms: number; cpuMs: number }[]>(sides.map((s) => [s, []]));
    const l0 = await loadavg();
    for (let i = 0; i < rounds; i++) {
      // Each side in each position of the order in turn.
      const order = sides.map((_, j) => sides[(i + j) % sides.length]!);
      for (const side of i % 2 === 0 ? order : order.reverse()) {
        const r = await once(side, spec.query);
        out.get(side)!.push(r);
        log(`${spec.key} ${side}: ${r.ms.toFixed(0)} ms, server CPU ${r.cpuMs.toFixed(1)} ms (busiest thread ${r.by.top}, others ${r.by.rest}), ${r.rows} rows`);
      }
    }
    const med = (side: Side, k: 'ms' | 'cpuMs'): number => median(out.get(side)!.map((r) => r[k]));
    const vs = (side: Side): string =>
      `${side} ${med(side, 'ms').toFixed(0)} ms (CPU ${med(side, 'cpuMs').toFixed(1)}; ${(((med(side, 'ms') - med('plain', 'ms')) / med('plain', 'ms')) * 100).toFixed(1)}% latency, ` +
      `${(((med(side, 'cpuMs') - med('plain', 'cpuMs')) / med('plain', 'cpuMs')) * 100).toFixed(1)}% CPU)`;
    process.stdout.write(
      `${spec.key}: plaintext ${med('plain', 'ms').toFixed(0)} ms (CPU ${med('plain', 'cpuMs').toFixed(1)}), ${sides.filter((x) => x !== 'plain').map(vs).join(', ')}; medians of ${rounds}; load ${l0} -> ${await loadavg()}\n`,
    );
  }
}

if (positionals[0] === 'load') {
  if (existsSync(join(values.dir!, 'window.json'))) throw new Error(`${values.dir} is loaded already`);
  await load();
} else if (positionals[0] === 'measure') await measure();
else throw new Error('usage: encryption-cold.js load|measure');
