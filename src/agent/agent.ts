/**
 * The Logward agent: file sources → spool (on disk, bounded) → sender (PutLogEvents), plus host metrics.
 *
 * State lives in `stateDir`: `spool/` (the records) and `state.json`, a snapshot of the file checkpoints
 * as of a spool position, the position the server has acknowledged, and when each entry was last scanned.
 * A checkpoint moves only together with the events before it (in the same spool record), so on a restart
 * the files are read again exactly from where the spooled events end, and the spool is sent again from
 * where the server's acknowledgements end. See docs/agent.md.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { AgentConfig } from './config.js';
import { ConfigError } from './regex.js';
import { FileSource, type Checkpoint } from './file-source.js';
import { substitute, type HostInfo } from './host.js';
import { destinationKey, RecordWriter, recordCheckpoints } from './record.js';
import { DEFAULT_SENDER_OPTIONS, Sender, type AgentLog, type Destination, type SenderOptions } from './sender.js';
import { Spool } from './spool.js';
import type { HostMetrics } from './host-metrics.js';
import { createPutClient } from './put-client.js';

export interface AgentOptions {
  stateDir: string;
  /** How often the files are looked at. */
  pollIntervalMs: number;
  /** The spool's bound: past it, files are not read until the server catches up. */
  bufferMaxBytes: number;
  rotateWaitMs: number;
  multiLineFlushMs: number;
  sender: Partial<SenderOptions>;
  /** Tests drive scans themselves. */
  autoScan: boolean;
}

export const DEFAULT_AGENT_OPTIONS: Omit<AgentOptions, 'stateDir'> = {
  pollIntervalMs: 1000,
  bufferMaxBytes: 256 * 1024 * 1024,
  rotateWaitMs: 5000,
  multiLineFlushMs: 1000,
  sender: {},
  autoScan: true,
};

export interface AgentDeps {
  logs: CloudWatchLogsClient;
  cloudwatch?: CloudWatchClient;
  host: HostInfo;
  log: AgentLog;
  now?: () => number;
}

interface StateFile {
  /** 2: spool records hold escaped UTF-8 (record.ts); 1 held them raw. */
  version: 2;
  written: number;
  released: number;
  checkpoints: Checkpoint[];
  lastScanAt: (number | null)[];
}

