/**
 * Runs one source: polls its lister, and ingests each new object exactly once into the source's log
 * group (docs/sources.md). The protocol that makes "exactly once" hold across a crash is in state.ts;
 * this file follows it:
 *
 *   1. an object in progress (`current`) is finished first: its pending batch is looked up in the store
 *      (counted as done if it is there), then the object is read and parsed again (deterministically)
 *      and appended from `done` on;
 *   2. each batch: `pending` made durable → appended (one WAL record) → `done` advanced (made durable
 *      with the next batch's `pending`, or with the object's completion);
 *   3. a handled object's key joins its partition's `recent` keys; the partition's marker moves past
 *      keys once they have settled (settleSeconds after their LastModified).
 *
 * A failure to list or read (network, permissions) ends the poll where it is and is retried at the next
 * one: the source never moves past an object it has not handled. An object that cannot be ingested for
 * good (bad gzip, not text, unknown format, too large) is recorded as failed, with the reason, and passed.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { FORMAT_TAG } from '../formats/index.js';
import type { LogGroup, LogStream } from '../store/catalog.js';
import { readBySeq } from '../store/read-seq.js';
import { retentionCutoff, type LogStore } from '../store/store.js';
import { EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS } from '../ingest/put-log-events.js';
import { decodeObject, MAX_OBJECT_BYTES } from './decode.js';
import { ObjectRejectedError, type Lister, type ObjectInfo } from './lister.js';
import { streamOf } from './origin.js';
import type { SourceSpec } from './spec.js';
import { dict, MAX_FAILED_KEPT, readState, writeJsonDurably, type InProgress, type SourceState } from './state.js';

/** Objects taken from one listing. */
const LIST_LIMIT = 1000;

export interface RunnerDeps {
  store: LogStore;
  clock: Clock;
  logger: Logger;
  /** Where this source's state file lives. */
  stateDir: string;
  /** Limits of one append (a WAL record); PutLogEvents' by default. */
  batchEvents?: number;
  batchBytes?: number;
}

type Event = { timestamp: number; message: string };

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
/** Where a pending batch's sealed hash is kept (AtRest.sealValue's binding). */
const PENDING_PLACE = 'source-pending';
/** How state files of earlier versions kept a pending batch's hash: hex, not sealed. */
const PLAIN_SHA256 = /^[0-9a-f]{64}$/;

export class SourceRunner {
  state!: SourceState;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private readonly statePath: string;
  private readonly log: Logger;

  constructor(
    readonly spec: SourceSpec,
    private readonly lister: Lister,
    private readonly deps: RunnerDeps,
  ) {
    this.statePath = join(deps.stateDir, `${spec.name}.json`);
    this.log = deps.logger.child({ source: spec.name });
  }

  async start(): Promise<void> {
    this.state = await readState(this.statePath);
    this.loop = this.run();
  }

