import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from './ast.js';
import { formatQuery } from './format.js';
import { GOLDEN_PARSE } from './parse-golden-cases.js';
import { spanProblems, stripSpans } from './parse-testing.js';
import { parseQuery } from './parse.js';

test('golden: every documented query parses to its recorded canonical text, or fails as recorded', () => {
  for (const c of GOLDEN_PARSE) {
    const name = `${c.doc ?? 'ours'}: ${JSON.stringify(c.query)}`;
    if (c.error !== undefined) {
      const expected = c.error;
      assert.throws(
        () => parseQuery(c.query),
        (e: unknown) => e instanceof QueryError && e.span.start === expected.start && e.span.end === expected.end && e.message === expected.message,
        name,
      );
      continue;
    }
    const q = parseQuery(c.query);
    assert.equal(formatQuery(q), c.formatted, name);
    assert.deepEqual(spanProblems(c.query, q), [], name);
  }
});

test('golden: the canonical text parses to the same query and formats to itself', () => {
  for (const c of GOLDEN_PARSE) {
    if (c.formatted === undefined) continue;
    const again = parseQuery(c.formatted);
    assert.deepEqual(stripSpans(again), stripSpans(parseQuery(c.query)), c.formatted);
    assert.equal(formatQuery(again), c.formatted);
    assert.deepEqual(spanProblems(c.formatted, again), [], c.formatted);
  }
});

test('golden: the table covers the documented pages', () => {
  const docs = new Set(GOLDEN_PARSE.map((c) => c.doc).filter((d) => d !== undefined));
  assert.ok(GOLDEN_PARSE.filter((c) => c.doc !== undefined).length >= 80, 'documented rows');
  for (const page of ['Sample queries', 'fields', 'filter', 'where', 'display', 'stats', 'limit', 'parse', 'dedup', 'diff', 'SOURCE', 'Use aliases and comments in queries', 'accum', 'autoregress', 'filldown', 'fillmissing', 'countFrequent', 'sessionize']) {
    assert.ok([...docs].some((d) => d.endsWith(`(${page})`)), page);
  }
});
