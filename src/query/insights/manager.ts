/**
 * The life of a Logs Insights query as the API sees it. StartQuery registers a query (Scheduled); it runs
 * through the injected runner once one of `concurrency` slots is free (Running), and ends Complete,
 * Failed (the runner threw), Cancelled (StopQuery, or the server closing) or Timeout (it ran longer than
 * `timeoutMs`, AWS's 60 minutes). GetQueryResults and DescribeQueries read what is kept here.
 *
 * Contracts:
 * - A query is never Running in more than `concurrency` slots; the rest wait in FIFO order, at most
 *   `queueLength` of them (more: QueryQueueFullError). A slot is freed when the runner's promise settles,
 *   not when the status changes: a Cancelled or Timeout query keeps its slot until its run has stopped, so
 *   the limit bounds real work. The runner must honour `signal` promptly.
 * - A status that has ended never changes again; rows exist only for Complete queries.
 * - Memory is bounded: ended queries (with their rows) are kept `retentionMs` (AWS keeps results 7 days),
 *   but at most `maxRetainedQueries` of them and about `maxRetainedBytes` of rows, the oldest going first;
 *   the most recently ended query is always kept, whatever its size. Expiry is applied on every call, so
 *   it needs no timer. Nothing survives a restart.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { LogGroup } from '../../store/catalog.js';
import type { Query } from './ast.js';
import type { InsightsOutput, InsightsRun, InsightsStatistics, ResultField } from './engine.js';

export type QueryStatus = 'Scheduled' | 'Running' | 'Complete' | 'Failed' | 'Cancelled' | 'Timeout';

export const isEnded = (s: QueryStatus): boolean => s !== 'Scheduled' && s !== 'Running';

/** Runs one query; the default binds engine.ts's runInsightsQuery to the store. */
export type InsightsRunner = (run: InsightsRun) => Promise<InsightsOutput>;

/** Timers as a dependency, so tests fire them by hand. Returns a function that cancels the timer. */
export type Schedule = (ms: number, fn: () => void) => () => void;

export const realSchedule: Schedule = (ms, fn) => {
  const t = setTimeout(fn, ms);
  t.unref();
  return () => clearTimeout(t);
};

/** Only what the manager writes to: pino's Logger fits. */
export interface ManagerLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface QueryManagerOptions {
  runner: InsightsRunner;
  clock: Clock;
  concurrency: number;
  queueLength: number;
  timeoutMs: number;
  retentionMs: number;
  maxRetainedQueries: number;
  maxRetainedBytes: number;
  logger?: ManagerLogger;
  schedule?: Schedule;
  newId?: () => string;
}

/** What StartQuery resolved: everything the runner needs, and how DescribeQueries shows the query. */
export interface QuerySpec {
  /** The query string as DescribeQueries shows it. */
  queryString: string;
  /** The query string as it was sent (InsightsRun.queryString). */
  text: string;
  /** The account in `@log` values. */
  accountId: string;
  groups: LogGroup[];
  /** Inclusive, epoch ms. */
  startMs: number;
  endMs: number;
  query: Query;
  /** The groups of nested queries with a SOURCE clause (InsightsRun.nested). */
  nested?: InsightsRun['nested'];
  limit: number;
}

/** A read-only snapshot of one query. `rows` is shared, never copied: callers must not change it. */
export interface QueryView {
  queryId: string;
  queryString: string;
  logGroupNames: readonly string[];
  /** Every group the query reads: its own, then those its nested queries' SOURCE selected (ListLogGroupsForQuery). */
  analyzedGroupNames: readonly string[];
  createdMs: number;
  startedMs: number | null;
  endedMs: number | null;
  status: QueryStatus;
  statistics: InsightsStatistics;
  rows: readonly ResultField[][];
}

