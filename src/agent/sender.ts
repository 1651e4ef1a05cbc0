/**
 * Sends what the spool holds with PutLogEvents, in order, and tells the spool how far the server has
 * acknowledged. Any CloudWatch Logs endpoint will do (Logward, or AWS itself).
 *
 * Contract: a record is released only once every event of it is in a batch the server acknowledged (or
 * dropped for a reason that no retry can fix: too old, too new, refused as invalid). Throttling, server
 * errors and an unreachable server are retried with exponential backoff and jitter, for as long as it
 * takes; the spool holds what is read meanwhile. Groups and streams are created when missing (with the
 * configured retention and class). `stop` lets requests in flight finish, so a graceful restart sends
 * nothing twice; after a crash, records sent but not yet released are sent again (at least once).
 */
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutRetentionPolicyCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { setTimeout as delay } from 'node:timers/promises';
import { acceptable, BatchBuilder, recycle, type Batch } from './batch.js';
import type { Spool } from './spool.js';
import { destinationKey, forEachEvent, recordDestination } from './record.js';
import type { PutFn } from './put-client.js';

export interface Destination {
  group: string;
  stream: string;
  retentionInDays?: number;
  logGroupClass?: 'STANDARD' | 'INFREQUENT_ACCESS';
}

export interface AgentLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface SenderOptions {
  flushIntervalMs: number;
  maxInflight: number;
  /** Records read ahead of the acknowledgements, bytes (bounds memory). */
  windowBytes: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  random: () => number;
}

export const DEFAULT_SENDER_OPTIONS: SenderOptions = {
  flushIntervalMs: 5000,
  maxInflight: 4,
  windowBytes: 4 * 1024 * 1024,
  backoffBaseMs: 200,
  backoffMaxMs: 30_000,
  random: Math.random,
};

export interface SenderStats {
  sent: number;
  requests: number;
  retries: number;
  droppedOutOfRange: number;
  rejected: number;
  droppedInvalid: number;
}

interface Slot {
  end: number;
  bytes: number;
  outstanding: number;
  distributing: boolean;
}

/** Errors no retry fixes: the batch itself is wrong. */
const PERMANENT = new Set(['InvalidParameterException', 'SerializationException', 'ValidationException']);

export class Sender {
  readonly stats: SenderStats = { sent: 0, requests: 0, retries: 0, droppedOutOfRange: 0, rejected: 0, droppedInvalid: 0 };
  private readonly builders = new Map<string, { dest: Destination; builder: BatchBuilder<Slot> }>();
  private readonly ready: { dest: Destination; batch: Batch<Slot> }[] = [];
  private readonly window: Slot[] = [];
  private windowBytes = 0;
  private readPos: number;
  private inflight = 0;
  private readonly ensured = new Set<string>();
  private stopping = false;
  private readonly stopController = new AbortController();
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private failing = 0;
  private idleWaiters: (() => void)[] = [];
  private releaseWaiters: (() => void)[] = [];
  /** Per log stream: requests in flight and the latest timestamp they hold. */
  private readonly streamsInFlight = new Map<string, { count: number; maxTimestamp: number }>();
  private forceFlush = false;

  constructor(
    private readonly client: CloudWatchLogsClient,
    private readonly put: PutFn,
    private readonly spool: Spool,
    private readonly destinations: Map<string, Destination>,
    private readonly log: AgentLog,
    private readonly now: () => number,
    private readonly opts: SenderOptions = DEFAULT_SENDER_OPTIONS,
  ) {
    this.readPos = spool.releasedPosition;
  }

  start(): void {
    this.loop = this.run();
  }

  /** New records are in the spool. */
  notify(): void {
    this.wake?.();
  }

