/**
 * `parse` globs run without regular expressions (globSql): for random globs and texts, DuckDB gives
 * exactly what the glob means as a regular expression: `*` a lazy capture of anything (newlines
 * included), the last one greedy when the glob ends with it, the leftmost match, '' for no value.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DuckDBInstance } from '@duckdb/node-api';
import { CompileState } from '../compile/state.js';
import { globSql } from './parse.js';

/** The glob as the regular expression it stands for (the reference semantics). */
function globRegex(glob: string): string {
  const pieces = glob.split('*');
  const captures = pieces.length - 1;
  let regex = '(?s)';
  pieces.forEach((piece, i) => {
    regex += piece.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&');
    if (i < captures) regex += i === captures - 1 && pieces[captures] === '' ? '(.*)' : '(.*?)';
  });
  return regex;
}

const ALPHABET = ['a', 'b', ' ', '-', 'é', '\n', '😀', '.', '('];
const text = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 12 }).map((a) => a.join(''));
const glob = fc.array(fc.constantFrom(...ALPHABET, '*', '*'), { maxLength: 8 }).map((a) => a.join('')).filter((g) => g.includes('*'));

test('parse globs: strpos chain equals the regular expression', async () => {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  try {
    await fc.assert(
      fc.asyncProperty(glob, fc.option(text, { nil: null }), async (g, t) => {
        const state = new CompileState('', 0, 't');
        const values = globSql(state, 'x', g);
        const ctes = state.stages.map(([n, body]) => `${n} AS (${body})`).join(', ');
        const ours = `WITH t AS (SELECT $${state.params.length + 1}::VARCHAR AS x), ${ctes} SELECT ${values.map((v, i) => `${v} AS c${i}`).join(', ')} FROM ${state.current}`;
        const params = [...state.params, t];
        const mine = (await conn.runAndReadAll(ours, params as never)).getRowsJson()[0];
        const slots = values.map((_, i) => `'g${i + 1}'`).join(', ');
        const ref = (await conn.runAndReadAll(`SELECT regexp_extract($1::VARCHAR, '${globRegex(g).replaceAll("'", "''")}', [${slots}]) AS r`, [t] as never)).getRowsJson()[0]![0] as Record<string, string> | null;
        const expected = values.map((_, i) => (ref === null || ref[`g${i + 1}`] === '' ? null : ref[`g${i + 1}`]));
        assert.deepEqual(mine, expected, `glob ${JSON.stringify(g)} on ${JSON.stringify(t)}`);
      }),
      { numRuns: 400 },
    );
  } finally {
    conn.closeSync();
  }
});
