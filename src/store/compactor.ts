/**
 * Compaction: merges runs of small segments of a log group into one, so a group that receives few
 * events does not end up with one tiny file per seal (a file per five minutes is 8,640 a month).
 *
 * At any time, segments smaller than one trigram block are merged, at least MIN_RUN of them in a row
 * (by sequence number) and at most TARGET_ROWS in total (pickRun); heavier groups' segments wait for a
 * quiet time (below). Events of deleted streams are dropped on the way. Bitmaps are keyed by sequence block,
 * not by file, so they stay valid as they are; shredded fields (shred.ts) are chosen afresh.
 *
 * When ingest is quiet, the merged file also gets a token index (token-index.ts), so that segments
 * which settled answer message tests of Logs Insights without reading messages. Merges during ingest
 * leave that to later (settling.ts indexOne): on 2 cores it took sustained ingest from 110k to 95k
 * events a second.
 *
 * When ingest is quiet, runs of segments that are neither shredded nor large (pickQuietRun) are merged
 * too, up to TARGET_ROWS, in place of shredding each one alone: every event is still rewritten once in
 * quiet times, but a group fed at a sustained rate ends with one segment per million events instead of
 * one per sealed WAL file, and a query opens (and with encryption decrypts) a tenth of the files.
 *
 * Memory: the inputs are read in sequence order (each file is, and they are listed by sequence), so
 * the merged file is written without a sort (DuckDB keeps the order: preserve_insertion_order, db.ts),
 * and the fields are chosen from samples of a few inputs rather than a window over all the events.
 * A merge takes an AbortSignal: settling aborts a quiet-time merge when ingest resumes.
 *
 * The merged file and its index are written (and sealed, at-rest.ts) first; one catalog transaction
 * then swaps the inputs for it; the inputs are unlinked last. A crash before the commit leaves unknown
 * files, removed at start-up; after it, unknown inputs, removed the same way.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { AtRest } from './at-rest.js';
import type { Db } from './db.js';
import { quoteLiteral } from './db.js';
import type { LogGroup, Segment } from './catalog.js';
import { BLOCK_EVENTS } from './trigram.js';
import { chooseFields, DICTIONARY_ENTRIES, extractListSql, jsonDocSql, SAMPLE_EVENTS } from './shred.js';
import { indexPath, TokenIndexBuilder } from './token-index.js';

export const SMALL_ROWS = BLOCK_EVENTS;
export const MIN_RUN = 8;
export const TARGET_ROWS = 64 * BLOCK_EVENTS;

/** Inputs of a merge whose events the choice of its shredded fields samples. */
const SAMPLED_INPUTS = 8;
/** A quiet-time run stops before a segment this large: it is shredded alone (or is already merged). */
export const LARGE_ROWS = TARGET_ROWS / 2;
/**
 * A quiet-time run spans at most this much event time: retention drops whole segments (store.ts), so
 * a merged segment keeps its expired events on disk (hidden) until its newest one expires, at most
 * about this long on top of what its inputs did. An hour is 4% of the shortest retention, a day.
 */
export const MAX_SPAN_MS = 60 * 60 * 1000;

/**
 * The run of segments to rewrite when ingest is quiet: the first segment not shredded yet (by
 * sequence), with the unshredded segments that follow it, as long as none is large and the run stays
 * within TARGET_ROWS events and MAX_SPAN_MS of event time; null when every segment is shredded. A run
 * of one is the shredding of that segment alone.
 */
export function pickQuietRun(segments: readonly Segment[]): Segment[] | null {
  const sorted = [...segments].sort((a, b) => a.minSeq - b.minSeq);
  const start = sorted.findIndex((s) => s.fields === null);
  if (start < 0) return null;
  const run = [sorted[start]!];
  let rows = run[0]!.rows;
  let minTs = run[0]!.minTs;
  let maxTs = run[0]!.maxTs;
  if (rows >= LARGE_ROWS) return run;
  for (const s of sorted.slice(start + 1)) {
    const lo = Math.min(minTs, s.minTs);
    const hi = Math.max(maxTs, s.maxTs);
    if (s.fields !== null || s.rows >= LARGE_ROWS || rows + s.rows > TARGET_ROWS || hi - lo > MAX_SPAN_MS) break;
    run.push(s);
    rows += s.rows;
    minTs = lo;
    maxTs = hi;
  }
  return run;
}

/** The first run of small segments worth merging, or null. */
export function pickRun(segments: readonly Segment[]): Segment[] | null {
  const sorted = [...segments].sort((a, b) => a.minSeq - b.minSeq);
  let run: Segment[] = [];
  let rows = 0;
  for (const s of sorted) {
    if (s.rows < SMALL_ROWS && rows + s.rows <= TARGET_ROWS) {
      run.push(s);
      rows += s.rows;
      continue;
    }
    if (run.length >= MIN_RUN) return run;
    run = s.rows < SMALL_ROWS ? [s] : [];
    rows = s.rows < SMALL_ROWS ? s.rows : 0;
  }
  return run.length >= MIN_RUN ? run : null;
}

