/**
 * Reading events back: one group, a time range, optional streams, a filter pattern, a position, a limit.
 *
 * Sealed segments are pruned by their time range and, for term patterns, by trigram bitmaps (only
 * the sequence ranges of blocks that may match are read); DuckDB runs the pattern's SQL back end over
 * what is left. Hot events run through the pattern's predicate back end. Both sides are ordered by
 * (timestamp, seq) and merged, so a page is the same whichever tier its events live in.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { LogGroup, Segment } from './catalog.js';
import { quoteLiteral, type SqlParam } from './db.js';
import { eventsOf, type HotBatch, type StoredEvent } from './hot.js';
import type { SegmentLease } from './at-rest.js';
import type { LogStore } from './store.js';
import { retentionCutoff } from './store.js';
import { blockOf, blocksSpanned, BLOCK_EVENTS } from './trigram.js';
import type { FilterPattern } from '../query/filter-pattern/ast.js';
import { matchesEverything } from '../query/filter-pattern/ast.js';
import { compilePredicate } from '../query/filter-pattern/predicate.js';
import { toSql } from '../query/filter-pattern/sql.js';
import { bitmapMayMatch, bitmapRequirement, requirementSql, type BitmapRequirement } from '../query/filter-pattern/prune.js';

/** A position in (timestamp, seq) order. */
export interface Cursor {
  ts: number;
  seq: number;
}

export interface EventQuery {
  group: LogGroup;
  /** Only these streams; null for all. */
  streamIds: ReadonlySet<number> | null;
  startMs: number;
  endMs: number;
  pattern: FilterPattern;
  /** Strictly after (ascending) or strictly before (descending) this position. */
  from?: Cursor | undefined;
  descending: boolean;
  limit: number;
  /**
   * Stop reading sealed events once they take about this much memory (UTF-16 bytes): a page of
   * FilterLogEvents holds at most 1 MB, so reading 10,000 events of up to 1 MB each is never needed.
   */
  maxBytes?: number;
}

export interface QueryStats {
  segmentsTotal: number;
  segmentsRead: number;
  blocksTotal: number;
  blocksRead: number;
}

const cmp = (a: StoredEvent, b: StoredEvent): number => a.timestamp - b.timestamp || a.seq - b.seq;

