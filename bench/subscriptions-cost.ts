/**
 * `node dist/bench/subscriptions-cost.js`: the server CPU that two subscriptions cost per ingested event,
 * per thread, for one or more builds of the server, measured the same way at the same time (A/B).
 *
 * On a 2-core machine ingest saturates the CPU, so every CPU-microsecond a subscription spends per event
 * is ingest lost; throughput on a shared machine is noise, CPU per event much less so. Each phase starts a
 * fresh server, paces the load below saturation (--rate events/s, the subscriptions scenario's data set
 * and log group layout), and reads every thread's CPU time (/proc/<pid>/task/<tid>/stat) over the measured
 * window, divided by the events acknowledged in it. A phase is `plain` (no subscription) or `subs` (the
 * subscriptions scenario's two filters matching every event: a function target on an HTTP peer in this
 * process, and a JetStream stream target on nats-server). Phases alternate over builds and rounds.
 *
 *   --server NAME=PATH   a build's compiled CLI (repeatable; default current=dist/src/cli/main.js)
 *   --rate N             events/s (default 40000; 0: as fast as the server acknowledges)
 *   --duration S         measured window (default 20), after --warmup S (default 5)
 *   --rounds N           rounds of (plain, subs of each build) (default 1)
 *   --plain-every-build  run the plain phase for every build (default: the first build only)
 *   --no-plain           no plain phase
 *   --profile            run the servers under node --cpu-prof (profiles under the run dir)
 *
 * Prints a table (µs of CPU per event: the process, and by thread role: the server's event loop, the
 * subscription encoder thread, the process's main thread, the rest; and the µs per event the event loop
 * spent runnable but waiting for a core) and the load average; JSON with
 * --output json.
 */
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { LogsClient } from './client.js';
import { openDataset } from './dataset.js';
import { diffCounters, LoadRun, type Target } from './load.js';
import { processCpuSeconds, ServerProcess, BENCH_CREDS } from './server.js';

const GROUP = '/bench/subscriptions/app';
const SUBJECT = 'logs.bench';
const creds = BENCH_CREDS;
const region = 'us-east-1';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const freePort = (): Promise<number> =>
  new Promise((res, rej) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => res(p));
    });
    s.on('error', rej);
  });

/**
 * CPU seconds of each thread, and seconds it spent runnable but waiting for a core (schedstat's run
 * delay), by "tid:comm".
 */
async function threadTimes(pid: number): Promise<{ cpu: Map<string, number>; wait: Map<string, number> }> {
  const cpu = new Map<string, number>();
  const wait = new Map<string, number>();
  for (const t of await readdir(`/proc/${pid}/task`).catch(() => [] as string[])) {
    try {
      const key = `${t}:${(await readFile(`/proc/${pid}/task/${t}/comm`, 'utf8')).trim()}`;
      cpu.set(key, await processCpuSeconds(pid, Number(t)));
      wait.set(key, Number((await readFile(`/proc/${pid}/task/${t}/schedstat`, 'utf8')).split(' ')[1]) / 1e9);
    } catch {
      // the thread ended meanwhile
    }
  }
  return { cpu, wait };
}

