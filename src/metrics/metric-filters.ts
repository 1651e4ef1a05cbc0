/**
 * Metric filters, off the acknowledgement path: each matching event adds its value to the filter's metric
 * at the event's second. Events stored before a filter existed are never counted, as in AWS, and every
 * acknowledged event is counted exactly once, across crashes too.
 *
 * How: the store's batch hook (LogStore.onBatch, synchronous, before PutLogEvents answers) only queues
 * the batch and schedules work for later (setImmediate, so after the answer is written; while few events
 * are queued and no read waits, after up to GATHER_MS, so that requests are larger). Each log group
 * with filters has a position, `next`, the first sequence number its filters have not evaluated. Its pump
 * takes runs of events from `next` on, from the queue when the queue starts there, else from the store by
 * sequence number (store/read-seq.ts, as subscriptions read: after a restart, after the queue overflowed,
 * or across a gap), and has them evaluated (filter-eval.ts) by the filter worker thread (filter-worker.ts,
 * so that evaluation uses another core than the one answering requests). The worker keeps the rows until
 * the metric store's flush collects them (MetricStore.beforeFlush, about once a second, and reads): the
 * main thread records a second's rows of a filter once, not once per request. So a group has two
 * positions: `next`, evaluated (rows in the worker or recorded), and `recorded`, the end of what the
 * metric store holds. The flush writes `recorded` in the same transaction as the values
 * (MetricStore.progress), so after a crash the positions on disk are exactly where the values on disk
 * stop, and the pump evaluates the rest again, from the write-ahead log's replay in the hot tier or
 * from segments. When the worker loses rows (a failed request, the thread's exit), `next` goes back to
 * `recorded` and the pump evaluates from there again, from the store.
 *
 * Changing a group's filters (change()) first evaluates everything visible with the old filters and
 * writes that position, then changes the catalog: the new filters see exactly the events visible after
 * that point, even if the server crashes in between. Reads of metrics (MetricStore.settle) wait until
 * everything acknowledged before them is evaluated, so a read after PutLogEvents sees its values.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { LogGroup, MetricFilterRecord } from '../store/catalog.js';
import type { HotBatch } from '../store/hot.js';
import type { LogStore } from '../store/store.js';
import { readBySeq } from '../store/read-seq.js';
import { FilterSet, type EvalResult, type EventRun, type FilterOutput } from './filter-eval.js';
import type { FromWorker, ToWorker } from './filter-worker.js';
import { canonicalDimensions, type MetricStore, type Series } from './metric-store.js';

type WorkerReply = Exclude<FromWorker, { kind: 'thread' }>;

/** Matched events of the batch that yielded no usable value or dimension (for the health metrics). */
export interface FilterStats {
  eventsMatched: number;
  eventsSkipped: number;
  /** Events evaluated after a restart because their values had not been written before it. */
  eventsReplayed: number;
}

export interface FilterEngineOptions {
  store: LogStore;
  metrics: MetricStore;
  logger: Logger;
  /** Evaluate in a worker thread (the server); false: in this thread, still after the acknowledgement. */
  worker: boolean;
}

/** Events taken for one evaluation at most. */
const RUN_EVENTS = 8000;
/** Events posted to the worker in one message at least (but the last of a request). */
const MESSAGE_EVENTS = 1000;
/** Events the queue holds at most; past that, batches are read back from the store when their turn comes. */
const QUEUE_EVENTS = 200_000;
/**
 * How long queued events may wait for more to join them, while fewer than RUN_EVENTS are queued and
 * no read or change waits for them (caughtUp, change): the main thread's cost of an answer is per row
 * (per filter, second and dimension values, with its sketch), so fewer, larger requests cost it less
 * per event. At 60,000 events/s a request took 1,500 events on average without the wait (rows 0.16
 * per event, sketch buckets 0.75); with it, 4,000-7,500 events (rows 0.066-0.096 per event, buckets
 * 0.35-0.49), and the main thread's cost over plain ingest fell about 0.2 µs per event
 * (bench/metric-filters-engine-cost.ts). Reads and filter changes do not wait: they kick at once.
 * Answers no longer carry rows (the worker keeps them until a collect); what is left per request is
 * posting and its acknowledgement, and without the wait the main thread still cost more over plain in
 * one run (0.52 against 0.34 µs per event; paired by round, about even).
 */
const GATHER_MS = 100;

