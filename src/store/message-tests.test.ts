import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { combineBitmaps, MessageTestCache, segmentFrame, type SeqBitmap } from './message-tests.js';

const bitAt = (b: SeqBitmap, seq: number): boolean => {
  const i = seq - b.base;
  return i >= 0 && i < b.bits.length * 8 && (b.bits[i >> 3]! & (0x80 >> (i & 7))) !== 0;
};

test('bitmaps of adjacent segments combine into one that has exactly their bits', () => {
  // Segments: consecutive seq ranges (lengths), each with a random set of matching events.
  const segments = fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.array(fc.boolean(), { maxLength: 40 })), { minLength: 1, maxLength: 6 });
  fc.assert(
    fc.property(fc.nat(100), segments, fc.nat(30), (first, segs, gap) => {
      let seq = first;
      const parts: SeqBitmap[] = [];
      const matched = new Set<number>();
      for (const [length, hits] of segs) {
        const seg = { minSeq: seq, maxSeq: seq + length - 1 };
        const { base, top } = segmentFrame(seg);
        assert.equal(base % 8, 0);
        assert.ok(base <= seg.minSeq && top >= seg.maxSeq && (top - base + 1) % 8 === 0);
        const bits = new Uint8Array((top - base + 1) / 8);
        for (let s = seg.minSeq; s <= seg.maxSeq; s++) {
          if (!hits[s - seg.minSeq]) continue;
          matched.add(s);
          bits[(s - base) >> 3]! |= 0x80 >> ((s - base) & 7);
        }
        parts.push({ base, bits });
        seq += length + (gap % 3 === 0 ? gap : 0);
      }
      const all = combineBitmaps(parts);
      for (let s = first - 8; s < seq + 8; s++) assert.equal(bitAt(all, s), matched.has(s), `seq ${s}`);
    }),
  );
});

test('the cache stays within its bytes, forgets the least recently used first, and drops a group', () => {
  const t = { kind: 'contains', pattern: 'error' } as const;
  const bm = (n: number): SeqBitmap => ({ base: 0, bits: new Uint8Array(n) });
  const cache = new MessageTestCache(3 * (100 + 64));
  cache.set('a', 1, t, bm(100));
  cache.set('b', 1, t, bm(100));
  cache.set('c', 2, t, bm(100));
  assert.ok(cache.get('a', t), 'a used: now the most recent');
  cache.set('d', 2, t, bm(100)); // evicts b
  assert.equal(cache.get('b', t), undefined);
  assert.ok(cache.get('a', t) && cache.get('c', t) && cache.get('d', t));
  assert.ok(cache.size.bytes <= cache.maxBytes);
  assert.equal(cache.get('a', { kind: 'regexp', pattern: 'error' }), undefined, 'another kind of test is another entry');
  cache.set('huge', 1, t, bm(10_000));
  assert.equal(cache.get('huge', t), undefined, 'larger than the whole cache: not kept');
  cache.dropGroup(2);
  assert.deepEqual(cache.size, { entries: 1, bytes: 164 });
  assert.ok(cache.get('a', t));
});
