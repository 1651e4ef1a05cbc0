/**
 * What every scenario gets: the run's configuration, the data set, a log, and the bookkeeping that spans
 * scenarios (every server process started, for peak RSS; CPU marks for the CPU split).
 */
import { join } from 'node:path';
import type { Dataset } from './dataset.js';
import { machineCpuSeconds, ServerProcess, type StopResult } from './server.js';
import type { Credentials } from './sigv4.js';

export const SCENARIOS = ['ingest', 'latency', 'disk', 'search', 'predicate', 'encryption', 'metric-filters', 'alarm-latency', 'subscriptions', 'formats', 'agent'] as const;
/** Scenarios that start their own server in process and need no data set (issue #6). */
export const STANDALONE_SCENARIOS: ReadonlySet<string> = new Set(['metric-filters', 'alarm-latency', 'formats']);
export type Scenario = (typeof SCENARIOS)[number];

export interface BenchConfig {
  quick: boolean;
  only: ReadonlySet<Scenario>;
  /** Measured ingest window, after the warm-up. */
  durationS: number;
  warmupS: number;
  /** Events in the search data set (scenario 4). */
  searchEvents: number;
  threads: number;
  inflight: number;
  seed: number;
  groups: number;
  streamsPerGroup: number;
  searchStreams: number;
  searchRuns: number;
  rgRuns: number;
  /** Scenario `predicate`: how many of the data set's first messages, and timed passes per case. */
  predicateEvents: number;
  predicateRuns: number;
  markerTerm: string;
  markerCount: number;
  commonTerm: string;
  /** The word the generator writes into error events (`"level":"error"`): the Insights filter and rg count it. */
  errorTerm: string;
  /** Logs Insights: warm runs per query after the first, and the GetQueryResults poll interval. */
  insightsRuns: number;
  insightsPollMs: number;
  /** Give up the scenario-4 ingest after this long (the run must stay within its time budget). */
  maxIngestS: number;
  keep: boolean;
  write: boolean;
  /** Run the servers under node --cpu-prof and summarise the profiles. */
  profile: boolean;
  /** Rewrite the report from this results.json instead of running. */
  render?: string | undefined;
  /** Only make sure the data set exists. */
  prepare: boolean;
  serverEntry: string;
  serverArgs: string[];
  /** .bench-data */
  root: string;
  /** .bench-data/runs/<time>: server logs, data dirs, results.json */
  runDir: string;
  creds: Credentials;
  region: string;
}

export interface ServerLife extends StopResult {
  label: string;
}

export interface CpuMark {
  atMs: number;
  serverS: number;
  /** CPU seconds of each server thread, by thread id. */
  serverThreadsS: Map<number, number>;
  benchUs: number;
  machineBusyS: number;
  machineTotalS: number;
}

export interface CpuSplit {
  wallS: number;
  /** Average cores busy over the interval. */
  server: number;
  /** Of which the server's busiest thread, its JavaScript event loop: 1.0 means saturated. */
  serverMainThread: number;
  loadGenerator: number;
  machine: number;
  /** Machine minus server minus load generator: other processes, the kernel's own threads. */
  other: number;
}

export class BenchContext {
  readonly lives: ServerLife[] = [];
  constructor(
    readonly cfg: BenchConfig,
    readonly dataset: Dataset,
  ) {}

  log(line: string): void {
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  }

  async startServer(label: string, dataDir: string, extraArgs: readonly string[] = []): Promise<ServerProcess> {
    const t0 = performance.now();
    const server = await ServerProcess.start({
      entry: this.cfg.serverEntry,
      dataDir,
      creds: this.cfg.creds,
      logPath: join(this.cfg.runDir, `${label}.server.log`),
      extraArgs: [...this.cfg.serverArgs, ...extraArgs],
      nodeArgs: this.cfg.profile ? ['--cpu-prof', `--cpu-prof-dir=${join(this.cfg.runDir, 'profiles', label)}`] : [],
      startTimeoutMs: 120_000,
    });
    this.log(`${label}: server pid ${server.pid} listening on ${server.url} after ${(performance.now() - t0).toFixed(0)} ms`);
    return server;
  }

  async stopServer(label: string, server: ServerProcess): Promise<ServerLife> {
    const life = { label, ...(await server.stop(600_000)) };
    this.lives.push(life);
    this.log(
      `${label}: server stopped in ${(life.stopMs / 1000).toFixed(1)} s (exit ${life.code ?? life.signal}), ` +
        `VmHWM ${(life.hwmKiB / 1024).toFixed(0)} MiB`,
    );
    return life;
  }

  async cpuMark(server: ServerProcess): Promise<CpuMark> {
    const u = process.cpuUsage();
    const m = await machineCpuSeconds();
    return {
      atMs: Date.now(),
      serverS: await server.cpuSeconds(),
      serverThreadsS: await server.threadCpuSeconds(),
      benchUs: u.user + u.system,
      machineBusyS: m.busy,
      machineTotalS: m.total,
    };
  }
}

export function cpuSplit(a: CpuMark, b: CpuMark): CpuSplit {
  const wallS = (b.atMs - a.atMs) / 1000;
  const server = (b.serverS - a.serverS) / wallS;
  let busiest = 0;
  for (const [tid, secs] of b.serverThreadsS) busiest = Math.max(busiest, secs - (a.serverThreadsS.get(tid) ?? 0));
  const serverMainThread = busiest / wallS;
  const loadGenerator = (b.benchUs - a.benchUs) / 1e6 / wallS;
  const machine = (b.machineBusyS - a.machineBusyS) / wallS;
  return { wallS, server, serverMainThread, loadGenerator, machine, other: Math.max(0, machine - server - loadGenerator) };
}
