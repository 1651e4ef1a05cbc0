import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFilterPattern } from './parse.js';
import { compilePredicate } from './predicate.js';
import { FilterPatternError } from './ast.js';

const matches = (pattern: string, message: string): boolean => compilePredicate(parseFilterPattern(pattern))(message);

test('the documented unstructured examples', () => {
  // From AWS's "Filter pattern syntax" page: ERROR matches both lines below.
  assert.equal(matches('ERROR', '[ERROR] A fatal exception has occurred'), true);
  assert.equal(matches('ERROR', 'Exiting with ERRORCODE: -1'), true);
  assert.equal(matches('ERROR', 'error: lower case'), false, 'terms are case-sensitive');
  assert.equal(matches('ERROR Exception', 'ERROR: NullPointerException'), true);
  assert.equal(matches('ERROR Exception', 'ERROR only'), false);
  assert.equal(matches('?ERROR ?WARN', 'WARN disk'), true);
  assert.equal(matches('?ERROR ?WARN', 'INFO ok'), false);
  assert.equal(matches('ERROR -Exiting', '[ERROR] A fatal exception has occurred'), true);
  assert.equal(matches('ERROR -Exiting', 'Exiting with ERRORCODE: -1'), false);
  assert.equal(matches('"INTERNAL SERVER ERROR"', '[ERROR 500] INTERNAL SERVER ERROR'), true);
  assert.equal(matches('"INTERNAL SERVER ERROR"', 'INTERNAL ERROR SERVER'), false);
});

test('empty and blank patterns match everything', () => {
  for (const p of ['', '   ', '""', '" "']) assert.equal(matches(p, 'anything'), true, JSON.stringify(p));
});

test('quoted terms take escapes; a lone ? or - is a term', () => {
  assert.deepEqual(parseFilterPattern('"a \\"b\\" c" -"x y" ?"z"'), { kind: 'terms', required: ['a "b" c'], optional: ['z'], excluded: ['x y'] });
  assert.deepEqual(parseFilterPattern('- ?'), { kind: 'terms', required: ['-', '?'], optional: [], excluded: [] });
});

test('an unterminated quote is an error with a span', () => {
  assert.throws(
    () => parseFilterPattern('ok "open'),
    (e: unknown) => e instanceof FilterPatternError && e.span.start === 3 && e.span.end === 8,
  );
});

test('the parser throws nothing but its own error on any input', () => {
  fc.assert(
    fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
      try {
        parseFilterPattern(s);
      } catch (e) {
        if (!(e instanceof FilterPatternError)) throw e;
      }
    }),
    { numRuns: 2000 },
  );
});
