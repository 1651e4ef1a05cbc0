/**
 * literals.ts's alternation (common prefixes written once) matches exactly when one of its texts is in the
 * string; its probes are in every string that holds one of the texts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { alternation, probes } from './literals.js';

const text = fc.array(fc.constantFrom('a', 'b', '.', '1', '0', '/', ' ', '\\', '(', '|', '-', '😀', '\ud83d', 'é'), { maxLength: 5 }).map((cs) => cs.join(''));

test('alternation matches exactly the strings containing one of the texts', () => {
  fc.assert(
    fc.property(fc.uniqueArray(text, { minLength: 1, maxLength: 8 }), fc.array(fc.oneof(text, fc.string()), { maxLength: 10 }), (texts, strings) => {
      const re = new RegExp(alternation(texts));
      for (const s of [...strings, ...texts, texts.join(''), texts.map((t) => t.slice(1)).join('|')]) {
        assert.equal(re.test(s), texts.some((t) => s.includes(t)), `${JSON.stringify(texts)} in ${JSON.stringify(s)}: /${re.source}/`);
      }
    }),
    { numRuns: 5000 },
  );
});

test('shared prefixes are written once', () => {
  assert.equal(alternation(['10.0.3.', '10.0.7.', '10.0.11.', 'ERROR']), String.raw`1(?:0(?:\.(?:0(?:\.(?:3\.|7\.|11\.)))))|ERROR`);
});

test('a string with one of the texts has one of their probes', () => {
  const word = fc.oneof(text, fc.string({ maxLength: 12 }), fc.constantFrom('refused', 'upstream timeout', 'AccessDenied', 'Denied', 'ERROR', 'x"y:z'));
  fc.assert(
    fc.property(fc.uniqueArray(word, { minLength: 1, maxLength: 8 }), fc.array(fc.oneof(text, fc.string()), { maxLength: 10 }), (texts, strings) => {
      const ps = probes(texts);
      for (const t of ps) assert.ok(texts.some((u) => u.includes(t)), `probe ${JSON.stringify(t)} is part of a text`);
      for (const s of [...strings, ...texts, texts.join(''), texts.map((t) => t.slice(1)).join('|')]) {
        if (texts.some((t) => s.includes(t))) assert.ok(ps.some((p) => s.includes(p)), `${JSON.stringify(texts)} in ${JSON.stringify(s)}: ${JSON.stringify(ps)}`);
      }
    }),
    { numRuns: 5000 },
  );
});

test('probes start at a text\'s rarest character, and leave out texts that hold another', () => {
  assert.deepEqual(probes(['ERROR', 'upstream timeout', 'WARN', 'Throttling', 'AccessDenied', 'refused', 'Denied']), ['ERROR', 'pstream timeout', 'WARN', 'Throttling', 'fused', 'Denied']);
});
