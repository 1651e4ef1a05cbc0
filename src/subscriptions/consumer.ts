/**
 * One consumer per subscription filter: reads the group's events by sequence number from its checkpoint
 * (store/read-seq.ts: hot tier, then segments), keeps those the filter pattern matches, batches them
 * (by the sink's size and time limits), delivers each batch with retries and advances the checkpoint once
 * the sink has acknowledged it.
 *
 * Guarantees, and why they hold:
 * - at-least-once: the checkpoint moves past an event only after its batch was acknowledged (or written
 *   to the dead-letter group), and it is persisted; a restart re-reads from it, so only the batch in
 *   flight can be delivered twice;
 * - ordered per log stream: events are read in sequence order, which within a stream is ingestion
 *   order, and one batch is delivered, whole and in order, before the next is read;
 * - a slow destination never slows ingestion nor other subscriptions: ingestion only records the new
 *   high-water mark and wakes the consumer (engine.ts); nothing is queued in memory beyond one batch,
 *   since a consumer that falls behind reads its backlog from the store instead.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LogStore } from '../store/store.js';
import type { LogGroup } from '../store/catalog.js';
import type { StoredEvent } from '../store/hot.js';
import { readBySeq } from '../store/read-seq.js';
import { filterKey, type Checkpoint, type SubscriptionCatalog, type SubscriptionFilterRow } from '../store/subscriptions.js';
import { compilePredicate } from '../query/filter-pattern/predicate.js';
import { parseFilterPattern } from '../query/filter-pattern/parse.js';
import { controlMessage, dataMessage, subscriptionEventId, type SubscriptionMessage } from './payload.js';
import type { Batching, DeliveryBatch, Sink } from './sinks/types.js';

export interface RetryPolicy {
  /** First backoff; each retry doubles it, up to maxMs, and waits a random part of it (full jitter). */
  baseMs: number;
  maxMs: number;
  /** After retrying this long, the batch goes to the dead-letter log group (AWS retries for 24 hours). */
  budgetMs: number;
}

export interface ConsumerDeps {
  store: LogStore;
  subs: SubscriptionCatalog;
  clock: Clock;
  logger: Logger;
  owner: string;
  retry: RetryPolicy;
  /** Events with a smaller sequence number are visible (durable and readable). */
  visibleThrough(groupId: number): number;
  deadLetter(filter: SubscriptionFilterRow, messages: readonly SubscriptionMessage[], error: string): Promise<void>;
}

export interface ConsumerStats {
  logGroupName: string;
  filterName: string;
  destinationArn: string;
  checkpointSeq: number;
  /** Events (matching or not) ingested and not yet past the checkpoint. */
  lagEvents: number;
  /** Age of the oldest matching event not yet delivered, ms (0 when none waits), at the time of the call. */
  lagMs: number;
  deliveredEvents: number;
  deliveredBatches: number;
  /** Failed delivery attempts that were retried. */
  retries: number;
  /** Failed delivery attempts (retried or dead-lettered). */
  failures: number;
  deadLetteredBatches: number;
  lastError: string | null;
}

/** How many events one read takes from the store. */
const READ_EVENTS = 2000;
/** An idle consumer persists its read position at most this often (nothing matched: nothing to deliver). */
const IDLE_PERSIST_MS = 1000;

/** What a consumer counts; the engine hands the same counters to a consumer restarted with new settings. */
export type ConsumerCounters = Omit<ConsumerStats, 'lagMs' | 'lagEvents'>;

export class Consumer {
  private readonly counters: ConsumerCounters;
  /** Ingestion time of the oldest matching event read and not yet delivered (undefined: none). */
  private oldestPendingMs: number | undefined;
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | undefined;
  private woken = false;
  private running: Promise<void> | undefined;
  private readonly predicate: (message: string) => boolean;

