import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { describe, it, test } from 'node:test';
import fc from 'fast-check';
import { chunkLayout, context, frameSpan, frameStarts, frameTable, open, openChunks, openFrameAt, readHeader, seal, sealChunks, STREAM_FORMAT_VERSION, STREAM_HEADER_MAX_BYTES, textTag, type DataKey } from './envelope.js';
import { DecryptionFailedError, EnvelopeFormatError, KeyNotFoundError, TruncatedStreamError } from './errors.js';

const key: DataKey = { keyId: 'k-test', version: 3, key: randomBytes(32) };
const otherKey: DataKey = { keyId: 'k-test', version: 3, key: randomBytes(32) };
const aad = context('group-a', 'segment', 'p/1.seg');

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const b of gen) out.push(b);
  return out;
}

async function sealAll(plaintext: Buffer, chunkSize: number, pieces = [plaintext]): Promise<Buffer[]> {
  return collect(sealChunks(pieces, key, aad, chunkSize));
}

async function openAll(parts: Buffer[], k: DataKey = key, a: Buffer = aad): Promise<Buffer> {
  return Buffer.concat(await collect(openChunks(parts, k, a)));
}

/** Our errors only: a tampered input must be refused, never crash with something else or open. */
function isRefusal(err: unknown): boolean {
  return (
    err instanceof DecryptionFailedError ||
    err instanceof EnvelopeFormatError ||
    err instanceof TruncatedStreamError
  );
}

describe('seal/open', () => {
  it('round-trips any plaintext and context', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.uint8Array({ maxLength: 64 }), (plain, ctx) => {
        const sealed = seal(plain, key, ctx);
        assert.deepEqual(open(sealed, key, ctx), Buffer.from(plain));
        const header = readHeader(sealed);
        assert.equal(header.keyId, 'k-test');
        assert.equal(header.version, 3);
      }),
    );
  });

  it('uses a fresh nonce each time', () => {
    assert.notDeepEqual(seal(Buffer.from('same'), key, aad), seal(Buffer.from('same'), key, aad));
  });

  it('refuses any flipped bit', () => {
    const sealed = seal(Buffer.from('secret log line: user=alice ip=10.0.0.1'), key, aad);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), (bit) => {
        const bad = Buffer.from(sealed);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        assert.throws(() => open(bad, key, aad), isRefusal);
      }),
      { numRuns: sealed.length * 8 },
    );
  });

  it('refuses a wrong context, a wrong key and a truncated object', () => {
    const sealed = seal(Buffer.from('x'.repeat(100)), key, aad);
    assert.throws(() => open(sealed, key, context('group-b', 'segment', 'p/1.seg')), DecryptionFailedError);
    assert.throws(() => open(sealed, key, context('group-a', 'wal', 'p/1.seg')), DecryptionFailedError);
    assert.throws(() => open(sealed, otherKey, aad), DecryptionFailedError);
    assert.throws(() => open(sealed, { ...key, version: 4 }, aad), /sealed under key k-test version 3/);
    for (let n = 0; n < sealed.length; n++) assert.throws(() => open(sealed.subarray(0, n), key, aad), isRefusal);
    assert.throws(() => open(Buffer.from('plain text'), key, aad), EnvelopeFormatError);
  });

  it('context parts are length-prefixed', () => {
    assert.notDeepEqual(context('a', 'bc'), context('ab', 'c'));
  });

  it('refuses a destroyed (zeroed) key', () => {
    assert.throws(() => seal(Buffer.from('x'), { ...key, key: Buffer.alloc(32) }, aad), KeyNotFoundError);
  });
});

