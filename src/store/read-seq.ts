/**
 * Reading a group's events in sequence order, from a sequence number on: what a consumer that keeps
 * its own checkpoint (a subscription) needs to catch up after a restart or after falling behind.
 *
 * Race with the sealer: a visible event is always in the hot tier or in a segment of g.segments (a seal
 * adds its segments and drops its hot batches in one turn of the event loop: Catalog.commitSeal). The hot
 * tier is read and the segment list taken in one turn, so each event is found in exactly one of them.
 */
import type { LogGroup } from './catalog.js';
import { quoteLiteral } from './db.js';
import type { HotBatch, StoredEvent } from './hot.js';
import type { SegmentLease } from './at-rest.js';
import type { LogStore } from './store.js';

/** A read of sealed events stops past about this much memory (events can be 1 MB each). */
const MAX_READ_BYTES = 16 * 1024 * 1024;

export interface SeqPage {
  events: StoredEvent[];
  /** Where the next read starts: past the last event returned, or `toSeq` when the range was exhausted. */
  nextSeq: number;
}

/** Events with fromSeq <= seq < toSeq, in seq order, at most `limit`; null when the group is gone. */
export async function readBySeq(store: LogStore, g: LogGroup, fromSeq: number, toSeq: number, limit: number, retried = false): Promise<SeqPage | null> {
  if (store.catalog.groupsById.get(g.id) !== g) return null;
  if (fromSeq >= toSeq) return { events: [], nextSeq: fromSeq };
  const hot = readHot(store, g, fromSeq, toSeq, limit);
  // The common case, a consumer that keeps up: the hot tier holds the whole page, without a gap (seqs are
  // unique and ascending there), so the segments have nothing to add and are not read. A page that starts
  // before the hot tier, or has a gap (a deleted stream), is merged with the segments as below.
  const first = hot[0];
  const last = hot.at(-1);
  if (first !== undefined && last !== undefined && first.seq === fromSeq && last.seq - first.seq === hot.length - 1 && (hot.length >= limit || last.seq === toSeq - 1)) {
    return { events: hot, nextSeq: last.seq + 1 };
  }
  const segments = g.segments.filter((s) => s.maxSeq >= fromSeq && s.minSeq < toSeq);
  let cold: StoredEvent[] = [];
  let coldCut = false;
  if (segments.length > 0) {
    const deleted = [...g.deletedStreams].map((n) => String(Math.trunc(n)));
    const conn = await store.db.connect();
    let lease: SegmentLease | undefined;
    try {
      lease = await store.leaseSegments(segments);
      const files = segments.map((s) => quoteLiteral(lease!.path(s.path))).join(', ');
      const sql =
        `SELECT stream_id, ts, ingest_ts, seq, message FROM read_parquet([${files}]) WHERE seq >= $1 AND seq < $2` +
        (deleted.length > 0 ? ` AND stream_id NOT IN (${deleted.join(',')})` : '') +
        ` ORDER BY seq LIMIT ${Math.trunc(limit)}`;
      const read = await store.db.readBounded(sql, [fromSeq, toSeq], conn, MAX_READ_BYTES);
      coldCut = read.cut;
      cold = read.rows.map((r) => ({ streamId: Number(r.stream_id), timestamp: Number(r.ts), ingestMs: Number(r.ingest_ts), seq: Number(r.seq), message: String(r.message) }));
    } catch (e) {
      // Compaction or retention may have removed a file while it was read: read again once.
      if (store.catalog.groupsById.get(g.id) !== g) return null;
      if (!retried && segments.some((s) => !g.segments.includes(s))) return readBySeq(store, g, fromSeq, toSeq, limit, true);
      throw e;
    } finally {
      conn.closeSync();
      lease?.release();
    }
  }
  const bySeq = new Map<number, StoredEvent>();
  for (const e of cold) bySeq.set(e.seq, e);
  for (const e of hot) bySeq.set(e.seq, e);
  let events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const lastCold = cold.at(-1);
  if (coldCut && lastCold) {
    // The read stopped at a byte bound: nothing is known past its last row yet.
    events = events.filter((e) => e.seq <= lastCold.seq);
    return { events, nextSeq: lastCold.seq + 1 };
  }
  if (events.length >= limit) {
    events.length = limit;
    return { events, nextSeq: events.at(-1)!.seq + 1 };
  }
  return { events, nextSeq: toSeq };
}

