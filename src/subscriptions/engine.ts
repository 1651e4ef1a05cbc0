/**
 * The subscription engine: one Consumer per subscription filter, started, restarted and stopped as
 * filters, destinations and targets change (sync()), fed by the store's visible-batch hook.
 *
 * The hook runs on the ingest path, so it only raises the group's high-water mark and wakes that group's
 * consumers; they read the events from the store themselves (consumer.ts). Ingestion never waits for a
 * subscription, and a consumer that is slow or stuck holds nothing but its own checkpoint back.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { BatchSource, LogStore } from '../store/store.js';
import type { HotBatch } from '../store/hot.js';
import type { LogGroup } from '../store/catalog.js';
import { runsOf, type HotRun } from '../store/read-seq.js';
import { filterKey, type SubscriptionCatalog, type SubscriptionFilterRow, type Target } from '../store/subscriptions.js';
import { join } from 'node:path';
import { parseDestinationArn } from './arn.js';
import { CHECKPOINT_FILE, readCheckpointFile, writeCheckpointFile } from './checkpoint-file.js';
import { Consumer, type ConsumerCounters, type ConsumerStats, type RetryPolicy } from './consumer.js';
import { SINKS } from './sinks/index.js';
import { WorkerEncoder, type PieceEncoder } from './piece-encoder.js';
import { forgetParts, forgetSource, noteSource } from './runs.js';
import type { Sink, SinkContext } from './sinks/types.js';
import type { SubscriptionMessage } from './payload.js';
import type { AddressPolicy } from './safety.js';
import { deadLetterGroupName, isDeadLetterGroup } from './dead-letter.js';

/** How often moved delivery positions are written to the checkpoint file: what a crash may redeliver. */
const PERSIST_EVERY_MS = 1000;
/**
 * Bytes of messages kept for the consumers of each subscribed group once sealed (keepTail): seconds of
 * a busy group, for consumers a little behind; memory counts against the server's 1 GiB.
 */
const TAIL_BYTES = 32 * 1024 * 1024;

export interface EngineOptions {
  store: LogStore;
  subs: SubscriptionCatalog;
  clock: Clock;
  logger: Logger;
  accountId: string;
  policy: AddressPolicy;
  retry: RetryPolicy;
  /** Where matching events become deflated JSON; by default a worker thread the engine starts and ends. */
  encoder?: PieceEncoder;
}

export class SubscriptionEngine {
  private readonly consumers = new Map<string, { consumer: Consumer; signature: string; counters: ConsumerCounters }>();
  private readonly visible = new Map<number, number>();
  /** Recent batches of subscribed groups, kept for their consumers (keepTail); from `head` on. */
  private readonly tails = new Map<number, { batches: Readonly<HotBatch>[]; head: number; bytes: number }>();
  private syncing = Promise.resolve();
  private closed = false;
  /** Positions moved since the checkpoint file was last written. */
  private positionsDirty = false;
  private persisting: Promise<void> = Promise.resolve();
  private persistTimer: NodeJS.Timeout | undefined;
  private readonly checkpointPath: string;
  private readonly encoder: PieceEncoder;

  constructor(private readonly opts: EngineOptions) {
    this.checkpointPath = join(opts.store.opts.dataDir, CHECKPOINT_FILE);
    this.encoder = opts.encoder ?? new WorkerEncoder();
  }

  /** Call once the store has replayed its WAL (every event it holds is visible) and before ingest opens. */
  async start(): Promise<void> {
    for (const g of this.opts.store.catalog.groupsById.values()) this.visible.set(g.id, g.nextSeq);
    // Positions persisted since the catalog row was written (see checkpoint-file.ts for why the larger wins).
    for (const p of await readCheckpointFile(this.checkpointPath)) {
      const key = filterKey(p.groupId, p.filterName);
      const cp = this.opts.subs.checkpoints.get(key);
      if (cp && p.nextSeq > cp.nextSeq) this.opts.subs.checkpoints.set(key, { ...cp, nextSeq: p.nextSeq });
    }
    this.persistTimer = setInterval(() => void this.persistPositions(), PERSIST_EVERY_MS);
    this.persistTimer.unref();
    // The store's batch hook (shared with metric filters) has no way to unsubscribe: once closed, the
    // engine ignores what it is given.
    this.opts.store.onBatch((_g, _s, b, source) => this.onVisible(b, source));
    // A group's dead letters are copies of its events: they go when it goes (dead-letter.ts).
    this.opts.store.onGroupDeleted(async (_id, name) => {
      if (isDeadLetterGroup(name)) return;
      const dl = this.opts.store.catalog.groups.get(deadLetterGroupName(name));
      if (dl) await this.opts.store.deleteGroup(dl);
    });
    await this.sync();
  }

