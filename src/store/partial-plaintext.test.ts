import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { DuckDBInstance } from '@duckdb/node-api';
import { chunkLayout, context, frameSpan, frameTable, sealChunks, STREAM_HEADER_MAX_BYTES, textTag, type DataKey } from '../kms/envelope.js';
import { DecryptionFailedError, TruncatedStreamError } from '../kms/errors.js';
import { PartialPlaintext } from './partial-plaintext.js';
import { decodeLayout, encodeLayout, frameCuts, layoutOfFile, signLayout, type SegmentLayout } from './segment-layout.js';

const key: DataKey = { keyId: 'k', version: 1, key: randomBytes(32) };
const aad = context('test', 'segment');
/** In one message in the middle (so in no min/max statistic of the footer). */
const MARKER = 'zqxjkvbw-message-body';

/** `layout` as the catalog gives it back when at-rest.ts recorded it for a segment sealed under `key` at `aad`: with its tag. */
function tagged(layout: SegmentLayout, k: DataKey = key, at: Uint8Array = aad): SegmentLayout {
  const body = encodeLayout(layout);
  return decodeLayout(signLayout(body, textTag(k, at, body)))!;
}

async function sealFile(plain: Buffer, chunk: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of sealChunks([plain], key, aad, chunk)) parts.push(p);
  return Buffer.concat(parts);
}

/** A Parquet file like a segment: small timestamps beside large, incompressible messages, in several row groups. */
async function fixture(dir: string): Promise<{ parquet: string; db: DuckDBInstance }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const parquet = join(dir, 'seg.parquet');
  await conn.run(
    `COPY (SELECT range AS seq, 1700000000000 + range * 1000 AS ts, 'msg ' || md5(range::VARCHAR) || md5((range * 7)::VARCHAR) || CASE WHEN range = 30000 THEN ' ${MARKER}' ELSE '' END AS message FROM range(60000))
     TO '${parquet}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`,
  );
  conn.closeSync();
  return { parquet, db };
}

async function scalar(db: DuckDBInstance, sql: string): Promise<string> {
  const conn = await db.connect();
  try {
    return String((await conn.runAndReadAll(sql)).getRows()[0]![0]);
  } finally {
    conn.closeSync();
  }
}

