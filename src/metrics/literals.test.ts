/** literals.ts's alternation (common prefixes written once) matches exactly when one of its texts is in the string. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { alternation } from './literals.js';

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