  constructor(
    readonly filter: SubscriptionFilterRow,
    private readonly group: LogGroup,
    private readonly sink: Sink,
    private readonly batching: Batching,
    private readonly controlName: string,
    private readonly deps: ConsumerDeps,
    counters?: ConsumerCounters,
  ) {
    this.predicate = compilePredicate(parseFilterPattern(filter.filterPattern));
    const cp = this.checkpoint();
    this.counters = counters ?? {
      logGroupName: filter.groupName,
      filterName: filter.filterName,
      destinationArn: filter.destinationArn,
      checkpointSeq: cp.nextSeq,
      deliveredEvents: 0,
      deliveredBatches: 0,
      retries: 0,
      failures: 0,
      deadLetteredBatches: 0,
      lastError: null,
    };
  }

  /** The live counters, for the engine to carry over to a successor. */
  get counterState(): ConsumerCounters {
    return this.counters;
  }

  /** The delivery state now: the lag keeps growing while a batch waits on a failing destination. */
  get stats(): ConsumerStats {
    const lagMs = this.oldestPendingMs === undefined ? 0 : Math.max(0, this.deps.clock.now() - this.oldestPendingMs);
    return { ...this.counters, destinationArn: this.filter.destinationArn, lagEvents: Math.max(0, this.deps.visibleThrough(this.filter.groupId) - this.counters.checkpointSeq), lagMs };
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** New events may be visible: cheap, called on the ingest path. */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wakeUp?.();
    await this.running;
    await this.sink.close();
  }

  private checkpoint(): Checkpoint {
    return this.deps.subs.checkpoints.get(filterKey(this.filter.groupId, this.filter.filterName)) ?? { nextSeq: 0, controlSent: true };
  }

  private async save(cp: Checkpoint): Promise<void> {
    await this.deps.subs.setCheckpoint(this.filter.groupId, this.filter.filterName, cp);
    this.counters.checkpointSeq = cp.nextSeq;
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    while (!signal.aborted) {
      try {
        await this.run(signal);
      } catch (e) {
        if (signal.aborted) return;
        // Not the destination (that is retried inside): the store or the dead-letter write failed.
        this.counters.lastError = String((e as Error).message ?? e);
        this.deps.logger.error({ err: e, logGroup: this.filter.groupName, filter: this.filter.filterName }, 'subscription consumer failed; restarting from its checkpoint');
        await this.sleep(1000, signal);
      }
    }
  }

  private async run(signal: AbortSignal): Promise<void> {
    const { filter, deps } = this;
    let cp = this.checkpoint();
    if (!cp.controlSent) {
      const control = controlMessage(deps.clock.now(), this.controlName);
      await this.send({ messages: [control], batchId: `${filter.groupId}-${safeId(filter.filterName)}-control` }, signal);
      cp = { ...cp, controlSent: true };
      await this.save(cp);
    }
    let pos = cp.nextSeq;
    let pending: StoredEvent[] = [];
    let pendingBytes = 0;
    let pendingSince = 0;
    let lastPersist = deps.clock.now();
    while (!signal.aborted) {
      this.woken = false;
      const visible = deps.visibleThrough(filter.groupId);
      let progressed = false;
      if (pos < visible && pendingBytes < this.batching.maxBytes) {
        const page = await readBySeq(deps.store, this.group, pos, visible, READ_EVENTS);
        if (page === null) return void (await this.sleep(60_000, signal)); // the group is gone; the engine stops us
        for (const e of page.events) {
          if (!this.predicate(e.message)) continue;
          if (pending.length === 0) pendingSince = deps.clock.now();
          pending.push(e);
          pendingBytes += Buffer.byteLength(e.message) + 26;
        }
        progressed = page.nextSeq > pos;
        pos = page.nextSeq;
      }
      const now = deps.clock.now();
      this.oldestPendingMs = pending[0]?.ingestMs;
      const caughtUp = pos >= deps.visibleThrough(filter.groupId);
      const due = pending.length > 0 && (pendingBytes >= this.batching.maxBytes || now - pendingSince >= this.batching.maxMs);
      if (due) {
        await this.send(this.batchOf(pending), signal);
        this.counters.deliveredEvents += pending.length;
        this.counters.deliveredBatches++;
        this.oldestPendingMs = undefined;
        pending = [];
        pendingBytes = 0;
        cp = { ...cp, nextSeq: pos };
        await this.save(cp);
        lastPersist = now;
        continue;
      }
      if (pending.length === 0 && pos > cp.nextSeq && (now - lastPersist >= IDLE_PERSIST_MS || caughtUp)) {
        cp = { ...cp, nextSeq: pos };
        await this.save(cp);
        lastPersist = now;
      }
      if (progressed && !caughtUp) continue;
      if (this.woken && !caughtUp) continue;
      const wait = pending.length > 0 ? Math.max(1, this.batching.maxMs - (now - pendingSince)) : 60_000;
      await this.sleep(wait, signal, true);
    }
  }

