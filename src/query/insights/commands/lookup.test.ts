import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupRows } from './lookup.js';

const records = [
  ['id', 'region', 'name', 'email'],
  ['u1', 'eu', 'Alice', 'a@x'],
  ['u1', 'eu', 'Alice again', 'again@x'],
  ['u1', 'us', 'Alice US', ''],
  ['', 'eu', 'nobody', 'n@x'],
];

test('lookupRows: the first row of each distinct match, empty keys left out, empty outputs no value', () => {
  assert.deepEqual(lookupRows(records, { table: 'lookup_1', name: 't', keys: ['id', 'region'], outputs: ['name', 'email'] }), [
    { k0: 'u1', k1: 'eu', v0: 'Alice', v1: 'a@x' },
    { k0: 'u1', k1: 'us', v0: 'Alice US', v1: null },
  ]);
  assert.deepEqual(lookupRows(records, { table: 'lookup_1', name: 't', keys: ['id'], outputs: ['email'] }), [{ k0: 'u1', v0: 'a@x' }]);
});

test('lookupRows: null when the table lacks a column the query names (replaced since it was checked)', () => {
  assert.equal(lookupRows(records, { table: 'lookup_1', name: 't', keys: ['id'], outputs: ['phone'] }), null);
});

test('parse: the documented form, AS on match fields, OUTPUT in any case; errors point at the token', async () => {
  const { parseQuery } = await import('../parse.js');
  const { formatQuery } = await import('../format.js');
  const { QueryError } = await import('../ast.js');
  const q = parseQuery('fields id | LOOKUP user_data id AS uid, region output name, `output`');
  const c = q.commands[1]!;
  assert.equal(c.kind, 'lookup');
  if (c.kind !== 'lookup') return;
  assert.equal(c.table.name, 'user_data');
  assert.deepEqual(c.keys.map((k) => [k.tableField.name, k.logField?.name ?? null]), [['id', 'uid'], ['region', null]]);
  assert.deepEqual(c.outputs.map((o) => o.name), ['name', 'output']);
  assert.equal(formatQuery(q), 'fields id | lookup user_data id as uid, region OUTPUT name, `output`');
  const cases: Array<[string, string, RegExp]> = [
    ['lookup users id', '', /expected ',', 'as' or OUTPUT and the fields to add after 'id'/],
    ['lookup users OUTPUT name', 'OUTPUT', /expected a field of the lookup table to match/],
    ['lookup users id as OUTPUT name', 'OUTPUT', /expected the log field to match/],
    ['lookup users id OUTPUT', '', /expected a field of the lookup table to add/],
    ['lookup users id name OUTPUT x', 'name', /expected ',', 'as' or OUTPUT/],
  ];
  for (const [text, at, message] of cases) {
    assert.throws(
      () => parseQuery(text),
      (e: unknown) => {
        assert.ok(e instanceof QueryError, String(e));
        const start = at === '' ? text.length : text.indexOf(at);
        assert.deepEqual(e.span, { start, end: start + at.length }, text);
        assert.match(e.message, message);
        return true;
      },
    );
  }
});