describe('sealChunks/openChunks', () => {
  it('round-trips any plaintext, chunk size and input split', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        fc.nat(),
        async (plain, chunkSize, cuts, readSplit) => {
          const buf = Buffer.from(plain);
          const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
          const pieces: Buffer[] = [];
          let at = 0;
          for (const p of points) {
            pieces.push(buf.subarray(at, p));
            at = p;
          }
          pieces.push(buf.subarray(at));
          const sealed = Buffer.concat(await sealAll(buf, chunkSize, pieces));
          // The reader gets the bytes in other pieces than the writer produced.
          const step = (readSplit % 97) + 1;
          const reads: Buffer[] = [];
          for (let i = 0; i < sealed.length; i += step) reads.push(sealed.subarray(i, i + step));
          assert.deepEqual(await openAll(reads), buf);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('refuses any flipped bit', async () => {
    const sealed = Buffer.concat(await sealAll(Buffer.from('0123456789abcdefghij'), 8));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: sealed.length * 8 - 1 }), async (bit) => {
        const bad = Buffer.from(sealed);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        await assert.rejects(openAll([bad]), isRefusal);
      }),
      { numRuns: sealed.length * 8 },
    );
  });

  it('refuses a stream cut at any byte', async () => {
    const sealed = Buffer.concat(await sealAll(randomBytes(50), 16));
    for (let n = 0; n < sealed.length; n++) await assert.rejects(openAll([sealed.subarray(0, n)]), isRefusal);
  });

  it('refuses dropped, reordered, repeated, appended and foreign frames', async () => {
    const parts = await sealAll(randomBytes(64), 16); // header, 3 full frames held back, then the final frame
    assert.equal(parts.length, 5);
    const [header, f0, f1, f2, f3] = parts as [Buffer, Buffer, Buffer, Buffer, Buffer];
    await assert.rejects(openAll([header, f0, f1, f2]), TruncatedStreamError); // final frame dropped
    const markedFinal = Buffer.from(f2);
    markedFinal[0] = 1;
    await assert.rejects(openAll([header, f0, f1, markedFinal]), DecryptionFailedError); // cut, then marked final
    await assert.rejects(openAll([header, f0, f2, f3]), DecryptionFailedError); // middle frame dropped
    await assert.rejects(openAll([header, f1, f0, f2, f3]), DecryptionFailedError); // reordered
    await assert.rejects(openAll([header, f0, f0, f1, f2, f3]), DecryptionFailedError); // repeated
    await assert.rejects(openAll([header, f0, f1, f2, f3, f3]), TruncatedStreamError); // data after final
    const other = await sealAll(randomBytes(64), 16);
    await assert.rejects(openAll([header, f0, other[2]!, f2, f3]), DecryptionFailedError); // frame of another stream
    await assert.rejects(openAll([other[0]!, f0, f1, f2, f3]), DecryptionFailedError); // header of another stream
    await assert.rejects(openAll(parts, key, context('group-b', 'segment', 'p/1.seg')), DecryptionFailedError);
    await assert.rejects(openAll(parts, otherKey), DecryptionFailedError);
    assert.equal((await openAll(parts)).length, 64);
  });

  it('an empty stream is a header and one empty final frame', async () => {
    const parts = await sealAll(Buffer.alloc(0), 16);
    assert.equal(parts.length, 2);
    assert.equal((await openAll(parts)).length, 0);
    await assert.rejects(openAll([parts[0]!]), TruncatedStreamError);
    await assert.rejects(openAll([]), TruncatedStreamError);
  });

  it('resolves the key from the stream header', async () => {
    const parts = await sealAll(Buffer.from('hello'), 4);
    const seen: string[] = [];
    const out = await collect(
      openChunks(parts, (ref) => {
        seen.push(`${ref.keyId}@${ref.version}`);
        return key;
      }, aad),
    );
    assert.equal(Buffer.concat(out).toString(), 'hello');
    assert.deepEqual(seen, ['k-test@3']);
  });
});

