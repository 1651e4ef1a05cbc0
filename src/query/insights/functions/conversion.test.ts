import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness, col, column } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

const fields = column('dynamic', [null, '200', '-12.7', 'abc', '', '3e2', '4294967296', 'true']);

describe('toNumber and toDouble', () => {
  it('read numbers from text, null otherwise', async () => {
    const expected = [null, '200', '-12.7', null, null, '300', '4294967296', null];
    assert.deepEqual(await h.rows('toNumber', [col(0)], fields), expected);
    assert.deepEqual(await h.rows('toDouble', [col(0)], fields), expected);
  });
  it('read booleans as 1 and 0 and timestamps as epoch ms', async () => {
    assert.deepEqual(await h.rows('toNumber', [col(0)], column('boolean', [true, false, null])), ['1', '0', null]);
    assert.deepEqual(await h.rows('toNumber', [col(0)], column('timestamp', [Date.UTC(2024, 0, 1), null])), ['1704067200000', null]);
  });
});

describe('toInt and toLong', () => {
  it('truncate toward zero and are null out of range', async () => {
    assert.deepEqual(await h.rows('toInt', [col(0)], fields), [null, '200', '-12', null, null, '300', null, null]);
    assert.deepEqual(await h.rows('toLong', [col(0)], fields), [null, '200', '-12', null, null, '300', '4294967296', null]);
    assert.deepEqual(await h.rows('toLong', [col(0)], column('number', [1e19, -0.9, 9007199254740993])), [null, '0', '9007199254740992']);
  });
});
