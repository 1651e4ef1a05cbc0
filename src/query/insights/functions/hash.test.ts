import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Harness, col, column } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

const values = ['', 'abc', 'héllo 👍🏽', '200'];
const digest = (alg: string) => (s: string) => createHash(alg).update(s, 'utf8').digest('hex');

describe('md5 and sha256', () => {
  it("hash the value's UTF-8 bytes, as Node's crypto does", async () => {
    const t = column('dynamic', [null, ...values]);
    assert.deepEqual(await h.rows('md5', [col(0)], t), [null, ...values.map(digest('md5'))]);
    assert.deepEqual(await h.rows('sha256', [col(0)], t), [null, ...values.map(digest('sha256'))]);
  });
  it('hash a number as its text', async () => {
    assert.deepEqual(await h.rows('md5', [col(0)], column('number', [200])), [digest('md5')('200')]);
  });
});
