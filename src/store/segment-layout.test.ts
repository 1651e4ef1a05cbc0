import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { randomBytes } from 'node:crypto';
import { decodeLayout, encodeLayout, frameCuts, isSignedLayout, layoutOfFile, signLayout } from './segment-layout.js';

/** The catalog's text of a layout's text, with a tag (any 32 bytes: decoding does not check it, the reader does). */
const tag = randomBytes(32);
const text = (body: string): string => signLayout(body, tag);

test('the layout of a Parquet file is where DuckDB says its footer and column chunks are, and survives the catalog text', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-layout-'));
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    const file = join(dir, 'seg.parquet');
    await conn.run(
      `COPY (SELECT range AS seq, 1700000000000 + range AS ts, 'm' || md5(range::VARCHAR) AS message, (range % 3)::VARCHAR AS j0 FROM range(40000))
       TO '${file}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 16384)`,
    );
    const layout = await layoutOfFile(file, 4096);
    const meta = (await conn.runAndReadAll(
      `SELECT path_in_schema::VARCHAR AS p, coalesce(dictionary_page_offset, data_page_offset) AS s, total_compressed_size AS n, bloom_filter_offset AS b, bloom_filter_length AS bl
       FROM parquet_metadata('${file}') ORDER BY row_group_id`,
    )).getRowObjectsJS();
    const want = new Map<string, Array<[number, number]>>();
    for (const r of meta) {
      const list = want.get(String(r.p)) ?? [];
      list.push([Number(r.s), Number(r.s) + Number(r.n)]);
      if (r.b !== null) list.push([Number(r.b), Number(r.b) + Number(r.bl)]);
      want.set(String(r.p), list);
    }
    // Each chunk DuckDB lists (from its dictionary page, if any) lies within one range of its column.
    assert.deepEqual([...layout.columns.keys()].sort(), [...want.keys()].sort());
    for (const [name, chunks] of want) {
      const got = layout.columns.get(name)!;
      assert.equal(got.length, chunks.length, name);
      for (const [s, e] of chunks) assert.ok(got.some(([a, b]) => a <= s && e <= b), `${name} [${s}, ${e}) in ${JSON.stringify(got)}`);
    }
    assert.ok(want.get('ts')!.length >= 3, 'a chunk per row group');
    const size = Number((await conn.runAndReadAll(`SELECT size FROM read_blob('${file}')`)).getRowObjectsJS()[0]!.size);
    assert.equal(layout.footer[1], size);
    assert.ok(layout.footer[0] > Math.max(...[...want.values()].flat().map(([, e]) => e)) - 1, 'the footer follows the data');
    assert.deepEqual(decodeLayout(text(encodeLayout(layout))), { ...layout, signed: { body: encodeLayout(layout), tag } });
  } finally {
    conn.closeSync();
    db.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a layout text that is missing, untagged, of another version or malformed reads as none (the footer is parsed instead)', () => {
  assert.equal(decodeLayout(null), null);
  assert.equal(decodeLayout(text('not json')), null);
  assert.equal(decodeLayout(text('{"v":2,"f":[10,20],"c":{}}')), null);
  assert.equal(decodeLayout(text('{"v":1,"f":[10],"c":{}}')), null);
  assert.equal(decodeLayout(text('{"v":1,"f":[10,20],"c":{"ts":[5]}}')), null, 'odd range list');
  assert.equal(decodeLayout(text('{"v":1,"f":[10,20],"c":{"ts":[9,5]}}')), null, 'a range ending before its start');
  assert.equal(decodeLayout(text('{"v":1,"f":[10,20],"c":{"ts":[-1,5]}}')), null);
  assert.equal(decodeLayout(text('{"v":1,"f":[10,20],"c":{"ts":[1.5,5]}}')), null);
  const body = '{"v":1,"f":[10,20],"c":{"ts":[1,5,7,9]}}';
  assert.deepEqual(decodeLayout(text(body)), { footer: [10, 20], columns: new Map([['ts', [[1, 5], [7, 9]]]]), signed: { body, tag } });
  // Without a tag (recorded before tags), or with a tag that is not 32 bytes: none.
  assert.equal(decodeLayout(body), null);
  assert.ok(!isSignedLayout(body) && isSignedLayout(text(body)) && !isSignedLayout(null));
  assert.equal(decodeLayout(`${tag.subarray(0, 16).toString('base64url')}.${body}`), null);
  assert.equal(decodeLayout(`.${body}`), null);
});

test('frame cuts: a frame starts at each part of 8 KiB or more and after it; runs of small parts share one', () => {
  const layout = {
    // stream_id 4+100, ts 104+20000, tiny 20104+50, seq 20154+30000, then small blooms, then the footer.
    footer: [50_500, 51_000] as const,
    columns: new Map([
      ['stream_id', [[4, 104], [50_300, 50_350]] as const],
      ['ts', [[104, 20_104], [50_350, 50_400]] as const],
      ['tiny', [[20_104, 20_154]] as const],
      ['seq', [[20_154, 50_154]] as const],
    ]),
  };
  const cuts = frameCuts(layout, 64 * 1024);
  // stream_id's chunk shares the first frame with Parquet's magic; ts and seq (large) start frames, and so do
  // the parts after them (tiny; the blooms); the blooms and the footer, all small, share one frame.
  assert.deepEqual(cuts, [104, 20_104, 20_154, 50_300]);
  // Each recorded cut survives the catalog's text.
  assert.deepEqual(decodeLayout(text(encodeLayout({ ...layout, cuts })))!.cuts, cuts);
  assert.equal(decodeLayout(text(encodeLayout({ ...layout, cuts: [5, 5] }))), null, 'cuts not strictly ascending');
  // Tiny test frames keep (almost) every cut.
  assert.deepEqual(frameCuts(layout, 128), [4, 104, 20_104, 20_154, 50_300, 50_350, 50_500]);
});
