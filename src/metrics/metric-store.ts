/**
 * The metric store: time series keyed by (namespace, metric name, dimensions) at 1-second resolution.
 *
 * Writes (PutMetricData, metric filters) land in memory first, aggregated per series, second and unit
 * (count, sum, min, max and a quantile sketch), and are flushed to MetricDb about once a second and
 * before every read, so a read always sees every value recorded before it. Recording is synchronous and
 * allocation-light: the ingest path calls it per matching event.
 *
 * Durability: a value is on disk after the flush that follows it (at most ~1 s later). A crash loses
 * what was not flushed yet; metric filters write their progress in the same transaction (`progress`),
 * so they evaluate again, after a restart, exactly the events whose values were lost.
 * Retention: points older than `retentionMs` go, and so do series with no newer point.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { MetricDb, type PeriodRow, type PointRow, type SeriesRow } from '../store/metric-db.js';
import { addValue, encodeSketch, mergeInto, type Sketch } from './sketch.js';

export type Dimensions = ReadonlyArray<readonly [string, string]>;

export interface Series {
  id: number;
  namespace: string;
  metricName: string;
  /** Sorted by name. */
  dimensions: Dimensions;
  key: string;
  /** Newest second written (epoch seconds). */
  lastTs: number;
  persisted: boolean;
  /**
   * The log group whose events gave the dimension values (a metric filter's group): they are sealed
   * under its data key on disk and go when it goes (crypto-shredding). null: values from no group.
   */
  keyGroup: number | null;
  /** Bumped by every record into the series: alarms notice new values by it (alarm-service.ts). */
  version?: number;
  /** The aggregate last recorded into, valid while `gen` is the store's: most values land in the same second. */
  hot?: Acc | undefined;
  gen?: number;
}

interface Acc {
  ts: number;
  unit: string;
  n: number;
  sum: number;
  min: number;
  max: number;
  /** null once a statistic set (no distribution) went into this second. */
  sketch: Sketch | null;
}

export interface MetricStoreOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  retentionMs: number;
  memoryLimit: string;
  tempDir: string;
  /** Seals dimension values on disk (AtRest.sealValue/openValue); without it they are stored as they are. */
  sealer?: ValueSealer;
}

/** Encryption at rest of small values (src/store/at-rest.ts). */
export interface ValueSealer {
  sealValue(groupId: number | null, place: string, text: string): Promise<string>;
  openValue(groupId: number | null, place: string, stored: string): Promise<string>;
}

/** Where a series' sealed dimensions belong (bound into the seal, so they do not open elsewhere). */
const dimensionsPlace = (id: number, namespace: string, metricName: string): string => `metric-series:${id}:${namespace}:${metricName}`;

export const seriesKey = (namespace: string, metricName: string, dims: Dimensions): string =>
  JSON.stringify([namespace, metricName, dims]);

