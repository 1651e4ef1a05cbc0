import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addToBuckets, addValue, decodeSketch, encodeSketch, mergeInto, percentile, RELATIVE_ACCURACY, toSketch, type BucketCounts, type Sketch } from './sketch.js';

function exact(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1]!;
}

test('percentiles are within 1% (relative) of the exact nearest-rank value', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
      fc.constantFrom(1, 10, 50, 90, 99, 99.9),
      (values, p) => {
        const s: Sketch = new Map();
        for (const v of values) addValue(s, v);
        const got = percentile(s, p, Math.min(...values), Math.max(...values));
        const want = exact(values, p);
        assert.ok(Math.abs(got - want) <= RELATIVE_ACCURACY * Math.abs(want) + 1e-9, `p${p}: ${got} vs ${want}`);
      },
    ),
  );
});

test('sketches merge and round-trip through their encoding', () => {
  const a: Sketch = new Map();
  const b: Sketch = new Map();
  for (let i = 1; i <= 50; i++) addValue(a, i);
  for (let i = 51; i <= 100; i++) addValue(b, i);
  addValue(b, 0);
  addValue(b, -5, 2);
  const merged = decodeSketch(encodeSketch(a));
  mergeInto(merged, decodeSketch(encodeSketch(b)));
  assert.equal(percentile(merged, 100, -5, 100), 100);
  assert.equal(percentile(merged, 0, -5, 100), -5);
  const p50 = percentile(merged, 50, -5, 100);
  assert.ok(Math.abs(p50 - 49) <= 0.5, String(p50));
  assert.ok(Number.isNaN(percentile(new Map(), 50, 0, 0)));
});

test('buckets built as numbers give the sketch addValue builds (the same keys and counts)', () => {
  const value = fc.oneof(fc.integer({ min: -10, max: 9000 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e-10, -1e-10, 8191, 8192, 0.5, -1, Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE));
  fc.assert(
    fc.property(fc.array(fc.tuple(value, fc.integer({ min: 1, max: 5 })), { maxLength: 60 }), (values) => {
      const expected: Sketch = new Map();
      const buckets: BucketCounts = new Map();
      for (const [v, n] of values) {
        addValue(expected, v, n);
        addToBuckets(buckets, v, n);
      }
      assert.deepEqual(toSketch(buckets), expected);
    }),
    { numRuns: 500 },
  );
});
