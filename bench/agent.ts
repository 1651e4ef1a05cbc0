/**
 * The agent scenario (`npm run bench -- --only agent`): `logward agent --once` reads a file of 200-byte
 * lines and sends all of it, timed from the agent's start to its exit, with its peak RSS (VmHWM).
 *
 * The agent runs with AGENT_NODE_FLAGS, as docs/agent.md says to run it. Two runs split the cost: against a stub endpoint that acknowledges every request at once (the agent's
 * own ceiling: read, assemble, spool, batch, serialize, sign, HTTP), then against a real Logward server on
 * this machine (issue #8's bar: at least 50 MiB/s, RSS at most 100 MiB). CPU seconds of the agent and of
 * the server come from /proc. With --profile both run under node --cpu-prof and the report names where
 * their main threads spend time.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import type { BenchConfig } from './context.js';
import { processCpuSeconds, procStatusKiB, ServerProcess } from './server.js';
import type { Row } from './report.js';
import { AwsCallError, LogsClient } from './client.js';

export const LINE_BYTES = 200;

export interface AgentRun {
  target: 'stub' | 'server';
  bytes: number;
  lines: number;
  wallS: number;
  mibPerS: number;
  eventsPerS: number;
  agentCpuS: number;
  serverCpuS?: number;
  agentPeakRssMiB: number;
  requests: number;
  sent: number;
  retries: number;
}

/** The same server's PutLogEvents throughput for the same lines, sent by the bench's own client. */
export interface ServerIngestRun {
  seconds: number;
  events: number;
  eventsPerS: number;
  mibPerS: number;
  serverCpuS: number;
  inflight: number;
  /** Requests answered ThrottlingException (retried). */
  throttled?: number;
}

export interface AgentScenarioResult {
  stub?: AgentRun;
  server?: AgentRun;
  serverIngest?: ServerIngestRun;
  /** What failed, per run (the other runs still report). */
  errors: string[];
}

/**
 * The V8 flag docs/agent.md tells people to run the agent with (NODE_OPTIONS): a young generation of at
 * most 2 × 4 MiB instead of V8's 2 × 16 MiB, which the agent's steady stream of requests otherwise grows
 * to. About 20 MiB less RSS, no more CPU (measured: same CPU-seconds for 512 MiB to the stub).
 */
export const AGENT_NODE_FLAGS = ['--max-semi-space-size=4'];

/** An agent run that takes longer than this is stuck, however loaded the machine. */
const AGENT_TIMEOUT_MS = 30 * 60_000;

/** `mib` MiB of 200-byte lines (199 characters and a newline), each with its own number. */
export async function writeInput(path: string, mib: number): Promise<{ bytes: number; lines: number }> {
  const lines = Math.floor((mib * 1024 * 1024) / LINE_BYTES);
  const out = createWriteStream(path);
  const words = ['GET', 'POST', '/api/orders', '/static/app.js', '200', '404', '500', 'user=alice', 'user=bob', 'latency_ms=12', 'latency_ms=250'];
  let block: string[] = [];
  for (let i = 0; i < lines; i++) {
    const head = `2024-05-03T11:40:02.${String(i % 1000).padStart(3, '0')}Z ${String(i).padStart(10, '0')} ${words[i % 11]} ${words[(i * 7) % 11]} ${words[(i * 3) % 11]} `;
    block.push(`${head}${'x'.repeat(LINE_BYTES - 1 - head.length)}\n`);
    if (block.length === 5000) {
      if (!out.write(block.join(''))) await once(out, 'drain');
      block = [];
    }
  }
  out.end(block.join(''));
  await once(out, 'finish');
  return { bytes: lines * LINE_BYTES, lines };
}

