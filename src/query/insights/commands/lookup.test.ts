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
