/**
 * The catalog: log groups, log streams, tags, segments and trigram bitmaps.
 *
 * DuckDB (catalog tables in the data dir's database file) is the source of truth; an in-memory copy
 * answers every lookup. A change is committed to DuckDB first and applied to memory after, always
 * under the store's write mutex, so memory never shows what the disk does not have.
 * Names never reach the file system: segment paths are built from numeric ids only.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Db, Row, SqlParam } from './db.js';
import { IndexPolicies } from './index-policies.js';

export interface LogStream {
  id: number;
  groupId: number;
  name: string;
  createdMs: number;
  firstEventMs: number | null;
  lastEventMs: number | null;
  lastIngestMs: number | null;
  /** Stats changed since they were last persisted. */
  dirty: boolean;
}

export interface Segment {
  id: number;
  groupId: number;
  /** Relative to the data dir. */
  path: string;
  walFile: number;
  rows: number;
  rawBytes: number;
  fileBytes: number;
  minTs: number;
  maxTs: number;
  minSeq: number;
  maxSeq: number;
  /** JSON paths of the shredded fields (shred.ts) held in columns j0, j1, ... of the file; null: not shredded yet. */
  fields: string[] | null;
  /**
   * Where the file's footer and column chunks are in its plaintext, as segment-layout.ts encodes it,
   * recorded when it was sealed; null for segments sealed before layouts were recorded, or stored as plaintext.
   */
  layout: string | null;
  /**
   * Row i of the file holds the event of sequence number minSeq + i, for every row: the file was written
   * sorted by seq with none missing (a merge, compactor.ts; every segment once settled). A result kept
   * per sequence number then finds an event's bit from its row number, without reading seq
   * (sql-session.ts). False for a seal's segments, whose order is the write-ahead log's; null for
   * segments recorded before the flag existed, until settling checks them (settling.ts).
   */
  seqDense: boolean | null;
}

export interface LogGroup {
  id: number;
  name: string;
  createdMs: number;
  retentionDays: number | null;
  kmsKeyId: string | null;
  logGroupClass: string;
  /** Next per-group event sequence number. */
  nextSeq: number;
  tags: Map<string, string>;
  streams: Map<string, LogStream>;
  streamsById: Map<number, LogStream>;
  segments: Segment[];
  /** Streams deleted while their events still sit in segments; queries leave them out. */
  deletedStreams: Set<number>;
}

/** A saved Logs Insights query (PutQueryDefinition). */
export interface QueryDefinition {
  id: string;
  name: string;
  queryString: string;
  logGroupNames: string[];
  queryLanguage: string;
  parameters: Array<{ name: string; defaultValue?: string; description?: string }>;
  lastModifiedMs: number;
  /** The idempotency token of the request that created it: a retried create answers the same id. */
  clientToken: string | null;
}

/** A metric filter (PutMetricFilter), as stored; src/metrics compiles and applies it. */
export interface MetricFilterRecord {
  groupId: number;
  name: string;
  pattern: string;
  transformations: Array<{
    metricName: string;
    metricNamespace: string;
    metricValue: string;
    defaultValue?: number;
    dimensions?: Record<string, string>;
    unit?: string;
  }>;
  createdMs: number;
  applyOnTransformedLogs: boolean;
}

