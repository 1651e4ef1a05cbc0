/**
 * The sources of a server: their settings (`<data dir>/sources/sources.json`), one runner each, their
 * status for `logward sources list`, and their counters for /metrics. Sources start with the server,
 * after the store has replayed its write-ahead log, and stop before it closes.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Family } from '../metrics/prometheus.js';
import type { LogStore } from '../store/store.js';
import { FolderLister } from './folder-lister.js';
import { FolderRefusedError, refusedFolder } from '../store/private-paths.js';
import type { AddressPolicy } from '../subscriptions/safety.js';
import type { Lister } from './lister.js';
import { SourceRunner } from './runner.js';
import { S3Lister } from './s3-lister.js';
import { parseSourceInput, type SourceSpec } from './spec.js';
import { writeJsonDurably } from './state.js';

export const SOURCES_DIR = 'sources';

export interface SourceManagerOptions {
  store: LogStore;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  /** Folders no folder source may be, be inside or hold: the server's private paths (store/private-paths.ts). */
  privatePaths: readonly string[];
  /** Which addresses an S3 source's endpoint may have: the rule of subscription targets (--allow-private-destinations). */
  policy: AddressPolicy;
}

export class SourceExistsError extends Error {
  override readonly name = 'SourceExistsError';
}

export class SourceManager {
  private readonly runners = new Map<string, SourceRunner>();
  /** Serializes add and remove (the settings file is rewritten whole). */
  private changing: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly opts: SourceManagerOptions,
    private readonly dir: string,
  ) {}

  static async open(opts: SourceManagerOptions): Promise<SourceManager> {
    const dir = join(opts.dataDir, SOURCES_DIR);
    await fsp.mkdir(join(dir, 'state'), { recursive: true, mode: 0o700 });
    const m = new SourceManager(opts, dir);
    let specs: SourceSpec[] = [];
    try {
      const saved = JSON.parse(await fsp.readFile(join(dir, 'sources.json'), 'utf8')) as Array<SourceSpec>;
      specs = saved.map(({ createdMs, ...input }) => parseSourceInput(input, createdMs));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    for (const spec of specs) await m.startRunner(spec);
    return m;
  }

  private lister(spec: SourceSpec): Lister {
    if (spec.kind === 's3') return new S3Lister({ bucket: spec.bucket, prefix: spec.prefix, region: spec.region, policy: this.opts.policy, ...(spec.endpointUrl !== undefined ? { endpointUrl: spec.endpointUrl } : {}) });
    return new FolderLister(spec.path, spec.prefix, this.opts.privatePaths);
  }

  private async startRunner(spec: SourceSpec): Promise<void> {
    const r = new SourceRunner(spec, this.lister(spec), { ...this.opts, stateDir: join(this.dir, 'state') });
    await r.start();
    this.runners.set(spec.name, r);
  }

  private persist(): Promise<void> {
    return writeJsonDurably(join(this.dir, 'sources.json'), [...this.runners.values()].map((r) => r.spec));
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.changing.then(fn);
    this.changing = run.catch(() => undefined);
    return run;
  }

  /**
   * Adds and starts a source; SourceExistsError when the name is taken, FolderRefusedError for a folder
   * that is, lies inside or holds a protected path, DestinationRefusedError for an S3 endpoint whose
   * address the policy refuses.
   */
  add(spec: SourceSpec): Promise<void> {
    return this.serialize(async () => {
      if (this.runners.has(spec.name)) throw new SourceExistsError(`A source named '${spec.name}' already exists.`);
      if (spec.kind === 'folder') {
        const why = await refusedFolder(spec.path, this.opts.privatePaths);
        if (why !== undefined) throw new FolderRefusedError(`The folder ${spec.path} cannot be a source: ${why}.`);
      }
      if (spec.kind === 's3' && spec.endpointUrl !== undefined) this.opts.policy.checkUrl(spec.endpointUrl);
      await this.startRunner(spec);
      await this.persist();
    });
  }

  /** Stops and forgets a source (its progress too); the log group and its events stay. False if unknown. */
  remove(name: string): Promise<boolean> {
    return this.serialize(async () => {
      const r = this.runners.get(name);
      if (!r) return false;
      this.runners.delete(name);
      await r.stop();
      await this.persist();
      await fsp.rm(join(this.dir, 'state', `${name}.json`), { force: true });
      return true;
    });
  }

  get(name: string): SourceSpec | undefined {
    return this.runners.get(name)?.spec;
  }

  status(): Array<Record<string, unknown>> {
    return [...this.runners.values()]
      .sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1))
      .map(({ spec, state }) => ({
        name: spec.name,
        kind: spec.kind,
        location: spec.kind === 's3' ? `s3://${spec.bucket}/${spec.prefix}` : `${spec.path}${spec.prefix === '' ? '' : `/${spec.prefix}`}`,
        ...(spec.kind === 's3' && spec.endpointUrl !== undefined ? { endpointUrl: spec.endpointUrl } : {}),
        format: spec.format,
        logGroupName: spec.logGroup,
        pollSeconds: spec.pollSeconds,
        settleSeconds: spec.settleSeconds,
        createdMs: spec.createdMs,
        ...state.counts,
        inProgress: state.current && { key: state.current.key, events: state.current.events, done: state.current.done },
        lastPollMs: state.lastPollMs,
        lastError: state.lastError,
        failedObjects: state.failed,
      }));
  }

  families(): Family[] {
    const runners = [...this.runners.values()];
    const per = (f: (r: SourceRunner) => number): Family['samples'] => runners.map((r) => ({ labels: [['source', r.spec.name] as const], value: f(r) }));
    return [
      { name: 'logward_source_objects_total', help: 'Objects ingested by a source.', type: 'counter', samples: per((r) => r.state.counts.objects) },
      { name: 'logward_source_events_total', help: 'Events a source stored.', type: 'counter', samples: per((r) => r.state.counts.events) },
      { name: 'logward_source_parse_errors_total', help: 'Lines or records a source could not parse (kept as raw events with a parseError field).', type: 'counter', samples: per((r) => r.state.counts.parseErrors) },
      { name: 'logward_source_expired_events_total', help: 'Events a source did not store because they were past the log group retention.', type: 'counter', samples: per((r) => r.state.counts.expired) },
      { name: 'logward_source_failed_objects_total', help: 'Objects a source could not ingest (bad gzip, not text, unknown format, too large).', type: 'counter', samples: per((r) => r.state.counts.failed) },
      { name: 'logward_source_skipped_objects_total', help: 'Objects a source left alone by their key (CloudTrail digests, Config write checks).', type: 'counter', samples: per((r) => r.state.counts.skipped) },
    ];
  }

  async close(): Promise<void> {
    await this.changing;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
  }
}
