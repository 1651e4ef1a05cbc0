/**
 * A connection of its own for one analytical query (Logs Insights): the only place where a compiled
 * query meets the stored events. query/insights compiles SQL over an abstract relation of events; this
 * module provides that relation (the groups' Parquet segments, pruned, plus their hot events copied
 * into a temporary table), the temporary tables the query joins, and runs the statements.
 *
 * The relation has the columns __g (group id), __sid (stream id), __ts, __ingest, __seq, __msg and
 * __joff (json-offset.ts).
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LogGroup, Segment } from './catalog.js';
import type { SegmentLease } from './at-rest.js';
import { quoteLiteral, type Row, type SqlParam } from './db.js';
import { extractedRelation, NO_JSON_FIELDS, prefilterColumns, withExtractedFields, type JsonFields } from './shred.js';
import { eventsOf, type HotBatch } from './hot.js';
import { jsonOffsetSql } from './json-offset.js';
import { combineBitmaps, segmentFrame, testColumns, testSql, type MessageTest } from './message-tests.js';
import { seqFilterSql, type SegmentRanges } from './query.js';
import { indexableTest } from './token-index.js';
import type { LogStore } from './store.js';

/** A group and the inclusive time range to read of it. */
export interface SelectedGroup {
  group: LogGroup;
  startMs: number;
  endMs: number;
}

/** Which event columns (beyond __g) a relation provides (__msg with __joff). */
export interface EventColumns {
  sid: boolean;
  ts: boolean;
  ingest: boolean;
  seq: boolean;
  msg: boolean;
}

export const ALL_EVENT_COLUMNS: Readonly<EventColumns> = { sid: true, ts: true, ingest: true, seq: true, msg: true };

/** A selected group with what pruning left of it: parts of segments, and a test for hot batches. */
export interface SourcePart extends SelectedGroup {
  ranges: SegmentRanges[];
  /** The group's hot batches, taken with the segments of `ranges` (HotTier.snapshot). */
  hotBatches: readonly HotBatch[];
  keepBatch: ((b: HotBatch) => boolean) | undefined;
}

/** Rows a JavaScript stage produced, to be queried again: one column per field. */
export interface StageTable {
  fields: ReadonlyArray<{ name: string; type: 'string' | 'number' | string }>;
  rows: ReadonlyArray<Record<string, string | number | null>>;
}

/** What a query's rows may take in memory unless the caller says otherwise. */
export const DEFAULT_MAX_RESULT_BYTES = 96 * 1024 * 1024;

export class SqlSession {
  /** Readable files of the segments this session reads (decrypted copies when encrypted). */
  private readonly leases: SegmentLease[] = [];
  private readonly files = new Map<string, string>();
  /** Parquet columns that the SQL built in this session names (eventRelation), to decrypt before it runs. */
  private readonly named = new Set<string>();

  private constructor(
    private readonly store: LogStore,
    private readonly conn: DuckDBConnection,
  ) {}

  static async open(store: LogStore): Promise<SqlSession> {
    return new SqlSession(store, await store.db.connect());
  }

  /** Stops the statement running now (it fails with an interruption error). */
  interrupt(): void {
    this.conn.interrupt();
  }

  close(): void {
    this.conn.closeSync();
    for (const l of this.leases.splice(0)) l.release();
  }

  /**
   * Makes the segments' files available for the rest of the session (LogStore.leaseSegments): their
   * footers are decrypted in the background, and before each statement the columns the session's SQL
   * names (readable(), which waits for the footers too): the segments open while the query loads its
   * hot events, computes its message tests and compiles.
   */
  private async lease(segments: readonly Segment[]): Promise<void> {
    const need = segments.filter((s) => !this.files.has(s.path));
    if (need.length === 0) return;
    const lease = await this.store.leaseSegments(need, { partial: true });
    this.leases.push(lease);
    for (const s of need) this.files.set(s.path, lease.path(s.path));
  }

  private file(s: Segment): string {
    const f = this.files.get(s.path);
    if (f === undefined) throw new Error(`internal: segment ${s.path} read without a lease`);
    return f;
  }

  /**
   * Runs `setup` statements, sets session variables, then the query, whose rows may take at most about
   * `maxBytes` of memory (else ResultTooLargeError).
   */
  async run(
    sql: string,
    params: SqlParam[],
    variables: ReadonlyArray<{ name: string; value: string }> = [],
    setup: readonly string[] = [],
    maxBytes = DEFAULT_MAX_RESULT_BYTES,
  ): Promise<Row[]> {
    for (const s of setup) await this.conn.run(s);
    for (const v of variables) {
      if (!/^[a-z_][a-z0-9_]*$/.test(v.name)) throw new Error(`internal: bad session variable name ${v.name}`);
      await this.conn.run(`SET VARIABLE ${v.name} = $1`, [v.value]);
    }
    await this.readable(sql);
    return this.store.db.allBounded(sql, params, this.conn, maxBytes);
  }