interface GroupState {
  group: LogGroup;
  /** Bumped by every change of the filters; the worker evaluates only for the version it holds. */
  version: number;
  set: FilterSet;
  outputs: readonly FilterOutput[];
  /** Per filter: the series of dimension values (filters with dimensions) or the series (without). */
  series: Array<Map<string, Series>>;
  /** The first sequence number not evaluated (its rows may still be in the worker, see `recorded`). */
  next: number;
  /** The first sequence number whose values are not recorded in the metric store (`next` or before). */
  recorded: number;
  queue: HotBatch[];
  queued: number;
  paused: boolean;
  running: Promise<void> | undefined;
  /** A failure of the last pump (the store or the worker); the next kick tries again. */
  failed: boolean;
}

export class MetricFilterEngine {
  readonly stats: FilterStats = { eventsMatched: 0, eventsSkipped: 0, eventsReplayed: 0 };
  private readonly groups = new Map<number, GroupState>();
  /** Sequence numbers below this are visible in the group (every group, filtered or not). */
  private readonly visible = new Map<number, number>();
  private scheduled = false;
  /** The timer of a kick after GATHER_MS, when one is due. */
  private gatherTimer: NodeJS.Timeout | undefined;
  /** Reads and changes waiting for evaluation (caughtUp, change): while any does, events do not wait to gather. */
  private waiters = 0;
  private closed = false;
  private worker: Worker | undefined;
  private nextRequest = 1;
  private readonly requests = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private retryTimer: NodeJS.Timeout | undefined;
  private workerTid: number | undefined;

  private constructor(private readonly opts: FilterEngineOptions) {}

  /** Call once the store has replayed its write-ahead log, before ingest opens. */
  static async open(opts: FilterEngineOptions): Promise<MetricFilterEngine> {
    const e = new MetricFilterEngine(opts);
    const { store, metrics, logger } = opts;
    for (const g of store.catalog.groupsById.values()) e.visible.set(g.id, g.nextSeq);
    const progress = await metrics.metricDb.loadFilterProgress();
    let replay = 0;
    for (const [groupId, filters] of store.catalog.metricFilters) {
      const g = store.catalog.groupsById.get(groupId);
      if (!g || filters.size === 0) continue;
      // Without a recorded position (filters from before positions were kept), start at the present.
      const next = Math.min(progress.get(groupId) ?? g.nextSeq, g.nextSeq);
      replay += g.nextSeq - next;
      e.install(g, filters.values(), next);
    }
    if (replay > 0) logger.info({ events: replay }, 'metric filters: evaluating events whose values were not written before the restart');
    e.stats.eventsReplayed = replay;
    metrics.progress = () => new Map([...e.groups].map(([id, st]) => [id, st.recorded]));
    metrics.beforeRead = () => e.caughtUp();
    metrics.beforeFlush = () => e.collect();
    store.onBatch((g, _s, b) => e.onVisible(g, b));
    e.schedule();
    return e;
  }

  /** The store's batch hook, on the ingest path: queue and schedule, nothing more. */
  private onVisible(g: LogGroup, b: Readonly<HotBatch>): void {
    if (this.closed) return;
    const end = b.firstSeq + b.timestamps.length;
    if (end > (this.visible.get(g.id) ?? 0)) this.visible.set(g.id, end);
    const st = this.groups.get(g.id);
    if (st === undefined) return;
    if (st.queued < QUEUE_EVENTS) {
      st.queue.push(b);
      st.queued += b.timestamps.length;
    }
    if (this.gathering(st)) this.gather();
    else this.schedule();
  }

  /** Whether the group's next request should wait for more events (see GATHER_MS). */
  private gathering(st: GroupState): boolean {
    return this.waiters === 0 && st.queued < RUN_EVENTS && st.queue.length > 0 && st.queue[0]!.firstSeq === st.next;
  }