/**
 * Hot events in [fromSeq, toSeq), at most `limit`. A group's hot batches are in sequence order (they are
 * added as they become visible, and recovery replays them in WAL order), so the first batch is found by
 * binary search rather than by scanning every hot event on each read.
 */
function readHot(store: LogStore, g: LogGroup, fromSeq: number, toSeq: number, limit: number): StoredEvent[] {
  const batches = store.hot.batches(g.id);
  let lo = 0;
  let hi = batches.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const b = batches[mid]!;
    if (b.firstSeq + b.timestamps.length <= fromSeq) lo = mid + 1;
    else hi = mid;
  }
  const out: StoredEvent[] = [];
  for (let i = lo; i < batches.length && out.length < limit; i++) {
    const b = batches[i]!;
    if (b.firstSeq >= toSeq) break;
    if (g.deletedStreams.has(b.streamId)) continue;
    for (let k = Math.max(0, fromSeq - b.firstSeq); k < b.timestamps.length && out.length < limit; k++) {
      const seq = b.firstSeq + k;
      if (seq >= toSeq) break;
      out.push({ streamId: b.streamId, timestamp: b.timestamps[k]!, ingestMs: b.ingestMs, seq, message: b.messages[k]! });
    }
  }
  return out;
}

/** Part of one hot batch: its events lo <= k < hi (sequence numbers batch.firstSeq + k). */
export interface HotRun {
  batch: Readonly<HotBatch>;
  lo: number;
  hi: number;
}

/**
 * The hot batches holding [fromSeq, ...), as they are (no copy of the events), for a reader that follows
 * the head: whole batches until at least `minEvents` events are taken or `toSeq` is reached. Null when
 * the hot tier does not hold fromSeq (sealed, or the start of a gap left by a deleted stream): read with
 * readBySeq then. The runs stop at the first gap, and never hold events of a deleted stream.
 * Synchronous: the sealer cannot drop a batch while it runs.
 */
export function readHotRuns(store: LogStore, g: LogGroup, fromSeq: number, toSeq: number, minEvents: number): { runs: HotRun[]; nextSeq: number } | null {
  if (store.catalog.groupsById.get(g.id) !== g) return null;
  return runsOf(store.hot.batches(g.id), g, fromSeq, toSeq, minEvents);
}

/** readHotRuns over any list of a group's batches in sequence order (the hot tier's, or a reader's own). */
export function runsOf(batches: readonly Readonly<HotBatch>[], g: LogGroup, fromSeq: number, toSeq: number, minEvents: number, start = 0): { runs: HotRun[]; nextSeq: number } | null {
  let lo = start;
  let hi = batches.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const b = batches[mid]!;
    if (b.firstSeq + b.timestamps.length <= fromSeq) lo = mid + 1;
    else hi = mid;
  }
  const first = batches[lo];
  if (first === undefined || first.firstSeq > fromSeq || fromSeq >= toSeq) return null;
  const runs: HotRun[] = [];
  let next = fromSeq;
  let taken = 0;
  for (let i = lo; i < batches.length && taken < minEvents && next < toSeq; i++) {
    const b = batches[i]!;
    if (b.firstSeq > next) break; // a gap: what follows is read by readBySeq
    const runLo = next - b.firstSeq;
    const runHi = Math.min(b.timestamps.length, toSeq - b.firstSeq);
    if (!g.deletedStreams.has(b.streamId)) runs.push({ batch: b, lo: runLo, hi: runHi });
    taken += runHi - runLo;
    next = b.firstSeq + runHi;
  }
  return { runs, nextSeq: next };
}