const SCHEMA = [
  `CREATE SEQUENCE IF NOT EXISTS catalog_ids START 1`,
  `CREATE TABLE IF NOT EXISTS log_groups (
     id BIGINT PRIMARY KEY, name VARCHAR NOT NULL UNIQUE, created_ms BIGINT NOT NULL,
     retention_days INTEGER, kms_key_id VARCHAR, log_group_class VARCHAR NOT NULL, next_seq BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS log_streams (
     id BIGINT PRIMARY KEY, group_id BIGINT NOT NULL, name VARCHAR NOT NULL, created_ms BIGINT NOT NULL,
     first_event_ms BIGINT, last_event_ms BIGINT, last_ingest_ms BIGINT)`,
  `CREATE TABLE IF NOT EXISTS tags (group_id BIGINT NOT NULL, key VARCHAR NOT NULL, value VARCHAR NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS segments (
     id BIGINT PRIMARY KEY, group_id BIGINT NOT NULL, path VARCHAR NOT NULL, wal_file BIGINT NOT NULL,
     rows BIGINT NOT NULL, raw_bytes BIGINT NOT NULL, file_bytes BIGINT NOT NULL,
     min_ts BIGINT NOT NULL, max_ts BIGINT NOT NULL, min_seq BIGINT NOT NULL, max_seq BIGINT NOT NULL)`,
  `ALTER TABLE segments ADD COLUMN IF NOT EXISTS fields VARCHAR`,
  `ALTER TABLE segments ADD COLUMN IF NOT EXISTS layout VARCHAR`,
  `ALTER TABLE segments ADD COLUMN IF NOT EXISTS seq_dense BOOLEAN`,
  `CREATE TABLE IF NOT EXISTS bitmaps (group_id BIGINT NOT NULL, block BIGINT NOT NULL, bits BLOB NOT NULL, PRIMARY KEY (group_id, block))`,
  `CREATE TABLE IF NOT EXISTS deleted_streams (group_id BIGINT NOT NULL, stream_id BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS store_state (key VARCHAR PRIMARY KEY, value BIGINT NOT NULL)`,
  // Lists and structures are JSON text: they are only ever read back whole.
  `CREATE TABLE IF NOT EXISTS query_definitions (
     id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, query_string VARCHAR NOT NULL, log_group_names VARCHAR NOT NULL,
     query_language VARCHAR NOT NULL, parameters VARCHAR NOT NULL, last_modified_ms BIGINT NOT NULL, client_token VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS metric_filters (
     group_id BIGINT NOT NULL, name VARCHAR NOT NULL, pattern VARCHAR NOT NULL, transformations VARCHAR NOT NULL,
     created_ms BIGINT NOT NULL, apply_on_transformed_logs BOOLEAN NOT NULL, PRIMARY KEY (group_id, name))`,
];

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

export class Catalog {
  readonly groups = new Map<string, LogGroup>();
  readonly groupsById = new Map<number, LogGroup>();
  readonly queryDefinitions = new Map<string, QueryDefinition>();
  /** Metric filters by group id, then by name. */
  readonly metricFilters = new Map<number, Map<string, MetricFilterRecord>>();
  /** Every WAL file up to and including this number has been sealed into segments. */
  sealedThrough = 0;
  /** Field index policies (store/index-policies.ts). */
  readonly indexPolicies: IndexPolicies;

  constructor(private readonly db: Db) {
    this.indexPolicies = new IndexPolicies(db);
  }

  async load(): Promise<void> {
    for (const s of SCHEMA) await this.db.run(s);
    for (const r of await this.db.all(`SELECT * FROM log_groups`)) {
      const g: LogGroup = {
        id: num(r.id),
        name: String(r.name),
        createdMs: num(r.created_ms),
        retentionDays: numOrNull(r.retention_days),
        kmsKeyId: (r.kms_key_id as string | null) ?? null,
        logGroupClass: String(r.log_group_class),
        nextSeq: num(r.next_seq),
        tags: new Map(),
        streams: new Map(),
        streamsById: new Map(),
        segments: [],
        deletedStreams: new Set(),
      };
      this.groups.set(g.name, g);
      this.groupsById.set(g.id, g);
    }
    for (const r of await this.db.all(`SELECT * FROM log_streams`)) {
      const g = this.groupsById.get(num(r.group_id));
      if (!g) continue;
      const s: LogStream = {
        id: num(r.id),
        groupId: g.id,
        name: String(r.name),
        createdMs: num(r.created_ms),
        firstEventMs: numOrNull(r.first_event_ms),
        lastEventMs: numOrNull(r.last_event_ms),
        lastIngestMs: numOrNull(r.last_ingest_ms),
        dirty: false,
      };
      g.streams.set(s.name, s);
      g.streamsById.set(s.id, s);
    }
    for (const r of await this.db.all(`SELECT * FROM tags`)) {
      this.groupsById.get(num(r.group_id))?.tags.set(String(r.key), String(r.value));
    }
    for (const r of await this.db.all(`SELECT * FROM segments ORDER BY min_seq`)) {
      this.groupsById.get(num(r.group_id))?.segments.push(segmentFromRow(r));
    }
    for (const r of await this.db.all(`SELECT * FROM deleted_streams`)) {
      this.groupsById.get(num(r.group_id))?.deletedStreams.add(num(r.stream_id));
    }
    for (const r of await this.db.all(`SELECT * FROM query_definitions`)) {
      const d: QueryDefinition = {
        id: String(r.id),
        name: String(r.name),
        queryString: String(r.query_string),
        logGroupNames: JSON.parse(String(r.log_group_names)) as string[],
        queryLanguage: String(r.query_language),
        parameters: JSON.parse(String(r.parameters)) as QueryDefinition['parameters'],
        lastModifiedMs: num(r.last_modified_ms),
        clientToken: (r.client_token as string | null) ?? null,
      };
      this.queryDefinitions.set(d.id, d);
    }
    for (const r of await this.db.all(`SELECT * FROM metric_filters`)) {
      const f: MetricFilterRecord = {
        groupId: num(r.group_id),
        name: String(r.name),
        pattern: String(r.pattern),
        transformations: JSON.parse(String(r.transformations)) as MetricFilterRecord['transformations'],
        createdMs: num(r.created_ms),
        applyOnTransformedLogs: r.apply_on_transformed_logs === true,
      };
      if (!this.groupsById.has(f.groupId)) continue;
      this.groupFilters(f.groupId).set(f.name, f);
    }
    await this.indexPolicies.load();
    const st = await this.db.all(`SELECT value FROM store_state WHERE key = 'sealed_through'`);
    this.sealedThrough = st.length > 0 ? num(st[0]!.value) : 0;
  }

