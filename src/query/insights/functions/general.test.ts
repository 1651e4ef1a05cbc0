import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness, FakeContext, col, column, lit, type Table } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

describe('ispresent', () => {
  it('is 1 when the event has the field, even empty, and 0 otherwise', async () => {
    assert.deepEqual(await h.rows('ispresent', [col(0)], column('dynamic', [null, '', 'abc', '0'])), ['0', '1', '1', '1']);
    assert.deepEqual(await h.rows('ispresent', [col(0)], column('number', [null, 0])), ['0', '1']);
  });
});

describe('coalesce', () => {
  it('gives the first present value, keeping a shared type', async () => {
    const t: Table = { types: ['dynamic', 'dynamic'], rows: [[null, 'b'], ['a', 'b'], [null, null], ['', 'b']] };
    assert.deepEqual(await h.rows('coalesce', [col(0), col(1)], t), ['b', 'a', null, '']);
    const n: Table = { types: ['number', 'number'], rows: [[null, 2.5], [1, 2]] };
    const ctx = new FakeContext();
    assert.equal(h.compile('coalesce', [col(0), col(1)], n, ctx).type, 'number');
    assert.deepEqual(await h.rows('coalesce', [col(0), col(1)], n), ['2.5', '1']);
  });
  it('mixes types as text that still reads as a number', async () => {
    const t: Table = { types: ['dynamic', 'number', 'timestamp'], rows: [[null, 200, 0], ['x', 1, 0], [null, null, 0]] };
    assert.equal(h.compile('coalesce', [col(0), col(1), col(2)], t, new FakeContext()).type, 'dynamic');
    assert.deepEqual(await h.rows('coalesce', [col(0), col(1), col(2)], t), ['200', 'x', '1970-01-01 00:00:00.000']);
  });
});

describe('if and case', () => {
  const t: Table = { types: ['dynamic', 'number'], rows: [['200', 1], ['404', 0], [null, null], ['abc', 2]] };
  it('if picks by a truth value (a number is true when non-zero)', async () => {
    assert.deepEqual(await h.rows('if', [col(1), lit('yes'), lit('no')], t), ['yes', 'no', 'no', 'yes']);
    assert.deepEqual(await h.rows('if', [col(0), col(1), lit(-1)], t), ['1', '0', '-1', '-1']);
  });
  it('case returns the value of the first true condition, else the default or nothing', async () => {
    const ctx = new FakeContext();
    const ok = { raw: { sql: `(TRY_CAST(c0 AS DOUBLE) < 300)`, type: 'boolean' as const } };
    const missing = { raw: { sql: `(c0 IS NULL)`, type: 'boolean' as const } };
    assert.deepEqual(await h.rows('case', [ok, lit('ok'), missing, lit('none'), lit('error')], t, ctx), ['ok', 'error', 'none', 'error']);
    assert.deepEqual(await h.rows('case', [ok, lit('ok'), missing, lit('none')], t), ['ok', null, 'none', null]);
    assert.deepEqual(await h.rows('case', [ok, col(1), lit('n/a')], t), ['1', 'n/a', 'n/a', 'n/a']);
  });
});

describe('isNumeric', () => {
  it('is 1 for values that read as numbers (NaN is one, as for Java)', async () => {
    assert.deepEqual(await h.rows('isNumeric', [col(0)], column('dynamic', [null, '200', '-1.5e3', 'abc', '', 'NaN', '0x1f'])), ['0', '1', '1', '0', '0', '1', '0']);
    assert.deepEqual(await h.rows('isNumeric', [col(0)], column('number', [null, 3])), ['0', '1']);
  });
});

describe('messageSize', () => {
  it('counts UTF-8 bytes', async () => {
    assert.deepEqual(await h.rows('messageSize', [col(0)], column('string', [null, '', 'abc', 'é', '👍🏽'])), [null, '0', '3', '2', '8']);
    assert.deepEqual(await h.rows('messageSize', [col(0)], column('number', [1.5])), ['3']);
  });
});

describe('unmask', () => {
  it('is the value itself: Logward applies no masking', async () => {
    assert.deepEqual(await h.rows('unmask', [col(0)], column('string', [null, 'card 4111-1111'])), [null, 'card 4111-1111']);
  });
});

describe('the query window', () => {
  it('queryStartTime, queryEndTime and queryTimeRange come from the context, in ms', async () => {
    const one = column('number', [1]);
    const ctx = () => Object.assign(new FakeContext(), { startMs: 1_700_000_000_000, endMs: 1_700_003_600_000 });
    assert.deepEqual(await h.rows('queryStartTime', [], one, ctx()), ['1700000000000']);
    assert.deepEqual(await h.rows('queryEndTime', [], one, ctx()), ['1700003600000']);
    assert.deepEqual(await h.rows('queryTimeRange', [], one, ctx()), ['3600000']);
  });
  it('is our bug, not the user, when the compiler does not pass the window', () => {
    const ctx = Object.assign(new FakeContext(), { startMs: undefined });
    assert.throws(() => h.compile('queryStartTime', [], column('number', [1]), ctx), /internal: SqlContext.startMs/);
  });
});
