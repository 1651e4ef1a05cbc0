/**
 * One consumer per subscription filter: reads the group's events by sequence number from its checkpoint
 * (the recent batches the engine keeps, the hot tier, else pages of the segments: store/read-seq.ts),
 * keeps those the filter pattern matches, batches them (by the sink's size, count and time limits),
 * delivers each batch with retries and advances the checkpoint once the sink has acknowledged it.
 *
 * Guarantees, and why they hold:
 * - at-least-once: the checkpoint moves past an event only after its batch was acknowledged (or written
 *   to the dead-letter group); it is persisted within about a second (checkpoint-file.ts, at shutdown at
 *   once), and a restart re-reads from it, so a crash redelivers at most about a second of batches;
 * - ordered per log stream: events are read in sequence order, which within a stream is ingestion
 *   order, and one batch is delivered, whole and in order, before the next is read;
 * - a slow destination never slows ingestion nor other subscriptions: ingestion only records the new
 *   high-water mark and wakes the consumer (engine.ts); nothing is held in memory beyond the batch in
 *   flight and the one being filled, since a consumer that falls behind reads its backlog from the store.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LogStore } from '../store/store.js';
import type { LogGroup } from '../store/catalog.js';
import { readBySeq, readHotRuns, type HotRun } from '../store/read-seq.js';
import { filterKey, type Checkpoint, type SubscriptionCatalog, type SubscriptionFilterRow } from '../store/subscriptions.js';
import { compilePredicate } from '../query/filter-pattern/predicate.js';
import { parseFilterPattern } from '../query/filter-pattern/parse.js';
import { controlMessage, type SubscriptionMessage } from './payload.js';
import { coldParts, hotPart, MATCH_ALL, messageOfParts, type Part } from './runs.js';
import type { PieceEncoder } from './piece-encoder.js';
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
  /** Runs of the recent batches the engine keeps for the group's consumers; null when it does not hold fromSeq. */
  readTail(g: LogGroup, fromSeq: number, toSeq: number, minEvents: number): { runs: HotRun[]; nextSeq: number } | null;
  /** Records a subscription's new position (in memory; the engine persists it within about a second). */
  notePosition(filter: SubscriptionFilterRow, nextSeq: number): void;
  deadLetter(filter: SubscriptionFilterRow, messages: readonly SubscriptionMessage[], error: string): Promise<void>;
  /** Turns matching events into deflated JSON (off the event loop, in the server). */
  encoder: PieceEncoder;
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

/** Events one read takes from the hot tier (whole batches, so a few more) and from the segments. */
const READ_HOT_EVENTS = 10_000;
const READ_COLD_EVENTS = 20_000;

/** What a consumer counts; the engine hands the same counters to a consumer restarted with new settings. */
export type ConsumerCounters = Omit<ConsumerStats, 'lagMs' | 'lagEvents'>;

/** Matching events read and not yet handed to the sink, in sequence order. */
class Pending {
  readonly parts: Part[] = [];
  events = 0;
  bytes = 0;
  /** Bytes and events by log stream (Batching.maxMessageBytes, maxMessageEvents), and whether one reached a limit. */
  private readonly streamBytes = new Map<number, number>();
  private readonly streamEvents = new Map<number, number>();
  private streamFull = false;
  /** When the first part arrived (clock ms). */
  since = 0;
  oldestIngestMs: number | undefined;

  add(p: Part, now: number, b: Batching): void {
    // Encoding starts now, in the encoder's thread, so the batch is ready to go when it is due.
    p.piece().catch(() => undefined);
    if (this.parts.length === 0) this.since = now;
    this.parts.push(p);
    this.events += p.count;
    this.bytes += p.bytes;
    this.oldestIngestMs = Math.min(this.oldestIngestMs ?? Infinity, p.ingestMs);
    if (b.maxMessageBytes !== undefined) {
      const n = (this.streamBytes.get(p.streamId) ?? 0) + p.bytes;
      this.streamBytes.set(p.streamId, n);
      if (n >= b.maxMessageBytes) this.streamFull = true;
    }
    if (b.maxMessageEvents !== undefined) {
      const n = (this.streamEvents.get(p.streamId) ?? 0) + p.count;
      this.streamEvents.set(p.streamId, n);
      if (n >= b.maxMessageEvents) this.streamFull = true;
    }
  }