  /**
   * Decrypts, in the segments leased so far, the columns that `sql` or the relations built for it name
   * (DuckDB reads no column of a Parquet file that its SQL does not name; which of those it reads
   * depends on values and statistics, so all of them are made readable).
   */
  private async readable(sql: string, columns: Iterable<string> = []): Promise<void> {
    if (this.leases.length === 0) return;
    for (const c of columns) this.named.add(c);
    // A statement over segment files that no relation of this session named: every byte.
    const names = this.named.size === 0 && sql.includes('read_parquet(') ? null : this.named;
    for (const l of this.leases) await l.readColumns(names);
  }

  /**
   * SQL of the relation of events in `parts`: read_parquet per group (time range, deleted streams and
   * the seq ranges pruning kept in its WHERE) and the hot events loaded by loadHot, with the columns of
   * `fields` (shred.ts JsonFields): each path read from a segment's shredded column where it has one,
   * extracted from the message otherwise, and each prefilter tested only where its field is extracted
   * (elsewhere it would make DuckDB read the messages for nothing). `param` binds values. The relation
   * has the event columns of `columns` only (__msg with __joff), and a segment is read for those and for
   * what its own conditions, fields and tests need: a count by time reads the timestamps alone.
   */
  eventRelation(
    parts: readonly SourcePart[],
    param: (v: SqlParam) => string,
    fields: JsonFields = NO_JSON_FIELDS,
    tests: readonly MessageTest[] = [],
    columns: EventColumns = ALL_EVENT_COLUMNS,
  ): string {
    const sql: string[] = [];
    const paths = fields.paths;
    const fieldColumns = paths.map((_, k) => `, __j${k + 1}`).join('');
    const prefilterNames = fields.prefilters.map((_, n) => `, __pf${n + 1}`).join('');
    const testNames = tests.map((_, n) => `, __mt${n + 1}`).join('');
    // UNION ALL matches columns by position: every branch lists them in this order.
    const c = columns;
    const eventColumns = [c.sid && ', __sid', c.ts && ', __ts', c.ingest && ', __ingest', c.seq && ', __seq', c.msg && ', __msg, __joff'].filter(Boolean).join('');
    const select = `SELECT __g${eventColumns}${fieldColumns}${prefilterNames}${testNames}`;
    const cache = this.store.messageTests;
    for (const p of parts) {
      if (p.ranges.length === 0 || p.startMs > p.endMs) continue;
      // Bound once, where a branch needs it (every value bound must appear in the SQL).
      let inRangeSql: string | undefined;
      const inRange = (): string => (inRangeSql ??= `ts BETWEEN ${param(p.startMs)} AND ${param(p.endMs)}`);
      const where: string[] = [];
      const deleted = [...p.group.deletedStreams];
      if (deleted.length > 0) where.push(`stream_id NOT IN (${deleted.map((d) => String(Math.trunc(d))).join(', ')})`);
      // Only the blocks pruning kept (Parquet row groups are blocks).
      const seqWhere = seqFilterSql(p.ranges);
      if (seqWhere) where.push(seqWhere);
      // Segments that hold the same paths in the same columns, and have cached results for the same
      // message tests, are read together.
      const byLayout = new Map<string, { shredded: number[]; cached: boolean[]; ranges: SegmentRanges[] }>();
      for (const r of p.ranges) {
        const shredded = paths.map((x) => (r.segment.fields ?? []).indexOf(x));
        const cached = tests.map((t) => cache.get(r.segment.path, t) !== undefined);
        const k = `${shredded.join(',')};${cached.map(Number).join('')}`;
        let group = byLayout.get(k);
        if (!group) byLayout.set(k, (group = { shredded, cached, ranges: [] }));
        group.ranges.push(r);
      }
      for (const { shredded, cached, ranges: all } of byLayout.values()) {
        for (const ranges of cached.includes(true) ? bitmapRuns(all) : [all]) {
          const files = ranges.map((r) => quoteLiteral(this.file(r.segment))).join(', ');
          // The message is read where the query shows it, a field is not shredded, or a test has no cached result.
          const extracted = paths.flatMap((_, k) => (shredded[k]! < 0 ? [k] : []));
          const readMessage = c.msg || extracted.length > 0 || cached.includes(false);
          // A cached result holds a bit per sequence number. In files whose rows are their sequence
          // numbers in order (seqDense), an event's bit follows from its row number: seq is then not read
          // (nor decrypted) for it.
          const byRow = cached.includes(true) && !c.seq && !seqWhere && ranges.every((r) => r.segment.seqDense);
          const base = [
            c.sid && 'stream_id AS __sid',
            c.ts && 'ts AS __ts',
            c.ingest && 'ingest_ts AS __ingest',
            c.seq && 'seq AS __seq',
            readMessage && 'message AS __msg, json_off AS __joff',
          ]
            .filter(Boolean)
            .map((x) => `, ${x}`)
            .join('');
          // Segments wholly inside the time range need no test of it: DuckDB then need not decode their
          // timestamps when nothing else reads them (a count by stream, say).
          const conditions = ranges.every((r) => r.segment.minTs >= p.startMs && r.segment.maxTs <= p.endMs) ? where : [inRange(), ...where];
          // What this branch's SQL names of the files is what must be readable (decrypted) before it runs.
          const named = [
            (c.sid || deleted.length > 0) && 'stream_id',
            (c.ts || conditions !== where) && 'ts',
            c.ingest && 'ingest_ts',
            (c.seq || seqWhere || (cached.includes(true) && !byRow)) && 'seq',
            readMessage && 'message',
            readMessage && 'json_off',
          ];
          for (const n of named) if (n) this.named.add(n);
          // Shredded columns by name: files differ in how many they have (a seal writes as many for every
          // group as the group with most fields needs).
          const read = shredded.map((x, k) => (x >= 0 ? `, j${x} AS __j${k + 1}` : '')).join('');
          for (const x of shredded) if (x >= 0) this.named.add(`j${x}`);
          const testValues = tests
            .map((t, n) => {
              if (!cached[n]) return `, ${testSql(t, 'message', param)} AS __mt${n + 1}`;
              // One bit an event, from the cached results of these segments (one bitmap over them).
              const bm = combineBitmaps(ranges.map((r) => cache.get(r.segment.path, t)!));
              return `, get_bit(${param(bm.bits)}::BIT, ${byRow ? bitOfRow(ranges, bm.base) : `(seq - ${bm.base})`}::INTEGER) = 1 AS __mt${n + 1}`;
            })
            .join('');
          const union = ranges.length > 1 ? ', union_by_name = true' : '';
          let branch = `SELECT ${Math.trunc(p.group.id)}::BIGINT AS __g${base}${read}${testValues} FROM read_parquet([${files}]${union})${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
          // Prefilters first: DuckDB then parses only the messages that pass them.
          const prefilters = prefilterColumns(fields, (k) => shredded[k]! < 0);
          if (prefilters) branch = `SELECT *${prefilters} FROM (${branch})`;
          branch = withExtractedFields(branch, fields, param, extracted);
          sql.push(`${select} FROM (${branch})`);
        }
      }
    }
    const hot = `SELECT __g, __sid, __ts, __ingest, __seq, __msg, ${jsonOffsetSql('__msg')}::INTEGER AS __joff${testColumns(tests, '__msg', param)} FROM hot_q`;
    sql.push(`${select} FROM (${extractedRelation(hot, fields, param)})`);
    return sql.join(' UNION ALL ');
  }

  /**
   * Computes and caches (LogStore.messageTests) the results of `tests` for the segments of `parts`
   * that the query reads whole: every block kept and every event in its time range. eventRelation then
   * reads one bit an event for them instead of the message. A segment's token index answers what it
   * can (token-index.ts); DuckDB reads the messages for the rest. Call it after loadHot(parts).
   */
  async prepareMessageTests(parts: readonly SourcePart[], tests: readonly MessageTest[]): Promise<void> {
    if (tests.length === 0) return;
    const cache = this.store.messageTests;
    for (const p of parts) {
      for (const r of p.ranges) {
        const s = r.segment;
        if (s.minTs < p.startMs || s.maxTs > p.endMs || !readsWhole(r)) continue;
        let missing = tests.filter((t) => !cache.get(s.path, t));
        if (missing.length === 0) continue;
        const { base, top } = segmentFrame(s);
        // A segment that settled has a token index: a substring test of letters is answered from it.
        const index = missing.some(indexableTest) ? await this.store.tokenIndex(s) : null;
        if (index !== null) {
          const left: MessageTest[] = [];
          for (const t of missing) {
            const bits = indexableTest(t) ? new Uint8Array((top - base + 1) / 8) : null;
            if (bits !== null && (await index.markEvents(t.pattern, bits, s.minSeq - base))) cache.set(s.path, p.group.id, t, { base, bits });
            else left.push(t);
          }
          missing = left;
          if (missing.length === 0) continue;
        }
        const params: SqlParam[] = [base, top];
        const param = (v: string): string => `$${params.push(v)}`;
        // bitstring_agg over [base, top], a whole number of bytes: the BLOB is the bitmap as it is.
        const aggs = missing.map((t, n) => `bitstring_agg(seq, $1, $2) FILTER (WHERE ${testSql(t, 'message', param)})::BLOB AS b${n}`);
        const sql = `SELECT ${aggs.join(', ')} FROM read_parquet(${quoteLiteral(this.file(s))})`;
        await this.readable(sql, ['seq', 'message']);
        const rows = await this.store.db.all(sql, params, this.conn);
        missing.forEach((t, n) => {
          const v = rows[0]?.[`b${n}`];
          const bits = v instanceof Uint8Array ? v : new Uint8Array((top - base + 1) / 8); // NULL: nothing matched
          cache.set(s.path, p.group.id, t, { base, bits });
        });
      }
    }
  }

  /**
   * Copies the hot events pruning kept into the temporary table `hot_q`, and makes the segments of
   * `parts` readable: call it before eventRelation(parts).
   */
  async loadHot(parts: readonly SourcePart[]): Promise<void> {
    await this.lease(parts.flatMap((p) => p.ranges.map((r) => r.segment)));
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE hot_q (__g BIGINT, __sid BIGINT, __ts BIGINT, __ingest BIGINT, __seq BIGINT, __msg VARCHAR)`);
    const app = await this.conn.createAppender('hot_q', 'main', 'temp');
    try {
      for (const p of parts) {
        const g = p.group;
        const keep = (sid: number, ts: number): boolean => ts >= p.startMs && ts <= p.endMs && !g.deletedStreams.has(sid) && g.streamsById.has(sid);
        for (const e of eventsOf(p.hotBatches, keep, p.keepBatch)) {
          app.appendBigInt(BigInt(g.id));
          app.appendBigInt(BigInt(e.streamId));
          app.appendBigInt(BigInt(e.timestamp));
          app.appendBigInt(BigInt(e.ingestMs));
          app.appendBigInt(BigInt(e.seq));
          app.appendVarchar(e.message);
          app.endRow();
        }
      }
      app.flushSync();
    } finally {
      app.closeSync();
    }
  }

  /** The temporary table `table` of (g, sid, stream, log): stream names and `<account>:<group>`. */
  async loadNames(table: string, groups: readonly LogGroup[], accountId: string): Promise<void> {
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(table)} (g BIGINT, sid BIGINT, stream VARCHAR, log VARCHAR)`);
    const app = await this.conn.createAppender(table, 'main', 'temp');
    try {
      for (const group of groups) {
        for (const st of group.streamsById.values()) {
          app.appendBigInt(BigInt(group.id));
          app.appendBigInt(BigInt(st.id));
          app.appendVarchar(st.name);
          app.appendVarchar(`${accountId}:${group.name}`);
          app.endRow();
        }
      }
      app.flushSync();
    } finally {
      app.closeSync();
    }
  }

  /** A temporary view `table` with a column `"f:<name>"` per field over the stage's rows. */
  async loadStage(table: string, stage: StageTable): Promise<void> {
    // __row keeps the stage's own order (compileContinuation orders by it until a command reorders).
    const cols = ['__row BIGINT', ...stage.fields.map((f, i) => `c${i} ${f.type === 'number' ? 'DOUBLE' : 'VARCHAR'}`)];
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${ident(`${table}_raw`)} (${cols.length > 1 ? cols.join(', ') : `${cols[0]}, c0 VARCHAR`})`);
    const app = await this.conn.createAppender(`${table}_raw`, 'main', 'temp');
    try {
      let n = 0;
      for (const r of stage.rows) {
        app.appendBigInt(BigInt(n++));
        if (stage.fields.length === 0) app.appendNull();
        for (const f of stage.fields) {
          const v = r[f.name];
          if (v === null || v === undefined) app.appendNull();
          else if (f.type === 'number') app.appendDouble(Number(v));
          else app.appendVarchar(String(v));
        }
        app.endRow();
      }
      app.flushSync();
    } finally {
      app.closeSync();
    }
    const select = ['__row', ...stage.fields.map((f, i) => `c${i} AS ${ident(`f:${f.name}`)}`)].join(', ');
    await this.conn.run(`CREATE OR REPLACE TEMP VIEW ${ident(table)} AS SELECT ${stage.fields.length > 0 ? select : '__row, c0'} FROM ${ident(`${table}_raw`)}`);
  }

