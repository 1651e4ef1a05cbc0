import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryError } from '../ast.js';
import { FakeContext, Harness, col, lit, type Table } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

/** Two groups: `a` mixes numbers, text and a missing value; `b` has only text. */
const t: Table = {
  types: ['string', 'dynamic', 'number', 'timestamp'],
  rows: [
    ['a', '10', 1, 3000],
    ['a', '9', 2, 1000],
    ['a', 'abc', null, 2000],
    ['a', null, 4, 500],
    ['b', 'x', null, 10],
    ['b', 'y', null, 20],
  ],
  ts: [3000, 1000, 2000, 500, 20, 10],
};
const byGroup = (fn: string, args: Parameters<Harness['agg']>[1]) => h.agg(fn, args, t, new FakeContext(), 0);

describe('count and count_distinct', () => {
  it('count(*) and count() count events; count(field) those that have it', async () => {
    assert.deepEqual(await h.agg('count', [], t, new FakeContext(), 0), ['4', '2']);
    assert.deepEqual(await byGroup('count', [col(1)]), ['3', '2']);
    assert.deepEqual(await byGroup('count', [col(2)]), ['3', '0']);
  });
  it('count_distinct counts distinct present values exactly', async () => {
    assert.deepEqual(await byGroup('count_distinct', [col(1)]), ['3', '2']);
    assert.deepEqual(await h.agg('count_distinct', [col(0)], t), ['2']);
  });
});

describe('sum, avg, stddev', () => {
  it('use the values that read as numbers', async () => {
    assert.deepEqual(await byGroup('sum', [col(1)]), ['19', null]);
    assert.deepEqual(await byGroup('sum', [col(2)]), ['7', null]);
    assert.deepEqual(await byGroup('avg', [col(2)]), ['2.3333333333333335', null]);
    assert.deepEqual(await byGroup('avg', [col(1)]), ['9.5', null]);
    assert.deepEqual(await byGroup('stddev', [col(2)]), ['1.5275252316519465', null]);
  });
});

describe('min, max, sortsFirst, sortsLast', () => {
  it('order a discovered field numerically, its numbers before its text', async () => {
    assert.deepEqual(await byGroup('min', [col(1)]), ['9', 'x']);
    assert.deepEqual(await byGroup('max', [col(1)]), ['abc', 'y']);
    assert.deepEqual(await byGroup('sortsFirst', [col(1)]), ['9', 'x']);
    assert.deepEqual(await byGroup('sortsLast', [col(1)]), ['abc', 'y']);
  });
  it('keep the type of typed values', async () => {
    assert.deepEqual(await byGroup('min', [col(2)]), ['1', null]);
    assert.deepEqual(await byGroup('max', [col(2)]), ['4', null]);
    assert.deepEqual(await byGroup('max', [col(3)]), ['1970-01-01 00:00:03.000', '1970-01-01 00:00:00.020']);
    assert.equal(h.compile('max', [col(3)], t, new FakeContext()).type, 'timestamp');
    assert.deepEqual(await byGroup('sortsFirst', [col(0)]), ['a', 'b']);
  });
});

describe('earliest and latest', () => {
  it('take the value of the first and last event by @timestamp among those that have it', async () => {
    assert.deepEqual(await byGroup('earliest', [col(1)]), ['9', 'y']);
    assert.deepEqual(await byGroup('latest', [col(1)]), ['10', 'x']);
    assert.deepEqual(await byGroup('earliest', [col(2)]), ['4', null]);
  });
});

describe('pct', () => {
  const hundred: Table = { types: ['dynamic'], rows: Array.from({ length: 100 }, (_, i) => [String(100 - i)]) };
  it('is the smallest value with at least p% of the values at or below it', async () => {
    assert.deepEqual(await h.agg('pct', [col(0), lit(95)], hundred), ['95']);
    assert.deepEqual(await h.agg('pct', [col(0), lit(50)], hundred), ['50']);
    assert.deepEqual(await h.agg('pct', [col(0), lit(99.5)], hundred), ['100']);
    assert.deepEqual(await h.agg('pct', [col(0), lit(0)], hundred), ['1']);
    assert.deepEqual(await h.agg('pct', [col(0), lit(100)], hundred), ['100']);
    assert.deepEqual(await byGroup('pct', [col(2), lit(50)]), ['2', null]);
  });
  it('needs a literal percentile from 0 to 100', () => {
    const ctx = new FakeContext();
    assert.throws(() => h.compile('pct', [col(2), col(2)], t, ctx), /percentile must be a number written in the query/);
    assert.throws(() => h.compile('pct', [col(2), lit(101)], t, ctx), QueryError);
    assert.throws(() => h.compile('pct', [col(2), lit(-1)], t, ctx), QueryError);
  });
});