test('a partially decrypted segment answers a query over the columns it decrypted, and holds no plaintext of the others', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-partial-'));
  try {
    const { parquet, db } = await fixture(dir);
    const plain = readFileSync(parquet);
    const sealed = join(dir, 'seg.sealed');
    writeFileSync(sealed, await sealFile(plain, 4096));
    const out = join(dir, 'seg.plain');
    const p = (await PartialPlaintext.open(sealed, out, async () => key, aad))!;
    assert.equal(p.size, plain.length);
    assert.ok(p.bytes < plain.length / 4, `the footer alone decrypted ${p.bytes} of ${plain.length} bytes`);
    const columns = await p.columns();
    assert.deepEqual([...columns.keys()].sort(), ['message', 'seq', 'ts']);
    assert.equal(columns.get('ts')!.length, 4, 'one chunk of ts per row group');

    await p.ensure(columns.get('ts')!);
    assert.ok(p.bytes < plain.length / 4, `ts decrypted ${p.bytes} of ${plain.length} bytes`);
    assert.ok(!readFileSync(out).includes(MARKER), 'the messages are not decrypted');
    const want = await scalar(db, `SELECT sum(ts) FROM read_parquet('${parquet}')`);
    assert.equal(await scalar(db, `SELECT sum(ts) FROM read_parquet('${out}')`), want);

    // A reader must decrypt every column it reads: undecrypted parts of a column can read as garbage, not as an error.
    await p.ensure([...columns.get('message')!, ...columns.get('seq')!]);
    assert.equal(await scalar(db, `SELECT seq FROM read_parquet('${out}') WHERE message LIKE '%${MARKER}'`), '30000');
    assert.equal(await scalar(db, `SELECT md5(string_agg(message, ',' ORDER BY seq)) FROM read_parquet('${out}')`), await scalar(db, `SELECT md5(string_agg(message, ',' ORDER BY seq)) FROM read_parquet('${parquet}')`));

    assert.ok((await p.ensureAll()) >= 0);
    assert.ok(p.complete);
    assert.deepEqual(readFileSync(out), plain);
    db.closeSync();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a segment cut at a frame boundary, padded, or with a frame altered does not open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-partial-'));
  try {
    const { parquet, db } = await fixture(dir);
    db.closeSync();
    const whole = await sealFile(readFileSync(parquet), 4096);
    const layout = chunkLayout(whole.subarray(0, STREAM_HEADER_MAX_BYTES), whole.length, frameTable(whole));
    const last = frameSpan(layout, layout.frames - 1);
    const open = (bytes: Buffer): Promise<PartialPlaintext | null> => {
      const f = join(dir, 'bad.sealed');
      writeFileSync(f, bytes);
      return PartialPlaintext.open(f, join(dir, 'bad.plain'), async () => key, aad);
    };
    // Cut after the second-to-last frame: that frame is not final.
    await assert.rejects(open(whole.subarray(0, last.offset)), DecryptionFailedError);
    await assert.rejects(open(Buffer.concat([whole, Buffer.alloc(10)])), (e: Error) => e instanceof DecryptionFailedError || e instanceof TruncatedStreamError);
    // A frame in the middle altered: the footer opens, the frame does not, and stays undecrypted.
    const altered = Buffer.from(whole);
    const middle = frameSpan(layout, 3).offset + 100;
    altered[middle] = altered[middle]! ^ 1;
    const p = (await open(altered))!;
    await assert.rejects(p.ensureAll(), DecryptionFailedError);
    assert.ok(!p.complete);
    // Another key does not open it at all.
    await assert.rejects(
      PartialPlaintext.open(join(dir, 'bad.sealed'), join(dir, 'bad2.plain'), async () => ({ keyId: 'k', version: 1, key: randomBytes(32) }), aad),
      DecryptionFailedError,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a recorded layout spares parsing the footer; a layout of another file is not used', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-partial-layout-'));
  try {
    const { parquet, db } = await fixture(dir);
    const sealed = join(dir, 'seg.sealed');
    writeFileSync(sealed, await sealFile(readFileSync(parquet), 4096));
    const layout = await layoutOfFile(parquet, 4096);
    const want = await scalar(db, `SELECT sum(ts) FROM read_parquet('${parquet}')`);

    const known = (await PartialPlaintext.open(sealed, join(dir, 'known.plain'), async () => key, aad, tagged(layout)))!;
    assert.ok(known.layoutUsed);
    assert.deepEqual(await known.columns(), layout.columns);
    await known.ensure(layout.columns.get('ts')!);
    assert.equal(await scalar(db, `SELECT sum(ts) FROM read_parquet('${join(dir, 'known.plain')}')`), want);
    assert.ok(!readFileSync(join(dir, 'known.plain')).includes(MARKER), 'the messages are not decrypted');

    // Another file's layout (its footer elsewhere): the footer is parsed, and its columns are right.
    const other = tagged({ footer: [layout.footer[0] - 1, layout.footer[1]] as const, columns: new Map([['ts', [[0, 4] as const]]]) });
    const parsed = (await PartialPlaintext.open(sealed, join(dir, 'parsed.plain'), async () => key, aad, other))!;
    assert.ok(!parsed.layoutUsed);
    assert.deepEqual(await parsed.columns(), layout.columns);
    await parsed.ensure((await parsed.columns()).get('ts')!);
    assert.equal(await scalar(db, `SELECT sum(ts) FROM read_parquet('${join(dir, 'parsed.plain')}')`), want);

    // A layout without a tag (recorded before tags, or its tag stripped): not used, the footer is parsed.
    const untagged = (await PartialPlaintext.open(sealed, join(dir, 'untagged.plain'), async () => key, aad, layout))!;
    assert.ok(!untagged.layoutUsed);
    assert.deepEqual(await untagged.columns(), layout.columns);

    // A changed column range (the ts column said to be where the messages are, so that the real ts chunks
    // would stay zeros), with the tag of the true layout: refused.
    const message = layout.columns.get('message')!;
    const forged = tagged(layout);
    const lying = { ...forged, columns: new Map([...forged.columns, ['ts', message]]), signed: { ...forged.signed!, body: encodeLayout({ ...layout, columns: new Map([...layout.columns, ['ts', message]]) }) } };
    await assert.rejects(PartialPlaintext.open(sealed, join(dir, 'lying.plain'), async () => key, aad, lying), DecryptionFailedError);
    // The true layout, tagged for another segment (another place) or under another key: refused too.
    await assert.rejects(PartialPlaintext.open(sealed, join(dir, 'moved.plain'), async () => key, aad, tagged(layout, key, context('test', 'segment', 'other'))), DecryptionFailedError);
    await assert.rejects(PartialPlaintext.open(sealed, join(dir, 'rekeyed.plain'), async () => key, aad, tagged(layout, { ...key, key: randomBytes(32) })), DecryptionFailedError);

    // A plaintext Parquet file is not opened: it is read where it is.
    assert.equal(await PartialPlaintext.open(parquet, join(dir, 'none.plain'), async () => key, aad, layout), null);
    db.closeSync();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a segment sealed with frames cut at its column chunks decrypts about the chunks a column holds; a wrong frame table fails authentication', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-partial-cuts-'));
  try {
    const { parquet, db } = await fixture(dir);
    const plain = readFileSync(parquet);
    const layout = await layoutOfFile(parquet, 4096);
    const cuts = frameCuts(layout, 4096);
    const sealed = join(dir, 'seg.sealed');
    const parts: Buffer[] = [];
    for await (const p of sealChunks([plain], key, aad, 4096, { cuts })) parts.push(p);
    writeFileSync(sealed, Buffer.concat(parts));
    const known = tagged({ ...layout, cuts });
    const want = await scalar(db, `SELECT sum(ts) FROM read_parquet('${parquet}')`);

    const out = join(dir, 'cut.plain');
    const p = (await PartialPlaintext.open(sealed, out, async () => key, aad, known))!;
    assert.ok(p.layoutUsed);
    const before = p.bytes;
    const ts = layout.columns.get('ts')!;
    const tsBytes = ts.reduce((a, [s, e]) => a + e - s, 0);
    const added = await p.ensure(ts);
    // Fixed 4 KiB frames would decrypt up to a frame more per chunk; here exactly the chunks (none overlaps the footer's frames).
    assert.equal(added, tsBytes, `ts: ${added} bytes decrypted for ${tsBytes} bytes of chunks (footer first: ${before})`);
    assert.equal(await scalar(db, `SELECT sum(ts) FROM read_parquet('${out}')`), want);
    assert.ok(!readFileSync(out).includes(MARKER), 'the messages are not decrypted');
    await p.ensureAll();
    assert.deepEqual(readFileSync(out), plain);

    // Without the cuts (a layout recorded without them, or none): the frame table is read from the file.
    for (const other of [tagged(layout), null]) {
      const q = (await PartialPlaintext.open(sealed, join(dir, 'walk.plain'), async () => key, aad, other))!;
      await q.ensure((await q.columns()).get('ts')!);
      assert.equal(await scalar(db, `SELECT sum(ts) FROM read_parquet('${join(dir, 'walk.plain')}')`), want);
      assert.deepEqual(q.cutsFor(cuts), cuts, 'the cuts sealing made are found again');
    }

    // Cuts that give a table of the right size but move a frame boundary: the frames they misplace do not open.
    const moved = cuts.map((c, i) => (i === 1 ? c + 1 : c));
    const forged = (await PartialPlaintext.open(sealed, join(dir, 'forged.plain'), async () => key, aad, tagged({ ...layout, cuts: moved })))!;
    await assert.rejects(forged.ensure(ts), DecryptionFailedError);

    // With its layout, a segment padded after its final frame, or cut short, is refused all the same.
    const whole = readFileSync(sealed);
    const bad = join(dir, 'bad.sealed');
    writeFileSync(bad, Buffer.concat([whole, Buffer.alloc(1)]));
    await assert.rejects(PartialPlaintext.open(bad, join(dir, 'bad.plain'), async () => key, aad, known), (e: Error) => e instanceof DecryptionFailedError || e instanceof TruncatedStreamError);
    writeFileSync(bad, whole.subarray(0, whole.length - 1));
    await assert.rejects(PartialPlaintext.open(bad, join(dir, 'bad.plain'), async () => key, aad, known), (e: Error) => e instanceof DecryptionFailedError || e instanceof TruncatedStreamError);
    // A layout whose footer is not this file's footer is not used; the columns come from the footer.
    const elsewhere = tagged({ ...layout, cuts, footer: [known.footer[0] + 1, known.footer[1]] as const });
    const other = (await PartialPlaintext.open(sealed, join(dir, 'other.plain'), async () => key, aad, elsewhere))!;
    assert.ok(!other.layoutUsed);
    assert.deepEqual(await other.columns(), layout.columns);
    // The same with the footer's cut moved too: a frame table that fits the file's size but is wrong.
    await assert.rejects(PartialPlaintext.open(sealed, join(dir, 'other2.plain'), async () => key, aad, tagged({ ...elsewhere, cuts: [...cuts.slice(0, -1), known.footer[0] + 1] })), DecryptionFailedError);
    db.closeSync();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a segment sealed in fixed frames (format 1, before frames were cut at column chunks) still reads, with and without its layout', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-partial-v1-'));
  try {
    const { parquet, db } = await fixture(dir);
    const plain = readFileSync(parquet);
    const sealed = join(dir, 'seg.sealed');
    const parts: Buffer[] = [];
    for await (const p of sealChunks([plain], key, aad, 4096, { format: 1 })) parts.push(p);
    assert.equal(parts[0]![3], 1);
    writeFileSync(sealed, Buffer.concat(parts));
    const layout = await layoutOfFile(parquet, 4096);
    const want = await scalar(db, `SELECT sum(ts) FROM read_parquet('${parquet}')`);
    for (const [name, known] of [['known', tagged(layout)], ['parsed', null]] as const) {
      const out = join(dir, `${name}.plain`);
      const p = (await PartialPlaintext.open(sealed, out, async () => key, aad, known))!;
      assert.equal(p.layoutUsed, known !== null);
      assert.equal(p.cutsFor(frameCuts(layout, 4096)), undefined, 'fixed frames have no cuts to record');
      await p.ensure((await p.columns()).get('ts')!);
      assert.equal(await scalar(db, `SELECT sum(ts) FROM read_parquet('${out}')`), want);
      assert.ok(!readFileSync(out).includes(MARKER), 'the messages are not decrypted');
      await p.ensureAll();
      assert.deepEqual(readFileSync(out), plain);
    }
    db.closeSync();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a segment opened with its layout and cuts: in small frames, with an altered footer frame, a layout claiming a huge footer, a missing file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-partial-shared-'));
  try {
    const { parquet, db } = await fixture(dir);
    const plain = readFileSync(parquet);
    const want = await scalar(db, `SELECT sum(ts) FROM read_parquet('${parquet}')`);
    // 512-byte frames: the footer spans many frames.
    const layout = await layoutOfFile(parquet, 512);
    const cuts = frameCuts(layout, 512);
    const parts: Buffer[] = [];
    for await (const p of sealChunks([plain], key, aad, 512, { cuts })) parts.push(p);
    const whole = Buffer.concat(parts);
    const sealed = join(dir, 'small.sealed');
    writeFileSync(sealed, whole);
    const known = tagged({ ...layout, cuts });
    const out = join(dir, 'small.plain');
    const p = (await PartialPlaintext.open(sealed, out, async () => key, aad, known))!;
    assert.ok(p.layoutUsed);
    await p.ensure(layout.columns.get('ts')!);
    assert.equal(await scalar(db, `SELECT sum(ts) FROM read_parquet('${out}')`), want);
    assert.ok(!readFileSync(out).includes(MARKER), 'the messages are not decrypted');

    // A byte of the footer's last frame changed: the open fails closed, and leaves no plaintext file.
    const bad = join(dir, 'bad.sealed');
    const altered = Buffer.from(whole);
    altered[altered.length - 30]! ^= 1;
    writeFileSync(bad, altered);
    await assert.rejects(PartialPlaintext.open(bad, join(dir, 'bad.plain'), async () => key, aad, known), DecryptionFailedError);
    assert.throws(() => readFileSync(join(dir, 'bad.plain')), /ENOENT/);
    // A frame of a ts chunk changed after the segment opened: that column fails to decrypt.
    const table = chunkLayout(whole.subarray(0, STREAM_HEADER_MAX_BYTES), whole.length, frameTable(whole));
    const [tsStart] = layout.columns.get('ts')![1]!;
    const frame = table.starts.findLastIndex((x) => x <= tsStart);
    const q = (await PartialPlaintext.open(sealed, join(dir, 'late.plain'), async () => key, aad, known))!;
    const late = Buffer.from(whole);
    late[frameSpan(table, frame).offset + 10]! ^= 1;
    writeFileSync(sealed, late);
    await assert.rejects(q.ensure(layout.columns.get('ts')!), DecryptionFailedError);
    // A layout claiming a footer far larger than the file (the layout is not trusted): not used, and nothing that large is read.
    const huge = (await PartialPlaintext.open(sealed, join(dir, 'huge.plain'), async () => key, aad, tagged({ ...known, footer: [4, 2 ** 40] })))!;
    assert.ok(!huge.layoutUsed);
    assert.deepEqual(await huge.columns(), layout.columns);
    // A file that is gone: its error.
    await assert.rejects(PartialPlaintext.open(join(dir, 'gone.sealed'), join(dir, 'gone.plain'), async () => key, aad, known), /ENOENT/);
    db.closeSync();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