  /** The main connection is the writers' (under the store's lock); others pass their own. */
  async nextId(conn?: DuckDBConnection): Promise<number> {
    const rows = await this.db.all(`SELECT nextval('catalog_ids') AS id`, [], conn);
    return num(rows[0]!.id);
  }

  async createGroup(name: string, createdMs: number, tags: Record<string, string>, kmsKeyId: string | null, cls: string): Promise<LogGroup> {
    const id = await this.nextId();
    await this.db.transaction(async () => {
      await this.db.run(`INSERT INTO log_groups VALUES ($1, $2, $3, NULL, $4, $5, 0)`, [id, name, createdMs, kmsKeyId, cls]);
      for (const [k, v] of Object.entries(tags)) await this.db.run(`INSERT INTO tags VALUES ($1, $2, $3)`, [id, k, v]);
    });
    const g: LogGroup = {
      id,
      name,
      createdMs,
      retentionDays: null,
      kmsKeyId,
      logGroupClass: cls,
      nextSeq: 0,
      tags: new Map(Object.entries(tags)),
      streams: new Map(),
      streamsById: new Map(),
      segments: [],
      deletedStreams: new Set(),
    };
    this.groups.set(name, g);
    this.groupsById.set(id, g);
    return g;
  }

  /** Removes the group and everything of it from the catalog; returns its segments for unlinking. */
  async deleteGroup(g: LogGroup): Promise<Segment[]> {
    await this.db.transaction(async () => {
      for (const t of ['log_streams', 'tags', 'segments', 'bitmaps', 'deleted_streams', 'metric_filters', 'index_policies']) {
        await this.db.run(`DELETE FROM ${t} WHERE group_id = $1`, [g.id]);
      }
      await this.db.run(`DELETE FROM log_groups WHERE id = $1`, [g.id]);
    });
    this.groups.delete(g.name);
    this.groupsById.delete(g.id);
    this.metricFilters.delete(g.id);
    await this.indexPolicies.dropGroup(g.id);
    return g.segments;
  }

  async createStream(g: LogGroup, name: string, createdMs: number): Promise<LogStream> {
    const id = await this.nextId();
    await this.db.run(`INSERT INTO log_streams VALUES ($1, $2, $3, $4, NULL, NULL, NULL)`, [id, g.id, name, createdMs]);
    const s: LogStream = { id, groupId: g.id, name, createdMs, firstEventMs: null, lastEventMs: null, lastIngestMs: null, dirty: false };
    g.streams.set(name, s);
    g.streamsById.set(id, s);
    return s;
  }

