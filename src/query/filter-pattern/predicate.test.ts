/**
 * splitFields, the hand-written splitter, finds exactly the fields FIELD_REGEX finds (the SQL back end's);
 * wildcardTest says what wildcardRegex says.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FIELD_REGEX } from './parse-delimited.js';
import { splitFields, wildcardRegex, wildcardTest } from './predicate.js';

function byRegex(m: string): Array<{ value: string; start: number; end: number }> {
  const out = [];
  for (const x of m.matchAll(new RegExp(FIELD_REGEX, 'gu'))) {
    const f = x[0];
    const grouped = f.length >= 2 && ((f[0] === '[' && f.endsWith(']')) || (f[0] === '"' && f.endsWith('"')));
    out.push({ value: grouped ? f.slice(1, -1) : f, start: x.index, end: x.index + f.length });
  }
  return out;
}

const message = fc.string({ unit: fc.constantFrom('a', 'b', ' ', ' ', '[', ']', '"', '\t', '\n', '-', 'é', '😀', '\ud800', '\udc00'), maxLength: 24 });

test('splitFields agrees with FIELD_REGEX', () => {
  fc.assert(
    fc.property(message, (m) => {
      assert.deepEqual(splitFields(m).map((t) => ({ ...t })), byRegex(m));
    }),
    { numRuns: 5000 },
  );
  for (const m of ['', ' ', '[a b] "c d" e', '[a "b] c"', '"a [b" c]', '[a', '"a', 'a]', '127.0.0.1 - - [10/Oct/2000:13:25:15 -0700] "GET / HTTP/1.0" 200 1534']) {
    assert.deepEqual(splitFields(m).map((t) => ({ ...t })), byRegex(m), m);
  }
});

test('wildcardTest agrees with wildcardRegex', () => {
  const text = (maxLength: number): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom('a', 'b', 'ab', '\n', '😀', '\ud83d', '\ude00', '\ud800'), maxLength });
  fc.assert(
    fc.property(fc.array(text(3), { minLength: 2, maxLength: 4 }), text(12), (parts, v) => {
      assert.equal(wildcardTest(parts)(v), wildcardRegex(parts).test(v), JSON.stringify({ parts, v }));
    }),
    { numRuns: 20000 },
  );
  for (const [parts, v] of [[['a', 'a'], 'a'], [['a', 'a'], 'aa'], [['', 'b', ''], 'abc'], [['ab', 'b', 'ba'], 'abba'], [['ab', 'b', 'ba'], 'abbba'], [['', ''], '']] as const) {
    assert.equal(wildcardTest([...parts])(v), wildcardRegex([...parts]).test(v), JSON.stringify({ parts, v }));
  }
});