export async function queryEvents(store: LogStore, q: EventQuery, stats?: QueryStats, retried = false): Promise<StoredEvent[]> {
  const { group: g } = q;
  const startMs = Math.max(q.startMs, retentionCutoff(g, store.opts.clock.now()));
  const endMs = q.endMs;
  if (endMs < startMs || q.limit <= 0) return [];
  const predicate = compilePredicate(q.pattern);
  const dir = q.descending ? -1 : 1;
  const from = q.from;
  const beyond = (ts: number, seq: number): boolean =>
    from === undefined || (dir > 0 ? ts > from.ts || (ts === from.ts && seq > from.seq) : ts < from.ts || (ts === from.ts && seq < from.seq));
  const deleted = g.deletedStreams;

  const req = bitmapRequirement(q.pattern);
  // The hot batches and the segments, taken in one turn of the event loop (HotTier.snapshot).
  const batches = store.hot.snapshot(g.id);
  const segments = g.segments.filter((s) => s.maxTs >= startMs && s.minTs <= endMs);
  // Hot tier: the predicate back end, over the batches whose blocks' bitmaps allow a match.
  const keepBatch = await hotBatchFilter(store, g, req, batches);
  const hot: StoredEvent[] = [];
  const inRange = (sid: number, ts: number, seq: number): boolean =>
    ts >= startMs && ts <= endMs && (q.streamIds === null || q.streamIds.has(sid)) && beyond(ts, seq);
  for (const e of eventsOf(batches, inRange, keepBatch)) {
    if (predicate(e.message)) hot.push(e);
  }
  hot.sort((a, b) => dir * cmp(a, b));
  if (hot.length > q.limit) hot.length = q.limit;

  // Sealed segments: the SQL back end, after pruning.
  const ranges = await candidateRanges(store, g, segments, req, stats);
  let cold: StoredEvent[] & { cut?: boolean } = [];
  if (ranges.length > 0) {
    const params: SqlParam[] = [startMs, endMs];
    const where = [`ts >= $1`, `ts <= $2`];
    if (from) {
      params.push(from.ts, from.seq);
      const op = dir > 0 ? '>' : '<';
      where.push(`(ts ${op} $3 OR (ts = $3 AND seq ${op} $4))`);
    }
    if (q.streamIds !== null) where.push(`stream_id IN (${[...q.streamIds].map((n) => String(Math.trunc(n))).join(',') || 'NULL'})`);
    if (deleted.size > 0) where.push(`stream_id NOT IN (${[...deleted].map((n) => String(Math.trunc(n))).join(',')})`);
    const seqWhere = seqFilterSql(ranges);
    if (seqWhere) where.push(seqWhere);
    if (!matchesEverything(q.pattern)) {
      // The text every match contains, tested first: in the blocks pruning kept, most messages lack it,
      // and `contains` costs far less than the pattern's JSON parses, regex or field split (a term
      // pattern's SQL is that test already).
      const guard = q.pattern.kind === 'terms' || req === null ? null : requirementSql(req, 'message', (v) => `$${params.push(v)}`);
      if (guard !== null) where.push(guard);
      where.push(toSql(q.pattern, 'message', params));
    }
    const order = dir > 0 ? 'ts, seq' : 'ts DESC, seq DESC';
    const conn = await store.db.connect();
    let lease: SegmentLease | undefined;
    try {
      lease = await store.leaseSegments(ranges.map((r) => r.segment));
      const files = ranges.map((r) => quoteLiteral(lease!.path(r.segment.path))).join(', ');
      const sql =
        `SELECT stream_id, ts, ingest_ts, seq, message FROM read_parquet([${files}]) ` +
        `WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${Math.trunc(q.limit)}`;
      cold = await runEvents(store, conn, sql, params, q.maxBytes);
    } catch (e) {
      // Retention or a deletion may have removed a segment while we read it: start over once.
      if (store.catalog.groupsById.get(g.id) !== g) return []; // the group itself was deleted
      const gone = ranges.some((r) => !g.segments.includes(r.segment));
      if (gone && !retried) return queryEvents(store, q, stats, true);
      throw e;
    } finally {
      conn.closeSync();
      lease?.release();
    }
  }

  let merged = cold.length === 0 ? hot : hot.length === 0 ? cold : [...cold, ...hot].sort((a, b) => dir * cmp(a, b));
  // A read cut short by maxBytes says nothing of the sealed events after its last one: hot events
  // past that point wait for the next page.
  const lastCold = cold.at(-1);
  if (cold.cut && lastCold) merged = merged.filter((e) => dir * cmp(e, lastCold) <= 0);
  if (merged.length > q.limit) merged.length = q.limit;
  return merged;
}

/** Which hot batches may hold an event with the text `req` requires (undefined: all of them). */
export async function hotBatchFilter(
  store: LogStore,
  g: LogGroup,
  req: BitmapRequirement | null,
  /** The batches the reader took (HotTier.snapshot): blocks of none of them fail. */
  batches: readonly HotBatch[],
): Promise<((b: HotBatch) => boolean) | undefined> {
  if (req === null) return undefined;
  const blocks = new Set(batches.flatMap((b) => blocksSpanned(b.firstSeq, b.timestamps.length)));
  const bitmaps = await store.bitmapsFor(g, [...blocks]);
  const pass = new Set([...blocks].filter((k) => !bitmaps.has(k) || bitmapMayMatch(bitmaps.get(k)!, req)));
  return (b) => blocksSpanned(b.firstSeq, b.timestamps.length).some((k) => pass.has(k));
}