  /** A kick after GATHER_MS, unless one is due already. */
  private gather(): void {
    if (this.gatherTimer !== undefined || this.closed) return;
    this.gatherTimer = setTimeout(() => {
      this.gatherTimer = undefined;
      this.schedule();
    }, GATHER_MS).unref();
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      for (const st of this.groups.values()) this.kick(st);
    });
  }

  private visibleThrough(groupId: number): number {
    return this.visible.get(groupId) ?? 0;
  }

  private kick(st: GroupState): Promise<void> {
    if (st.running === undefined && !st.paused && !this.closed && st.next < this.visibleThrough(st.group.id)) {
      st.running = this.pump(st).finally(() => (st.running = undefined));
    }
    return st.running ?? Promise.resolve();
  }

  private async pump(st: GroupState): Promise<void> {
    st.failed = false;
    // The first request of a kick goes at once: a kick comes after gathering, or from a waiter.
    let first = true;
    try {
      while (!this.closed && !st.paused && this.groups.get(st.group.id) === st && st.next < this.visibleThrough(st.group.id)) {
        if (this.gathering(st) && !first) {
          this.gather();
          return;
        }
        first = false;
        const from = st.next;
        const taken = await this.take(st);
        if (taken === null) return; // the group is gone
        // The worker lost rows while the store was read (next went back to recorded): take from there.
        if (st.next !== from) continue;
        if (taken.end <= st.next) return; // nothing to read yet (never a busy loop); the next batch kicks again
        if (!this.opts.worker) {
          if (taken.runs.length > 0) this.record(st, st.set.evaluate(taken.runs));
          st.next = st.recorded = taken.end;
          continue;
        }
        // The worker keeps the rows (collect() records them); an empty request still moves its position.
        await this.evaluate(st, taken.runs, taken.end);
        if (this.groups.get(st.group.id) !== st) return; // changed or dropped meanwhile
        st.next = taken.end;
      }
    } catch (e) {
      if (this.closed) return;
      st.failed = true;
      this.opts.logger.error({ err: e, logGroup: st.group.name }, 'metric filter evaluation failed; it is retried from where it stopped');
      this.retryTimer ??= setTimeout(() => {
        this.retryTimer = undefined;
        this.schedule();
      }, 1000).unref();
    }
  }

  /** Runs of events from st.next on: from the queue when it starts there, else read from the store. */
  private async take(st: GroupState): Promise<{ runs: EventRun[]; end: number } | null> {
    const q = st.queue;
    while (q.length > 0 && q[0]!.firstSeq + q[0]!.timestamps.length <= st.next) st.queued -= q.shift()!.timestamps.length;
    const head = q[0];
    if (head !== undefined && head.firstSeq < st.next) {
      // Partly evaluated already (a read from the store ended inside it): the rest of it.
      const from = st.next - head.firstSeq;
      q.shift();
      st.queued -= head.timestamps.length;
      return { runs: [{ timestamps: head.timestamps.slice(from), messages: head.messages.slice(from) }], end: head.firstSeq + head.timestamps.length };
    }
    if (q.length > 0 && q[0]!.firstSeq === st.next) {
      const runs: EventRun[] = [];
      let end = st.next;
      let n = 0;
      while (q.length > 0 && q[0]!.firstSeq === end && (n === 0 || n + q[0]!.timestamps.length <= RUN_EVENTS)) {
        const b = q.shift()!;
        st.queued -= b.timestamps.length;
        runs.push({ timestamps: b.timestamps, messages: b.messages });
        n += b.timestamps.length;
        end += b.timestamps.length;
      }
      return { runs, end };
    }
    const to = q.length > 0 ? q[0]!.firstSeq : this.visibleThrough(st.group.id);
    const page = await readBySeq(this.opts.store, st.group, st.next, to, RUN_EVENTS);
    if (page === null) return null;
    // The events of one batch share their stream and ingestion time: runs approximate the batches, for
    // defaultValue (one per second and batch).
    const runs: EventRun[] = [];
    let run: { timestamps: number[]; messages: string[] } | undefined;
    let prev: (typeof page.events)[number] | undefined;
    for (const e of page.events) {
      if (run === undefined || prev === undefined || e.seq !== prev.seq + 1 || e.streamId !== prev.streamId || e.ingestMs !== prev.ingestMs) {
        runs.push((run = { timestamps: [], messages: [] }));
      }
      run.timestamps.push(e.timestamp);
      run.messages.push(e.message);
      prev = e;
    }
    return { runs, end: page.nextSeq };
  }

  /** Has the worker evaluate `runs` (maybe none), which end before sequence number `end`, and keep the rows. */
  private async evaluate(st: GroupState, runs: EventRun[], end: number): Promise<void> {
    const w = this.ensureWorker();
    const id = this.nextRequest++;
    const reply = await new Promise<WorkerReply>((resolve, reject) => {
      this.requests.set(id, { resolve, reject });
      // Messages of about a batch each, posted together (see filter-worker.ts for why): whole runs, at
      // least MESSAGE_EVENTS events a message unless it is the last (runs read from the store may be short).
      let from = 0;
      let events = 0;
      for (let i = 0; i < runs.length; i++) {
        events += runs[i]!.timestamps.length;
        const last = i === runs.length - 1;
        if (events < MESSAGE_EVENTS && !last) continue;
        w.postMessage({ kind: 'eval', id, groupId: st.group.id, version: st.version, runs: runs.slice(from, i + 1), more: !last, end } satisfies ToWorker);
        from = i + 1;
        events = 0;
      }
      if (runs.length === 0) w.postMessage({ kind: 'eval', id, groupId: st.group.id, version: st.version, runs: [], more: false, end } satisfies ToWorker);
    });
    if (reply.kind === 'done' && reply.error !== undefined) {
      // The worker dropped the group's rows not collected yet: evaluate them again.
      if (this.groups.get(st.group.id) === st) st.next = st.recorded;
      throw new Error(`the metric filter worker failed: ${reply.error}`);
    }
  }

  /**
   * Records what the worker evaluated before the call (every group's rows since the last collect):
   * each flush of the metric store does this first (MetricStore.beforeFlush), and reads after catching
   * up. Failures are logged: the rows are evaluated again (see `recorded`).
   */
  async collect(): Promise<void> {
    const w = this.worker;
    if (w === undefined) return;
    const id = this.nextRequest++;
    let reply: WorkerReply;
    try {
      reply = await new Promise<WorkerReply>((resolve, reject) => {
        this.requests.set(id, { resolve, reject });
        w.postMessage({ kind: 'collect', id } satisfies ToWorker);
      });
    } catch (e) {
      if (!this.closed) this.opts.logger.error({ err: e }, 'metric filter values could not be collected; they are evaluated again');
      return;
    }
    if (reply.kind !== 'collected') return;
    for (const c of reply.groups) {
      const st = this.groups.get(c.groupId);
      // Rows of filters since changed or dropped: change() collected the group's rows before it, so
      // these are of no position the group still has.
      if (st === undefined || st.version !== c.version || c.end < st.recorded) continue;
      this.record(st, c.result);
      st.recorded = c.end;
    }
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(new URL('./filter-worker.js', import.meta.url));
    this.workerTid = undefined;
    w.unref();
    w.on('message', (m: FromWorker) => {
      if (m.kind === 'thread') {
        this.workerTid = m.tid;
        return;
      }
      const r = this.requests.get(m.id);
      this.requests.delete(m.id);
      r?.resolve(m);
    });
    const fail = (e: Error): void => {
      if (this.worker !== w) return;
      this.worker = undefined;
      // Its rows not collected yet are gone: every group evaluates them again.
      for (const st of this.groups.values()) st.next = st.recorded;
      for (const r of this.requests.values()) r.reject(e);
      this.requests.clear();
    };
    w.on('error', (e) => fail(e));
    w.on('exit', (code) => fail(new Error(`the metric filter worker exited (${code})`)));
    this.worker = w;
    for (const st of this.groups.values()) this.post({ kind: 'load', groupId: st.group.id, version: st.version, records: this.recordsOf(st.group.id) });
    return w;
  }

  private post(m: ToWorker): void {
    this.worker?.postMessage(m);
  }

  private recordsOf(groupId: number): MetricFilterRecord[] {
    return [...(this.opts.store.catalog.metricFilters.get(groupId)?.values() ?? [])];
  }

  /** Records a result: rows to series (looked up once per row, not per event). */
  private record(st: GroupState, r: EvalResult): void {
    const metrics = this.opts.metrics;
    for (let i = 0; i < r.filter.length; i++) {
      const fi = r.filter[i]!;
      const f = st.outputs[fi]!;
      const dims = r.dims[i]!;
      const key = dims === null ? '' : dims.join('\u0000');
      const cache = st.series[fi]!;
      let s = cache.get(key);
      // A series dropped by retention is looked up again (seriesFor recreates it).
      if (s === undefined || metrics.byIdGet(s.id) !== s) {
        const d = dims === null ? [] : canonicalDimensions(f.dimensionNames.map((name, k) => [name, dims[k]!] as [string, string]));
        s = metrics.seriesFor(f.namespace, f.metricName, d, st.group.id); // its values are the group's: sealed under its key
        if (cache.size >= 10_000) cache.clear(); // bounded: high-cardinality dimensions
        cache.set(key, s);
      }
      metrics.recordMany(s, r.second[i]!, f.unit, r.count[i]!, r.sum[i]!, r.min[i]!, r.max[i]!, r.sketch[i]!);
    }
    this.stats.eventsMatched += r.matched;
    this.stats.eventsSkipped += r.skipped;
  }

  private install(g: LogGroup, records: Iterable<MetricFilterRecord>, next: number): GroupState {
    const list = [...records];
    const set = new FilterSet(list, (name, e) => this.opts.logger.error({ err: e, filter: name }, 'a stored metric filter does not compile; it is skipped'));
    const old = this.groups.get(g.id);
    const st: GroupState = {
      group: g,
      version: (old?.version ?? 0) + 1,
      set,
      outputs: set.outputs,
      series: set.outputs.map(() => new Map()),
      next,
      recorded: next,
      queue: old?.queue ?? [],
      queued: old?.queued ?? 0,
      paused: old?.paused ?? false,
      running: undefined,
      failed: false,
    };
    this.groups.set(g.id, st);
    this.post({ kind: 'load', groupId: g.id, version: st.version, records: list });
    return st;
  }

  /**
   * Changes a group's filters: `write` changes the catalog (under the store's write lock, held by the
   * caller), then the group's filters are read back from it. Events visible before the call are
   * evaluated with the old filters, and that position is written first (see the module comment).
   */
  async change(g: LogGroup, write: () => Promise<void>): Promise<void> {
    this.waiters++;
    try {
      await this.changeNow(g, write);
    } finally {
      this.waiters--;
    }
  }

  private async changeNow(g: LogGroup, write: () => Promise<void>): Promise<void> {
    let st = this.groups.get(g.id);
    const target = this.visibleThrough(g.id);
    if (st !== undefined) {
      while (st.next < target && !this.closed) {
        const before = st.next;
        await this.kick(st);
        if (st.failed) throw new Error('metric filters could not evaluate the events before the change');
        if (st.next === before) break; // the group is being deleted
      }
      st.paused = true;
      await st.running;
    } else {
      st = this.install(g, [], target);
      st.paused = true;
    }
    try {
      await this.opts.metrics.flush(); // the values and position, before the catalog says the filters changed
      if (st.recorded !== st.next) throw new Error('metric filters could not record the events before the change');
      await write();
    } finally {
      const records = this.recordsOf(g.id);
      if (records.length === 0) this.drop(g.id);
      else {
        const now = this.install(g, records, st.recorded);
        now.paused = false;
        this.kick(now);
      }
    }
  }

  /** Forgets a group's filters (its log group was deleted). */
  drop(groupId: number): void {
    this.groups.delete(groupId);
    this.post({ kind: 'drop', groupId });
  }

  /** Resolves once every group's filters have evaluated what was visible at the call, and it is recorded. */
  async caughtUp(): Promise<void> {
    this.waiters++;
    try {
      await this.catchUp();
      await this.collect();
    } finally {
      this.waiters--;
    }
  }

  private async catchUp(): Promise<void> {
    const targets = [...this.groups.values()].map((st) => [st.group.id, this.visibleThrough(st.group.id)] as const);
    for (const [id, target] of targets) {
      for (;;) {
        const st = this.groups.get(id);
        if (st === undefined || st.next >= target || this.closed) break;
        if (st.paused) {
          await st.running;
          await new Promise((r) => setImmediate(r));
          continue;
        }
        const before = st.next;
        await this.kick(st);
        // Reads do not wait for a failing evaluation (it is logged and retried), nor for a deleted group.
        if (st.failed || st.next === before) break;
      }
    }
  }

  /** The filter worker's thread id in the operating system, once it said (Linux), for per-thread CPU in the bench. */
  workerThread(): number | undefined {
    return this.worker === undefined ? undefined : this.workerTid;
  }

  /** Stops evaluating; what was evaluated is recorded, and written by the metric store's last flush. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.gatherTimer) clearTimeout(this.gatherTimer);
    await Promise.all([...this.groups.values()].map((st) => st.running));
    await this.collect(); // what the worker evaluated, for the metric store's last flush
    const w = this.worker;
    this.worker = undefined;
    await w?.terminate();
    // A collect posted after the one above (a flush's) would wait for ever: it has nothing to collect.
    for (const r of this.requests.values()) r.reject(new Error('the metric filter engine is closed'));
    this.requests.clear();
  }
}