/** A CloudWatch Logs endpoint that acknowledges everything without looking at it. */
async function startStub(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.on('data', () => undefined);
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end('{}');
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * `logward agent --once --json` of `entry` (the CLI's main.js) reading `config`, with its state in
 * `stateDir`, shipping to `url` with `creds`; `output()` gives what it wrote (the last 4,000 characters of
 * stderr).
 */
export function spawnAgent(
  nodeArgs: string[],
  entry: string,
  config: string,
  stateDir: string,
  url: string,
  creds: { accessKeyId: string; secretAccessKey: string },
  region: string,
): { child: ChildProcessByStdio<null, Readable, Readable>; output: () => { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [...nodeArgs, entry, 'agent', '--config', config, '--state-dir', stateDir, '--once', '--json', '--no-imds', '--endpoint-url', url], {
    env: { ...process.env, LOGWARD_ACCESS_KEY_ID: creds.accessKeyId, LOGWARD_SECRET_ACCESS_KEY: creds.secretAccessKey, AWS_REGION: region },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr = (stderr + c).slice(-4000)));
  return { child, output: () => ({ stdout, stderr }) };
}

async function runAgent(cfg: BenchConfig, dir: string, label: 'stub' | 'server', url: string, input: { bytes: number; lines: number }, server?: ServerProcess): Promise<AgentRun> {
  const stateDir = join(dir, `state-${label}`);
  await rm(stateDir, { recursive: true, force: true });
  const nodeArgs = [...AGENT_NODE_FLAGS, ...(cfg.profile ? ['--cpu-prof', '--cpu-prof-dir', join(cfg.runDir, 'profiles', `agent-${label}`)] : [])];
  const serverCpu0 = await server?.cpuSeconds();
  const t0 = performance.now();
  const { child, output } = spawnAgent(nodeArgs, cfg.serverEntry, join(dir, 'agent.json'), stateDir, url, cfg.creds, cfg.region);
  let hwm = 0;
  let cpu = 0;
  const pid = child.pid as number;
  const sampler = setInterval(() => {
    void procStatusKiB(pid).then((s) => (hwm = Math.max(hwm, s?.hwm ?? 0)));
    void processCpuSeconds(pid).then((c) => (cpu = Math.max(cpu, c))).catch(() => undefined);
  }, 50);
  const timeout = setTimeout(() => child.kill('SIGKILL'), AGENT_TIMEOUT_MS);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  const wallS = (performance.now() - t0) / 1000;
  clearTimeout(timeout);
  clearInterval(sampler);
  const { stdout, stderr } = output();
  if (signal === 'SIGKILL') throw new Error(`logward agent (${label}) did not finish within ${AGENT_TIMEOUT_MS / 60_000} minutes: ${stderr}`);
  if (code !== 0) throw new Error(`logward agent (${label}) exited ${code}: ${stderr}`);
  const stats = JSON.parse(stdout) as { sent: number; requests: number; retries: number };
  if (stats.sent !== input.lines) throw new Error(`logward agent (${label}) sent ${stats.sent} of ${input.lines} lines: ${stderr}`);
  const serverCpu1 = await server?.cpuSeconds();
  return {
    target: label,
    ...input,
    wallS,
    mibPerS: input.bytes / 1024 / 1024 / wallS,
    eventsPerS: input.lines / wallS,
    agentCpuS: cpu,
    ...(serverCpu0 === undefined || serverCpu1 === undefined ? {} : { serverCpuS: serverCpu1 - serverCpu0 }),
    agentPeakRssMiB: hwm / 1024,
    requests: stats.requests,
    sent: stats.sent,
    retries: stats.retries,
  };
}

/**
 * The server's own ingest rate for these lines: PutLogEvents of 4,600 of them (about 1 MiB) from `inflight`
 * concurrent requests for `seconds`, with the bench's client (bodies built once, signed per request).
 */
async function measureServerIngest(cfg: BenchConfig, server: ServerProcess, inputPath: string, seconds: number): Promise<ServerIngestRun> {
  const client = new LogsClient(server.url, cfg.creds, cfg.region);
  const group = 'bench/agent-server-ingest';
  const inflight = 4;
  const streams = Array.from({ length: inflight }, (_, i) => `probe-${i}`);
  await client.ensureStreams(group, streams);
  // 4,600 lines of the input (1,035,000 bytes as PutLogEvents counts them), about as the agent batches them.
  const fh = await open(inputPath, 'r');
  const head = Buffer.alloc(4600 * LINE_BYTES);
  await fh.read(head, 0, head.length, 0);
  await fh.close();
  const messages = head.toString('utf8').split('\n').slice(0, 4600);
  const cpu0 = await server.cpuSeconds();
  const t0 = performance.now();
  let events = 0;
  let throttled = 0;
  try {
    await Promise.all(
      streams.map(async (stream) => {
        let backoffMs = 50;
        while (performance.now() - t0 < seconds * 1000) {
          const now = Date.now();
          try {
            await client.call('PutLogEvents', { logGroupName: group, logStreamName: stream, logEvents: messages.map((message) => ({ timestamp: now, message })) });
          } catch (err) {
            // A server keeping its hot tier bounded asks the client to slow down: retried as the agent and
            // the load generator do (after 50 ms doubling to 1 s, with jitter), not counted.
            if (!(err instanceof AwsCallError && err.code === 'ThrottlingException')) throw err;
            throttled++;
            await new Promise((r) => setTimeout(r, backoffMs * (0.5 + Math.random() / 2)));
            backoffMs = Math.min(backoffMs * 2, 1000);
            continue;
          }
          backoffMs = 50;
          events += messages.length;
        }
      }),
    );
  } finally {
    client.close();
  }
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = await server.cpuSeconds();
  return {
    seconds: elapsed,
    events,
    eventsPerS: events / elapsed,
    mibPerS: (events * LINE_BYTES) / 1024 / 1024 / elapsed,
    serverCpuS: cpu1 - cpu0,
    inflight,
    throttled,
  };
}

/**
 * Runs the three measurements; one failing does not stop the others (its error is reported). A run fails
 * only when the agent does: it exits with an error, sends fewer lines than the file has, or is stuck.
 */
export async function runAgentScenario(cfg: BenchConfig, log: (line: string) => void): Promise<AgentScenarioResult> {
  const dir = join(cfg.runDir, 'agent');
  await mkdir(join(dir, 'logs'), { recursive: true });
  const mib = cfg.quick ? 64 : 512;
  log(`agent: writing ${mib} MiB of ${LINE_BYTES}-byte lines`);
  const inputPath = join(dir, 'logs', 'input.log');
  const input = await writeInput(inputPath, mib);
  await writeFile(
    join(dir, 'agent.json'),
    JSON.stringify({
      logs: {
        logs_collected: { files: { collect_list: [{ file_path: join(dir, 'logs', '*.log'), log_group_name: 'bench/agent', log_stream_name: '{hostname}' }] } },
        force_flush_interval: 1,
      },
    }),
  );
  const result: AgentScenarioResult = { errors: [] };
  const failed = (what: string, err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    result.errors.push(`${what}: ${message}`);
    log(`agent: ${what} failed: ${message}`);
  };
  try {
    const stub = await startStub();
    try {
      log('agent: to a stub endpoint that acknowledges at once');
      const r = await runAgent(cfg, dir, 'stub', stub.url, input);
      result.stub = r;
      log(`agent → stub: ${r.mibPerS.toFixed(1)} MiB/s, agent ${r.agentCpuS.toFixed(1)} CPU-s, peak RSS ${r.agentPeakRssMiB.toFixed(0)} MiB`);
    } catch (err) {
      failed('the run to the stub endpoint', err);
    } finally {
      await stub.close();
    }

    const dataDir = join(dir, 'server-data');
    const server = await ServerProcess.start({
      entry: cfg.serverEntry,
      dataDir,
      creds: cfg.creds,
      logPath: join(dir, 'server.log'),
      extraArgs: ['--log-level', 'warn', ...cfg.serverArgs],
      nodeArgs: cfg.profile ? ['--cpu-prof', '--cpu-prof-dir', join(cfg.runDir, 'profiles', 'agent-server')] : [],
      startTimeoutMs: 60_000,
    });
    try {
      log('agent: to a Logward server on this machine');
      try {
        const r = await runAgent(cfg, dir, 'server', server.url, input, server);
        result.server = r;
        log(`agent → server: ${r.mibPerS.toFixed(1)} MiB/s, agent ${r.agentCpuS.toFixed(1)} CPU-s, server ${r.serverCpuS?.toFixed(1)} CPU-s, peak RSS ${r.agentPeakRssMiB.toFixed(0)} MiB`);
      } catch (err) {
        failed('the run to the server', err);
      }
      try {
        const seconds = cfg.quick ? 5 : 15;
        log(`agent: the same server's own PutLogEvents rate for these lines (${seconds} s, the bench's client)`);
        const r = await measureServerIngest(cfg, server, inputPath, seconds);
        result.serverIngest = r;
        log(`server ingest: ${r.mibPerS.toFixed(1)} MiB/s (${Math.round(r.eventsPerS).toLocaleString('en-US')} events/s), server ${r.serverCpuS.toFixed(1)} CPU-s`);
      } catch (err) {
        failed("the server's ingest measurement", err);
      }
    } finally {
      await server.stop(120_000);
    }
    return result;
  } finally {
    if (!cfg.keep) await rm(dir, { recursive: true, force: true });
  }
}

export function agentRows(r: AgentScenarioResult, quick: boolean): Row[] {
  const q = quick ? ' [quick]' : '';
  const fmt = (x: AgentRun | undefined): string =>
    x === undefined
      ? 'failed (see errors)'
      : `${x.mibPerS.toFixed(1)} MiB/s (${Math.round(x.eventsPerS).toLocaleString('en-US')} events/s; ${(x.bytes / 1024 / 1024).toFixed(0)} MiB in ${x.wallS.toFixed(1)} s; ` +
        `agent ${x.agentCpuS.toFixed(1)} CPU-s${x.serverCpuS === undefined ? '' : `, server ${x.serverCpuS.toFixed(1)} CPU-s`}; ${x.requests} requests, ${x.retries} retries; peak RSS ${x.agentPeakRssMiB.toFixed(0)} MiB)`;
  const ingest = r.serverIngest;
  const rss = [r.server?.agentPeakRssMiB, r.stub?.agentPeakRssMiB].filter((x): x is number => x !== undefined);
  return [
    { measure: `Agent file → server, 200-byte lines${q}`, bar: '≥ 50 MiB/s', measured: fmt(r.server), ok: r.server === undefined ? false : r.server.mibPerS >= 50 },
    { measure: `Agent file → stub endpoint (agent alone)${q}`, bar: 'for comparison', measured: fmt(r.stub), ok: r.stub === undefined ? false : undefined },
    {
      measure: `Same server, PutLogEvents of these lines from the bench's client${q}`,
      bar: 'for comparison',
      measured:
        ingest === undefined
          ? 'failed (see errors)'
          : `${ingest.mibPerS.toFixed(1)} MiB/s (${Math.round(ingest.eventsPerS).toLocaleString('en-US')} events/s over ${ingest.seconds.toFixed(0)} s, ${ingest.inflight} requests in flight${(ingest.throttled ?? 0) > 0 ? `, ${ingest.throttled} throttled and retried` : ''}; server ${ingest.serverCpuS.toFixed(1)} CPU-s)`,
      ok: ingest === undefined ? false : undefined,
    },
    {
      measure: 'Agent peak RSS (VmHWM)',
      bar: '≤ 100 MiB',
      measured: `${r.server === undefined ? '-' : r.server.agentPeakRssMiB.toFixed(0)} MiB to the server, ${r.stub === undefined ? '-' : r.stub.agentPeakRssMiB.toFixed(0)} MiB to the stub`,
      ok: rss.length === 0 ? false : Math.max(...rss) <= 100,
    },
  ];
}