  /** Its events may sit in segments already: they stay there, hidden, listed in deleted_streams. */
  async deleteStream(g: LogGroup, s: LogStream): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run(`DELETE FROM log_streams WHERE id = $1`, [s.id]);
      await this.db.run(`INSERT INTO deleted_streams VALUES ($1, $2)`, [g.id, s.id]);
    });
    g.streams.delete(s.name);
    g.streamsById.delete(s.id);
    g.deletedStreams.add(s.id);
  }

  async setRetention(g: LogGroup, days: number | null): Promise<void> {
    await this.db.run(`UPDATE log_groups SET retention_days = $1 WHERE id = $2`, [days, g.id]);
    g.retentionDays = days;
  }

  async setKmsKey(g: LogGroup, keyId: string | null): Promise<void> {
    await this.db.run(`UPDATE log_groups SET kms_key_id = $1 WHERE id = $2`, [keyId, g.id]);
    g.kmsKeyId = keyId;
  }

  async setTags(g: LogGroup, set: Record<string, string>, remove: string[]): Promise<void> {
    await this.db.transaction(async () => {
      for (const k of [...remove, ...Object.keys(set)]) await this.db.run(`DELETE FROM tags WHERE group_id = $1 AND key = $2`, [g.id, k]);
      for (const [k, v] of Object.entries(set)) await this.db.run(`INSERT INTO tags VALUES ($1, $2, $3)`, [g.id, k, v]);
    });
    for (const k of remove) g.tags.delete(k);
    for (const [k, v] of Object.entries(set)) g.tags.set(k, v);
  }

  /**
   * Records a sealed WAL file in one transaction: its segments, the bitmaps of the blocks it touched,
   * the groups' sequence counters and the streams' stats. After this commits the file may be deleted.
   * `applied` runs in the same turn of the event loop as the segments join their groups: it drops the
   * file's hot batches, so that no reader sees the events in both places, or in neither.
   */
  async commitSeal(
    walFile: number,
    segments: Segment[],
    bitmaps: Array<{ groupId: number; block: number; bits: Uint8Array }>,
    touched: Iterable<LogGroup>,
    applied: () => void,
  ): Promise<void> {
    const groups = [...touched].filter((g) => this.groupsById.has(g.id));
    // Snapshot the stats now: ingest may move them on while the transaction runs, and a stream stays
    // dirty unless what was written is still what it holds.
    const stats = groups.flatMap((g) =>
      [...g.streamsById.values()].filter((s) => s.dirty).map((s) => ({ s, first: s.firstEventMs, last: s.lastEventMs, ingest: s.lastIngestMs })),
    );
    const seqs = groups.map((g) => ({ g, next: g.nextSeq }));
    // One statement per table: a seal commits often, and each statement is a round trip.
    const rows = (n: number, width: number): string =>
      Array.from({ length: n }, (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(', ')})`).join(', ');
    await this.db.transaction(async () => {
      if (segments.length > 0) {
        const values = segments.map(segmentValues);
        await this.db.run(`INSERT INTO segments VALUES ${rows(values.length, values[0]!.length)}`, values.flat());
      }
      if (bitmaps.length > 0) {
        await this.db.run(`INSERT OR REPLACE INTO bitmaps VALUES ${rows(bitmaps.length, 3)}`, bitmaps.flatMap((b) => [b.groupId, b.block, b.bits]));
      }
      if (seqs.length > 0) {
        await this.db.run(
          `UPDATE log_groups SET next_seq = v.next_seq FROM (VALUES ${rows(seqs.length, 2)}) AS v(id, next_seq) WHERE log_groups.id = v.id`,
          seqs.flatMap(({ g, next }) => [g.id, next]),
        );
      }
      if (stats.length > 0) {
        await this.db.run(
          `UPDATE log_streams SET first_event_ms = v.f, last_event_ms = v.l, last_ingest_ms = v.i
           FROM (VALUES ${rows(stats.length, 4)}) AS v(id, f, l, i) WHERE log_streams.id = v.id`,
          stats.flatMap((x) => [x.s.id, x.first, x.last, x.ingest]),
        );
      }
      await this.db.run(`INSERT OR REPLACE INTO store_state VALUES ('sealed_through', $1)`, [walFile]);
    });
    for (const x of stats) {
      if (x.s.firstEventMs === x.first && x.s.lastEventMs === x.last && x.s.lastIngestMs === x.ingest) x.s.dirty = false;
    }
    for (const s of segments) this.groupsById.get(s.groupId)?.segments.push(s);
    applied();
    this.sealedThrough = walFile;
  }

  /** Swaps a run of segments for their merge, in one transaction (compaction). */
  async replaceSegments(g: LogGroup, old: readonly Segment[], merged: Segment): Promise<void> {
    const ids = new Set(old.map((s) => s.id));
    await this.db.transaction(async () => {
      for (const s of old) await this.db.run(`DELETE FROM segments WHERE id = $1`, [s.id]);
      const values = segmentValues(merged);
      await this.db.run(`INSERT INTO segments VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values);
    });
    g.segments = [...g.segments.filter((s) => !ids.has(s.id)), merged];
  }

  /** Records whether a segment recorded before Segment.seqDense existed is dense (settling.ts). */
  async setSeqDense(s: Segment, dense: boolean): Promise<void> {
    await this.db.run(`UPDATE segments SET seq_dense = $1 WHERE id = $2`, [dense, s.id]);
    s.seqDense = dense;
  }

  /** Records the layout of a segment sealed before layouts were recorded (segment-layout.ts). */
  async setLayout(s: Segment, layout: string): Promise<void> {
    await this.db.run(`UPDATE segments SET layout = $1 WHERE id = $2`, [layout, s.id]);
    s.layout = layout;
  }

  async dropSegments(g: LogGroup, drop: Segment[]): Promise<void> {
    const ids = new Set(drop.map((s) => s.id));
    await this.db.transaction(async () => {
      for (const s of drop) await this.db.run(`DELETE FROM segments WHERE id = $1`, [s.id]);
    });
    g.segments = g.segments.filter((s) => !ids.has(s.id));
  }

  /** Creates or replaces a saved query, whole. */
  async putQueryDefinition(d: QueryDefinition): Promise<void> {
    await this.db.run(`INSERT OR REPLACE INTO query_definitions VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      d.id, d.name, d.queryString, JSON.stringify(d.logGroupNames), d.queryLanguage, JSON.stringify(d.parameters), d.lastModifiedMs, d.clientToken,
    ]);
    this.queryDefinitions.set(d.id, d);
  }

  async deleteQueryDefinition(id: string): Promise<void> {
    await this.db.run(`DELETE FROM query_definitions WHERE id = $1`, [id]);
    this.queryDefinitions.delete(id);
  }

  private groupFilters(groupId: number): Map<string, MetricFilterRecord> {
    let m = this.metricFilters.get(groupId);
    if (!m) this.metricFilters.set(groupId, (m = new Map()));
    return m;
  }

  /** Creates or replaces a metric filter, whole. */
  async putMetricFilter(f: MetricFilterRecord): Promise<void> {
    await this.db.run(`INSERT OR REPLACE INTO metric_filters VALUES ($1, $2, $3, $4, $5, $6)`, [
      f.groupId, f.name, f.pattern, JSON.stringify(f.transformations), f.createdMs, f.applyOnTransformedLogs,
    ]);
    this.groupFilters(f.groupId).set(f.name, f);
  }

  async deleteMetricFilter(groupId: number, name: string): Promise<void> {
    await this.db.run(`DELETE FROM metric_filters WHERE group_id = $1 AND name = $2`, [groupId, name]);
    this.metricFilters.get(groupId)?.delete(name);
  }

  /** Reads run on a connection of their own, never inside a writer's transaction. */
  async loadBitmaps(groupId: number, fromBlock: number, toBlock: number): Promise<Map<number, Uint8Array>> {
    const conn = await this.db.connect();
    let rows: Row[];
    try {
      rows = await this.db.all(`SELECT block, bits FROM bitmaps WHERE group_id = $1 AND block BETWEEN $2 AND $3`, [groupId, fromBlock, toBlock], conn);
    } finally {
      conn.closeSync();
    }
    const out = new Map<number, Uint8Array>();
    for (const r of rows) out.set(num(r.block), r.bits as Uint8Array);
    return out;
  }
}

/** A segment as a row of `segments`, its columns in the table's order. */
function segmentValues(s: Segment): SqlParam[] {
  const fields = s.fields === null ? null : JSON.stringify(s.fields);
  return [s.id, s.groupId, s.path, s.walFile, s.rows, s.rawBytes, s.fileBytes, s.minTs, s.maxTs, s.minSeq, s.maxSeq, fields, s.layout, s.seqDense];
}

function segmentFromRow(r: Row): Segment {
  return {
    id: num(r.id),
    groupId: num(r.group_id),
    path: String(r.path),
    walFile: num(r.wal_file),
    rows: num(r.rows),
    rawBytes: num(r.raw_bytes),
    fileBytes: num(r.file_bytes),
    minTs: num(r.min_ts),
    maxTs: num(r.max_ts),
    minSeq: num(r.min_seq),
    maxSeq: num(r.max_seq),
    fields: parseFields(r.fields),
    layout: r.layout === null || r.layout === undefined ? null : String(r.layout),
    seqDense: r.seq_dense === null || r.seq_dense === undefined ? null : r.seq_dense === true,
  };
}

/** Segment.fields as stored (JSON text, NULL: not shredded yet); anything else reads as no shredded fields. */
function parseFields(v: unknown): string[] | null {
  if (v === null || v === undefined) return null;
  try {
    const list: unknown = JSON.parse(String(v));
    return Array.isArray(list) && list.every((x) => typeof x === 'string') ? list : [];
  } catch {
    return [];
  }
}
