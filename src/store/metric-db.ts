/**
 * The metric store's tables, in a DuckDB file of their own (`<data-dir>/metrics.duckdb`), so per-second
 * metric writes never queue behind the log store's seal transactions, and the two retentions stay apart.
 *
 *   metric_series  one row per (namespace, metric name, dimension set); `dimensions` is canonical JSON
 *                  (sorted by name), sealed under `key_group`'s data key when it has any (values a
 *                  metric filter took from a group's events), `last_ts` the newest second written
 *   metric_points  one row per series, second and unit per flush: count, sum, min, max and a quantile
 *                  sketch (src/metrics/sketch.ts); a second may have several rows, reads aggregate them
 *   alarms         one row per alarm: its definition and state as JSON, read back whole
 *   alarm_history  AWS's history items (ConfigurationUpdate, StateUpdate, Action)
 *   topics, subscriptions  where alarm actions (`arn:aws:sns:...:<topic>`) are delivered (src/notify)
 *   metric_filter_progress  per log group, the first sequence number metric filters have not evaluated,
 *                  written in the same transaction as the points they produced (src/metrics/metric-filters.ts)
 *
 * Only this module writes SQL against it; every user value is a bound parameter.
 */
import { join } from 'node:path';
import { Db, type Row, type SqlParam } from './db.js';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS metric_series (
     id BIGINT PRIMARY KEY, namespace VARCHAR NOT NULL, metric_name VARCHAR NOT NULL, dimensions VARCHAR NOT NULL,
     last_ts BIGINT NOT NULL, key_group BIGINT)`,
  `ALTER TABLE metric_series ADD COLUMN IF NOT EXISTS key_group BIGINT`,
  `CREATE TABLE IF NOT EXISTS metric_points (
     series_id BIGINT NOT NULL, ts BIGINT NOT NULL, unit VARCHAR NOT NULL,
     n DOUBLE NOT NULL, sum DOUBLE NOT NULL, min DOUBLE NOT NULL, max DOUBLE NOT NULL, sketch VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS alarms (name VARCHAR PRIMARY KEY, doc VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS topics (name VARCHAR PRIMARY KEY, created_ms BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS subscriptions (
     id VARCHAR PRIMARY KEY, topic VARCHAR NOT NULL, protocol VARCHAR NOT NULL, endpoint VARCHAR NOT NULL,
     secret VARCHAR, created_ms BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS alarm_history (
     id BIGINT NOT NULL, alarm_name VARCHAR NOT NULL, ts_ms BIGINT NOT NULL, item_type VARCHAR NOT NULL,
     summary VARCHAR NOT NULL, data VARCHAR NOT NULL, alarm_type VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS metric_filter_progress (group_id BIGINT PRIMARY KEY, next_seq BIGINT NOT NULL)`,
];

export interface SeriesRow {
  id: number;
  namespace: string;
  metricName: string;
  /** Canonical JSON: `[[name, value], ...]` sorted by name; sealed (AtRest.sealValue) as the store writes it. */
  dimensions: string;
  lastTs: number;
  /** The log group whose data key seals the dimensions (null: the key of values from no group). */
  keyGroup: number | null;
}

export interface PointRow {
  seriesId: number;
  /** Epoch seconds. */
  ts: number;
  unit: string;
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Encoded sketch, or null when the values came as a statistic set (no distribution). */
  sketch: string | null;
}

/** One period of one series, aggregated. */
export interface PeriodRow {
  /** Epoch seconds of the period's start (a multiple of the period). */
  bucket: number;
  unit: string;
  n: number;
  sum: number;
  min: number;
  max: number;
  /** Every sketch of the period; present when asked for. */
  sketches?: string[];
  /** Whether every row of the period had a sketch (percentiles need all of them). */
  complete?: boolean;
}

export interface HistoryRow {
  id: number;
  alarmName: string;
  alarmType: string;
  tsMs: number;
  itemType: string;
  summary: string;
  data: string;
}

const rows = (n: number, width: number): string =>
  Array.from({ length: n }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');

/** The shape of a point in write()'s JSON text, in metric_points' column order. */
const POINT_JSON_TYPE = JSON.stringify([{ s: 'BIGINT', t: 'BIGINT', u: 'VARCHAR', n: 'DOUBLE', sum: 'DOUBLE', min: 'DOUBLE', max: 'DOUBLE', k: 'VARCHAR' }]);

export class MetricDb {
  private constructor(private readonly db: Db) {}

  static async open(dataDir: string, opts: { memoryLimit: string; tempDir: string }): Promise<MetricDb> {
    const db = await Db.open(join(dataDir, 'metrics.duckdb'), { memoryLimit: opts.memoryLimit, threads: 1, tempDir: opts.tempDir });
    for (const s of SCHEMA) await db.run(s);
    return new MetricDb(db);
  }

  async loadSeries(): Promise<SeriesRow[]> {
    return (await this.db.all(`SELECT * FROM metric_series`)).map((r) => ({
      id: Number(r.id),
      namespace: String(r.namespace),
      metricName: String(r.metric_name),
      dimensions: String(r.dimensions),
      lastTs: Number(r.last_ts),
      keyGroup: r.key_group === null || r.key_group === undefined ? null : Number(r.key_group),
    }));
  }

  /** Series sealed under a log group's keys (dropped with the group). */
  async seriesOfGroup(groupId: number): Promise<number[]> {
    return (await this.db.all(`SELECT id FROM metric_series WHERE key_group = $1`, [groupId])).map((r) => Number(r.id));
  }

  /** Deletes series and their points. */
  async dropSeries(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction(async () => {
      for (let i = 0; i < ids.length; i += 400) {
        const chunk = ids.slice(i, i + 400);
        await this.db.run(`DELETE FROM metric_points WHERE series_id IN (${chunk.map((_, k) => `$${k + 1}`).join(',')})`, chunk);
        await this.db.run(`DELETE FROM metric_series WHERE id IN (${chunk.map((_, k) => `$${k + 1}`).join(',')})`, chunk);
      }
    });
  }

  /** Metric filter progress by log group id (see metric_filter_progress). */
  async loadFilterProgress(): Promise<Map<number, number>> {
    return new Map((await this.db.all(`SELECT group_id, next_seq FROM metric_filter_progress`)).map((r) => [Number(r.group_id), Number(r.next_seq)]));
  }

  /**
   * New series, new points, the series' newest seconds and the metric filter progress they bring, in one
   * transaction: after a crash, the points on disk are exactly those of the events before the progress.
   */
  async write(newSeries: readonly SeriesRow[], points: readonly PointRow[], lastTs: ReadonlyMap<number, number>, progress: ReadonlyMap<number, number> = new Map()): Promise<void> {
    await this.db.transaction(async () => {
      const moved = [...progress];
      for (let i = 0; i < moved.length; i += 400) {
        const chunk = moved.slice(i, i + 400);
        await this.db.run(`INSERT OR REPLACE INTO metric_filter_progress VALUES ${rows(chunk.length, 2)}`, chunk.flat());
      }
      for (let i = 0; i < newSeries.length; i += 400) {
        const chunk = newSeries.slice(i, i + 400);
        await this.db.run(`INSERT INTO metric_series VALUES ${rows(chunk.length, 6)}`, chunk.flatMap((s) => [s.id, s.namespace, s.metricName, s.dimensions, s.lastTs, s.keyGroup]));
      }
      // Points go in as one JSON text that DuckDB parses natively: binding 8 parameters a point cost
      // several times the CPU, on the ingest thread. (A non-finite value fails the write, as binding did.)
      if (points.length > 0) {
        await this.db.run(`INSERT INTO metric_points SELECT unnest(from_json($1, '${POINT_JSON_TYPE}'), recursive := true)`, [
          JSON.stringify(points.map((p) => ({ s: p.seriesId, t: p.ts, u: p.unit, n: p.n, sum: p.sum, min: p.min, max: p.max, k: p.sketch }))),
        ]);
      }
      const updates = [...lastTs];
      for (let i = 0; i < updates.length; i += 400) {
        const chunk = updates.slice(i, i + 400);
        await this.db.run(
          `UPDATE metric_series SET last_ts = greatest(last_ts, v.t) FROM (VALUES ${rows(chunk.length, 2)}) AS v(id, t) WHERE metric_series.id = v.id`,
          chunk.flat(),
        );
      }
    });
  }

  /** One series' points in [from, to) seconds, aggregated per `period` seconds (periods aligned to the epoch). */
  async periods(seriesId: number, from: number, to: number, period: number, opts: { unit?: string; sketches: boolean }): Promise<PeriodRow[]> {
    const params: SqlParam[] = [seriesId, from, to, period];
    let where = `series_id = $1 AND ts >= $2 AND ts < $3`;
    if (opts.unit !== undefined) {
      params.push(opts.unit);
      where += ` AND unit = $${params.length}`;
    }
    const sketchCols = opts.sketches ? `, list(sketch) FILTER (WHERE sketch IS NOT NULL) AS sketches, bool_and(sketch IS NOT NULL) AS complete` : '';
    const conn = await this.db.connect();
    let out: Row[];
    try {
      out = await this.db.all(
        `SELECT (ts // $4) * $4 AS bucket, first(unit ORDER BY ts) AS unit, sum(n) AS n, sum(sum) AS sum, min(min) AS min, max(max) AS max${sketchCols}
         FROM metric_points WHERE ${where} GROUP BY bucket ORDER BY bucket`,
        params,
        conn,
      );
    } finally {
      conn.closeSync();
    }
    return out.map((r) => ({
      bucket: Number(r.bucket),
      unit: String(r.unit),
      n: Number(r.n),
      sum: Number(r.sum),
      min: Number(r.min),
      max: Number(r.max),
      ...(opts.sketches ? { sketches: (r.sketches as string[] | null) ?? [], complete: r.complete === true } : {}),
    }));
  }

  /** The newest second of each series with its values there (for /metrics). */
  async latest(): Promise<Array<{ seriesId: number; ts: number; n: number; sum: number; min: number; max: number }>> {
    const conn = await this.db.connect();
    try {
      const out = await this.db.all(
        `SELECT p.series_id, p.ts, sum(p.n) AS n, sum(p.sum) AS sum, min(p.min) AS min, max(p.max) AS max
         FROM metric_points p JOIN metric_series s ON s.id = p.series_id AND p.ts = s.last_ts
         GROUP BY p.series_id, p.ts`,
        [],
        conn,
      );
      return out.map((r) => ({ seriesId: Number(r.series_id), ts: Number(r.ts), n: Number(r.n), sum: Number(r.sum), min: Number(r.min), max: Number(r.max) }));
    } finally {
      conn.closeSync();
    }
  }

  /** Drops points older than `cutoff` seconds and series with nothing newer; returns the ids of those series. */
  async dropBefore(cutoff: number): Promise<number[]> {
    return this.db.transaction(async () => {
      const gone = (await this.db.all(`SELECT id FROM metric_series WHERE last_ts < $1`, [cutoff])).map((r) => Number(r.id));
      await this.db.run(`DELETE FROM metric_points WHERE ts < $1`, [cutoff]);
      await this.db.run(`DELETE FROM metric_series WHERE last_ts < $1`, [cutoff]);
      return gone;
    });
  }

  // ---- alarms ----

  async loadAlarms(): Promise<string[]> {
    return (await this.db.all(`SELECT doc FROM alarms ORDER BY name`)).map((r) => String(r.doc));
  }

  async putAlarm(name: string, doc: string): Promise<void> {
    await this.db.run(`INSERT OR REPLACE INTO alarms VALUES ($1, $2)`, [name, doc]);
  }

  async deleteAlarms(names: readonly string[]): Promise<void> {
    await this.db.transaction(async () => {
      for (const n of names) {
        await this.db.run(`DELETE FROM alarms WHERE name = $1`, [n]);
        await this.db.run(`DELETE FROM alarm_history WHERE alarm_name = $1`, [n]);
      }
    });
  }

  async addHistory(items: readonly HistoryRow[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.run(
      `INSERT INTO alarm_history VALUES ${rows(items.length, 7)}`,
      items.flatMap((h) => [h.id, h.alarmName, h.tsMs, h.itemType, h.summary, h.data, h.alarmType]),
    );
  }

  async maxHistoryId(): Promise<number> {
    const r = await this.db.all(`SELECT coalesce(max(id), 0) AS id FROM alarm_history`);
    return Number(r[0]!.id);
  }

  async history(q: { alarmName?: string; itemType?: string; fromMs: number; toMs: number; newestFirst: boolean; afterId?: number; limit: number }): Promise<HistoryRow[]> {
    const params: SqlParam[] = [q.fromMs, q.toMs];
    let where = `ts_ms >= $1 AND ts_ms <= $2`;
    if (q.alarmName !== undefined) {
      params.push(q.alarmName);
      where += ` AND alarm_name = $${params.length}`;
    }
    if (q.itemType !== undefined) {
      params.push(q.itemType);
      where += ` AND item_type = $${params.length}`;
    }
    if (q.afterId !== undefined) {
      params.push(q.afterId);
      where += q.newestFirst ? ` AND id < $${params.length}` : ` AND id > $${params.length}`;
    }
    params.push(q.limit);
    const order = q.newestFirst ? 'DESC' : 'ASC';
    const out = await this.db.all(`SELECT * FROM alarm_history WHERE ${where} ORDER BY id ${order} LIMIT $${params.length}`, params);
    return out.map((r) => ({
      id: Number(r.id),
      alarmName: String(r.alarm_name),
      alarmType: String(r.alarm_type),
      tsMs: Number(r.ts_ms),
      itemType: String(r.item_type),
      summary: String(r.summary),
      data: String(r.data),
    }));
  }

  async dropHistoryBefore(ms: number): Promise<void> {
    await this.db.run(`DELETE FROM alarm_history WHERE ts_ms < $1`, [ms]);
  }

  // ---- topics ----

  async loadTopics(): Promise<{ topics: TopicRow[]; subscriptions: SubscriptionRow[] }> {
    const topics = (await this.db.all(`SELECT * FROM topics ORDER BY name`)).map((r) => ({ name: String(r.name), createdMs: Number(r.created_ms) }));
    const subscriptions = (await this.db.all(`SELECT * FROM subscriptions ORDER BY created_ms, id`)).map((r) => ({
      id: String(r.id),
      topic: String(r.topic),
      protocol: String(r.protocol),
      endpoint: String(r.endpoint),
      secret: (r.secret as string | null) ?? null,
      createdMs: Number(r.created_ms),
    }));
    return { topics, subscriptions };
  }

  async putTopic(t: TopicRow): Promise<void> {
    await this.db.run(`INSERT OR IGNORE INTO topics VALUES ($1, $2)`, [t.name, t.createdMs]);
  }

  async deleteTopic(name: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run(`DELETE FROM subscriptions WHERE topic = $1`, [name]);
      await this.db.run(`DELETE FROM topics WHERE name = $1`, [name]);
    });
  }

  async putSubscription(s: SubscriptionRow): Promise<void> {
    await this.db.run(`INSERT INTO subscriptions VALUES ($1, $2, $3, $4, $5, $6)`, [s.id, s.topic, s.protocol, s.endpoint, s.secret, s.createdMs]);
  }

  async deleteSubscription(id: string): Promise<void> {
    await this.db.run(`DELETE FROM subscriptions WHERE id = $1`, [id]);
  }

  close(): void {
    this.db.close();
  }
}

export interface TopicRow {
  name: string;
  createdMs: number;
}

export interface SubscriptionRow {
  id: string;
  topic: string;
  protocol: string;
  endpoint: string;
  /** The webhook's HMAC key; never returned by the API. */
  secret: string | null;
  createdMs: number;
}