/** StartQuery while `concurrency` queries run and `queueLength` wait. */
export class QueryQueueFullError extends Error {
  override readonly name = 'QueryQueueFullError';
  constructor(readonly maxInFlight: number) {
    super(`at most ${maxInFlight} queries may be scheduled or running at once`);
  }
}

export type StopOutcome = { kind: 'stopped' } | { kind: 'missing' } | { kind: 'ended'; status: QueryStatus };

/** The reasons a run's signal is aborted with. */
export class QueryCancelledError extends Error {
  override readonly name = 'QueryCancelledError';
}
export class QueryTimeoutError extends Error {
  override readonly name = 'QueryTimeoutError';
}

interface Entry {
  readonly id: string;
  readonly queryString: string;
  readonly groupNames: readonly string[];
  readonly analyzed: readonly string[];
  readonly createdMs: number;
  startedMs: number | null;
  endedMs: number | null;
  status: QueryStatus;
  statistics: InsightsStatistics;
  rows: ResultField[][];
  bytes: number;
  /** What to run; dropped once the run has settled, so an ended query holds no LogGroup. */
  spec: QuerySpec | null;
  controller: AbortController | null;
}

const ZERO_STATS: InsightsStatistics = Object.freeze({ recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 });

export class QueryManager {
  /** Every known query, in creation order. */
  private readonly entries = new Map<string, Entry>();
  /** Ended queries, in the order they ended: the eviction order. */
  private readonly ended = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  /** Runs that have not settled yet (their slots). */
  private readonly runs = new Set<Promise<void>>();
  private retainedBytes = 0;
  private closed = false;
  private readonly schedule: Schedule;
  private readonly newId: () => string;

  constructor(private readonly opts: QueryManagerOptions) {
    this.schedule = opts.schedule ?? realSchedule;
    this.newId = opts.newId ?? randomUUID;
  }

  /** Registers a query and returns its id; it runs as soon as a slot is free. */
  start(spec: QuerySpec): string {
    this.prune();
    if (this.closed) throw new QueryCancelledError('the query manager is closed');
    if (this.runs.size >= this.opts.concurrency && this.queue.length >= this.opts.queueLength) {
      throw new QueryQueueFullError(this.opts.concurrency + this.opts.queueLength);
    }
    const e: Entry = {
      id: this.newId(),
      queryString: spec.queryString,
      groupNames: spec.groups.map((g) => g.name),
      analyzed: [...new Set([...spec.groups, ...[...(spec.nested?.values() ?? [])].flatMap((n) => n.groups)].map((g) => g.name))],
      createdMs: this.opts.clock.now(),
      startedMs: null,
      endedMs: null,
      status: 'Scheduled',
      statistics: ZERO_STATS,
      rows: [],
      bytes: 0,
      spec,
      controller: null,
    };
    this.entries.set(e.id, e);
    this.queue.push(e);
    this.pump();
    return e.id;
  }

  get(queryId: string): QueryView | undefined {
    this.prune();
    const e = this.entries.get(queryId);
    return e === undefined ? undefined : view(e);
  }

  /** Every kept query, newest first. */
  list(): QueryView[] {
    this.prune();
    return [...this.entries.values()].reverse().map(view);
  }

  /** StopQuery: a Scheduled or Running query ends Cancelled at once (its run is aborted). */
  stop(queryId: string): StopOutcome {
    this.prune();
    const e = this.entries.get(queryId);
    if (e === undefined) return { kind: 'missing' };
    if (isEnded(e.status)) return { kind: 'ended', status: e.status };
    this.cancel(e, new QueryCancelledError('stopped by StopQuery'));
    return { kind: 'stopped' };
  }

  /** Cancels every query that has not ended and waits until no run is left (before the store closes). */
  async close(): Promise<void> {
    this.closed = true;
    for (const e of [...this.entries.values()]) {
      if (!isEnded(e.status)) this.cancel(e, new QueryCancelledError('the server is shutting down'));
    }
    while (this.runs.size > 0) await Promise.allSettled([...this.runs]);
  }