  /** Resolves once everything spooled so far is acknowledged (partial batches are sent at once). */
  async idle(signal?: AbortSignal): Promise<void> {
    while (this.spool.releasedPosition < this.spool.writePosition) {
      signal?.throwIfAborted();
      this.forceFlush = true;
      this.notify();
      await new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }

  /**
   * Resolves once the spool holds less than three quarters of `bound` unacknowledged (so that reading,
   * stopped at the bound, goes on in passes of a useful size).
   */
  async room(bound: number, signal?: AbortSignal): Promise<void> {
    while (this.spool.used >= bound * 0.75) {
      signal?.throwIfAborted();
      // What is spooled is all there is until the sender makes room: partial batches go now.
      this.forceFlush = true;
      this.notify();
      await new Promise<void>((resolve) => {
        this.releaseWaiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  }

  get requestsInFlight(): number {
    return this.inflight;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    this.notify();
    await this.loop;
  }

  private async run(): Promise<void> {
    const inflight = new Set<Promise<void>>();
    while (!this.stopping) {
      await this.fill();
      const now = this.now();
      // A forced flush sends partial batches only once all that is spooled has been read into them:
      // records still unread would fill them (while a drain waits for room, that is most of the time,
      // and flushing at every turn sent batches of half the size the rules allow).
      const readAll = this.readPos >= this.spool.writePosition;
      for (const { dest, builder } of this.builders.values()) {
        const since = builder.pendingSince;
        if (since !== undefined && ((this.forceFlush && readAll) || now - since >= this.opts.flushIntervalMs)) {
          const b = builder.flush();
          if (b !== undefined) this.enqueue(dest, b);
        }
      }
      if (readAll) this.forceFlush = false;
      while (this.inflight < this.opts.maxInflight && this.ready.length > 0 && !this.stopping) {
        const job = this.ready[0] as { dest: Destination; batch: Batch<Slot> };
        // A stream's events with equal timestamps are stored in the order they arrive: a batch goes out
        // beside others of its stream only when all its events are later than theirs.
        const key = destinationKey(job.dest.group, job.dest.stream);
        const busy = this.streamsInFlight.get(key);
        if (busy !== undefined && job.batch.minTimestamp <= busy.maxTimestamp) break;
        this.ready.shift();
        this.streamsInFlight.set(key, { count: (busy?.count ?? 0) + 1, maxTimestamp: Math.max(busy?.maxTimestamp ?? -Infinity, job.batch.maxTimestamp) });
        this.inflight++;
        const p = this.send(job.dest, job.batch).finally(() => {
          this.inflight--;
          const s = this.streamsInFlight.get(key);
          if (s !== undefined && --s.count === 0) this.streamsInFlight.delete(key);
          inflight.delete(p);
          this.notify();
        });
        inflight.add(p);
      }
      if (this.stopping) break;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 100).unref();
      });
      this.wake = undefined;
    }
    await Promise.all(inflight);
  }

  /** Reads records into the batch builders while the window has room. */
  private async fill(): Promise<void> {
    // One batch ready beyond those in flight is enough to keep the connection busy (each holds a MiB).
    while (this.readPos < this.spool.writePosition && this.windowBytes < this.opts.windowBytes && this.ready.length < 1) {
      const records = await this.spool.read(this.readPos, 2 * 1024 * 1024);
      for (const rec of records) {
        const slot: Slot = { end: rec.end, bytes: rec.end - rec.start, outstanding: 0, distributing: true };
        this.window.push(slot);
        this.windowBytes += rec.end - rec.start;
        this.readPos = rec.end;
        const dest = recordDestination(rec.payload);
        if (dest !== undefined) this.distribute(dest, rec.payload, slot);
        slot.distributing = false;
      }
      await this.advance();
    }
  }

  /** The record's events into their stream's builder (which copies them: the payload is reused). */
  private distribute(destKey: string, payload: Buffer, slot: Slot): void {
    const dest = this.destinations.get(destKey);
    if (dest === undefined) {
      this.log.warn(`spooled events for ${destKey}, which the configuration no longer has, are dropped`);
      return;
    }
    let b = this.builders.get(destKey);
    if (b === undefined) {
      b = { dest, builder: new BatchBuilder<Slot>(dest.group, dest.stream) };
      this.builders.set(destKey, b);
    }
    const now = this.now();
    const builder = b.builder;
    forEachEvent(payload, (timestamp, utf8Bytes, start, end) => {
      if (!acceptable(timestamp, now)) {
        this.stats.droppedOutOfRange++;
        this.log.warn(`an event of ${dest.group}/${dest.stream} at ${new Date(timestamp).toISOString()} is more than 14 days old or 2 hours ahead; dropped, as PutLogEvents refuses it`);
        return;
      }
      const closed = builder.add(timestamp, utf8Bytes, payload, start, end, slot, now);
      if (closed !== undefined) this.enqueue(dest, closed);
    });
  }

  private enqueue(dest: Destination, batch: Batch<Slot>): void {
    for (const s of batch.tags) s.outstanding++;
    this.ready.push({ dest, batch });
  }

  /** Releases the records every event of which has been acknowledged. */
  private async advance(): Promise<void> {
    let release: number | undefined;
    // A record's events may still sit in an open builder: count those as outstanding too.
    const open = new Set<Slot>();
    for (const { builder } of this.builders.values()) for (const s of builder.pendingTags) open.add(s);
    for (const r of this.ready) for (const s of r.batch.tags) open.add(s);
    while (this.window.length > 0) {
      const s = this.window[0] as Slot;
      if (s.distributing || s.outstanding > 0 || open.has(s)) break;
      this.window.shift();
      this.windowBytes -= s.bytes;
      release = s.end;
    }
    if (release !== undefined) {
      await this.spool.release(release);
      for (const w of this.releaseWaiters.splice(0)) w();
      if (this.spool.releasedPosition >= this.spool.writePosition) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  private async send(dest: Destination, batch: Batch<Slot>): Promise<void> {
    const key = `${dest.group}\u0000${dest.stream}`;
    for (let attempt = 1; ; attempt++) {
      if (this.stopping && attempt > 1) return;
      try {
        if (!this.ensured.has(key)) await this.ensure(dest, key);
        this.stats.requests++;
        const out = await this.put(batch.body);
        const info = out.rejectedLogEventsInfo;
        if (info !== undefined) {
          const from = Math.max(info.tooOldLogEventEndIndex ?? 0, info.expiredLogEventEndIndex ?? 0);
          const to = info.tooNewLogEventStartIndex ?? batch.count;
          const rejected = batch.count - Math.max(0, to - from);
          this.stats.rejected += rejected;
          if (rejected > 0) this.log.warn(`${dest.group}/${dest.stream}: the server rejected ${rejected} events as too old, too new or expired`);
        }
        this.stats.sent += batch.count;
        if (this.failing > 0) this.log.info(`sending to ${dest.group}/${dest.stream} again after ${this.failing} failed attempts`);
        this.failing = 0;
        break;
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        if (name === 'ResourceNotFoundException') {
          this.ensured.delete(key);
          continue;
        }
        if (PERMANENT.has(name)) {
          this.stats.droppedInvalid += batch.count;
          this.log.error(`${dest.group}/${dest.stream}: a batch of ${batch.count} events was refused (${name}: ${(error as Error).message}); dropped`);
          break;
        }
        this.stats.retries++;
        this.failing++;
        const wait = Math.floor(this.opts.random() * Math.min(this.opts.backoffMaxMs, this.opts.backoffBaseMs * 2 ** Math.min(attempt - 1, 20)));
        if (this.failing === 1 || this.failing % 20 === 0) {
          this.log.warn(`sending to ${dest.group}/${dest.stream} failed (${describe(error)}); retrying (attempt ${attempt}), the spool keeps what is read meanwhile`);
        }
        try {
          await delay(wait, undefined, { signal: this.stopController.signal });
        } catch {
          return;
        }
      }
    }
    recycle(batch);
    for (const s of batch.tags) s.outstanding--;
    await this.advance();
  }

  private async ensure(dest: Destination, key: string): Promise<void> {
    await ignoreExists(
      this.client.send(new CreateLogGroupCommand({ logGroupName: dest.group, ...(dest.logGroupClass === undefined ? {} : { logGroupClass: dest.logGroupClass }) })),
    );
    if (dest.retentionInDays !== undefined) {
      await this.client.send(new PutRetentionPolicyCommand({ logGroupName: dest.group, retentionInDays: dest.retentionInDays }));
    }
    await ignoreExists(this.client.send(new CreateLogStreamCommand({ logGroupName: dest.group, logStreamName: dest.stream })));
    this.ensured.add(key);
  }
}

async function ignoreExists(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceAlreadyExistsException') return;
    throw error;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return `${typeof code === 'string' ? code : error.name}: ${error.message}`;
}