  get catalog(): SubscriptionCatalog {
    return this.opts.subs;
  }

  private sinkContext(targetName: string): SinkContext {
    const { store } = this.opts;
    return {
      policy: this.opts.policy,
      logger: this.opts.logger,
      clock: this.opts.clock,
      targetName,
      scratchDir: store.atRest.scratchDir,
      sealObject: async (logGroupName, body) => {
        const g = store.catalog.groups.get(logGroupName);
        // A group deleted (its keys shredded) while its batch was on the way: nothing may be written.
        if (!g) throw new Error(`log group ${logGroupName} no longer exists`);
        return store.atRest.sealObject(g.id, body);
      },
    };
  }

  /** A target's settings, parsed and checked by its sink; throws saying what is wrong. */
  checkTarget(kind: Target['kind'], config: unknown): Record<string, unknown> {
    const spec = SINKS[kind];
    const parsed = spec.schema.safeParse(config);
    if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(settings)'}: ${i.message}`).join('; '));
    spec.check(parsed.data, this.opts.policy);
    return parsed.data as Record<string, unknown>;
  }

  /** Sequence numbers below this are visible in the group. */
  visibleThrough(groupId: number): number {
    return this.visible.get(groupId) ?? 0;
  }

  /** A consumer's new position: in memory now, in the checkpoint file within PERSIST_EVERY_MS. */
  notePosition(f: SubscriptionFilterRow, nextSeq: number): void {
    const key = filterKey(f.groupId, f.filterName);
    const cp = this.opts.subs.checkpoints.get(key);
    if (!cp || !this.opts.subs.filters.has(key) || nextSeq <= cp.nextSeq) return; // deleted meanwhile, or not a move
    this.opts.subs.checkpoints.set(key, { ...cp, nextSeq });
    this.positionsDirty = true;
  }

  /** Writes every position to the checkpoint file if one moved; one write at a time. */
  private persistPositions(): Promise<void> {
    const next = this.persisting.then(async () => {
      if (!this.positionsDirty) return;
      this.positionsDirty = false;
      const positions = [...this.opts.subs.checkpoints].flatMap(([key, cp]) => {
        const f = this.opts.subs.filters.get(key);
        return f ? [{ groupId: f.groupId, filterName: f.filterName, nextSeq: cp.nextSeq }] : [];
      });
      try {
        await writeCheckpointFile(this.checkpointPath, positions);
      } catch (e) {
        this.positionsDirty = true; // tried again at the next tick; the catalog rows are older, never ahead
        this.opts.logger.error({ err: e }, 'could not write the subscription checkpoint file');
      }
    });
    this.persisting = next;
    return next;
  }

  private onVisible(b: Readonly<HotBatch>, source: BatchSource | undefined): void {
    if (this.closed) return;
    const end = b.firstSeq + b.timestamps.length;
    if (end > (this.visible.get(b.groupId) ?? 0)) this.visible.set(b.groupId, end);
    let slowest = Infinity;
    for (const { consumer } of this.consumers.values()) {
      if (consumer.filter.groupId !== b.groupId) continue;
      slowest = Math.min(slowest, consumer.position);
      consumer.wake();
    }
    if (slowest === Infinity) return;
    // The body the batch came in: its consumers' encoder writes the events' JSON from its bytes (runs.ts).
    if (source !== undefined) noteSource(b, source);
    this.keepTail(b, slowest);
  }

