/**
 * join and subqueries in the parser and formatter: random token soups made of their pieces parse, or
 * fail with a QueryError inside the text; what parses formats to text that parses back to the same
 * AST, with every node's span on its own text. (The documented examples and the errors with their
 * spans are rows of parse-golden-cases.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QueryError, type Query } from './ast.js';
import { parseQuery } from './parse.js';
import { formatQuery } from './format.js';
import { spanProblems, stripSpans } from './parse-testing.js';

const PIECES = [
  'join', 'type=', 'inner', 'left', 'left=', 'right=', 'a', 'b', 'where', 'a.k', 'b.k', 'a.x', 'b.y', '=', 'and', '(', ')', '|', ' ', '\n',
  "SOURCE 'g'", 'SOURCE "h" START=-1h', 'fields', 'filter', 'stats count(*) by k', 'x', 'in', 'not', '[1]', 'k', ',',
];

function parsesOrFailsCleanly(text: string): boolean {
  let q: Query;
  try {
    q = parseQuery(text);
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    assert.ok(0 <= e.span.start && e.span.start <= e.span.end && e.span.end <= text.length, `span ${JSON.stringify(e.span)} outside ${JSON.stringify(text)}`);
    return false;
  }
  const formatted = formatQuery(q);
  assert.deepEqual(stripSpans(parseQuery(formatted)), stripSpans(q), `${text} -> ${formatted}`);
  assert.deepEqual(spanProblems(text, q), [], text);
  return true;
}

test('join and subquery soups: parse and round-trip, or a QueryError inside the text', () => {
  let parsed = 0;
  const join = fc.tuple(fc.constantFrom('', 'type=inner ', 'type=LEFT '), fc.oneof(fc.constant([]), fc.constant(['and', 'b.y=a.x']), fc.array(fc.constantFrom(...PIECES), { maxLength: 4 })), fc.constantFrom("(SOURCE 'g')", '(fields k, y)', '(SOURCE "g" | stats count(*) as n by k)', '(', ''));
  fc.assert(
    fc.property(join, fc.array(fc.constantFrom(...PIECES), { maxLength: 4 }), ([type, middle, nested], tail) => {
      if (parsesOrFailsCleanly(`join ${type}left=a right=b where a.k=b.k ${middle.join(' ')} ${nested} ${tail.join(' ')}`)) parsed++;
      if (parsesOrFailsCleanly(`filter x ${middle.join(' ')} in (SOURCE 'g' | ${tail.join(' ')})`)) parsed++;
    }),
    { numRuns: 3000 },
  );
  assert.ok(parsed > 300, `only ${parsed} of the soups parsed`);
});

test('a join formats in canonical form and keeps what was written', () => {
  const q = parseQuery("JOIN Right=l TYPE=Left left=api WHERE l.id = api.id AND api.x=l.y (source 'g' | FIELDS id)");
  assert.equal(formatQuery(q), 'join type=left left=api right=l where api.id=l.id and api.x=l.y (SOURCE "g" | fields id)');
  const plain = parseQuery("join left=a right=b where a.k=b.k (SOURCE 'g')");
  assert.equal(formatQuery(plain), 'join left=a right=b where a.k=b.k (SOURCE "g")', 'type= is printed only when written');
  assert.equal(q.commands[0]!.kind === 'join' && q.commands[0].query.commands.length, 1);
});