/** The sealed events a query reads; `cut` when maxBytes stopped the read before its limit. */
async function runEvents(store: LogStore, conn: DuckDBConnection, sql: string, params: SqlParam[], maxBytes?: number): Promise<StoredEvent[] & { cut?: boolean }> {
  const { rows, cut } = maxBytes === undefined ? { rows: await store.db.all(sql, params, conn), cut: false } : await store.db.readBounded(sql, params, conn, maxBytes);
  return Object.assign(rows.map((r) => ({
    streamId: r.stream_id as number,
    timestamp: r.ts as number,
    ingestMs: r.ingest_ts as number,
    seq: r.seq as number,
    message: r.message as string,
  })), { cut });
}

export interface SegmentRanges {
  segment: Segment;
  /** Inclusive seq ranges to read; empty means the whole segment. */
  seqRanges: Array<[number, number]>;
}

/**
 * The `seq` condition that reads only the blocks pruning kept of these segments, or null when it keeps
 * them whole. Seq numbers between the segments hold no rows of these files, so ranges merge across
 * them; when fewer intervals are dropped than kept, the condition names the dropped ones. (Evaluated on
 * every row: a common term that passes every block must not cost one comparison per segment.)
 */
export function seqFilterSql(ranges: readonly SegmentRanges[]): string | null {
  if (ranges.length === 0 || ranges.some((r) => r.seqRanges.length === 0)) return null;
  const keep: Array<[number, number]> = [];
  const drop: Array<[number, number]> = [];
  let dropped = false; // a dropped interval since the last kept one: the next kept one cannot merge
  for (const r of [...ranges].sort((a, b) => a.segment.minSeq - b.segment.minSeq)) {
    let cursor = r.segment.minSeq;
    for (const [a, b] of r.seqRanges) {
      if (a > cursor) {
        drop.push([cursor, a - 1]);
        dropped = true;
      }
      const last = keep.at(-1);
      if (last && !dropped) last[1] = b;
      else keep.push([a, b]);
      dropped = false;
      cursor = b + 1;
    }
    if (cursor <= r.segment.maxSeq) {
      drop.push([cursor, r.segment.maxSeq]);
      dropped = true;
    }
  }
  if (drop.length === 0) return null;
  const between = ([a, b]: [number, number]): string => `seq BETWEEN ${Math.trunc(a)} AND ${Math.trunc(b)}`;
  return drop.length < keep.length ? `NOT (${drop.map(between).join(' OR ')})` : `(${keep.map(between).join(' OR ')})`;
}

/** Which segments, and which parts of them, may hold an event with the text `req` requires. */
export async function candidateRanges(
  store: LogStore,
  g: LogGroup,
  segments: Segment[],
  req: BitmapRequirement | null,
  stats?: QueryStats,
): Promise<SegmentRanges[]> {
  if (stats) {
    stats.segmentsTotal += segments.length;
  }
  if (req === null || segments.length === 0) {
    if (stats) stats.segmentsRead += segments.length;
    return segments.map((segment) => ({ segment, seqRanges: [] }));
  }
  const blocks = new Set<number>();
  for (const s of segments) for (let k = blockOf(s.minSeq); k <= blockOf(s.maxSeq); k++) blocks.add(k);
  const bitmaps = await store.bitmapsFor(g, [...blocks]);
  const pass = new Set<number>();
  for (const k of blocks) {
    const bits = bitmaps.get(k);
    if (!bits || bitmapMayMatch(bits, req)) pass.add(k); // no bitmap: cannot prune
  }
  if (stats) {
    stats.blocksTotal += blocks.size;
    stats.blocksRead += pass.size;
  }
  const out: SegmentRanges[] = [];
  for (const s of segments) {
    const seqRanges: Array<[number, number]> = [];
    for (let k = blockOf(s.minSeq); k <= blockOf(s.maxSeq); k++) {
      if (!pass.has(k)) continue;
      const lo = Math.max(s.minSeq, k * BLOCK_EVENTS);
      const hi = Math.min(s.maxSeq, (k + 1) * BLOCK_EVENTS - 1);
      const last = seqRanges.at(-1);
      if (last && last[1] + 1 === lo) last[1] = hi;
      else seqRanges.push([lo, hi]);
    }
    if (seqRanges.length > 0) out.push({ segment: s, seqRanges });
  }
  if (stats) stats.segmentsRead += out.length;
  return out;
}
