import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { FilterPatternError } from './ast.js';
import { format } from './format.js';
import { GOLDEN } from './golden-cases.js';
import { parseFilterPattern } from './parse.js';

test('format round-trips every valid golden pattern', () => {
  let n = 0;
  for (const c of GOLDEN) {
    if (c.match === 'error') continue;
    const p = parseFilterPattern(c.pattern);
    assert.deepEqual(parseFilterPattern(format(p)), p, `${c.pattern} -> ${format(p)}`);
    n++;
  }
  assert.ok(n > 50);
});

test('format round-trips whatever the parser accepts', () => {
  const piece = fc.constantFrom('{', '}', '(', ')', '[', ']', '%', '$.a', '$.b[0]', ' = ', ' != ', ' > ', ' && ', ' || ', '"', '\\"', '*', ' ', 'x', '1e5', '-2', ' IS NULL', ' IS TRUE', ' NOT EXISTS', ', ', '...', 'f', 'g', '?', '-', '\\d', '^');
  let parsed = 0;
  fc.assert(
    fc.property(fc.constantFrom('{ ', '%', '[', ''), fc.array(piece, { maxLength: 14 }), (head, xs) => {
      let p;
      try {
        p = parseFilterPattern(head + xs.join(''));
      } catch (e) {
        if (e instanceof FilterPatternError) return;
        throw e;
      }
      parsed++;
      assert.deepEqual(parseFilterPattern(format(p)), p);
    }),
    { numRuns: 5000 },
  );
  assert.ok(parsed > 500, `only ${parsed} inputs parsed`);
});
