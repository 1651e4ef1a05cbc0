import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness, col, column, lit, type Table } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

const docs = column('string', [null, '{ "a" : 1, "b": [true, null] }', '[1, "x", 2.5]', '"just a string"', '42', 'not json', '{"é": "ü"}', '[]']);

describe('jsonParse and jsonStringify', () => {
  it('jsonParse gives the minified object or array, and nothing for anything else', async () => {
    assert.deepEqual(await h.rows('jsonParse', [col(0)], docs), [null, '{"a":1,"b":[true,null]}', '[1,"x",2.5]', null, null, null, '{"é":"ü"}', '[]']);
  });
  it('jsonStringify gives the JSON text of a map or list', async () => {
    assert.deepEqual(await h.rows('jsonStringify', [col(0)], docs), [null, '{"a":1,"b":[true,null]}', '[1,"x",2.5]', null, null, null, '{"é":"ü"}', '[]']);
  });
});

describe('jsonArraySize', () => {
  it('counts the elements of an array, null for anything else', async () => {
    assert.deepEqual(await h.rows('jsonArraySize', [col(0)], docs), [null, null, '3', null, null, null, null, '0']);
  });
});

describe('jsonArrayContains', () => {
  it('compares elements as text, case-sensitively; false for non-arrays and invalid JSON', async () => {
    const t: Table = {
      types: ['dynamic'],
      rows: [[null], ['["admin","user"]'], ['["Admin"]'], ['[1, 2]'], ['{"admin": 1}'], ['admin'], ['[]'], ['[true]']],
    };
    assert.deepEqual(await h.rows('jsonArrayContains', [col(0), lit('admin')], t), ['0', '1', '0', '0', '0', '0', '0', '0']);
    assert.deepEqual(await h.rows('jsonArrayContains', [col(0), lit('2')], t), ['0', '0', '0', '1', '0', '0', '0', '0']);
    assert.deepEqual(await h.rows('jsonArrayContains', [col(0), lit('true')], t), ['0', '0', '0', '0', '0', '0', '0', '1']);
  });
});
