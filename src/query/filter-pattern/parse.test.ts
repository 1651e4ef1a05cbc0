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
  assert.deepEqual(parseFilterPattern('?"a \\"b\\" c" ?z'), { kind: 'terms', required: [], optional: ['a "b" c', 'z'], excluded: [] });
  assert.deepEqual(parseFilterPattern('- ?'), { kind: 'terms', required: ['-', '?'], optional: [], excluded: [] });
});

test('? terms are ignored next to other terms, as AWS documents', () => {
  assert.deepEqual(parseFilterPattern('"a b" -"x y" ?z'), { kind: 'terms', required: ['a b'], optional: [], excluded: ['x y'] });
  assert.deepEqual(parseFilterPattern('?ERROR ?ARGUMENTS -REQUEST'), { kind: 'terms', required: [], optional: [], excluded: ['REQUEST'] });
  assert.equal(matches('?ERROR ?ARGUMENTS REQUEST', '[INFO] REQUEST FAILED'), true);
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

test('JSON patterns parse to the AST, && binding tighter than ||', () => {
  assert.deepEqual(parseFilterPattern('{ $.a[0].b = "x*y" || $.c > -1.5e3 && $.d IS NULL }'), {
    kind: 'json',
    expr: {
      kind: 'or',
      left: { kind: 'cond', path: ['a', 0, 'b'], selector: '$.a[0].b', test: { kind: 'string', op: '=', parts: ['x', 'y'] } },
      right: {
        kind: 'and',
        left: { kind: 'cond', path: ['c'], selector: '$.c', test: { kind: 'number', op: '>', text: '-1.5e3' } },
        right: { kind: 'cond', path: ['d'], selector: '$.d', test: { kind: 'is', value: null } },
      },
    },
  });
  assert.deepEqual(parseFilterPattern('{$.ip!=123.123.*}'), {
    kind: 'json',
    expr: { kind: 'cond', path: ['ip'], selector: '$.ip', test: { kind: 'string', op: '!=', parts: ['123.123.', ''] } },
  });
});

test('selectors take wildcards and quoted keys; [] and empty fields parse', () => {
  assert.deepEqual(parseFilterPattern("{ $.a[*].['b.c'] NOT EXISTS || $.* IS TRUE }"), {
    kind: 'json',
    expr: {
      kind: 'or',
      left: { kind: 'cond', path: ['a', { wildcard: 'element' }, 'b.c'], selector: "$.a[*].['b.c']", test: { kind: 'not-exists' } },
      right: { kind: 'cond', path: [{ wildcard: 'field' }], selector: '$.*', test: { kind: 'is', value: true } },
    },
  });
  assert.deepEqual(parseFilterPattern(' [ ] '), { kind: 'delimited', fields: [{ kind: 'ellipsis' }] });
  assert.deepEqual(parseFilterPattern('[a,,]'), {
    kind: 'delimited',
    fields: [
      { kind: 'field', name: 'a', test: null },
      { kind: 'field', name: '', test: null },
      { kind: 'field', name: '', test: null },
    ],
  });
});

test('regex patterns are translated to the shared canonical form', () => {
  assert.deepEqual(parseFilterPattern(' %^a.\\d+\\s[\\w-]%'), {
    kind: 'regex',
    regex: { source: '^a.\\d+\\s[\\w-]', pattern: '^a[^\\n][0-9]+[\\t\\n\\f\\r ][0-9A-Za-z_-]' },
  });
  assert.deepEqual(parseFilterPattern('%a{,2} \\x3A{1, 3}%'), { kind: 'regex', regex: { source: 'a{,2} \\x3A{1, 3}', pattern: 'a{0,2} \\x3A{1,3}' } });
});

/** Asserts the pattern is rejected, with AWS's wording, at [start, end). */
function rejects(pattern: string, start: number, end: number, words: RegExp): void {
  assert.throws(
    () => parseFilterPattern(pattern),
    (e: unknown) => {
      assert.ok(e instanceof FilterPatternError, String(e));
      assert.match(e.message, /^Invalid filter pattern: /);
      assert.match(e.message, words);
      assert.match(e.message, new RegExp(`at character ${start}\\b`));
      assert.deepEqual(e.span, { start, end }, e.message);
      return true;
    },
    pattern,
  );
}

test('errors say what was expected, where', () => {
  rejects('{ $.a = }', 8, 9, /expected a value after =/);
  rejects('{ $.a > "1" }', 8, 9, /expected a number after >/);
  rejects('{ $.a = 1 ', 10, 10, /expected '}'/);
  rejects('{ $.a ~ 1 }', 6, 7, /expected an operator/);
  rejects('{ a = 1 }', 2, 3, /expected a selector/);
  rejects('{ $.a[*][*] = 1 }', 9, 10, /only one wildcard/);
  rejects('{ $.a.* = 1 || $.b.* = 1 || $.c.* = 1 || $.d.* = 1 }', 45, 46, /at most 3 wildcard selectors/);
  rejects("{ $.['a'b] = 1 }", 4, 5, /expected a key/);
  rejects('%\\xZZ%', 1, 3, /hexadecimal/);
  rejects('%a{,}%', 2, 3, /repetition/);
  rejects('[a, b c]', 6, 7, /expected an operator/);
  rejects('{ $.a IS MAYBE }', 9, 10, /expected TRUE, FALSE or NULL/);
  rejects('{ $.a = 1 } x', 12, 13, /expected the end of the pattern/);
  rejects('{ $.a = %x% || $.a = %y% || $.a = %z% }', 34, 35, /at most 2 regular expressions/);
  rejects('%abc', 0, 4, /expected a closing %/);
  rejects('%a(b)%', 2, 3, /not supported/);
  rejects('%a!%', 2, 3, /not supported/);
  rejects('%+a%', 1, 2, /expected something to repeat/);
  rejects('%a{2000}%', 2, 8, /repetition/);
  rejects('[a, ..., b, ...]', 12, 15, /only one \.\.\. is supported/);
  rejects('[a, b = 1 && c = 2]', 13, 14, /expected the field name b/);
});

test('the parser throws nothing but its own error on structured-looking input', () => {
  const piece = fc.constantFrom('{', '}', '(', ')', '[', ']', '%', '$', '$.a', '.', '[0]', '=', '!=', '<', '>=', '&&', '||', '"', '\\', '*', ' ', 'IS', 'NOT', 'EXISTS', 'TRUE', 'NULL', '1e5', '-', 'x', '{1,2}', '\\d', '^', ',', '...', 'f', ']');
  fc.assert(
    fc.property(fc.constantFrom('{', '%', '[', ''), fc.array(piece, { maxLength: 20 }), (head, xs) => {
      try {
        const p = parseFilterPattern(head + xs.join(''));
        compilePredicate(p)('{"a": 1}');
      } catch (e) {
        if (!(e instanceof FilterPatternError)) throw e;
      }
    }),
    { numRuns: 5000 },
  );
});