/** The token index (token-index.ts) of the segment file `file`, whose first event is `minSeq`. */
export async function buildIndex(conn: DuckDBConnection, file: string, minSeq: number, rows: number): Promise<Buffer> {
  const builder = new TokenIndexBuilder();
  // Segment files are in sequence order (sealer.ts, mergeSegments): read as they lie, without a sort of
  // every message (a million of them in a merged segment); add() refuses offsets out of order.
  const result = await conn.stream(`SELECT CAST(seq - ${Math.trunc(minSeq)} AS INTEGER) AS o, message FROM read_parquet(${quoteLiteral(file)})`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const [offsets, messages] = chunk.getColumns() as [number[], string[]];
    for (let i = 0; i < offsets.length; i++) builder.add(offsets[i]!, messages[i]!);
  }
  return builder.finish(rows);
}

/**
 * Writes the merged segment of `run` (sealed in place, at-rest.ts); the caller commits it. An abort of
 * `signal` interrupts DuckDB's work and fails the merge (nothing is left behind).
 */
export async function mergeSegments(
  db: Db,
  conn: DuckDBConnection,
  atRest: AtRest,
  g: LogGroup,
  run: readonly Segment[],
  id: number,
  /** Build its token index too (only when ingest is quiet: it costs about 1.5 µs an event). */
  withIndex: boolean,
  signal?: AbortSignal,
): Promise<Segment> {
  const rel = join('segments', String(g.id), `${String(id).padStart(12, '0')}.parquet`);
  const tmp = join(atRest.scratchDir, `merge-${id}.parquet`);
  const sorted = [...run].sort((a, b) => a.minSeq - b.minSeq);
  const lease = await atRest.lease(sorted.map((s) => s.path));
  const interrupt = (): void => conn.interrupt();
  signal?.addEventListener('abort', interrupt);
  let st: Record<string, unknown> | undefined;
  let fields: string[];
  try {
    signal?.throwIfAborted();
    const deleted = [...g.deletedStreams].map((n) => String(Math.trunc(n)));
    const where = deleted.length > 0 ? `WHERE stream_id NOT IN (${deleted.join(',')})` : '';
    const from = (files: readonly Segment[]): string =>
      `(SELECT ${Math.trunc(g.id)} AS g, stream_id, ts, ingest_ts, seq, message, json_off FROM read_parquet([${files.map((s) => quoteLiteral(lease.path(s.path))).join(', ')}]) ${where})`;
    // The inputs' shredded fields may differ: the merge chooses its own, from the first events of up to
    // SAMPLED_INPUTS of them, spread over the run (one scan each: eighty in one query ran DuckDB out of
    // its memory limit on a run of eighty small segments).
    const sampled = sorted.length <= SAMPLED_INPUTS ? sorted : Array.from({ length: SAMPLED_INPUTS }, (_, k) => sorted[Math.floor((k * sorted.length) / SAMPLED_INPUTS)]!);
    const share = Math.ceil(SAMPLE_EVENTS / sampled.length);
    const sample = sorted.length === 1 ? from(sorted) : `(${sampled.map((s) => `(SELECT g, message FROM ${from([s])} LIMIT ${share})`).join(' UNION ALL ')})`;
    fields = (await chooseFields(db, conn, sample)).get(g.id) ?? [];
    const shredded = fields.length > 0 ? `, ${extractListSql(jsonDocSql('message', 'json_off'), fields)} AS __x` : '';
    const columns = fields.map((_, k) => `, __x[${k + 1}] AS j${k}`).join('');
    // In sequence order without ORDER BY: each input is, they are listed by sequence, and DuckDB keeps
    // the order of what it reads (a sort would hold up to a million messages in memory or spill them).
    await db.run(
      `COPY (SELECT stream_id, ts, ingest_ts, seq, message, json_off${columns} FROM (SELECT *${shredded} FROM ${from(sorted)}))
       TO ${quoteLiteral(tmp)} (FORMAT parquet, COMPRESSION zstd, DICTIONARY_SIZE_LIMIT ${DICTIONARY_ENTRIES}, ROW_GROUP_SIZE ${BLOCK_EVENTS})`,
      [],
      conn,
    );
    [st] = await db.all(
      `SELECT count(*) AS n, coalesce(sum(strlen(message)), 0) AS bytes, min(ts) AS min_ts, max(ts) AS max_ts, min(seq) AS min_seq, max(seq) AS max_seq
       FROM read_parquet(${quoteLiteral(tmp)})`,
      [],
      conn,
    );
    if (withIndex && st!.min_seq !== null) await atRest.storeIndex(g.id, indexPath(rel), await buildIndex(conn, tmp, Number(st!.min_seq), Number(st!.n)));
    signal?.throwIfAborted();
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    await fsp.rm(join(atRest.dataDir, indexPath(rel)), { force: true });
    throw e;
  } finally {
    signal?.removeEventListener('abort', interrupt);
    lease.release();
  }
  const { fileBytes, layout } = await atRest.storeSegment(g.id, tmp, rel);
  const first = sorted[0]!;
  // An empty result (every event was of a deleted stream) still replaces the run, with the run's range.
  return {
    id,
    groupId: g.id,
    path: rel,
    walFile: Math.max(...run.map((s) => s.walFile)),
    rows: Number(st!.n),
    rawBytes: Number(st!.bytes),
    fileBytes,
    minTs: st!.min_ts === null ? Math.min(...run.map((s) => s.minTs)) : Number(st!.min_ts),
    maxTs: st!.max_ts === null ? Math.max(...run.map((s) => s.maxTs)) : Number(st!.max_ts),
    minSeq: st!.min_seq === null ? first.minSeq : Number(st!.min_seq),
    maxSeq: st!.max_seq === null ? sorted.at(-1)!.maxSeq : Number(st!.max_seq),
    fields,
    layout,
  };
}