  /** Stops after the current step (a batch already appended is recorded first). */
  async stop(): Promise<void> {
    this.abort.abort(new Error('source stopped'));
    await this.loop;
    this.lister.close();
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await this.pollOnce(signal);
        this.state.lastError = null;
      } catch (e) {
        if (signal.aborted) break;
        this.state.lastError = (e as Error).message;
        this.log.warn({ err: e }, 'source poll failed; retrying at the next poll');
      }
      this.state.lastPollMs = this.deps.clock.now();
      await this.save().catch((e: unknown) => this.log.error({ err: e }, 'source state could not be saved'));
      await sleep(this.spec.pollSeconds * 1000, undefined, { signal }).catch(() => undefined);
    }
    await this.save().catch((e: unknown) => this.log.error({ err: e }, 'source state could not be saved'));
  }

  private save(): Promise<void> {
    return writeJsonDurably(this.statePath, this.state);
  }

  async pollOnce(signal: AbortSignal): Promise<void> {
    const cur = this.state.current;
    if (cur) await this.resume(cur, signal);
    const parts = this.state.partitions;
    const objects = await this.lister.list(
      { startAfter: (p) => parts[p]?.marker ?? '', handled: (p, key) => parts[p] !== undefined && Object.hasOwn(parts[p].recent, key) },
      LIST_LIMIT,
      signal,
    );
    for (const o of objects) {
      signal.throwIfAborted();
      await this.ingest(o, signal);
    }
    this.settle();
  }

  /** Reads, parses and appends one object, from its first event or from where a crash left it. */
  private async ingest(o: ObjectInfo, signal: AbortSignal, resumeFrom?: InProgress): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await this.lister.read(o.key, MAX_OBJECT_BYTES, signal);
    } catch (e) {
      if (e instanceof ObjectRejectedError) return this.fail(o, e.message);
      throw e; // transient: retried at the next poll, from this object
    }
    const d = await decodeObject(o.key, bytes, this.spec.format, o.lastModifiedMs);
    if (d.kind === 'skip') {
      this.state.counts.skipped++;
      return this.handled(o);
    }
    if (d.kind === 'failed') return this.fail(o, d.reason);
    const cur: InProgress = resumeFrom ?? { key: o.key, partition: o.partition, lastModifiedMs: o.lastModifiedMs, events: d.events.length, done: 0 };
    if (cur.events !== d.events.length) return this.fail(o, `the object changed while it was being ingested (${cur.events} events, now ${d.events.length}); ${cur.done} were stored`);
    this.state.current = cur;
    const { g, s } = await this.destination(o.key, d.format.kind === 'lines' ? d.format.name : undefined);
    await this.appendFrom(cur, d.events, g, s, signal);
    this.state.counts.objects++;
    this.state.counts.parseErrors += d.parseErrors;
    this.state.current = null;
    return this.handled(o);
  }

  /** The log group (created with the source's format tag for line formats) and the stream of `key`. */
  private async destination(key: string, lineFormat: string | undefined): Promise<{ g: LogGroup; s: LogStream }> {
    const { store, clock } = this.deps;
    const name = streamOf(key);
    return store.withWriteLock(async () => {
      const now = clock.now();
      const g = store.catalog.groups.get(this.spec.logGroup) ?? (await store.catalog.createGroup(this.spec.logGroup, now, {}, null, 'STANDARD'));
      // Insights reads a line format's fields by the group's tag (docs/formats.md); one that is set stays.
      if (lineFormat !== undefined && !g.tags.has(FORMAT_TAG)) await store.catalog.setTags(g, { [FORMAT_TAG]: lineFormat }, []);
      const s = g.streams.get(name) ?? (await store.catalog.createStream(g, name, now));
      return { g, s };
    });
  }

  private async appendFrom(cur: InProgress, events: Event[], g: LogGroup, s: LogStream, signal: AbortSignal): Promise<void> {
    const maxEvents = this.deps.batchEvents ?? MAX_BATCH_EVENTS;
    const maxBytes = this.deps.batchBytes ?? MAX_BATCH_BYTES;
    while (cur.done < events.length) {
      signal.throwIfAborted();
      let end = cur.done;
      let bytes = 0;
      while (end < events.length && end - cur.done < maxEvents) {
        const size = Buffer.byteLength(events[end]!.message) + EVENT_OVERHEAD_BYTES;
        if (end > cur.done && bytes + size > maxBytes) break;
        bytes += size;
        end++;
      }
      const now = this.deps.clock.now();
      // Delivered files are not bound by PutLogEvents' 14-day / 2-hour window, but retention applies.
      const cutoff = retentionCutoff(g, now);
      const kept = events.slice(cur.done, end).filter((e) => e.timestamp >= cutoff);
      this.state.counts.expired += end - cur.done - kept.length;
      if (kept.length > 0) {
        cur.pending = { count: end - cur.done, fromSeq: g.nextSeq, streamId: s.id, timestamp: kept[0]!.timestamp, sha256: await this.deps.store.atRest.sealValue(g.id, PENDING_PLACE, sha256(kept[0]!.message)) };
        await this.save();
        await this.deps.store.appendEvents(g, s, kept, now);
        this.state.counts.events += kept.length;
        delete cur.pending;
      }
      cur.done = end;
    }
  }

  /** Finishes the object a crash (or a stop) interrupted. */
  private async resume(cur: InProgress, signal: AbortSignal): Promise<void> {
    if (cur.pending) {
      const p = cur.pending;
      const g = this.deps.store.catalog.groups.get(this.spec.logGroup);
      const stored = g !== undefined && (await this.batchStored(g, p));
      this.log.info({ key: cur.key, done: cur.done, batch: p.count, stored }, 'resuming an object interrupted mid-way');
      if (stored) cur.done += p.count;
      delete cur.pending;
      await this.save();
    }
    await this.ingest({ key: cur.key, partition: cur.partition, lastModifiedMs: cur.lastModifiedMs, size: 0 }, signal, cur);
  }

  /** Whether the batch recorded as pending reached the store: its first event, at or after fromSeq. */
  private async batchStored(g: LogGroup, p: NonNullable<InProgress['pending']>): Promise<boolean> {
    let want: string;
    try {
      // A bare SHA-256 is a state file of an earlier version (state.ts): a hash, not log content, so an
      // encrypted store's refusal of unsealed values does not apply to it.
      want = PLAIN_SHA256.test(p.sha256) ? p.sha256 : await this.deps.store.atRest.openValue(g.id, PENDING_PLACE, p.sha256);
    } catch {
      return false; // sealed for a group since shredded (and made again): none of its events are left
    }
    let from = p.fromSeq;
    const to = g.nextSeq;
    while (from < to) {
      const page = await readBySeq(this.deps.store, g, from, to, 1000);
      if (page === null) return false;
      for (const e of page.events) if (e.streamId === p.streamId && e.timestamp === p.timestamp && sha256(e.message) === want) return true;
      if (page.nextSeq <= from) break;
      from = page.nextSeq;
    }
    return false;
  }

  private async fail(o: ObjectInfo, reason: string): Promise<void> {
    this.log.warn({ key: o.key, reason }, 'object not ingested');
    this.state.counts.failed++;
    this.state.failed.push({ key: o.key, reason, atMs: this.deps.clock.now() });
    if (this.state.failed.length > MAX_FAILED_KEPT) this.state.failed.splice(0, this.state.failed.length - MAX_FAILED_KEPT);
    this.state.current = null;
    return this.handled(o);
  }

  private async handled(o: ObjectInfo): Promise<void> {
    const p = (this.state.partitions[o.partition] ??= { marker: '', recent: dict() });
    p.recent[o.key] = o.lastModifiedMs;
    await this.save();
  }

  /** Moves each partition's marker past its handled keys that have settled, in key order. */
  private settle(): void {
    const cutoff = this.deps.clock.now() - this.spec.settleSeconds * 1000;
    for (const p of Object.values(this.state.partitions)) {
      const keys = Object.keys(p.recent).sort();
      for (const k of keys) {
        if (p.recent[k]! >= cutoff) break;
        p.marker = k;
        delete p.recent[k];
      }
    }
  }
}
