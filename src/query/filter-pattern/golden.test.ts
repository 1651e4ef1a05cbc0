import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FilterPatternError } from './ast.js';
import { extract } from './extract.js';
import { GOLDEN } from './golden-cases.js';
import { parseFilterPattern } from './parse.js';
import { compilePredicate } from './predicate.js';
import { SqlHarness } from './sql-harness.js';

test('the golden table: predicate and SQL back ends give the expected answer', async () => {
  const sql = await SqlHarness.open();
  try {
    for (const c of GOLDEN) {
      const name = `${c.pattern} on ${JSON.stringify(c.message)}`;
      if (c.match === 'error') {
        assert.throws(
          () => parseFilterPattern(c.pattern),
          (e: unknown) => e instanceof FilterPatternError && e.message.startsWith('Invalid filter pattern') && e.span.start >= 0 && e.span.end <= c.pattern.length,
          name,
        );
        continue;
      }
      const p = parseFilterPattern(c.pattern);
      assert.equal(compilePredicate(p)(c.message), c.match, `predicate: ${name}`);
      assert.deepEqual(await sql.matches(p, [c.message]), [c.match], `sql: ${name}`);
      if (c.extracted) assert.deepEqual(extract(p, c.message), c.extracted, `extract: ${name}`);
      else assert.equal(extract(p, c.message) === null, !c.match, `extract: ${name}`);
    }
  } finally {
    sql.close();
  }
});
