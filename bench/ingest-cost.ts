/**
 * Server CPU per ingested event, A/B between builds (not part of `npm run bench`):
 *
 *   node dist/bench/ingest-cost.js --server A/cli/main.js --server B/cli/main.js [--rounds 3] [--requests 60] [--skip-settle]
 *
 * Each round starts every build's server in turn on a fresh data dir, sends `requests` PutLogEvents of
 * 4,600 200-byte lines (the agent scenario's lines and batch size) from 4 streams at once, and reads the
 * server's CPU time from /proc: during the sends ("ingest"), then until the server has been idle for 2 s
 * (sealing, bitmaps, settling: "settle"). Per-thread CPU is grouped by thread name. CPU time, not wall
 * time, so that other load on the machine matters less; the builds alternate within each round.
 */
import { readFile, readdir, rm, mkdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LogsClient } from './client.js';
import { processCpuSeconds, ServerProcess, BENCH_CREDS } from './server.js';
import { median } from './stats.js';

const LINE_BYTES = 200;
const BATCH = 4600;
const STREAMS = 4;
const creds = BENCH_CREDS;

function lines(n: number, offset: number): string[] {
  const words = ['GET', 'POST', '/api/orders', '/static/app.js', '200', '404', '500', 'user=alice', 'user=bob', 'latency_ms=12', 'latency_ms=250'];
  const out: string[] = [];
  for (let j = 0; j < n; j++) {
    const i = offset + j;
    const head = `2024-05-03T11:40:02.${String(i % 1000).padStart(3, '0')}Z ${String(i).padStart(10, '0')} ${words[i % 11]} ${words[(i * 7) % 11]} ${words[(i * 3) % 11]} `;
    out.push(`${head}${'x'.repeat(LINE_BYTES - 1 - head.length)}`);
  }
  return out;
}

async function threads(pid: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    try {
      const comm = (await readFile(`/proc/${pid}/task/${t}/comm`, 'utf8')).trim();
      out.set(`${comm}#${t}`, await processCpuSeconds(pid, Number(t)));
    } catch {
      // the thread ended
    }
  }
  return out;
}

function diff(a: Map<string, number>, b: Map<string, number>): Map<string, number> {
  const byName = new Map<string, number>();
  for (const [k, v] of b) {
    const d = v - (a.get(k) ?? 0);
    if (d <= 0) continue;
    byName.set(k, d);
  }
  return byName;
}

interface Result {
  build: string;
  events: number;
  ingestCpu: number;
  settleCpu: number;
  wallS: number;
  threads: Map<string, number>;
  /** The same, during the sends only (the event loop's share there is what bounds ingest). */
  ingestThreads: Map<string, number>;
  /** Bytes of the files under segments/ once settled (Parquet and token indexes). */
  segmentBytes: number;
}

async function treeBytes(path: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(path, { withFileTypes: true }).catch(() => [])) {
    const p = join(path, e.name);
    total += e.isDirectory() ? await treeBytes(p) : (await stat(p)).size;
  }
  return total;
}

async function runOne(entry: string, dir: string, requests: number, extra: string[], nodeArgs: string[], settle: boolean): Promise<Result> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const server = await ServerProcess.start({ entry, dataDir: join(dir, 'data'), creds, logPath: join(dir, 'server.log'), extraArgs: ['--log-level', 'warn', ...extra], nodeArgs, startTimeoutMs: 60_000 });
  try {
    const client = new LogsClient(server.url, creds, 'us-east-1');
    const group = 'bench/ingest-cost';
    const streams = Array.from({ length: STREAMS }, (_, i) => `s-${i}`);
    await client.ensureStreams(group, streams);
    const bodies = Array.from({ length: 8 }, (_, k) => lines(BATCH, k * BATCH));
    await new Promise((r) => setTimeout(r, 1500));
    const th0 = await threads(server.pid);
    const cpu0 = await server.cpuSeconds();
    const t0 = performance.now();
    let sent = 0;
    let next = 0;
    await Promise.all(
      streams.map(async (stream) => {
        while (next < requests) {
          const k = next++;
          const now = Date.now();
          await client.call('PutLogEvents', { logGroupName: group, logStreamName: stream, logEvents: bodies[k % bodies.length]!.map((message) => ({ timestamp: now, message })) });
          sent += BATCH;
        }
      }),
    );
    const wallS = (performance.now() - t0) / 1000;
    const cpu1 = await server.cpuSeconds();
    const th1 = await threads(server.pid);
    // Settle: until the server used under 0.05 CPU-s in each of 8 periods of 2 s (background work
    // waits for ingest to have been quiet for a while: store.ts QUIET_WINDOW_MS), at most 300 s.
    let last = cpu1;
    for (let i = 0, idle = 0; settle && i < 150 && idle < 8; i++) {
      await new Promise((r) => setTimeout(r, 2000));
      const c = await server.cpuSeconds();
      idle = c - last < 0.05 ? idle + 1 : 0;
      last = c;
    }
    const cpu2 = await server.cpuSeconds();
    const th2 = await threads(server.pid);
    client.close();
    return { build: entry, events: sent, ingestCpu: cpu1 - cpu0, settleCpu: cpu2 - cpu1, wallS, threads: diff(th0, th2), ingestThreads: diff(th0, th1), segmentBytes: await treeBytes(join(dir, 'data', 'segments')) };
  } finally {
    await server.stop(120_000);
  }
}


