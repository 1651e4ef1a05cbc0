/** Gzip assembled from separately deflated pieces: one ordinary member, read by any gunzip. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 as zlibCrc32, gunzipSync, inflateRawSync } from 'node:zlib';
import { crc32, crc32Combine, deflatedPiece, gzipOfPieces, storedPiece } from './gzip-pieces.js';

test('crc32Combine gives the CRC of the concatenation', () => {
  const cases: Array<[string, string]> = [['abc', 'defgh'], ['', 'x'], ['x', ''], ['x'.repeat(100_000), 'é'.repeat(70_000)]];
  for (const [a, b] of cases) {
    const whole = crc32(Buffer.from(a + b));
    assert.equal(crc32Combine(crc32(Buffer.from(a)), crc32(Buffer.from(b)), Buffer.byteLength(b)), whole);
    assert.equal(whole, zlibCrc32(a + b) >>> 0);
  }
});

test('stored and deflated pieces make one gzip member holding their texts in order', () => {
  const texts = ['{"a":[', 'hello world '.repeat(5000), ',', 'zzé\u2028"😀'.repeat(30_000), ']}', 'y'.repeat(200_000)];
  const pieces = texts.map((t, i) => (i % 2 === 1 ? deflatedPiece(Buffer.from(t)) : storedPiece(t)));
  const gz = gzipOfPieces(pieces);
  assert.equal(gunzipSync(gz).toString('utf8'), texts.join(''));
  // One member: a 10-byte header, one deflate stream ending in a final block, an 8-byte trailer (so a
  // reader that stops after the first member gets everything).
  assert.equal(inflateRawSync(gz.subarray(10, gz.length - 8)).toString('utf8'), texts.join(''));
  assert.equal(gz.readUInt32LE(gz.length - 8), crc32(Buffer.from(texts.join(''))));
  assert.equal(gz.readUInt32LE(gz.length - 4), Buffer.byteLength(texts.join('')));
});

test('pieces deflated in one order can be put together in another (a full flush ends each)', () => {
  const texts = ['first piece '.repeat(2000), 'second piece '.repeat(2000), 'first piece '.repeat(2000)];
  const [a, b, c] = texts.map((t) => deflatedPiece(Buffer.from(t)));
  assert.equal(gunzipSync(gzipOfPieces([c!, b!, a!, storedPiece('!')])).toString('utf8'), texts[2]! + texts[1]! + texts[0]! + '!');
});