export function canonicalDimensions(dims: Iterable<{ Name?: string; Value?: string } | readonly [string, string]>): Dimensions {
  const out: Array<[string, string]> = [];
  for (const d of dims) out.push(Array.isArray(d) ? [d[0], d[1]] : [(d as { Name: string }).Name, (d as { Value: string }).Value]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

export class MetricStore {
  private readonly series = new Map<string, Series>();
  private readonly byId = new Map<number, Series>();
  private pending = new Map<Series, Map<string, Acc>>();
  private nextId = 1;
  /** Bumped when a flush takes the pending aggregates: Series.hot from before is stale. */
  private gen = 0;
  private flushing: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  /** Values recorded since start (for Logward's own metrics). */
  valuesRecorded = 0;
  /**
   * Metric filter progress (log group id → first sequence number not evaluated), read when a flush takes
   * the pending values and written with them; it must describe exactly what was recorded before.
   */
  progress: (() => ReadonlyMap<number, number>) | undefined;
  private writtenProgress = new Map<number, number>();
  /** Resolves once values of everything ingested before the call are recorded (metric filters catch up). */
  beforeRead: (() => Promise<void>) | undefined;
  /**
   * Called by each flush before it takes the pending values (and `progress`): metric filters record
   * what their worker thread evaluated since the last flush. Does not throw.
   */
  beforeFlush: (() => Promise<void>) | undefined;

  private constructor(
    private readonly opts: MetricStoreOptions,
    private readonly db: MetricDb,
  ) {}

  static async open(opts: MetricStoreOptions): Promise<MetricStore> {
    const db = await MetricDb.open(opts.dataDir, { memoryLimit: opts.memoryLimit, tempDir: opts.tempDir });
    const store = new MetricStore(opts, db);
    const lost: number[] = [];
    for (const r of await db.loadSeries()) {
      try {
        const dims = opts.sealer ? await opts.sealer.openValue(r.keyGroup, dimensionsPlace(r.id, r.namespace, r.metricName), r.dimensions) : r.dimensions;
        store.adopt({ ...r, dimensions: dims });
      } catch (e) {
        // The group's keys are gone (shredded while the server was down): so are the dimension values.
        opts.logger.warn({ err: e, seriesId: r.id, keyGroup: r.keyGroup }, 'a metric series does not decrypt; dropping it');
        lost.push(r.id);
      }
    }
    await db.dropSeries(lost);
    store.timers.push(setInterval(() => void store.flush(), 1000).unref());
    store.timers.push(setInterval(() => void store.sweep().catch((e) => opts.logger.error({ err: e }, 'metric retention failed')), 60_000).unref());
    return store;
  }

  get metricDb(): MetricDb {
    return this.db;
  }

  private adopt(r: SeriesRow): void {
    const dims = JSON.parse(r.dimensions) as Array<[string, string]>;
    const s: Series = { id: r.id, namespace: r.namespace, metricName: r.metricName, dimensions: dims, key: seriesKey(r.namespace, r.metricName, dims), lastTs: r.lastTs, persisted: true, keyGroup: r.keyGroup };
    this.series.set(s.key, s);
    this.byId.set(s.id, s);
    this.nextId = Math.max(this.nextId, s.id + 1);
  }

  /**
   * The series, created (in memory until the next flush) when it is new. `keyGroup`: the log group whose
   * events gave the dimension values, if any (see Series.keyGroup).
   */
  seriesFor(namespace: string, metricName: string, dims: Dimensions, keyGroup: number | null = null): Series {
    const key = seriesKey(namespace, metricName, dims);
    let s = this.series.get(key);
    if (!s) {
      s = { id: this.nextId++, namespace, metricName, dimensions: dims, key, lastTs: 0, persisted: false, keyGroup: dims.length > 0 ? keyGroup : null };
      this.series.set(key, s);
      this.byId.set(s.id, s);
    }
    return s;
  }

  find(namespace: string, metricName: string, dims: Dimensions): Series | undefined {
    return this.series.get(seriesKey(namespace, metricName, dims));
  }

  byIdGet(id: number): Series | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<Series> {
    return this.series.values();
  }

  private acc(s: Series, ts: number, unit: string): Acc {
    const h = s.hot;
    if (h !== undefined && s.gen === this.gen && h.ts === ts && h.unit === unit) return h;
    let m = this.pending.get(s);
    if (!m) this.pending.set(s, (m = new Map()));
    const k = `${ts}|${unit}`;
    let a = m.get(k);
    if (!a) m.set(k, (a = { ts, unit, n: 0, sum: 0, min: Infinity, max: -Infinity, sketch: new Map() }));
    if (ts > s.lastTs) s.lastTs = ts;
    s.hot = a;
    s.gen = this.gen;
    return a;
  }

  /** `count` observations of `value` at second `ts`. */
  record(s: Series, ts: number, unit: string, value: number, count = 1): void {
    const a = this.acc(s, ts, unit);
    s.version = (s.version ?? 0) + 1;
    a.n += count;
    a.sum += value * count;
    if (value < a.min) a.min = value;
    if (value > a.max) a.max = value;
    if (a.sketch) addValue(a.sketch, value, count);
    this.valuesRecorded += count;
  }

  /**
   * `n` values at second `ts` with their sum and extremes, and their distribution: `sketch`, or null
   * when all of them are `min` (metric filters aggregate in their worker, filter-eval.ts).
   */
  recordMany(s: Series, ts: number, unit: string, n: number, sum: number, min: number, max: number, sketch: Sketch | null): void {
    const a = this.acc(s, ts, unit);
    s.version = (s.version ?? 0) + 1;
    a.n += n;
    a.sum += sum;
    if (min < a.min) a.min = min;
    if (max > a.max) a.max = max;
    if (a.sketch) {
      if (sketch === null) addValue(a.sketch, min, n);
      else mergeInto(a.sketch, sketch);
    }
    this.valuesRecorded += n;
  }

  /** A statistic set: counts, sums and extremes, but no distribution (percentiles skip its periods). */
  recordStats(s: Series, ts: number, unit: string, st: { n: number; sum: number; min: number; max: number }): void {
    const a = this.acc(s, ts, unit);
    s.version = (s.version ?? 0) + 1;
    a.n += st.n;
    a.sum += st.sum;
    a.min = Math.min(a.min, st.min);
    a.max = Math.max(a.max, st.max);
    a.sketch = null;
    this.valuesRecorded += st.n;
  }

  /** Writes what was recorded; resolves once everything recorded before the call is on disk. */
  flush(): Promise<void> {
    const run = async (): Promise<void> => {
      await this.beforeFlush?.();
      const progress = new Map<number, number>();
      for (const [g, seq] of this.progress?.() ?? []) if (this.writtenProgress.get(g) !== seq) progress.set(g, seq);
      if (this.pending.size === 0 && progress.size === 0) return;
      const batch = this.pending;
      this.pending = new Map();
      this.gen++;
      const fresh: SeriesRow[] = [];
      const points: PointRow[] = [];
      const last = new Map<number, number>();
      for (const [s, m] of batch) {
        if (!s.persisted) fresh.push({ id: s.id, namespace: s.namespace, metricName: s.metricName, dimensions: JSON.stringify(s.dimensions), lastTs: s.lastTs, keyGroup: s.keyGroup });
        for (const a of m.values()) {
          points.push({ seriesId: s.id, ts: a.ts, unit: a.unit, n: a.n, sum: a.sum, min: a.min, max: a.max, sketch: a.sketch ? encodeSketch(a.sketch) : null });
          last.set(s.id, Math.max(last.get(s.id) ?? 0, a.ts));
        }
      }
      try {
        const sealer = this.opts.sealer;
        if (sealer) for (const r of fresh) r.dimensions = await sealer.sealValue(r.keyGroup, dimensionsPlace(r.id, r.namespace, r.metricName), r.dimensions);
        await this.db.write(fresh, points, last, progress);
        for (const s of batch.keys()) s.persisted = true;
        for (const [g, seq] of progress) this.writtenProgress.set(g, seq);
      } catch (e) {
        this.opts.logger.error({ err: e, points: points.length }, 'writing metric points failed; they are lost');
      }
    };
    this.flushing = this.flushing.then(run, run);
    return this.flushing;
  }

  /** For reads: waits until values of everything ingested before the call are recorded, then flushes. */
  async settle(): Promise<void> {
    await this.beforeRead?.();
    await this.flush();
  }

  async periods(s: Series, from: number, to: number, period: number, opts: { unit?: string; sketches: boolean }): Promise<PeriodRow[]> {
    await this.settle();
    if (!s.persisted) return [];
    return this.db.periods(s.id, from, to, period, opts);
  }

  async latest(): Promise<Array<{ series: Series; ts: number; n: number; sum: number; min: number; max: number }>> {
    await this.settle();
    const out = [];
    for (const r of await this.db.latest()) {
      const series = this.byId.get(r.seriesId);
      if (series) out.push({ series, ts: r.ts, n: r.n, sum: r.sum, min: r.min, max: r.max });
    }
    return out;
  }

  async sweep(): Promise<void> {
    await this.flush();
    const cutoff = Math.floor((this.opts.clock.now() - this.opts.retentionMs) / 1000);
    const gone = await this.db.dropBefore(cutoff);
    for (const id of gone) {
      const s = this.byId.get(id);
      if (!s) continue;
      if (s.lastTs < cutoff && !this.pending.has(s)) {
        this.series.delete(s.key);
        this.byId.delete(id);
      } else {
        s.persisted = false; // newer values are pending: the next flush writes the series again
      }
    }
  }

  /**
   * A log group is gone (deleted or shredded): so are the series whose dimension values came from its
   * events, in memory and on disk (their sealed values no longer open anyway).
   */
  async dropGroup(groupId: number): Promise<void> {
    await this.flush();
    const ids = new Set(await this.db.seriesOfGroup(groupId));
    for (const s of this.byId.values()) if (s.keyGroup === groupId) ids.add(s.id);
    for (const id of ids) {
      const s = this.byId.get(id);
      if (!s) continue;
      this.series.delete(s.key);
      this.byId.delete(id);
      this.pending.delete(s);
    }
    await this.db.dropSeries([...ids]);
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.flush();
    this.db.close();
  }
}
