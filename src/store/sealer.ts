/**
 * Sealing: turns one closed write-ahead log file into immutable Parquet segments, one per log group.
 *
 * DuckDB reads the WAL lines itself (C++, off the event loop, on sealing's own one-thread DuckDB: see
 * store.ts) into a temporary table, which is checked record by record against what ingest accepted
 * (the hot batches of that file: event count, UTF-8 bytes, first and last timestamp). A record that DuckDB read differently
 * from V8 (a body with duplicate keys, say), or a file DuckDB cannot read at all, is loaded from the
 * JavaScript side instead, so what is sealed is always exactly what was acknowledged.
 *
 * Segments are written as zstd Parquet in sequence order, 16,384 rows per row group (one trigram
 * block), to a folder in the private scratch space, then sealed with the group's data key into place
 * (at-rest.ts storeSegment; with encryption off, synced and renamed); the caller then commits them to the
 * catalog. An encrypted WAL file is first decrypted into the scratch space for DuckDB to read. Files not in the catalog after a crash are removed at start-up. zstd level 1 (a quarter
 * faster than the default level for the same size on the benchmark's logs), dictionaries only for
 * columns of few values (shred.ts DICTIONARY_ENTRIES). JSON fields are shredded later, when the store
 * is idle (store.ts), so that sealing keeps up with ingest.
 */
import { jsonOffsetSql } from './json-offset.js';
import { DICTIONARY_ENTRIES } from './shred.js';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Db } from './db.js';
import { quoteLiteral } from './db.js';
import type { HotBatch } from './hot.js';
import type { StoredSegment } from './at-rest.js';
import { syncDir } from './wal.js';
import { BLOCK_EVENTS } from './trigram.js';
import type { Segment } from './catalog.js';

export interface SealInput {
  walFile: number;
  walPath: string;
  /** The hot batches of this file: exactly what must be sealed. */
  batches: readonly HotBatch[];
  /** Private scratch space for the files being written (at-rest.ts). */
  scratchDir: string;
  /** Puts a written Parquet file at its place (`rel`), durably; returns the bytes stored and its layout (AtRest.storeSegment). */
  storeSegment(groupId: number, plain: string, rel: string): Promise<StoredSegment>;
  dataDir: string;
  /** A fresh catalog id (from the catalog's database: `db` is sealing's own). */
  newId(): Promise<number>;
}

export interface SealOutput {
  segments: Segment[];
  /** Milliseconds spent loading, checking and writing. */
  phases: { load: number; check: number; write: number };
  /** Records DuckDB did not read as V8 did and that were loaded from JavaScript instead. */
  repairedRecords: number;
  wholeFileFallback: boolean;
}

const WAL_COLUMNS =
  "{g: 'BIGINT', s: 'BIGINT', i: 'BIGINT', q: 'BIGINT', lo: 'INTEGER', hi: 'INTEGER', " +
  "b: 'STRUCT(logEvents STRUCT(\"timestamp\" BIGINT, message VARCHAR)[])'}";

const key = (g: number, q: number): string => `${g}:${q}`;

