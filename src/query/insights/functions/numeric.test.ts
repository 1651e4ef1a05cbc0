import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness, col, column, lit, type Table } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

const nums = column('number', [null, 0, 2.5, -2.5, 16, -7.2]);
const fields = column('dynamic', [null, '200', '-1.5', 'abc', '', '1e3', ' 7 ']);

describe('abs, ceil, floor', () => {
  it('compute on numbers', async () => {
    assert.deepEqual(await h.rows('abs', [col(0)], nums), [null, '0', '2.5', '2.5', '16', '7.2']);
    assert.deepEqual(await h.rows('ceil', [col(0)], nums), [null, '0', '3', '-2', '16', '-7']);
    assert.deepEqual(await h.rows('floor', [col(0)], nums), [null, '0', '2', '-3', '16', '-8']);
  });
  it('read discovered fields as numbers, null when they are not', async () => {
    assert.deepEqual(await h.rows('abs', [col(0)], fields), [null, '200', '1.5', null, null, '1000', '7']);
    assert.deepEqual(await h.rows('ceil', [col(0)], fields), [null, '200', '-1', null, null, '1000', '7']);
  });
});

describe('greatest and least', () => {
  const t: Table = { types: ['number', 'dynamic', 'number'], rows: [[1, '5', 3], [null, '2', -1], [null, 'x', null], [4, null, 4.5]] };
  it('take the largest and smallest, skipping missing values', async () => {
    assert.deepEqual(await h.rows('greatest', [col(0), col(1), col(2)], t), ['5', '2', null, '4.5']);
    assert.deepEqual(await h.rows('least', [col(0), col(1), col(2)], t), ['1', '-1', null, '4']);
    assert.deepEqual(await h.rows('greatest', [col(1)], t), ['5', '2', null, null]);
  });
});

describe('log and sqrt', () => {
  it('are null outside their domain instead of failing the query', async () => {
    assert.deepEqual(await h.rows('log', [col(0)], nums), [null, null, '0.9162907318741551', null, '2.772588722239781', null]);
    assert.deepEqual(await h.rows('sqrt', [col(0)], nums), [null, '0', '1.5811388300841898', null, '4', null]);
    assert.deepEqual(await h.rows('sqrt', [col(0)], fields), [null, '14.142135623730951', null, null, null, '31.622776601683793', '2.6457513110645907']);
  });
});

describe('round', () => {
  it('rounds to an integer (halves away from zero) or to d decimals', async () => {
    assert.deepEqual(await h.rows('round', [col(0)], nums), [null, '0', '3', '-3', '16', '-7']);
    assert.deepEqual(await h.rows('round', [col(0), lit(2)], column('number', [null, 3.14159, -1.005, 2])), [null, '3.14', '-1', '2']);
    assert.deepEqual(await h.rows('round', [col(0), lit(-1)], column('number', [1234.5, 15])), ['1230', '20']);
    assert.deepEqual(await h.rows('round', [col(0), lit(1)], fields), [null, '200', '-1.5', null, null, '1000', '7']);
  });
});

describe('haversine', () => {
  it('gives the great-circle distance in km', async () => {
    // Paris (48.8566, 2.3522) to London (51.5074, -0.1278): about 343.5 km.
    const t: Table = {
      types: ['number', 'number', 'number', 'number'],
      rows: [
        [48.8566, 2.3522, 51.5074, -0.1278],
        [0, 0, 0, 0],
        [0, 0, 0, 180],
        [null, 0, 0, 0],
      ],
    };
    const out = await h.rows('haversine', [col(0), col(1), col(2), col(3)], t);
    assert.equal(Math.round(Number(out[0]) * 10) / 10, 343.6);
    assert.equal(out[1], '0');
    assert.equal(Math.round(Number(out[2])), Math.round(Math.PI * 6371));
    assert.equal(out[3], null);
  });
});