const GROUP_NAME = /^[.\-_/#A-Za-z0-9]{1,512}$/;
const STREAM_NAME = /^[^:*]{1,512}$/;

export interface AgentStats {
  read: number;
  filtered: number;
  spooledBytes: number;
  openFiles: number;
  sent: number;
  requests: number;
  retries: number;
  droppedOutOfRange: number;
  rejected: number;
  droppedInvalid: number;
}

/** Each collect_list entry's log group and stream, placeholders resolved; refuses names CloudWatch would. */
export function resolveDestinations(config: AgentConfig, host: HostInfo): Destination[] {
  return config.files.map((f) => {
    const group = substitute(f.logGroupName, host);
    const stream = substitute(f.logStreamName, host);
    if (!GROUP_NAME.test(group)) throw new ConfigError(`invalid agent configuration: ${f.where}: log group name ${JSON.stringify(group)} is not valid: 1 to 512 of a-z A-Z 0-9 . - _ / #`);
    if (!STREAM_NAME.test(stream)) throw new ConfigError(`invalid agent configuration: ${f.where}: log stream name ${JSON.stringify(stream)} is not valid: 1 to 512 characters, no : or *`);
    return {
      group,
      stream,
      ...(f.retentionInDays === undefined ? {} : { retentionInDays: f.retentionInDays }),
      ...(f.logGroupClass === undefined ? {} : { logGroupClass: f.logGroupClass }),
    };
  });
}

export class Agent {
  private readonly sources: FileSource[];
  private readonly destKeys: string[];
  private readonly spooled: Map<string, Checkpoint>;
  private readonly sender: Sender;
  private readonly putClient: ReturnType<typeof createPutClient>;
  private scanning: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastSaved = '';
  private stopped = false;
  private readonly counters = { read: 0, filtered: 0 };
  /** The last pass stopped at the spool's bound: files have more to read than it held. */
  private readBlocked = false;

  private constructor(
    private readonly config: AgentConfig,
    private readonly deps: AgentDeps,
    private readonly opts: AgentOptions,
    private readonly spool: Spool,
    spooled: Map<string, Checkpoint>,
    private readonly lastScanAt: (number | undefined)[],
    private readonly metrics: HostMetrics | undefined,
  ) {
    const now = deps.now ?? Date.now;
    const dests = resolveDestinations(config, deps.host);
    this.destKeys = dests.map((d) => destinationKey(d.group, d.stream));
    const byKey = new Map(dests.map((d) => [destinationKey(d.group, d.stream), d]));
    this.spooled = spooled;
    const working = new Map(spooled);
    const writer = new RecordWriter();
    this.sources = config.files.map(
      (f, i) => new FileSource(i, f, working, { rotateWaitMs: opts.rotateWaitMs, multiLineFlushMs: opts.multiLineFlushMs }, now, writer),
    );
    const senderOpts = { ...DEFAULT_SENDER_OPTIONS, flushIntervalMs: config.flushIntervalMs, ...opts.sender };
    this.putClient = createPutClient(deps.logs, { maxSockets: senderOpts.maxInflight, timeoutMs: 60_000 });
    this.sender = new Sender(deps.logs, this.putClient.put, spool, byKey, deps.log, now, senderOpts);
  }

  static async start(config: AgentConfig, deps: AgentDeps, options: Partial<AgentOptions> & { stateDir: string }): Promise<Agent> {
    const opts: AgentOptions = { ...DEFAULT_AGENT_OPTIONS, ...options };
    resolveDestinations(config, deps.host);
    await mkdir(opts.stateDir, { recursive: true });
    const state = await readState(join(opts.stateDir, 'state.json'));
    const spool = await Spool.open(join(opts.stateDir, 'spool'), state?.released ?? 0);
    const spooled = new Map<string, Checkpoint>();
    for (const cp of state?.checkpoints ?? []) spooled.set(`${cp.entry}:${cp.fpLen}:${cp.hash}`, cp);
    // Records written after the snapshot carry the checkpoints that followed it.
    let pos = Math.max(state?.written ?? 0, spool.releasedPosition);
    while (pos < spool.writePosition) {
      const records = await spool.read(pos, 4 * 1024 * 1024);
      for (const r of records) {
        for (const [k, cp] of Object.entries(recordCheckpoints(r.payload))) {
          if (cp === null) spooled.delete(k);
          else spooled.set(k, cp);
        }
        pos = r.end;
      }
    }
    // Before its first scan an entry counts as scanned at its first start: files older than that and not
    // the newest are left alone, files that appear or change after it are read (even if stopped meanwhile).
    const startedAt = (deps.now ?? Date.now)();
    const lastScanAt = config.files.map((_, i) => state?.lastScanAt[i] ?? startedAt);
    // Host metrics (and the CloudWatch SDK client they use, about 5 MiB of RSS) are loaded only when configured.
    const metrics =
      config.metrics === undefined || deps.cloudwatch === undefined
        ? undefined
        : new (await import('./host-metrics.js')).HostMetrics(config.metrics, deps.cloudwatch, deps.host, deps.log);
    const agent = new Agent(config, deps, opts, spool, spooled, lastScanAt, metrics);
    agent.sender.start();
    agent.metrics?.start();
    if (opts.autoScan) agent.schedule();
    return agent;
  }

  stats(): AgentStats {
    return {
      ...this.counters,
      spooledBytes: this.spool.used,
      openFiles: this.sources.reduce((n, s) => n + s.openFiles, 0),
      ...this.sender.stats,
    };
  }

  /** One pass over every entry's files; `force` sends held multi-line events and finishes rotated files now. */
  scan(force = false): Promise<void> {
    const next = this.scanning.then(() => this.scanOnce(force));
    this.scanning = next.catch(() => undefined);
    return next;
  }

  /**
   * Reads every file to its end and waits until the server has acknowledged all of it. Files larger than
   * the spool's bound are read in turns: a pass stops at the bound, and the next starts once the sender
   * has made room.
   */
  async drain(signal?: AbortSignal): Promise<void> {
    for (;;) {
      await this.scan(true);
      if (!this.readBlocked) break;
      await this.sender.room(this.opts.bufferMaxBytes, signal);
    }
    await this.sender.idle(signal);
    await this.saveState();
  }

  /** Stops reading and sending; what is spooled but not acknowledged is sent after the next start. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    await this.scanning;
    await this.metrics?.stop();
    await this.sender.stop();
    this.putClient.destroy();
    await this.spool.sync();
    await this.saveState();
    await this.spool.close();
    for (const s of this.sources) await s.close();
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.scan()
        .catch((e: unknown) => this.deps.log.error(`reading files failed: ${e instanceof Error ? e.message : String(e)}`))
        .then(() => this.saveState())
        .catch((e: unknown) => this.deps.log.error(`saving the agent state failed: ${e instanceof Error ? e.message : String(e)}`))
        .finally(() => {
          if (!this.stopped) this.schedule();
        });
      // Stopped at the spool's bound with more to read: go on as soon as the sender makes room.
    }, this.readBlocked ? Math.min(this.opts.pollIntervalMs, 100) : this.opts.pollIntervalMs);
  }

  private async scanOnce(force: boolean): Promise<void> {
    if (this.stopped) return;
    const now = (this.deps.now ?? Date.now)();
    this.readBlocked = false;
    for (const [i, source] of this.sources.entries()) {
      if (this.spool.used >= this.opts.bufferMaxBytes) {
        this.readBlocked = true;
        return;
      }
      const dest = this.destKeys[i] as string;
      await source.scan(
        this.lastScanAt[i],
        async (out) => {
          this.counters.read += out.events.count;
          this.counters.filtered += out.filtered;
          await this.spool.append(out.events.finish(dest, out.checkpoints));
          for (const [k, cp] of out.checkpoints) {
            if (cp === null) this.spooled.delete(k);
            else this.spooled.set(k, cp);
          }
          this.sender.notify();
          if (this.spool.used < this.opts.bufferMaxBytes) return true;
          this.readBlocked = true;
          return false;
        },
        force,
      );
      this.lastScanAt[i] = now;
    }
  }

  private saving: Promise<void> = Promise.resolve();

  /** Saves run one after another: two renames of one temporary file must not interleave. */
  private saveState(): Promise<void> {
    const next = this.saving.then(() => this.writeState());
    this.saving = next.catch(() => undefined);
    return next;
  }

  private async writeState(): Promise<void> {
    const state: StateFile = {
      version: 2,
      written: this.spool.writePosition,
      released: this.spool.releasedPosition,
      checkpoints: [...this.spooled.values()],
      lastScanAt: this.lastScanAt.map((t) => t ?? null),
    };
    const text = JSON.stringify(state);
    if (text === this.lastSaved) return;
    const path = join(this.opts.stateDir, 'state.json');
    await writeFile(`${path}.tmp`, text);
    await rename(`${path}.tmp`, path);
    this.lastSaved = text;
  }
}

async function readState(path: string): Promise<StateFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
  const s = JSON.parse(text) as StateFile;
  if ((s.version as number) === 1) {
    throw new Error(`${path} was written by an older logward agent whose spool this one cannot read: let that agent send what it holds (--once), or remove the state directory to read the files from their start`);
  }
  if (s.version !== 2) throw new Error(`${path}: unknown state version ${String(s.version)}`);
  return s;
}
