/**
 * The server under test, as a child process: started the way an operator starts it, observed through
 * /proc (RSS every second, VmHWM at the end, CPU time), stopped with SIGTERM, which seals all data.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import type { Credentials } from './sigv4.js';

/** The root credentials every benchmark server is started with (a throwaway data dir's, never a real key). */
export const BENCH_CREDS: Credentials = { accessKeyId: 'BENCHAKIDLOGWARD0001', secretAccessKey: 'benchSecretLogward0000000000000000000000' };

export interface ServerOptions {
  /** The compiled CLI, e.g. dist/src/cli/main.js. */
  entry: string;
  dataDir: string;
  creds: Credentials;
  /** Where the server's stdout and stderr go. */
  logPath: string;
  extraArgs: string[];
  /** Options for node itself, e.g. --cpu-prof. */
  nodeArgs: string[];
  startTimeoutMs: number;
}

export interface StopResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** From SIGTERM to exit: the time to seal. */
  stopMs: number;
  /** Peak RSS over the process's life (VmHWM), KiB; the last value read before it exited. */
  hwmKiB: number;
  /** Largest VmRSS seen by the 1 s sampler, KiB. */
  maxSampledRssKiB: number;
  rssSamples: number;
  /** [seconds since start, VmRSS KiB], one sample a second. */
  rssSeries: [number, number][];
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime of a process (or, with a tid, of one of its threads), seconds. */
export async function processCpuSeconds(pid: number, tid?: number): Promise<number> {
  const stat = await readFile(tid === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${tid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

/** Busy and total CPU time of the whole machine, seconds (from /proc/stat). */
export async function machineCpuSeconds(): Promise<{ busy: number; total: number }> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0] ?? '';
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: (total - idle) / CLK_TCK, total: total / CLK_TCK };
}

export async function procStatusKiB(pid: number): Promise<{ rss: number; hwm: number } | undefined> {
  try {
    const s = await readFile(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+) kB/.exec(s);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(s);
    if (rss === null || hwm === null) return undefined;
    return { rss: Number(rss[1]), hwm: Number(hwm[1]) };
  } catch {
    return undefined;
  }
}

export class ServerProcess {
  private maxRss = 0;
  private hwm = 0;
  private samples = 0;
  private readonly series: [number, number][] = [];
  private readonly startedAt = performance.now();
  private readonly sampler: NodeJS.Timeout;
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly logPath: string,
  ) {
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.sampler = setInterval(() => void this.sample(), 1000);
    this.sampler.unref();
  }

  get pid(): number {
    return this.child.pid as number;
  }

  private async sample(): Promise<void> {
    const s = await procStatusKiB(this.pid);
    if (s === undefined) return;
    this.samples++;
    this.series.push([Math.round(performance.now() - this.startedAt) / 1000, s.rss]);
    this.maxRss = Math.max(this.maxRss, s.rss);
    this.hwm = Math.max(this.hwm, s.hwm);
  }

  /** The latest VmRSS sample, KiB. */
  get rssKiB(): number {
    return this.series[this.series.length - 1]?.[1] ?? 0;
  }

  cpuSeconds(): Promise<number> {
    return processCpuSeconds(this.pid);
  }

  /**
   * CPU time of each of the server's threads, seconds, by thread id. The server's JavaScript runs in
   * one worker thread (src/server-worker.ts), not the process's main thread; the busiest thread over
   * an interval is that event loop (see cpuSplit).
   */
  async threadCpuSeconds(): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    let tids: string[] = [];
    try {
      tids = await readdir(`/proc/${this.pid}/task`);
    } catch {
      return out;
    }
    for (const t of tids) {
      try {
        out.set(Number(t), await processCpuSeconds(this.pid, Number(t)));
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return out;
  }

  static async start(opts: ServerOptions): Promise<ServerProcess> {
    const log = createWriteStream(opts.logPath, { flags: 'a' });
    const args = [...opts.nodeArgs, opts.entry, 'serve', '--port', '0', '--data-dir', opts.dataDir, ...opts.extraArgs];
    log.write(`# node ${args.join(' ')}\n`);
    const child = spawn(process.execPath, args, {
      env: {
        ...process.env,
        LOGWARD_ACCESS_KEY_ID: opts.creds.accessKeyId,
        LOGWARD_SECRET_ACCESS_KEY: opts.creds.secretAccessKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    let tail = '';
    const url = await new Promise<string>((resolve, reject) => {
      let buffered = '';
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`server did not print "Logward listening on" within ${opts.startTimeoutMs} ms; log: ${opts.logPath}\n${tail}`));
      }, opts.startTimeoutMs);
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        tail = (tail + text).slice(-2000);
        buffered += text;
        const m = /Logward listening on (\S+)/.exec(buffered);
        if (m !== null) {
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          buffered = '';
          resolve((m[1] as string).replace(/[",}]+$/, ''));
        } else if (buffered.length > 1 << 16) {
          buffered = buffered.slice(-4096);
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (c: Buffer) => (tail = (tail + c.toString('utf8')).slice(-2000)));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`server exited (code ${code}, signal ${signal}) before listening; log: ${opts.logPath}\n${tail}`));
      });
      child.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const server = new ServerProcess(child, url, opts.logPath);
    await server.sample();
    return server;
  }

  /** SIGTERM, then wait for exit (SIGKILL after timeoutMs), reading VmHWM until the process is gone. */
  async stop(timeoutMs: number): Promise<StopResult> {
    await this.sample();
    const t0 = performance.now();
    const hwmPoll = setInterval(() => void this.sample(), 100);
    this.child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const killed = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.child.kill('SIGKILL');
        resolve();
      }, timeoutMs);
    });
    await Promise.race([this.exited, killed]);
    const exit = await this.exited;
    clearTimeout(timer);
    clearInterval(hwmPoll);
    clearInterval(this.sampler);
    return {
      code: exit.code,
      signal: exit.signal,
      stopMs: performance.now() - t0,
      hwmKiB: this.hwm,
      maxSampledRssKiB: this.maxRss,
      rssSamples: this.samples,
      rssSeries: this.series,
    };
  }

  /** false once the process has exited (a crash, when not stopped). */
  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}