  /**
   * Keeps a subscribed group's recent batches (the store's own objects, no copy) after the sealer has
   * dropped them from the hot tier, until every consumer of the group is past them or they take more than
   * TAIL_BYTES: a consumer a few seconds behind (a slow destination, a busy machine) keeps reading
   * batches in memory, shared with the group's other filters, instead of falling back to Parquet pages.
   */
  private keepTail(b: Readonly<HotBatch>, slowest: number): void {
    let t = this.tails.get(b.groupId);
    if (!t) this.tails.set(b.groupId, (t = { batches: [], head: 0, bytes: 0 }));
    t.batches.push(b);
    t.bytes += b.bytes;
    while (t.head < t.batches.length) {
      const first = t.batches[t.head]!;
      const passed = first.firstSeq + first.timestamps.length <= slowest;
      if (!passed && t.bytes <= TAIL_BYTES) break;
      // Every consumer of the group has delivered it: its encoded parts will not be asked for again.
      if (passed) forgetParts(first);
      else forgetSource(first); // still read from memory by a slow consumer, its JSON from the strings
      t.bytes -= first.bytes;
      t.batches[t.head++] = undefined as unknown as HotBatch; // released now; the array is compacted below
    }
    if (t.head > 1024 && t.head * 2 > t.batches.length) {
      t.batches = t.batches.slice(t.head);
      t.head = 0;
    }
  }

  /** Runs of the batches kept for a group's consumers (keepTail) from fromSeq on; null when not kept. */
  readTail(g: LogGroup, fromSeq: number, toSeq: number, minEvents: number): { runs: HotRun[]; nextSeq: number } | null {
    const t = this.tails.get(g.id);
    return t ? runsOf(t.batches, g, fromSeq, toSeq, minEvents, t.head) : null;
  }

  /** The target a destination ARN is bound to, following a named destination to its target ARN. */
  resolveTarget(destinationArn: string, depth = 0): Target | undefined {
    const ref = parseDestinationArn(destinationArn);
    if (!ref || depth > 1) return undefined;
    if (ref.kind === 'destination') {
      const d = this.opts.subs.destinations.get(ref.name);
      return d ? this.resolveTarget(d.targetArn, depth + 1) : undefined;
    }
    return this.opts.subs.target(ref.kind, ref.name);
  }

  /** Brings the running consumers in line with the catalog; changes are applied one sync at a time. */
  sync(): Promise<void> {
    const next = this.syncing.then(() => this.syncNow());
    this.syncing = next.catch((e: unknown) => this.opts.logger.error({ err: e }, 'subscription sync failed'));
    return next;
  }

  private async syncNow(): Promise<void> {
    if (this.closed) return;
    const { store, subs } = this.opts;
    const wanted = new Map<string, { filter: SubscriptionFilterRow; target: Target | undefined; signature: string }>();
    for (const [key, f] of subs.filters) {
      const g = store.catalog.groupsById.get(f.groupId);
      if (!g || g.name !== f.groupName) {
        await subs.lock.run(() => subs.deleteFilter(f.groupId, f.filterName)); // its log group was deleted
        continue;
      }
      const target = this.resolveTarget(f.destinationArn);
      wanted.set(key, { filter: f, target, signature: JSON.stringify([f, target ?? null]) });
    }
    // Counters (deliveries, retries, failures) carry over to a consumer restarted with new settings.
    const carried = new Map<string, ConsumerCounters>();
    for (const [key, running] of [...this.consumers]) {
      if (wanted.get(key)?.signature === running.signature) continue;
      this.consumers.delete(key);
      await running.consumer.stop();
      if (wanted.has(key)) carried.set(key, running.counters);
    }
    for (const [key, w] of wanted) {
      if (this.consumers.has(key)) continue;
      const g = store.catalog.groupsById.get(w.filter.groupId)!;
      const { sink, batching, controlName } = this.buildSink(w.target, w.filter);
      const consumer = new Consumer(
        w.filter,
        g,
        sink,
        batching,
        controlName,
        {
          store,
          subs,
          clock: this.opts.clock,
          logger: this.opts.logger,
          owner: this.opts.accountId,
          retry: this.opts.retry,
          visibleThrough: (id) => this.visibleThrough(id),
          notePosition: (f, seq) => this.notePosition(f, seq),
          readTail: (group, from, to, min) => this.readTail(group, from, to, min),
          deadLetter: (f, messages, error) => this.deadLetter(f, messages, error),
          encoder: this.encoder,
        },
        carried.get(key),
      );
      this.consumers.set(key, { consumer, signature: w.signature, counters: consumer.counterState });
      consumer.start();
    }
    const subscribed = new Set([...this.consumers.values()].map(({ consumer }) => consumer.filter.groupId));
    for (const id of this.tails.keys()) if (!subscribed.has(id)) this.tails.delete(id);
  }

