/**
 * `node dist/bench/subscriptions-engine-cost.js`: CPU per event of two subscriptions (a function target
 * and a JetStream stream target, both matching every event) on a fixed amount of work, for builds side
 * by side (A/B). Steadier than timing a server under load on a shared machine: each phase is a fresh
 * process holding a store and the subscription engine of one build (its src/subscriptions/testing.js
 * harness), which appends the same events (the bench data set's lines, batches of 1,000 over 32 streams,
 * each as a PutLogEvents body) and waits until both destinations have acknowledged every event. Its
 * threads' CPU time over that (from /proc, in nanoseconds: schedstat) is divided by the events. The same
 * work without subscriptions (`plain`) is the baseline; the difference is what subscriptions cost.
 * The HTTP peer runs in this process, nats-server in its own.
 *
 *   --build NAME=DIST    a build's dist directory (repeatable; default current=dist)
 *   --batches N          batches of 1,000 events a phase (default 300)
 *   --rounds N           rounds of (plain, then subs of each build, order alternating) (default 3)
 *   SUBS_COST_PROF=DIR   (environment) phases run under node --cpu-prof, profiles in DIR
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';

const DATA = '.bench-data/events-1000000-search-1000000-seed-20240601-v2/events.txt';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU time of each thread of this process, ns, by tid. */
async function threadNs(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const t of await readdir('/proc/self/task')) {
    try {
      out.set(t, Number((await readFile(`/proc/self/task/${t}/schedstat`, 'utf8')).split(' ')[0]));
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

interface ChildResult {
  events: number;
  /** ns of CPU per event: the whole process, its main thread (the event loop), threads started by subscribing, the rest. */
  total: number;
  loop: number;
  encoder: number;
  other: number;
}

/** One phase, in a child process: the harness of `dist`, `batches` appended, every delivery awaited. */
async function child(dist: string, kind: string, batches: number, httpUrl: string, natsUrl: string): Promise<void> {
  const { openHarness } = (await import(pathToFileURL(join(dist, 'src/subscriptions/testing.js')).href)) as typeof import('../src/subscriptions/testing.js');
  const lines = (await readFile(DATA, 'utf8')).split('\n', batches * 1000);
  const dir = await mkdtemp(join(tmpdir(), 'subs-cost-'));
  const h = await openHarness(dir);
  try {
    const streams = Array.from({ length: 32 }, (_, s) => `host-${s}`);
    const g = await h.group('/bench/app', streams);
    // A first event, so that what starts on the first append (WAL, pools) is there before the baseline.
    await h.put(g, streams[0]!, ['first']);
    const before = new Set((await threadNs()).keys());
    const account = '000000000000';
    if (kind === 'subs') {
      await h.subscribe(g, 'to-function', '', { kind: 'function', name: 'fn', config: { url: httpUrl }, createdMs: Date.now() }, `arn:aws:lambda:us-east-1:${account}:function:fn`);
      await h.subscribe(g, 'to-stream', '', { kind: 'stream', name: 'st', config: { servers: natsUrl, subject: 'logs.bench', stream: 'BENCH' }, createdMs: Date.now() }, `arn:aws:kinesis:us-east-1:${account}:stream/st`);
      await h.put(g, streams[0]!, ['second']);
      while (h.engine.stats().reduce((a, s) => a + s.deliveredEvents, 0) < 2) await sleep(20);
    } else {
      await h.put(g, streams[0]!, ['second']);
      await sleep(500);
    }
    const started = new Set([...(await threadNs()).keys()].filter((t) => !before.has(t)));
    const delivered0 = h.engine.stats().reduce((a, s) => a + s.deliveredEvents, 0);
    const t0 = await threadNs();
    // Eight appends in flight, as several clients would send them.
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let b = next++; b < batches; b = next++) await h.put(g, streams[b % streams.length]!, lines.slice(b * 1000, b * 1000 + 1000));
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const events = batches * 1000;
    if (kind === 'subs') while (h.engine.stats().reduce((a, s) => a + s.deliveredEvents, 0) < delivered0 + 2 * events) await sleep(5);
    const t1 = await threadNs();
    const r: ChildResult = { events, total: 0, loop: 0, encoder: 0, other: 0 };
    for (const [t, ns] of t1) {
      const d = (ns - (t0.get(t) ?? 0)) / events;
      r.total += d;
      if (t === String(process.pid)) r.loop += d;
      else if (started.has(t)) r.encoder += d;
      else r.other += d;
    }
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } finally {
    await h.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      build: { type: 'string', multiple: true },
      batches: { type: 'string', default: '300' },
      rounds: { type: 'string', default: '3' },
      child: { type: 'string' },
      kind: { type: 'string' },
      http: { type: 'string' },
      nats: { type: 'string' },
    },
  });
  const batches = Number(values.batches);
  if (values.child !== undefined) return child(values.child, values.kind!, batches, values.http!, values.nats!);

  const builds = (values.build ?? ['current=dist']).map((s) => ({ name: s.slice(0, s.indexOf('=')), dist: resolve(s.slice(s.indexOf('=') + 1)) }));
  const log = (line: string): void => void process.stderr.write(`[engine-cost ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const natsDir = await mkdtemp(join(tmpdir(), 'subs-cost-nats-'));
  const natsPort = await new Promise<number>((res) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => res(p));
    });
  });
  const nats: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', natsDir], { stdio: 'ignore' });
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  let nc;
  for (let i = 0; i < 200 && nc === undefined; i++) nc = await connect({ servers: natsUrl, reconnect: false }).catch(() => sleep(50).then(() => undefined));
  if (nc === undefined) throw new Error('nats-server did not start');
  await (await jetstreamManager(nc)).streams.add({ name: 'BENCH', subjects: ['logs.>'], max_bytes: 256 * 1024 * 1024 });
  const http = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  http.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;
  const rows: Array<{ build: string; kind: string; r: ChildResult; load: number[] }> = [];
  try {
    for (let round = 0; round < Number(values.rounds); round++) {
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      const phases = [{ build: builds[0]!, kind: 'plain' }, ...order.map((b) => ({ build: b, kind: 'subs' }))];
      for (const p of phases) {
        const { stdout } = await promisify(execFile)(process.execPath, [...(process.env.SUBS_COST_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.SUBS_COST_PROF}`] : []), process.argv[1]!, '--child', p.build.dist, '--kind', p.kind, '--batches', String(batches), '--http', httpUrl, '--nats', natsUrl], { maxBuffer: 1 << 20 });
        const r = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult;
        rows.push({ build: p.build.name, kind: p.kind, r, load: loadavg() });
        log(`${p.build.name} ${p.kind}: ${(r.total / 1000).toFixed(2)} us/event (loop ${(r.loop / 1000).toFixed(2)}, encoder ${(r.encoder / 1000).toFixed(2)}, other ${(r.other / 1000).toFixed(2)}), load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
      }
    }
  } finally {
    await nc.close().catch(() => undefined);
    http.closeAllConnections();
    http.close();
    // Its store is removed once it has exited: while it shuts down it still writes there (ENOTEMPTY).
    if (nats.exitCode === null) {
      const exited = new Promise((r) => nats.once('exit', r));
      nats.kill('SIGTERM');
      await exited;
    }
    await rm(natsDir, { recursive: true, force: true });
  }
  // Median per build and kind, and subs over plain.
  const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const plain = rows.filter((x) => x.kind === 'plain');
  const plainTotal = median(plain.map((x) => x.r.total));
  const plainLoop = median(plain.map((x) => x.r.loop));
  const plainOther = median(plain.map((x) => x.r.other));
  const table: string[][] = [['build', 'phase', 'runs', 'us/event', 'subs cost', 'loop', 'encoder', 'other']];
  for (const key of [...new Set(rows.map((x) => `${x.build}\t${x.kind}`))]) {
    const [build, kind] = key.split('\t') as [string, string];
    const xs = rows.filter((x) => x.build === build && x.kind === kind).map((x) => x.r);
    const m = (f: (r: ChildResult) => number): number => median(xs.map(f)) / 1000;
    const subs = kind === 'subs';
    table.push([
      build,
      kind,
      String(xs.length),
      m((r) => r.total).toFixed(2),
      subs ? (m((r) => r.total) - plainTotal / 1000).toFixed(2) : '',
      subs ? `+${(m((r) => r.loop) - plainLoop / 1000).toFixed(2)}` : m((r) => r.loop).toFixed(2),
      m((r) => r.encoder).toFixed(2),
      subs ? `+${(m((r) => r.other) - plainOther / 1000).toFixed(2)}` : m((r) => r.other).toFixed(2),
    ]);
  }
  const widths = table[0]!.map((_, c) => Math.max(...table.map((row) => row[c]!.length)));
  process.stdout.write(`${table.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n')}\nload average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
