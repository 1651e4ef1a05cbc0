/**
 * Compaction: merges runs of small segments of a log group into one, so a group that receives few
 * events does not end up with one tiny file per seal (a file per five minutes is 8,640 a month).
 *
 * Only segments smaller than one trigram block are merged, at least MIN_RUN of them in a row (by
 * sequence number) and at most TARGET_ROWS in total: heavy groups, whose seals are already large, are
 * left alone. Events of deleted streams are dropped on the way. Bitmaps are keyed by sequence block,
 * not by file, so they stay valid as they are; shredded fields (shred.ts) are chosen afresh.
 *
 * When ingest is quiet, the merged file also gets a token index (token-index.ts), so that segments
 * which settled answer message tests of Logs Insights without reading messages. Merges during ingest
 * leave that to later (settling.ts indexOne): on 2 cores it took sustained ingest from 110k to 95k
 * events a second.
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
import { chooseFields, DICTIONARY_ENTRIES, extractListSql, jsonDocSql } from './shred.js';
import { indexPath, TokenIndexBuilder } from './token-index.js';

export const SMALL_ROWS = BLOCK_EVENTS;
export const MIN_RUN = 8;
export const TARGET_ROWS = 64 * BLOCK_EVENTS;

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
  const result = await conn.stream(`SELECT CAST(seq - ${Math.trunc(minSeq)} AS INTEGER) AS o, message FROM read_parquet(${quoteLiteral(file)}) ORDER BY seq`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (chunk === null || chunk.rowCount === 0) break;
    const [offsets, messages] = chunk.getColumns() as [number[], string[]];
    for (let i = 0; i < offsets.length; i++) builder.add(offsets[i]!, messages[i]!);
  }
  return builder.finish(rows);
}

/**
 * Whether row i of the segment file `file` holds sequence number s.minSeq + i, for every row and with
 * none missing (Segment.seqDense): checked, not assumed, for a file that sealing wrote in the order of
 * its write-ahead log.
 */
export async function isSeqDense(db: Db, conn: DuckDBConnection, file: string, s: Pick<Segment, 'rows' | 'minSeq' | 'maxSeq'>): Promise<boolean> {
  if (s.rows === 0 || s.rows !== s.maxSeq - s.minSeq + 1) return false;
  const [r] = await db.all(
    `SELECT count(*) AS n, count(*) FILTER (WHERE seq <> file_row_number + ${Math.trunc(s.minSeq)}) AS misplaced FROM read_parquet(${quoteLiteral(file)})`,
    [],
    conn,
  );
  return Number(r?.n) === s.rows && Number(r?.misplaced) === 0;
}

/** Writes the merged segment of `run` (sealed in place, at-rest.ts); the caller commits it. */
export async function mergeSegments(
  db: Db,
  conn: DuckDBConnection,
  atRest: AtRest,
  g: LogGroup,
  run: readonly Segment[],
  id: number,
  /** Build its token index too (only when ingest is quiet: it costs about 1.5 µs an event). */
  withIndex: boolean,
): Promise<Segment> {
  const rel = join('segments', String(g.id), `${String(id).padStart(12, '0')}.parquet`);
  const tmp = join(atRest.scratchDir, `merge-${id}.parquet`);
  const lease = await atRest.lease(run.map((s) => s.path));
  let st: Record<string, unknown> | undefined;
  let fields: string[];
  try {
    const files = run.map((s) => quoteLiteral(lease.path(s.path))).join(', ');
    const deleted = [...g.deletedStreams].map((n) => String(Math.trunc(n)));
    const where = deleted.length > 0 ? `WHERE stream_id NOT IN (${deleted.join(',')})` : '';
    // The inputs' shredded fields may differ: the merge chooses its own from its events.
    const input = `(SELECT ${Math.trunc(g.id)} AS g, stream_id, ts, ingest_ts, seq, message, json_off FROM read_parquet([${files}]) ${where})`;
    fields = (await chooseFields(db, conn, input)).get(g.id) ?? [];
    const shredded = fields.length > 0 ? `, ${extractListSql(jsonDocSql('message', 'json_off'), fields)} AS __x` : '';
    const columns = fields.map((_, k) => `, __x[${k + 1}] AS j${k}`).join('');
    await db.run(
      `COPY (SELECT stream_id, ts, ingest_ts, seq, message, json_off${columns} FROM (SELECT *${shredded} FROM ${input}) ORDER BY seq)
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
  } catch (e) {
    await fsp.rm(tmp, { force: true });
    await fsp.rm(join(atRest.dataDir, indexPath(rel)), { force: true });
    throw e;
  } finally {
    lease.release();
  }
  const { fileBytes, layout } = await atRest.storeSegment(g.id, tmp, rel);
  const first = run[0]!;
  const rows = Number(st!.n);
  // An empty result (every event was of a deleted stream) still replaces the run, with the run's range.
  return {
    id,
    groupId: g.id,
    path: rel,
    walFile: Math.max(...run.map((s) => s.walFile)),
    rows,
    rawBytes: Number(st!.bytes),
    fileBytes,
    minTs: st!.min_ts === null ? first.minTs : Number(st!.min_ts),
    maxTs: st!.max_ts === null ? first.maxTs : Number(st!.max_ts),
    minSeq: st!.min_seq === null ? first.minSeq : Number(st!.min_seq),
    maxSeq: st!.max_seq === null ? first.maxSeq : Number(st!.max_seq),
    fields,
    layout,
    // Written ORDER BY seq: its rows are its sequence numbers in order, dense unless some were left out.
    seqDense: rows > 0 && rows === Number(st!.max_seq) - Number(st!.min_seq) + 1,
  };
}