async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string', multiple: true },
      rounds: { type: 'string', default: '3' },
      requests: { type: 'string', default: '60' },
      'server-arg': { type: 'string', multiple: true },
      'cpu-prof': { type: 'boolean', default: false },
      'node-arg': { type: 'string', multiple: true },
      /** Stop each server right after the sends (ingest figures only; settle is then 0). */
      'skip-settle': { type: 'boolean', default: false },
    },
  });
  const entries = values.server ?? ['dist/src/cli/main.js'];
  const rounds = Number(values.rounds);
  const requests = Number(values.requests);
  const root = resolve('.bench-data', 'ingest-cost');
  const results = new Map<string, Result[]>(entries.map((e) => [e, []]));
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? entries : [...entries].reverse();
    for (const [i, e] of order.entries()) {
      const nodeArgs = [...(values['node-arg'] ?? []), ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', join(root, 'profiles', `${entries.indexOf(e)}`)] : [])];
      const res = await runOne(e, join(root, `run-${i}`), requests, values['server-arg'] ?? [], nodeArgs, !values['skip-settle']);
      results.get(e)!.push(res);
      const us = (x: number): string => ((x * 1e6) / res.events).toFixed(2);
      process.stderr.write(`round ${r} ${e}: ${res.events} events in ${res.wallS.toFixed(1)} s; ingest ${us(res.ingestCpu)} µs/event, settle ${us(res.settleCpu)} µs/event; segments ${(res.segmentBytes / res.events).toFixed(1)} B/event\n`);
      process.stderr.write(`   ingest threads: ${[...res.ingestThreads.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([k, v]) => `${k} ${us(v)}`).join(', ')}\n`);
      process.stderr.write(`   threads: ${[...res.threads.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => `${k} ${us(v)}`).join(', ')}\n`);
    }
  }
  for (const e of entries) {
    const rs = results.get(e)!;
    const per = (f: (x: Result) => number): string => median(rs.map((x) => (f(x) * 1e6) / x.events)).toFixed(2);
    const busiestIngest = (x: Result): number => Math.max(0, ...x.ingestThreads.values());
    console.log(`   event loop (busiest thread) during the sends: ${per(busiestIngest)} µs/event (${rs.map((x) => ((busiestIngest(x) * 1e6) / x.events).toFixed(2)).join(' ')})`);
    console.log(`${e}: ingest ${per((x) => x.ingestCpu)} µs/event, settle ${per((x) => x.settleCpu)}, total ${per((x) => x.ingestCpu + x.settleCpu)}, segments ${median(rs.map((x) => x.segmentBytes / x.events)).toFixed(1)} B/event (medians of ${rs.length}; ingest ${rs.map((x) => ((x.ingestCpu * 1e6) / x.events).toFixed(2)).join(' ')})`);
    // Threads by name (thread ids differ between runs; the busiest "node" threads are the server's worker and the main thread).
    const byName = new Map<string, number[]>();
    for (const x of rs) {
      const sums = new Map<string, number>();
      for (const [k, v] of x.threads) {
        const name = k.slice(0, k.lastIndexOf('#'));
        sums.set(name, (sums.get(name) ?? 0) + v);
      }
      const top = [...x.threads.entries()].sort((a, b) => b[1] - a[1]).slice(0, 1);
      for (const [k, v] of top) sums.set(`busiest(${k.slice(0, k.lastIndexOf('#'))})`, v);
      for (const [k, v] of sums) byName.set(k, [...(byName.get(k) ?? []), (v * 1e6) / x.events]);
    }
    for (const [k, v] of [...byName.entries()].sort((a, b) => median(b[1]) - median(a[1]))) console.log(`   ${k.padEnd(24)} ${median(v).toFixed(2)} µs/event`);
  }
}

await main();