  /** Would `p` go past the batch's limits? (An empty batch takes any part.) */
  overflows(p: Part, b: Batching): boolean {
    if (this.parts.length === 0) return false;
    if (this.bytes + p.bytes > b.maxBytes || this.events + p.count > (b.maxEvents ?? Infinity)) return true;
    if (b.maxMessageEvents !== undefined && (this.streamEvents.get(p.streamId) ?? 0) + p.count > b.maxMessageEvents) return true;
    return b.maxMessageBytes !== undefined && (this.streamBytes.get(p.streamId) ?? 0) + p.bytes > b.maxMessageBytes;
  }

  full(b: Batching): boolean {
    return this.streamFull || this.bytes >= b.maxBytes || this.events >= (b.maxEvents ?? Infinity);
  }
}

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
    const pattern = parseFilterPattern(filter.filterPattern);
    const everything = pattern.kind === 'terms' && pattern.required.length === 0 && pattern.optional.length === 0 && pattern.excluded.length === 0;
    this.predicate = everything ? MATCH_ALL : compilePredicate(pattern);
    // Each request a sink has in flight listens to the signal (function targets: 16 at a time); Node warns
    // of a leak past 10.
    setMaxListeners(64, this.abort.signal);
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

  /** Its checkpoint: every event of the group before it has been delivered (or dead-lettered). */
  get position(): number {
    return this.counters.checkpointSeq;
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

  /** New events may be visible (or the batch in flight was acknowledged): cheap, called on the ingest path. */
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

  /**
   * Moves the checkpoint: in memory at once, and to disk within about a second (engine.ts, the checkpoint
   * file). Only the CONTROL_MESSAGE's flag goes to the catalog database, once per subscription.
   */
  private async save(cp: Checkpoint, durableNow = false): Promise<void> {
    if (durableNow) await this.deps.subs.setCheckpoint(this.filter.groupId, this.filter.filterName, cp);
    else this.deps.notePosition(this.filter, cp.nextSeq);
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

  /**
   * Reads, matches and batches while the previous batch is being delivered (one batch in flight, one
   * being filled): a batch is sent only once the one before it was acknowledged, so order per stream
   * holds, and the checkpoint moves to the end of each acknowledged batch, in order.
   */
  private async run(signal: AbortSignal): Promise<void> {
    const { filter, deps } = this;
    let cp = this.checkpoint();
    if (!cp.controlSent) {
      const control = controlMessage(deps.clock.now(), this.controlName);
      await this.send({ messages: [control], batchId: `${filter.groupId}-${safeId(filter.filterName)}-control` }, signal);
      cp = { ...cp, controlSent: true };
      await this.save(cp, true);
    }
    let pos = cp.nextSeq;
    let pending = new Pending();
    let inflight: { done: Promise<void>; settled: boolean; oldestIngestMs: number | undefined } | undefined;
    try {
      while (!signal.aborted) {
        this.woken = false;
        if (inflight?.settled) {
          await inflight.done; // rethrows what failed beyond retries (the dead-letter write)
          inflight = undefined;
        }
        const visible = deps.visibleThrough(filter.groupId);
        let progressed = false;
        let full = pending.full(this.batching);
        if (pos < visible && !full) {
          const read = await this.read(pos, visible, pending);
          if (read === null) return void (await this.sleep(60_000, signal)); // the group is gone; the engine stops us
          progressed = read.pos > pos;
          pos = read.pos;
          full = read.full;
        }
        const now = deps.clock.now();
        this.oldestPendingMs = inflight?.oldestIngestMs ?? pending.oldestIngestMs;
        const caughtUp = pos >= deps.visibleThrough(filter.groupId);
        const due = pending.events > 0 && (full || now - pending.since >= this.batching.maxMs);
        if (due && inflight === undefined) {
          const batch = pending;
          const end = pos;
          pending = new Pending();
          const flight = { done: Promise.resolve(), settled: false, oldestIngestMs: batch.oldestIngestMs };
          flight.done = this.deliver(batch, end, signal).finally(() => {
            flight.settled = true;
            this.wake();
          });
          flight.done.catch(() => undefined); // awaited above, or in the finally below
          inflight = flight;
          continue;
        }
        if (pending.events === 0 && inflight === undefined && pos > this.counters.checkpointSeq) {
          // Nothing matched since the last batch: the position moves on without a delivery.
          await this.save({ ...this.checkpoint(), nextSeq: pos });
        }
        if (progressed && !caughtUp && !full) continue;
        if (this.woken && !caughtUp && !full) continue;
        const wait = pending.events > 0 && !due ? Math.max(1, this.batching.maxMs - (now - pending.since)) : 60_000;
        await this.sleep(wait, signal, true);
      }
    } finally {
      // Never leave a delivery running behind a restarted loop: it would move the checkpoint under it.
      if (inflight) await inflight.done.catch(() => undefined);
    }
  }

  /**
   * Reads from `pos` into `pending` until the batch is full or what is visible is read: hot batches
   * as they are (shared matching and encoding, runs.ts), else a page of the segments.
   */
  private async read(pos: number, visible: number, pending: Pending): Promise<{ pos: number; full: boolean } | null> {
    const { deps, filter, batching } = this;
    const now = deps.clock.now();
    if (deps.store.catalog.groupsById.get(this.group.id) !== this.group) return null;
    const hot = deps.readTail(this.group, pos, visible, READ_HOT_EVENTS) ?? readHotRuns(deps.store, this.group, pos, visible, READ_HOT_EVENTS);
    if (hot !== null) {
      for (const run of hot.runs) {
        const part = hotPart(run, filter.filterPattern, this.predicate, deps.encoder);
        if (part === null) continue;
        if (pending.overflows(part, batching)) return { pos: run.batch.firstSeq + run.lo, full: true };
        pending.add(part, now, batching);
      }
      return { pos: hot.nextSeq, full: pending.full(batching) };
    }
    const page = await readBySeq(deps.store, this.group, pos, visible, READ_COLD_EVENTS);
    if (page === null) return null;
    for (const part of coldParts(page.events, this.predicate, deps.encoder)) {
      if (pending.overflows(part, batching)) return { pos: part.firstSeq, full: true };
      pending.add(part, now, batching);
    }
    return { pos: page.nextSeq, full: pending.full(batching) };
  }

  /** Delivers a batch (retries, dead letters), then moves the checkpoint to `end`. */
  private async deliver(batch: Pending, end: number, signal: AbortSignal): Promise<void> {
    await this.send(this.batchOf(batch.parts), signal);
    this.counters.deliveredEvents += batch.events;
    this.counters.deliveredBatches++;
    await this.save({ ...this.checkpoint(), nextSeq: end });
  }

  /** One DATA_MESSAGE per log stream, streams in the order of their first event in the batch. */
  private batchOf(parts: readonly Part[]): DeliveryBatch {
    const byStream = new Map<number, Part[]>();
    for (const p of parts) {
      let list = byStream.get(p.streamId);
      if (!list) byStream.set(p.streamId, (list = []));
      list.push(p);
    }
    const messages: SubscriptionMessage[] = [];
    for (const [sid, list] of byStream) {
      const stream = this.group.streamsById.get(sid)?.name ?? String(sid);
      messages.push(messageOfParts(this.deps.owner, this.filter.groupName, stream, this.filter.filterName, list));
    }
    // The id names the exact range of events, so a batch rebuilt after a restart has the same id only if it
    // holds the same events: sinks may deduplicate on it (JetStream) or name objects after it.
    return { messages, batchId: `${this.filter.groupId}-${safeId(this.filter.filterName)}-${parts[0]!.firstSeq}-${parts.at(-1)!.lastSeq}` };
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