  /**
   * Events and UTF-8 bytes of the sealed events in range: from the catalog for segments wholly inside
   * the range (and without deleted streams), counted for the others.
   */
  async sealedStatistics(selected: readonly SelectedGroup[]): Promise<{ records: number; bytes: number }> {
    let records = 0;
    let bytes = 0;
    for (const s of selected) {
      const partial: Segment[] = [];
      for (const x of s.group.segments) {
        if (x.maxTs < s.startMs || x.minTs > s.endMs) continue;
        if (x.minTs >= s.startMs && x.maxTs <= s.endMs && s.group.deletedStreams.size === 0) {
          records += x.rows;
          bytes += x.rawBytes;
        } else partial.push(x);
      }
      if (partial.length === 0) continue;
      await this.lease(partial);
      const deleted = [...s.group.deletedStreams].map((d) => String(Math.trunc(d)));
      const sql =
        `SELECT count(*) AS n, coalesce(sum(strlen(message)), 0) AS b FROM read_parquet([${partial.map((x) => quoteLiteral(this.file(x))).join(', ')}]) WHERE ts BETWEEN $1 AND $2` +
        (deleted.length > 0 ? ` AND stream_id NOT IN (${deleted.join(', ')})` : '');
      await this.readable(sql, ['ts', 'stream_id', 'message']);
      const rows = await this.store.db.all(sql, [s.startMs, s.endMs], this.conn);
      records += Number(rows[0]?.n ?? 0);
      bytes += Number(rows[0]?.b ?? 0);
    }
    return { records, bytes };
  }
}

