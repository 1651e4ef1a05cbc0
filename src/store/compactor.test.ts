/**
 * Merges (compactor.ts mergeSegments) keep every event once, in sequence order, with a token index that
 * agrees, whatever the order of the rows in their inputs; isSeqDense tells files in that order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock.js';
import type { LogStore } from './store.js';
import { openTestStore } from './testing.js';
import { quoteLiteral } from './db.js';
import { isSeqDense, mergeSegments } from './compactor.js';
import type { Segment } from './catalog.js';
import { indexPath } from './token-index.js';

const T0 = Date.UTC(2026, 10, 1);

function seg(id: number, minSeq: number, rows: number, minTs = T0 + minSeq, maxTs = minTs + rows): Segment {
  return { id, groupId: 1, path: `segments/1/${id}.parquet`, walFile: id, rows, rawBytes: rows, fileBytes: rows, minTs, maxTs, minSeq, maxSeq: minSeq + rows - 1, fields: null, layout: null, seqDense: false };
}

async function assertInSeqOrder(store: LogStore, s: Segment): Promise<void> {
  const lease = await store.leaseSegments([s]);
  try {
    const [r] = await store.db.all(
      `SELECT count(*) AS n, count(*) FILTER (WHERE file_row_number <> r) AS misplaced, min(seq) AS lo, max(seq) AS hi
       FROM (SELECT seq, file_row_number, row_number() OVER (ORDER BY seq) - 1 AS r FROM read_parquet(${quoteLiteral(lease.path(s.path))}, file_row_number = true))`,
    );
    assert.equal(Number(r!.n), s.rows);
    assert.equal(Number(r!.misplaced), 0, `${s.path}: rows out of sequence order`);
    assert.equal(Number(r!.lo), s.minSeq);
    assert.equal(Number(r!.hi), s.maxSeq);
  } finally {
    lease.release();
  }
}

test('segments not in sequence order (a seal puts the records it loads from the exact path last) merge in order, with their token index', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-merge-exact-'));
  const clock = new FakeClock(T0 + 3_600_000);
  const store = await openTestStore(dir, clock, { encryption: false });
  try {
    const g = await store.catalog.createGroup('/app', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 'a', T0);
    mkdirSync(join(dir, 'segments', String(g.id)), { recursive: true });
    // As sealer.ts writes a WAL file whose record of seq 100-199 came from the exact path: that record last.
    const order = [[0, 100], [200, 16_000], [100, 100]] as const;
    const run: Segment[] = [];
    for (const [k, parts] of [order, [[16_200, 800]]].entries()) {
      const path = join('segments', String(g.id), `part-${k}.parquet`);
      const rows = parts.map(([from, n]) => `SELECT range AS seq FROM range(${from}, ${from + n})`).join(' UNION ALL ');
      await store.db.run(
        `COPY (SELECT 1 AS stream_id, ${T0} + seq AS ts, ${T0} AS ingest_ts, seq, 'line ' || seq || CASE WHEN seq % 1000 = 150 THEN ' exactword' ELSE ' common' END AS message, 0 AS json_off
               FROM (${rows.split(' UNION ALL ').map((r) => `(${r})`).join(' UNION ALL ')}))
         TO ${quoteLiteral(join(dir, path))} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`,
      );
      const total = parts.reduce((n, [, c]) => n + c, 0);
      const minSeq = Math.min(...parts.map(([from]) => from));
      run.push({ ...seg(2000 + k, minSeq, total, T0 + minSeq, T0 + minSeq + total - 1), path, groupId: g.id });
    }
    const conn = await store.db.connect();
    let merged: Segment;
    try {
      // Every sequence number once, but not in order; in order; in order with one missing.
      const dense = (s: Segment): Promise<boolean> => isSeqDense(store.db, conn, join(dir, s.path), s);
      assert.deepEqual([await dense(run[0]!), await dense(run[1]!), await dense({ ...run[1]!, maxSeq: run[1]!.maxSeq + 1 })], [false, true, false]);
      merged = await mergeSegments(store.db, conn, store.atRest, g, run, await store.catalog.nextId(conn), true);
    } finally {
      conn.closeSync();
    }
    await store.catalog.replaceSegments(g, [], merged);
    assert.deepEqual([merged.minSeq, merged.maxSeq, merged.rows, merged.seqDense], [0, 16_999, 17_000, true]);
    await assertInSeqOrder(store, merged);
    const index = await store.atRest.openIndex(g.id, indexPath(merged.path));
    const bits = new Uint8Array(17_000 / 8);
    assert.ok(await index!.markEvents('exactword', bits, 0));
    const found: number[] = [];
    for (let i = 0; i < 17_000; i++) if (bits[i >> 3]! & (0x80 >> (i & 7))) found.push(i);
    assert.deepEqual(found, Array.from({ length: 17 }, (_, k) => k * 1000 + 150));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
