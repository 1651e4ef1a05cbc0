import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryError } from '../ast.js';
import { FakeContext, Harness, col, lit, period, type Table } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

const t: Table = {
  types: ['string', 'dynamic'],
  rows: [
    ['rising', '10'],
    ['rising', '15'],
    ['rising', '40'],
    ['rising', 'n/a'],
    ['flat', '7'],
    ['flat', '7'],
    ['one', '3'],
    ['none', null],
  ],
  ts: [0, 30_000, 60_000, 90_000, 0, 1000, 5, 5],
};
const byGroup = (fn: string, args: Parameters<Harness['agg']>[1]) => h.agg(fn, args, t, new FakeContext(), 0);

describe('count_over_time and sum_over_time', () => {
  it('are count and sum within the group', async () => {
    // Groups in name order: flat, none, one, rising.
    assert.deepEqual(await byGroup('count_over_time', []), ['2', '1', '1', '4']);
    assert.deepEqual(await byGroup('count_over_time', [col(1)]), ['2', '0', '1', '4']);
    assert.deepEqual(await byGroup('sum_over_time', [col(1)]), ['14', null, '3', '65']);
  });

  it('are also spelled countOverTime and sumOverTime, as some versions of the page write them', async () => {
    assert.deepEqual(await byGroup('countOverTime', []), ['2', '1', '1', '4']);
    assert.deepEqual(await byGroup('countOverTime', [col(1)]), ['2', '0', '1', '4']);
    assert.deepEqual(await byGroup('sumOverTime', [col(1)]), ['14', null, '3', '65']);
  });
});

describe('rate', () => {
  it('is the change from the earliest to the latest event, per interval', async () => {
    assert.deepEqual(await byGroup('rate', [col(1), period('1m')]), ['0', null, null, '30']);
    assert.deepEqual(await byGroup('rate', [col(1), period('1s')]), ['0', null, null, '0.5']);
  });
  it('needs a fixed-length interval', () => {
    assert.throws(() => h.compile('rate', [col(1), period('1mo')], t, new FakeContext()), QueryError);
  });
});

describe('histogram', () => {
  it('counts values in equal-width ranges from the minimum to the maximum', async () => {
    const u: Table = { types: ['dynamic'], rows: [['0'], ['5'], ['10'], ['9'], ['x'], [null], ['2.5']] };
    assert.deepEqual(await h.agg('histogram', [col(0), lit(2)], u), ['{"[0,5)":2,"[5,10]":3}']);
    assert.deepEqual(await h.agg('histogram', [col(0), lit(4)], u), ['{"[0,2.5)":1,"[2.5,5)":1,"[5,7.5)":1,"[7.5,10]":2}']);
    assert.deepEqual(await byGroup('histogram', [col(1), lit(3)]), ['{"[7,7]":2}', null, '{"[3,3]":1}', '{"[10,20)":2,"[20,30)":0,"[30,40]":1}']);
  });
  it('needs a literal whole number of buckets', () => {
    const ctx = new FakeContext();
    assert.throws(() => h.compile('histogram', [col(1), lit(0)], t, ctx), QueryError);
    assert.throws(() => h.compile('histogram', [col(1), lit(2.5)], t, ctx), QueryError);
    assert.throws(() => h.compile('histogram', [col(1), col(1)], t, ctx), QueryError);
  });
});