/** Whether pruning kept every block of the segment. */
function readsWhole(r: SegmentRanges): boolean {
  const [first] = r.seqRanges;
  return r.seqRanges.length === 0 || (r.seqRanges.length === 1 && first![0] <= r.segment.minSeq && first![1] >= r.segment.maxSeq);
}

/**
 * Events a bitmap of cached results covers at most, unless one segment alone has more. DuckDB copies a
 * constant into every vector it evaluates (2,048 rows), so a bitmap's cost grows with its size times
 * the rows it serves: segments are read in runs of about this many events, each with its own bitmap.
 */
const BITMAP_RUN_EVENTS = 1 << 18;

/** `ranges` in runs of segments close in `seq`, each run BITMAP_RUN_EVENTS of sequence numbers at most. */
function bitmapRuns(ranges: readonly SegmentRanges[]): SegmentRanges[][] {
  const runs: SegmentRanges[][] = [];
  let start = -Infinity;
  for (const r of [...ranges].sort((a, b) => a.segment.minSeq - b.segment.minSeq)) {
    if (r.segment.maxSeq - start >= BITMAP_RUN_EVENTS) {
      runs.push([]);
      start = r.segment.minSeq;
    }
    runs.at(-1)!.push(r);
  }
  return runs;
}

/**
 * SQL of each row's bit in a bitmap from sequence number `base` on, for seqDense files read in the
 * order of `ranges`: the row's number in its file plus the file's first sequence number.
 */