interface PhaseResult {
  build: string;
  kind: 'plain' | 'subs';
  events: number;
  wallS: number;
  /** µs of CPU per acknowledged event: the whole process, and by thread. */
  usPerEvent: number;
  /** µs of CPU per event by role: main thread, the server's event loop, the subscription encoder, the rest. */
  roles: { main: number; loop: number; encoder: number; other: number };
  /** µs per event the server's event loop spent runnable but waiting for a core. */
  loopWait: number;
  byThread: { thread: string; usPerEvent: number }[];
  deliveredEvents: number;
  lagSeconds: Record<string, number>;
  loadavg: number[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      server: { type: 'string', multiple: true },
      rate: { type: 'string', default: '40000' },
      duration: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '1' },
      'plain-every-build': { type: 'boolean', default: false },
      'no-plain': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      output: { type: 'string', default: 'table' },
    },
  });
  const builds = (values.server ?? ['current=dist/src/cli/main.js']).map((s) => {
    const eq = s.indexOf('=');
    if (eq < 1) throw new Error(`--server NAME=PATH, not ${s}`);
    return { name: s.slice(0, eq), entry: resolve(s.slice(eq + 1)) };
  });
  const rate = Number(values.rate);
  const durationS = Number(values.duration);
  const warmupS = Number(values.warmup);
  const rounds = Number(values.rounds);
  const log = (line: string): void => void process.stderr.write(`[cost ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

  const root = resolve('.bench-data');
  const runDir = join(root, 'runs', `cost-${new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19)}`);
  await mkdir(runDir, { recursive: true });
  log(`run dir ${runDir}`);
  const dataset = await openDataset({ root, seed: 20240601, events: 1_000_000, searchEvents: 1_000_000, batchSize: 1000, markerTerm: 'zqxjkvbw', markerCount: 10, commonTerm: 'GET', spanMs: 6 * 3600 * 1000 }, log);

  // Peers: nats-server with JetStream, and an HTTP server answering 200 to every POST.
  const natsDir = join(runDir, 'nats');
  await mkdir(natsDir, { recursive: true });
  const natsPort = await freePort();
  const nats: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', natsDir], { stdio: 'ignore' });
  const natsUrl = `nats://127.0.0.1:${natsPort}`;
  let nc;
  for (let i = 0; i < 200 && nc === undefined; i++) nc = await connect({ servers: natsUrl, reconnect: false }).catch(() => sleep(50).then(() => undefined));
  if (nc === undefined) throw new Error('nats-server did not start');
  await (await jetstreamManager(nc)).streams.add({ name: 'BENCH', subjects: ['logs.>'], max_bytes: 256 * 1024 * 1024 });
  let posted = 0;
  let posts = 0;
  const http = createHttpServer((req, res) => {
    posts++;
    req.on('data', (c: Buffer) => (posted += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  http.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/`;

  const phase = async (build: { name: string; entry: string }, kind: 'plain' | 'subs', label: string): Promise<PhaseResult> => {
    const dataDir = join(runDir, `${label}-data`);
    await mkdir(dataDir, { recursive: true });
    const server = await ServerProcess.start({ entry: build.entry, dataDir, creds, logPath: join(runDir, `${label}.server.log`), extraArgs: ['--allow-private-destinations', '127.0.0.1/32'], nodeArgs: values.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(runDir, 'profiles', label)}`] : [], startTimeoutMs: 60_000 });
    const client = new LogsClient(server.url, creds, region);
    let load: LoadRun | undefined;
    try {
      const streams = Array.from({ length: 32 }, (_, s) => `host-${s}`);
      await client.ensureStreams(GROUP, streams);
      // Threads by role: the process's main thread (tid = pid); the thread started by the first delivery
      // (the subscription encoder: threads new between a first event and its delivery); the busiest of the
      // others (the server's event loop, a worker thread); the rest (libuv's pool, DuckDB, V8's helpers).
      const putOne = (): Promise<unknown> => client.call('PutLogEvents', { logGroupName: GROUP, logStreamName: streams[0]!, logEvents: [{ timestamp: Date.now(), message: 'first' }] });
      await putOne();
      const before = new Set((await threadTimes(server.pid)).cpu.keys());
      if (kind === 'subs') {
        const cli = (...args: string[]): Promise<unknown> =>
          promisify(execFile)(process.execPath, [build.entry, ...args, '--endpoint-url', server.url, '--region', region], {
            env: { ...process.env, LOGWARD_ACCESS_KEY_ID: creds.accessKeyId, LOGWARD_SECRET_ACCESS_KEY: creds.secretAccessKey },
          });
        await cli('targets', 'put', 'function', 'bench-fn', '--url', httpUrl);
        await cli('targets', 'put', 'stream', 'bench-stream', '--nats', natsUrl, '--subject', SUBJECT, '--stream', 'BENCH');
        const account = '000000000000';
        await client.call('PutSubscriptionFilter', { logGroupName: GROUP, filterName: 'to-function', filterPattern: '', destinationArn: `arn:aws:lambda:${region}:${account}:function:bench-fn` });
        await client.call('PutSubscriptionFilter', { logGroupName: GROUP, filterName: 'to-stream', filterPattern: '', destinationArn: `arn:aws:kinesis:${region}:${account}:stream/bench-stream`, roleArn: `arn:aws:iam::${account}:role/bench` });
        await putOne();
        for (let i = 0; i < 200; i++) {
          const text = await (await fetch(`${server.url}/metrics`)).text();
          const delivered = [...text.matchAll(/^logward_subscription_delivered_events_total\{[^}]*\} (\S+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
          if (delivered >= 2) break;
          await sleep(50);
        }
      } else {
        await putOne();
        await sleep(1000);
      }
      const encoderThreads = new Set([...(await threadTimes(server.pid)).cpu.keys()].filter((k) => !before.has(k)));
      const targets: Target[] = streams.map((stream) => ({ group: GROUP, stream }));
      load = new LoadRun({ url: server.url, creds, region, dataset, batchLimit: dataset.meta.batches, wrap: true, targets, threads: 2, inflight: 12, timestamps: { kind: 'now' }, ...(rate > 0 ? { batchesPerS: rate / dataset.meta.batchSize } : {}) });
      let loadError: unknown;
      load.done.catch((e: unknown) => (loadError = e));
      await sleep(warmupS * 1000);
      const s0 = await load.snapshot();
      const posts0 = posts;
      const { cpu: t0, wait: w0 } = await threadTimes(server.pid);
      const p0 = await processCpuSeconds(server.pid);
      await sleep(durationS * 1000);
      const s1 = await load.snapshot();
      const { cpu: t1, wait: w1 } = await threadTimes(server.pid);
      const p1 = await processCpuSeconds(server.pid);
      if (loadError !== undefined) throw loadError;
      const events = diffCounters(s0.counters, s1.counters).ackedEvents;
      const metrics = kind === 'subs' ? await (await fetch(`${server.url}/metrics`)).text() : '';
      const lagSeconds: Record<string, number> = {};
      for (const m of metrics.matchAll(/^logward_subscription_lag_seconds\{[^}]*filter="([^"]*)"[^}]*\} (\S+)$/gm)) lagSeconds[m[1]!] = Number(m[2]);
      let deliveredEvents = 0;
      for (const m of metrics.matchAll(/^logward_subscription_delivered_events_total\{[^}]*\} (\S+)$/gm)) deliveredEvents += Number(m[1]);
      let deliveredBatches = 0;
      for (const m of metrics.matchAll(/^logward_subscription_delivered_batches_total\{[^}]*\} (\S+)$/gm)) deliveredBatches += Number(m[1]);
      // Events a function invocation carried in the window (one POST a message: a log stream's events of a batch).
      const eventsPerPost = posts > posts0 ? events / (posts - posts0) : 0;
      // Threads by kind: a name shared by several threads (libuv's pool, DuckDB's, V8's) adds up.
      const byName = new Map<string, number>();
      for (const [key, end] of t1) {
        const name = key.slice(key.indexOf(':') + 1);
        const tid = key.slice(0, key.indexOf(':'));
        const d = end - (t0.get(key) ?? 0);
        // The server's event loop and the subscription encoder are both "node" workers: keep them apart by tid.
        const k = /^(node|MainThread)$/.test(name) ? `${name}#${tid}` : name;
        byName.set(k, (byName.get(k) ?? 0) + d);
      }
      const roles = { main: 0, loop: 0, encoder: 0, other: 0 };
      let loopKey = '';
      let loopS = -1;
      for (const [key, end] of t1) {
        const d = end - (t0.get(key) ?? 0);
        if (!key.startsWith(`${server.pid}:`) && !encoderThreads.has(key) && d > loopS) [loopKey, loopS] = [key, d];
      }
      for (const [key, end] of t1) {
        const d = end - (t0.get(key) ?? 0);
        const role = key.startsWith(`${server.pid}:`) ? 'main' : encoderThreads.has(key) ? 'encoder' : key === loopKey ? 'loop' : 'other';
        roles[role] += (d * 1e6) / events;
      }
      const byThread = [...byName]
        .map(([thread, s]) => ({ thread, usPerEvent: (s * 1e6) / events }))
        .filter((t) => t.usPerEvent >= 0.05)
        .sort((a, b) => b.usPerEvent - a.usPerEvent);
      const loopWait = (((w1.get(loopKey) ?? 0) - (w0.get(loopKey) ?? 0)) * 1e6) / events;
      const r: PhaseResult = { build: build.name, kind, events, wallS: (s1.atMs - s0.atMs) / 1000, usPerEvent: ((p1 - p0) * 1e6) / events, roles, loopWait, byThread, deliveredEvents, lagSeconds, loadavg: loadavg() };
      log(
        `${label}: ${Math.round(events / r.wallS).toLocaleString('en-US')} events/s, ${r.usPerEvent.toFixed(2)} us CPU/event` +
          ` (${Object.entries(r.roles).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}, loop's wait for a core ${loopWait.toFixed(2)}; ${byThread.slice(0, 6).map((t) => `${t.thread} ${t.usPerEvent.toFixed(2)}`).join(', ')})` +
          (kind === 'subs' ? `, ${Math.round(eventsPerPost)} events a POST, ${Math.round(deliveredEvents / Math.max(1, deliveredBatches))} a batch` : '') +
          (kind === 'subs' ? `, lag ${Object.entries(lagSeconds).map(([f, v]) => `${f} ${v.toFixed(2)} s`).join(', ')}` : '') +
          `, load ${r.loadavg.map((x) => x.toFixed(2)).join(' ')}`,
      );
      return r;
    } finally {
      await load?.stop().catch(() => undefined);
      await load?.terminate();
      client.close();
      await server.stop(120_000);
      await rm(dataDir, { recursive: true, force: true });
    }
  };

  const results: PhaseResult[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? builds : [...builds].reverse();
      for (const [i, b] of order.entries()) {
        if (!values['no-plain'] && (values['plain-every-build'] || b === builds[0])) results.push(await phase(b, 'plain', `${b.name}-plain-${round + 1}`));
        void i;
        results.push(await phase(b, 'subs', `${b.name}-subs-${round + 1}`));
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
  void posted;
  if (values.output === 'json') {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return;
  }
  const plain = results.filter((r) => r.kind === 'plain');
  const plainUs = plain.reduce((a, r) => a + r.usPerEvent, 0) / Math.max(1, plain.length);
  const rows = [
    ['build', 'phase', 'events/s', 'CPU us/event', 'over plain', 'loop', 'loop wait', 'encoder', 'main', 'other', 'load'],
    ...results.map((r) => [
        r.build,
        r.kind,
        Math.round(r.events / r.wallS).toLocaleString('en-US'),
        r.usPerEvent.toFixed(2),
        r.kind === 'subs' ? (r.usPerEvent - plainUs).toFixed(2) : '',
        r.roles.loop.toFixed(2),
        r.loopWait.toFixed(2),
        r.roles.encoder.toFixed(2),
        r.roles.main.toFixed(2),
        r.roles.other.toFixed(2),
        r.loadavg.map((x) => x.toFixed(2)).join(' '),
      ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  process.stdout.write(rows.map((row) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
