import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { context, open, openChunks, readHeader, seal, sealChunks, type DataKey } from './envelope.js';
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