export async function sealWalFile(db: Db, input: SealInput): Promise<SealOutput> {
  const conn = await db.connect();
  const t0 = performance.now();
  let t1 = t0;
  let t2 = t0;
  try {
    await db.run(`DROP TABLE IF EXISTS seal_buf`, [], conn);
    let wholeFileFallback = false;
    try {
      await db.run(
        `CREATE TEMP TABLE seal_buf AS
         SELECT g, s AS stream_id, b.logEvents[k]."timestamp" AS ts, i AS ingest_ts, q + k - lo - 1 AS seq, b.logEvents[k].message AS message, q AS rec
         FROM (SELECT g, s, i, q, lo, b, unnest(range(lo + 1, hi + 1)) AS k
               FROM read_json(${quoteLiteral(input.walPath)}, format = 'newline_delimited', columns = ${WAL_COLUMNS}))`,
        [],
        conn,
      );
    } catch {
      // DuckDB could not read the file (e.g. a message with an escape it rejects): load it all from JS.
      wholeFileFallback = true;
      await db.run(
        `CREATE TEMP TABLE seal_buf (g BIGINT, stream_id BIGINT, ts BIGINT, ingest_ts BIGINT, seq BIGINT, message VARCHAR, rec BIGINT)`,
        [],
        conn,
      );
    }

    t1 = performance.now();
    const expected = new Map<string, HotBatch>();
    for (const b of input.batches) expected.set(key(b.groupId, b.firstSeq), b);

    // Keep only what ingest accepted and still holds (deleted groups and streams are gone from hot).
    const found = await db.all(
      `SELECT g, rec, count(*) AS n, count(message) AS nm, sum(strlen(message)) AS u, min(ts) AS mn, max(ts) AS mx
       FROM seal_buf GROUP BY g, rec`,
      [],
      conn,
    );
    const drop: Array<[number, number]> = [];
    const good = new Set<string>();
    for (const r of found) {
      const g = Number(r.g);
      const q = Number(r.rec);
      const b = expected.get(key(g, q));
      if (
        b &&
        Number(r.n) === b.timestamps.length &&
        Number(r.nm) === b.timestamps.length &&
        Number(r.u) === b.bytes &&
        Number(r.mn) === b.timestamps[0] &&
        Number(r.mx) === b.timestamps[b.timestamps.length - 1]
      ) {
        good.add(key(g, q));
      } else {
        drop.push([g, q]);
      }
    }
    for (const [g, q] of drop) await db.run(`DELETE FROM seal_buf WHERE g = $1 AND rec = $2`, [g, q], conn);

    const missing = input.batches.filter((b) => !good.has(key(b.groupId, b.firstSeq)));
    if (missing.length > 0) await appendBatches(conn, missing);

    t2 = performance.now();
    // Write one segment per group.
    const tmpDir = join(input.scratchDir, `seal-${input.walFile}`);
    await fsp.rm(tmpDir, { recursive: true, force: true });
    const perGroup = new Map<number, HotBatch[]>();
    for (const b of input.batches) {
      let l = perGroup.get(b.groupId);
      if (!l) perGroup.set(b.groupId, (l = []));
      l.push(b);
    }
    const segments: Segment[] = [];
    if (perGroup.size > 0) {
      await db.run(
        // No ORDER BY: seal_buf holds the WAL's order, which is seq order within each group, and
        // preserve_insertion_order keeps it through the partitioned write (a sort would double the work),
        // except for the records loaded from the exact path above, which come last: readers of a
        // segment that need sequence order sort (compactor.ts, read-seq.ts).
        // JSON fields are shredded later, off the ingest path (store.ts maintenance, shred.ts).
        `COPY (SELECT stream_id, ts, ingest_ts, seq, message, ${jsonOffsetSql('message')}::INTEGER AS json_off, g FROM seal_buf)
         TO ${quoteLiteral(tmpDir)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1, DICTIONARY_SIZE_LIMIT ${DICTIONARY_ENTRIES}, ROW_GROUP_SIZE ${BLOCK_EVENTS}, PARTITION_BY (g))`,
        [],
        conn,
      );
      for (const [groupId, list] of perGroup) {
        const partDir = join(tmpDir, `g=${groupId}`);
        const files = (await fsp.readdir(partDir)).filter((f) => f.endsWith('.parquet')).sort();
        if (files.length !== 1) throw new Error(`seal of WAL file ${input.walFile}: expected one file for group ${groupId}, got ${files.length}`);
        const id = await input.newId();
        const rel = join('segments', String(groupId), `${String(id).padStart(12, '0')}.parquet`);
        await fsp.mkdir(join(input.dataDir, 'segments', String(groupId)), { recursive: true });
        const { fileBytes, layout } = await input.storeSegment(groupId, join(partDir, files[0]!), rel);
        let rows = 0;
        let rawBytes = 0;
        let minTs = Infinity;
        let maxTs = -Infinity;
        let minSeq = Infinity;
        let maxSeq = -Infinity;
        for (const b of list) {
          const n = b.timestamps.length;
          rows += n;
          rawBytes += b.bytes;
          for (const t of b.timestamps) {
            if (t < minTs) minTs = t;
            if (t > maxTs) maxTs = t;
          }
          minSeq = Math.min(minSeq, b.firstSeq);
          maxSeq = Math.max(maxSeq, b.firstSeq + n - 1);
        }
        segments.push({ id, groupId, path: rel, walFile: input.walFile, rows, rawBytes, fileBytes, minTs, maxTs, minSeq, maxSeq, fields: null, layout, seqDense: false });
      }
      for (const gid of perGroup.keys()) await syncDir(join(input.dataDir, 'segments', String(gid)));
    }
    await fsp.rm(tmpDir, { recursive: true, force: true });
    const phases = { load: Math.round(t1 - t0), check: Math.round(t2 - t1), write: Math.round(performance.now() - t2) };
    return { segments, phases, repairedRecords: wholeFileFallback ? 0 : missing.length, wholeFileFallback };
  } finally {
    await db.run(`DROP TABLE IF EXISTS seal_buf`, [], conn).catch(() => undefined);
    conn.closeSync();
  }
}

/** The slow, exact path: events from the hot batches through the appender. */
async function appendBatches(conn: DuckDBConnection, batches: readonly HotBatch[]): Promise<void> {
  const app = await conn.createAppender('seal_buf', 'main', 'temp');
  for (const b of batches) {
    for (let k = 0; k < b.timestamps.length; k++) {
      app.appendBigInt(BigInt(b.groupId));
      app.appendBigInt(BigInt(b.streamId));
      app.appendBigInt(BigInt(b.timestamps[k]!));
      app.appendBigInt(BigInt(b.ingestMs));
      app.appendBigInt(BigInt(b.firstSeq + k));
      app.appendVarchar(b.messages[k]!);
      app.appendBigInt(BigInt(b.firstSeq));
      app.endRow();
    }
  }
  app.flushSync();
  app.closeSync();
}