  private buildSink(target: Target | undefined, f: SubscriptionFilterRow): { sink: Sink; batching: { maxBytes: number; maxMs: number }; controlName: string } {
    const spec = target ? SINKS[target.kind] : undefined;
    const parsed = spec?.schema.safeParse(target!.config);
    if (!target || !spec || !parsed?.success) {
      // The target was deleted (or never bound) after the filter was put: batches wait out their retry
      // budget, then go to the dead-letter group, as they would for a destination that is down.
      const why = `destination ${f.destinationArn} is not bound to a target`;
      return {
        sink: { deliver: () => Promise.reject(new Error(why)), health: () => Promise.reject(new Error(why)), close: async () => {} },
        batching: { maxBytes: 1024 * 1024, maxMs: 1000 },
        controlName: 'destination',
      };
    }
    const sink = spec.build(parsed.data, this.sinkContext(target.name));
    return { sink, batching: spec.batching(parsed.data), controlName: spec.controlName };
  }

  /**
   * One dead-letter event per undelivered event, saying where it was going and why it did not get there,
   * in the source group's own dead-letter group (dead-letter.ts), made on first use with the source's
   * KMS key and retention.
   */
  private async deadLetter(f: SubscriptionFilterRow, messages: readonly SubscriptionMessage[], error: string): Promise<void> {
    const { store, clock } = this.opts;
    const now = clock.now();
    const streamName = f.filterName.replace(/[:*]/g, '_');
    const target = await store.withWriteLock(async () => {
      const src = store.catalog.groupsById.get(f.groupId);
      // The source was deleted or shredded while its batch was on the way: no copy may outlive it.
      if (!src) return null;
      const name = deadLetterGroupName(src.name);
      let g = store.catalog.groups.get(name);
      if (!g) {
        g = await store.catalog.createGroup(name, now, {}, null, 'STANDARD');
        if (src.kmsKeyId !== null) {
          await store.rotateKeys(g, src.kmsKeyId);
          await store.catalog.setKmsKey(g, src.kmsKeyId);
        }
        if (src.retentionDays !== null) await store.catalog.setRetention(g, src.retentionDays);
      }
      if (!this.visible.has(g.id)) this.visible.set(g.id, g.nextSeq);
      const s = g.streams.get(streamName) ?? (await store.catalog.createStream(g, streamName, now));
      return { g, s };
    });
    if (target === null) return;
    const logEvents = messages.flatMap((m) =>
      m.logEvents.map((e) => ({
        timestamp: now,
        message: JSON.stringify({ error, destinationArn: f.destinationArn, subscriptionFilter: f.filterName, messageType: m.messageType, logGroup: m.logGroup, logStream: m.logStream, id: e.id, timestamp: e.timestamp, message: e.message }),
      })),
    );
    if (logEvents.length === 0) return;
    await store.appendEvents(target.g, target.s, logEvents, now);
  }

  stats(): ConsumerStats[] {
    return [...this.consumers.values()].map(({ consumer }) => consumer.stats);
  }

  /** Checks a target's peer (logward targets health). */
  async health(target: Target, signal: AbortSignal): Promise<void> {
    const spec = SINKS[target.kind];
    const sink = spec.build(spec.schema.parse(target.config), this.sinkContext(target.name));
    try {
      await sink.health(signal);
    } finally {
      await sink.close();
    }
  }

  /** Stops every consumer; their checkpoints stay where the last acknowledged batch left them. */
  async close(): Promise<void> {
    this.closed = true;
    await this.syncing;
    await Promise.all([...this.consumers.values()].map(({ consumer }) => consumer.stop()));
    this.consumers.clear();
    clearInterval(this.persistTimer);
    await this.persistPositions();
    if (this.opts.encoder === undefined) await this.encoder.close();
  }

  /** For the key of a filter in the maps. */
  static key = filterKey;
}