  private cancel(e: Entry, reason: Error): void {
    if (e.status === 'Scheduled') {
      this.queue.splice(this.queue.indexOf(e), 1);
      e.spec = null;
    }
    this.end(e, 'Cancelled');
    e.controller?.abort(reason);
  }

  private pump(): void {
    while (!this.closed && this.runs.size < this.opts.concurrency && this.queue.length > 0) this.run(this.queue.shift()!);
  }

  private run(e: Entry): void {
    const spec = e.spec!;
    const controller = new AbortController();
    e.controller = controller;
    e.status = 'Running';
    e.startedMs = this.opts.clock.now();
    const cancelTimer = this.schedule(this.opts.timeoutMs, () => {
      if (e.status !== 'Running') return;
      this.end(e, 'Timeout');
      controller.abort(new QueryTimeoutError(`the query ran longer than ${this.opts.timeoutMs} ms`));
    });
    const input: InsightsRun = {
      groups: spec.groups,
      startMs: spec.startMs,
      endMs: spec.endMs,
      query: spec.query,
      ...(spec.nested ? { nested: spec.nested } : {}),
      queryString: spec.text,
      accountId: spec.accountId,
      limit: spec.limit,
      signal: controller.signal,
      onProgress: (stats) => {
        if (e.status === 'Running') e.statistics = { ...stats };
      },
    };
    // Called in a microtask, so that a runner that throws synchronously fails the query like any other.
    const settled = Promise.resolve()
      .then(() => this.opts.runner(input))
      .then(
        (out) => {
          if (e.status !== 'Running') return;
          e.statistics = { ...out.statistics };
          e.rows = out.rows.length > spec.limit ? out.rows.slice(0, spec.limit) : out.rows;
          e.bytes = estimateBytes(e.rows);
          this.end(e, 'Complete');
        },
        (err: unknown) => {
          if (e.status !== 'Running') return;
          this.opts.logger?.warn({ err, queryId: e.id }, 'Logs Insights query failed');
          this.end(e, 'Failed');
        },
      )
      .finally(() => {
        cancelTimer();
        e.spec = null;
        e.controller = null;
        this.runs.delete(settled);
        this.pump();
        this.prune();
      });
    this.runs.add(settled);
  }

  private end(e: Entry, status: QueryStatus): void {
    e.status = status;
    e.endedMs = this.opts.clock.now();
    this.ended.set(e.id, e);
    this.retainedBytes += e.bytes;
    this.prune();
  }

  /** Drops ended queries past their retention, then the oldest past the count and byte bounds. */
  private prune(): void {
    const now = this.opts.clock.now();
    for (const e of this.ended.values()) {
      const expired = e.endedMs! + this.opts.retentionMs <= now;
      const over = this.ended.size > this.opts.maxRetainedQueries || (this.retainedBytes > this.opts.maxRetainedBytes && this.ended.size > 1);
      if (!expired && !over) break;
      this.evict(e);
    }
  }

  private evict(e: Entry): void {
    this.ended.delete(e.id);
    this.entries.delete(e.id);
    this.retainedBytes -= e.bytes;
    e.rows = [];
  }
}

function view(e: Entry): QueryView {
  return {
    queryId: e.id,
    queryString: e.queryString,
    logGroupNames: e.groupNames,
    analyzedGroupNames: e.analyzed,
    createdMs: e.createdMs,
    startedMs: e.startedMs,
    endedMs: e.endedMs,
    status: e.status,
    statistics: e.statistics,
    rows: e.status === 'Complete' ? e.rows : [],
  };
}

/** Rows' size in memory, roughly: UTF-16 strings plus per-object overhead. */
function estimateBytes(rows: readonly ResultField[][]): number {
  let n = 0;
  for (const row of rows) {
    n += 32;
    for (const f of row) n += 48 + 2 * (f.field.length + f.value.length);
  }
  return n;
}