  /** One DATA_MESSAGE per log stream, streams in the order of their first event in the batch. */
  private batchOf(events: readonly StoredEvent[]): DeliveryBatch {
    const byStream = new Map<number, StoredEvent[]>();
    for (const e of events) {
      let list = byStream.get(e.streamId);
      if (!list) byStream.set(e.streamId, (list = []));
      list.push(e);
    }
    const messages: SubscriptionMessage[] = [];
    for (const [sid, list] of byStream) {
      const stream = this.group.streamsById.get(sid)?.name ?? String(sid);
      messages.push(
        dataMessage(this.deps.owner, this.filter.groupName, stream, this.filter.filterName, list.map((e) => ({ id: subscriptionEventId(e.timestamp, e.seq), timestamp: e.timestamp, message: e.message }))),
      );
    }
    // The id names the exact range of events, so a batch rebuilt after a restart has the same id only if it
    // holds the same events: sinks may deduplicate on it (JetStream) or name objects after it.
    return { messages, batchId: `${this.filter.groupId}-${safeId(this.filter.filterName)}-${events[0]!.seq}-${events.at(-1)!.seq}` };
  }

  /** Delivers with exponential backoff and full jitter; past the budget, to the dead-letter group. */
  private async send(batch: DeliveryBatch, signal: AbortSignal): Promise<void> {
    const { retry, clock } = this.deps;
    let firstFailure: number | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sink.deliver(batch, signal);
        this.counters.lastError = null;
        return;
      } catch (e) {
        if (signal.aborted) throw e;
        const message = String((e as Error).message ?? e);
        this.counters.lastError = message;
        this.counters.failures++;
        firstFailure ??= clock.now();
        if (clock.now() - firstFailure >= retry.budgetMs) {
          this.deps.logger.warn({ logGroup: this.filter.groupName, filter: this.filter.filterName, error: message, attempts: attempt + 1 }, 'subscription batch dead-lettered after its retry budget');
          await this.deps.deadLetter(this.filter, batch.messages, message);
          this.counters.deadLetteredBatches++;
          return;
        }
        this.counters.retries++;
        const ceiling = Math.min(retry.maxMs, retry.baseMs * 2 ** Math.min(attempt, 30));
        await this.sleep(Math.max(1, Math.random() * ceiling), signal);
        if (signal.aborted) throw new Error('stopped', { cause: e });
      }
    }
  }

  /** Waits `ms`, or less when stopped (or, with `wakeable`, when new events arrive). */
  private sleep(ms: number, signal: AbortSignal, wakeable = false): Promise<void> {
    if (signal.aborted || (wakeable && this.woken)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (wakeable) this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      if (wakeable) this.wakeUp = done;
    });
  }
}

/** Filter names may hold any character; ids built from them (object keys, message ids) may not. */
const safeId = (name: string): string => Buffer.from(name).toString('hex').slice(0, 64);