describe('frames cut at given offsets (format 2)', () => {
  it('round-trips any plaintext, chunk size and cuts, in sequence and frame by frame from the frame table', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 300 }), fc.array(fc.nat(), { maxLength: 12 }), async (plain, chunkSize, points) => {
        const buf = Buffer.from(plain);
        const cuts = [...new Set(points.map((p) => p % (buf.length + 2)))].sort((a, b) => a - b);
        const parts = await collect(sealChunks([buf], key, aad, chunkSize, { cuts }));
        assert.equal(parts[0]![3], STREAM_FORMAT_VERSION);
        assert.deepEqual(await openAll(parts), buf);
        const sealed = Buffer.concat(parts);
        const starts = frameStarts(cuts, chunkSize, buf.length);
        assert.deepEqual(frameTable(sealed), starts, 'the frames lie where frameStarts says');
        for (const c of cuts) if (c < buf.length) assert.ok(starts.includes(c), `a frame starts at cut ${c}`);
        const layout = chunkLayout(sealed.subarray(0, STREAM_HEADER_MAX_BYTES), sealed.length, starts);
        assert.equal(layout.plaintextBytes, buf.length);
        for (let i = 0; i < layout.frames; i++) {
          const { offset, length } = frameSpan(layout, i);
          const got = openFrameAt(layout, key, i, sealed.subarray(offset, offset + length), aad);
          assert.deepEqual(got, buf.subarray(starts[i], starts[i]! + got.length));
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a frame read through a wrong frame table fails authentication', async () => {
    const plain = randomBytes(20);
    const sealed = Buffer.concat(await collect(sealChunks([plain], key, aad, 64, { cuts: [10] })));
    const head = sealed.subarray(0, STREAM_HEADER_MAX_BYTES);
    assert.deepEqual(frameTable(sealed), [0, 10]);
    // A table that fits the stream's size but misplaces its frames.
    const wrong = chunkLayout(head, sealed.length, [0, 11]);
    for (const i of [0, 1]) {
      const { offset, length } = frameSpan(wrong, i);
      assert.throws(() => openFrameAt(wrong, key, i, sealed.subarray(offset, offset + length), aad), DecryptionFailedError);
    }
    // The stream rewritten so that its last frame (10 bytes, intact) is where a forged table says a frame
    // at plaintext offset 12 is: the offset is authenticated, so the frame does not open there.
    const good = chunkLayout(head, sealed.length, [0, 10]);
    const f1 = frameSpan(good, 1);
    const forged = Buffer.concat([sealed.subarray(0, f1.offset), Buffer.alloc(2), sealed.subarray(f1.offset)]);
    const table = chunkLayout(head, forged.length, [0, 12]);
    const moved = frameSpan(table, 1);
    assert.deepEqual(forged.subarray(moved.offset, moved.offset + moved.length), sealed.subarray(f1.offset), 'the intact frame is where the table says');
    assert.throws(() => openFrameAt(table, key, 1, forged.subarray(moved.offset, moved.offset + moved.length), aad), DecryptionFailedError);
    // A table that does not fit the size is refused before any frame is read.
    assert.throws(() => chunkLayout(head, sealed.length, [0, 10, 15]), EnvelopeFormatError);
  });

  it('streams sealed in fixed frames (format 1) still open, in sequence and by frame', async () => {
    const plain = randomBytes(1000);
    const parts = await collect(sealChunks([plain], key, aad, 64, { format: 1 }));
    assert.equal(parts[0]![3], 1);
    assert.deepEqual(await openAll(parts), plain);
    const sealed = Buffer.concat(parts);
    const layout = chunkLayout(sealed.subarray(0, STREAM_HEADER_MAX_BYTES), sealed.length);
    assert.equal(layout.frames, 16);
    for (let i = 0; i < layout.frames; i++) {
      const { offset, length } = frameSpan(layout, i);
      assert.deepEqual(openFrameAt(layout, key, i, sealed.subarray(offset, offset + length), aad), plain.subarray(i * 64, i * 64 + 64));
    }
    // A format-1 frame does not open as format 2 (the header's version is authenticated).
    const relabelled = Buffer.from(sealed);
    relabelled[3] = STREAM_FORMAT_VERSION;
    await assert.rejects(openAll([relabelled]), DecryptionFailedError);
  });
});

test('textTag: the same for the same key, place and text; different when any of them differs', () => {
  const k: DataKey = { keyId: 'k', version: 1, key: randomBytes(32) };
  const place = context('1', 'segment', 'segments/1/000000000001.parquet');
  const tag = textTag(k, place, '{"v":1}');
  assert.equal(tag.length, 32);
  assert.deepEqual(textTag(k, place, '{"v":1}'), tag);
  assert.notDeepEqual(textTag(k, place, '{"v":2}'), tag);
  assert.notDeepEqual(textTag(k, context('1', 'segment', 'segments/1/000000000002.parquet'), '{"v":1}'), tag);
  assert.notDeepEqual(textTag({ ...k, key: randomBytes(32) }, place, '{"v":1}'), tag);
  // The place is length-prefixed: moving bytes between the place and the text changes the tag.
  assert.notDeepEqual(textTag(k, Buffer.from('ab'), 'c'), textTag(k, Buffer.from('a'), 'bc'));
  // The tag's key is not the data key itself.
  assert.notDeepEqual(tag, createHmac('sha256', k.key).update(place).update('{"v":1}').digest());
});
