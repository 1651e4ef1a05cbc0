import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fsp, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkLayout, context, frameSpan, frameTable, type DataKey } from '../kms/envelope.js';
import { DecryptionFailedError, TruncatedStreamError } from '../kms/errors.js';
import { openSealedIndex, SEALED_INDEX_HEAD_BYTES, sealIndex } from './sealed-index.js';
import { TokenIndex, TokenIndexBuilder, tokenIndexShape } from './token-index.js';
import { letterWord } from './testing.js';

/** Version 3: not the stream format's number (2), which a reader must not take for the key's. */
const key: DataKey = { keyId: 'k', version: 3, key: randomBytes(32) };
const aad = context('logward:log-group', '1', 'tokens', 'segments/1/000000000001.tokens');

/**
 * 40,000 events of six words each from a vocabulary of 500 (so the posting lists are most of the index,
 * as in real logs), a rare word at every 1,000th event from the first, and words of their own in the last
 * 20 events (whose lists are written last).
 */
function fixture(): { whole: Buffer; rows: number } {
  const b = new TokenIndexBuilder();
  const word = letterWord;
  const rows = 40_000;
  for (let i = 0; i < rows; i++) {
    const words = Array.from({ length: 6 }, (_, j) => `v${word((i * 7 + j * 131 + ((i * j) % 17)) % 500)}`);
    if (i % 1000 === 0) words.push('zqxjkvbw');
    if (i >= rows - 20) words.push(`tailword${word(i)}`);
    b.add(i, words.join(' '));
  }
  return { whole: b.finish(rows), rows };
}

async function open(file: string, k: DataKey = key, at: Uint8Array = aad): Promise<TokenIndex> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, SEALED_INDEX_HEAD_BYTES));
    await fh.read(head, 0, head.length, 0);
    return await openSealedIndex(fh, file, head, size, async (ref) => {
      assert.deepEqual({ keyId: ref.keyId, version: ref.version }, { keyId: key.keyId, version: key.version }, 'the key the index was sealed under');
      return k;
    }, at);
  } finally {
    await fh.close();
  }
}

const count = (bits: Uint8Array): number => {
  let n = 0;
  for (const b of bits) for (let x = b; x !== 0; x &= x - 1) n++;
  return n;
};

async function marked(index: TokenIndex, term: string, rows: number): Promise<Uint8Array | null> {
  const bits = new Uint8Array(Math.ceil(rows / 8));
  return (await index.markEvents(term, bits, 0)) ? bits : null;
}

test('a sealed token index opens without its posting lists and answers as the whole index does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-sealed-index-'));
  try {
    const { whole, rows } = fixture();
    const { headBytes } = tokenIndexShape(whole);
    const sealed = await sealIndex(whole, key, aad);
    assert.ok(!sealed.includes(Buffer.from('zqxjkvbw')), 'no word in clear');
    const file = join(dir, 'x.tokens');
    writeFileSync(file, sealed);
    const index = await open(file);
    assert.equal(index.bytes, headBytes, 'only the part before the posting lists is held');
    assert.ok(headBytes < whole.length / 2, `the posting lists are most of the index (${headBytes} of ${whole.length} bytes)`);
    const plain = TokenIndex.parse(whole);
    const counts: number[] = [];
    for (const term of ['zqxjkvbw', 'vab', 'vqs', 'tailword', 'nothing', 'ttt']) {
      const got = await marked(index, term, rows);
      assert.deepEqual(got, await marked(plain, term, rows), term);
      counts.push(got === null ? -1 : count(got));
    }
    assert.deepEqual([counts[0], counts[3], counts[4]], [40, 20, 0]);
    assert.ok(counts[1]! > 100 && counts[2]! > 100, `vocabulary words are answered: ${counts.join(' ')}`);

    // A lookup decrypts only the frames of the lists it needs: with a frame of the lists changed on disk,
    // the rare term whose list lies elsewhere is still answered, and a term whose list is there fails.
    const layout = chunkLayout(sealed, sealed.length, frameTable(sealed));
    const firstList = layout.starts.findIndex((s) => s >= headBytes);
    const last = layout.frames - 1;
    assert.ok(last > firstList + 2, `the lists span several frames (${layout.frames - firstList})`);
    const altered = Buffer.from(sealed);
    altered[frameSpan(layout, last).offset + 30]! ^= 1;
    writeFileSync(file, altered);
    const lazy = await open(file);
    const zz = await marked(lazy, 'zqxjkvbw', rows); // its list is written early (the word first occurs at event 0)
    assert.deepEqual(zz, await marked(plain, 'zqxjkvbw', rows));
    assert.equal(count(zz!), 40);
    // The words of the last events have their lists in the last frame.
    await assert.rejects(marked(lazy, 'tailword', rows), DecryptionFailedError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sealed token index cut short, padded, moved, under another key or with a changed word does not open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-sealed-index-bad-'));
  try {
    const { whole } = fixture();
    const sealed = await sealIndex(whole, key, aad);
    const file = join(dir, 'x.tokens');
    for (const bytes of [sealed.subarray(0, sealed.length - 1), Buffer.concat([sealed, Buffer.alloc(1)]), sealed.subarray(0, 100)]) {
      writeFileSync(file, bytes);
      await assert.rejects(open(file), (e: Error) => e instanceof TruncatedStreamError || e instanceof DecryptionFailedError || e.name === 'EnvelopeFormatError', `${bytes.length} bytes`);
    }
    writeFileSync(file, sealed);
    await assert.rejects(open(file, key, context('logward:log-group', '1', 'tokens', 'segments/1/000000000002.tokens')), DecryptionFailedError);
    await assert.rejects(open(file, { ...key, key: randomBytes(32) }), DecryptionFailedError);
    // A byte of the words (second frame on): refused when the index opens.
    const layout = chunkLayout(sealed, sealed.length, frameTable(sealed));
    const altered = Buffer.from(sealed);
    altered[frameSpan(layout, 1).offset + 40]! ^= 1;
    writeFileSync(file, altered);
    await assert.rejects(open(file), DecryptionFailedError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
