/**
 * The audit trail writer: one hash-chained record (chain.ts) per API call, appended to the internal log
 * group `logward/audit`, one stream per UTC day (`2024-05-01`).
 *
 * Durability and ordering: a record goes through the store's write-ahead log like any PutLogEvents batch,
 * and record() resolves only once it is on disk (fsync); the HTTP layer answers the call only after that,
 * so an acknowledged call always has its record. Records are appended in chain order (one queue), and
 * their timestamps never go back (max of the clock and the last record's), so the group's own order,
 * (timestamp, ingestion), is the chain's order.
 *
 * Failing closed: when a record cannot be written, the trail is `failed` and the server refuses every
 * later call (ServiceUnavailableException) instead of serving calls that leave no record; the failed
 * record's call is answered with that error too. A restart resumes the chain from the last record that
 * is stored (the head is read back from the group at open).
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { LogStore } from '../../store/store.js';
import type { LogGroup, LogStream } from '../../store/catalog.js';
import { queryEvents } from '../../store/query.js';
import { parseFilterPattern } from '../../query/filter-pattern/parse.js';
import { AUDIT_GROUP, chainRecord, type AuditFields } from './chain.js';

export { AUDIT_GROUP };

export class AuditTrail {
  private head: { seq: number; hash: string } | undefined;
  private lastMs = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Set once a record could not be made durable; see the module comment. */
  failed: unknown;

  private constructor(
    private readonly store: LogStore,
    private readonly group: LogGroup,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Creates the audit group when missing and reads the chain head back from it. */
  static async open(store: LogStore, clock: Clock, logger: Logger): Promise<AuditTrail> {
    const group =
      store.catalog.groups.get(AUDIT_GROUP) ??
      (await store.withWriteLock(() => store.catalog.createGroup(AUDIT_GROUP, clock.now(), {}, null, 'STANDARD')));
    const trail = new AuditTrail(store, group, clock, logger);
    const [last] = await queryEvents(store, {
      group,
      streamIds: null,
      startMs: 0,
      endMs: Number.MAX_SAFE_INTEGER,
      pattern: parseFilterPattern(''),
      descending: true,
      limit: 1,
    });
    if (last !== undefined) {
      const r = JSON.parse(last.message) as { seq: number; hash: string };
      trail.head = { seq: r.seq, hash: r.hash };
      trail.lastMs = last.timestamp;
    }
    return trail;
  }

  get groupId(): number {
    return this.group.id;
  }

  /** Appends the record of one call; resolves once it is durable, rejects (and fails the trail) if it cannot be. */
  record(fields: Omit<AuditFields, 'time'>): Promise<void> {
    const run = this.queue.then(async () => {
      if (this.failed !== undefined) throw new Error('the audit trail failed earlier', { cause: this.failed });
      const ms = Math.max(this.clock.now(), this.lastMs);
      const stream = await this.streamFor(ms);
      const { record, message } = chainRecord({ time: new Date(ms).toISOString(), ...fields }, this.head);
      const body = Buffer.from(JSON.stringify({ logEvents: [{ timestamp: ms, message }] }), 'utf8');
      // append() takes its place in the write-ahead log synchronously: the next record, queued behind
      // this step, is written after it, but this one's fsync is awaited outside the queue so records
      // of concurrent calls share fsyncs.
      const durable = this.store.append({
        group: this.group,
        stream,
        body,
        timestamps: [ms],
        messages: [message],
        lo: 0,
        hi: 1,
        bytes: Buffer.byteLength(message, 'utf8'),
        ingestMs: this.clock.now(),
      });
      this.head = { seq: record.seq, hash: record.hash };
      this.lastMs = ms;
      return { durable };
    });
    this.queue = run.catch(() => undefined);
    return run
      .then((r) => r.durable)
      .then(
        () => undefined,
        (err: unknown) => {
          if (this.failed === undefined) this.logger.fatal({ err }, 'audit record could not be written: refusing calls until restart');
          this.failed ??= err;
          throw err;
        },
      );
  }

  private async streamFor(ms: number): Promise<LogStream> {
    const name = new Date(ms).toISOString().slice(0, 10);
    return (
      this.group.streams.get(name) ??
      (await this.store.withWriteLock(async () => this.group.streams.get(name) ?? this.store.catalog.createStream(this.group, name, ms)))
    );
  }
}
