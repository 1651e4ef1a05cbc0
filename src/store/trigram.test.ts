import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { addText, ESCAPE_BIT, mayContain, newBitmap, termBits } from './trigram.js';

/** The bitmap by the definition: each trigram's bit (termBits of the three units), and ESCAPE_BIT for `\u`. */
function reference(texts: readonly string[]): Uint8Array {
  const out = newBitmap();
  for (const t of texts) {
    for (let i = 0; i + 3 <= t.length; i++) for (const x of termBits(t.slice(i, i + 3))!) out[x >>> 3]! |= 1 << (x & 7);
    if (t.length >= 3 && t.includes('\\u')) out[0]! |= 1 << ESCAPE_BIT;
  }
  return out;
}

test('addText sets exactly the bits of the trigrams of its texts, and the escape bit for \\u', () => {
  const text = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 30 }), fc.constantFrom('\\u', 'a\\u', '\\u0041xyz', 'ab', 'xxxxxxxx', 'é€😀abc'));
  fc.assert(
    fc.property(fc.array(text, { maxLength: 8 }), (texts) => {
      const bits = newBitmap();
      for (const t of texts) addText(bits, t);
      assert.deepStrictEqual(bits, reference(texts));
    }),
    { numRuns: 2000 },
  );
});

test('a block holding a message may contain each of its substrings of three or more', () => {
  const bits = newBitmap();
  const m = '2024-05-03T11:40:02.123Z GET /api/orders user=alice';
  addText(bits, m);
  for (const term of ['GET', '/api/orders', 'user=alice', '11:40']) assert.ok(mayContain(bits, termBits(term)!), term);
  assert.ok(!mayContain(bits, termBits('zqxjkvbw')!));
});
