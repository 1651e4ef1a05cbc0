import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TopValues } from './top-values.js';

test('keeps at most capacity values; a newcomer inherits the smallest count', () => {
  const t = new TopValues(2);
  t.add('a');
  t.add('a');
  t.add('b');
  t.add('c');
  assert.deepEqual(t.entries(), [
    ['a', 2],
    ['c', 2],
  ]);
  assert.throws(() => new TopValues(0), RangeError);
});

test('property: counts add up to the total, and any value seen more than total/capacity times is kept', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g'), { maxLength: 200 }), fc.integer({ min: 1, max: 5 }), (xs, k) => {
      const t = new TopValues(k);
      for (const x of xs) t.add(x);
      const entries = t.entries();
      assert.ok(entries.length <= k);
      assert.equal(
        entries.reduce((n, [, c]) => n + c, 0),
        xs.length,
      );
      const truth = new Map<string, number>();
      for (const x of xs) truth.set(x, (truth.get(x) ?? 0) + 1);
      for (const [v, n] of truth) {
        const kept = entries.find(([e]) => e === v);
        if (n > xs.length / k) assert.ok(kept, `${v} seen ${n} of ${xs.length} times`);
        if (kept) assert.ok(kept[1] >= n, 'never underestimates');
      }
    }),
  );
});