function bitOfRow(ranges: readonly SegmentRanges[], base: number): string {
  const first = ranges.map((r) => Math.trunc(r.segment.minSeq - base));
  return first.length === 1 ? `(file_row_number + ${first[0]})` : `([${first.join(', ')}][(file_index + 1)::BIGINT] + file_row_number)`;
}

/** Identifiers we generate (table names); quoted anyway. */
const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** One event of a group by its sequence number, from the hot tier or the segment holding it. */
export async function readEventBySeq(
  store: LogStore,
  g: LogGroup,
  seq: number,
): Promise<{ streamId: number; timestamp: number; ingestMs: number; message: string } | undefined> {
  for (const e of store.hot.events(g.id, (_sid, _ts, s) => s === seq)) return e;
  const seg = g.segments.find((s) => s.minSeq <= seq && seq <= s.maxSeq);
  if (!seg) return undefined;
  const lease = await store.leaseSegments([seg]);
  let rows;
  try {
    rows = await store.db.all(`SELECT stream_id, ts, ingest_ts, message FROM read_parquet(${quoteLiteral(lease.path(seg.path))}) WHERE seq = $1`, [seq]);
  } finally {
    lease.release();
  }
  const r = rows[0];
  return r ? { streamId: Number(r.stream_id), timestamp: Number(r.ts), ingestMs: Number(r.ingest_ts), message: String(r.message) } : undefined;
}
