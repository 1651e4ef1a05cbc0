import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { context, frameStarts, frameTable, openChunks, type DataKey } from '../kms/envelope.js';
import { decodeLayout, encodeLayout, frameCuts, layoutOfFile } from './segment-layout.js';
import { SegmentSealError, SegmentSealer } from './segment-sealer.js';

const FRAME = 4096;

async function parquetFile(dir: string): Promise<string> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const file = join(dir, 'plain.parquet');
    await conn.run(
      `COPY (SELECT range AS seq, 1700000000000 + range AS ts, 'm' || md5(range::VARCHAR) AS message FROM range(40000))
       TO '${file}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`,
    );
    return file;
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

async function opened(sealed: Buffer, key: DataKey, aad: Buffer): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const piece of openChunks([sealed], () => key, aad)) out.push(piece);
  return Buffer.concat(out);
}

test('a segment sealed on the thread opens to the plaintext, framed at its column chunks, and the caller keeps its key', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-segment-sealer-'));
  const sealer = new SegmentSealer();
  try {
    const plain = await parquetFile(dir);
    const before = readFileSync(plain);
    const key: DataKey = { keyId: 'g1', version: 3, key: randomBytes(32) };
    const keyBytes = Buffer.from(key.key);
    const aad = context('logward:log-group', '1', 'segment', 'segments/1/x.parquet');
    const dest = join(dir, 'x.parquet');
    const got = await sealer.seal({ plain, dest, key, aad, frameBytes: FRAME });

    const sealed = readFileSync(dest);
    assert.equal(got.fileBytes, sealed.length);
    assert.deepEqual(await opened(sealed, key, aad), before);
    assert.deepEqual(readFileSync(plain), before, 'the plaintext is left for the read cache');
    const parts = await layoutOfFile(plain, FRAME);
    const cuts = frameCuts(parts, FRAME);
    assert.equal(got.layout, encodeLayout({ ...parts, cuts }));
    assert.ok(cuts.length > 3, 'the file has column chunks to cut at');
    assert.deepEqual(frameTable(sealed), frameStarts(decodeLayout(got.layout)!.cuts!, FRAME, before.length));
    assert.deepEqual(key.key, keyBytes, 'only the copy sent to the thread is zeroed');
    await assert.rejects(opened(sealed, key, context('logward:log-group', '1', 'segment', 'segments/1/y.parquet')), 'bound to its place');
    assert.deepEqual(readdirSync(dir).sort(), ['plain.parquet', 'x.parquet']);
  } finally {
    await sealer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a seal that fails on the thread rejects and leaves nothing at its place, and the thread seals the next one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-segment-sealer-'));
  const sealer = new SegmentSealer();
  try {
    const key: DataKey = { keyId: 'g1', version: 1, key: randomBytes(32) };
    const aad = context('x');
    const notParquet = join(dir, 'junk.parquet');
    writeFileSync(notParquet, 'not a parquet file at all');
    const dest = join(dir, 'a.parquet');
    await assert.rejects(sealer.seal({ plain: notParquet, dest, key, aad, frameBytes: FRAME }), (e: unknown) => e instanceof SegmentSealError && /is not a Parquet file/.test(e.message));
    const plain = await parquetFile(dir);
    // A frame size sealChunks refuses: the failure comes after the layout, with the temporary file open.
    await assert.rejects(sealer.seal({ plain, dest, key, aad, frameBytes: 64 * 1024 * 1024 }), (e: unknown) => e instanceof SegmentSealError && /chunkSize/.test(e.message));
    assert.deepEqual(readdirSync(dir).sort(), ['junk.parquet', 'plain.parquet'], 'no sealed or temporary file');
    const got = await sealer.seal({ plain, dest, key, aad, frameBytes: FRAME });
    assert.equal(got.fileBytes, readFileSync(dest).length);
    assert.equal(sealer.pending, 0);
  } finally {
    await sealer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('requests waiting when the thread ends are rejected and leave no file; a closed sealer refuses new ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-segment-sealer-'));
  const sealer = new SegmentSealer();
  try {
    const plain = await parquetFile(dir);
    const key: DataKey = { keyId: 'g1', version: 1, key: randomBytes(32) };
    const dest = join(dir, 'a.parquet');
    // The thread is still starting: it cannot have answered before it is told to end.
    const waiting = sealer.seal({ plain, dest, key, aad: context('x'), frameBytes: FRAME });
    assert.equal(sealer.pending, 1);
    await sealer.close();
    await assert.rejects(waiting, SegmentSealError);
    assert.equal(existsSync(dest), false);
    assert.equal(existsSync(`${dest}.tmp`), false);
    await assert.rejects(sealer.seal({ plain, dest, key, aad: context('x'), frameBytes: FRAME }), /closed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
