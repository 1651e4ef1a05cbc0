import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { PeriodLiteral, PeriodUnit } from '../ast.js';
import { asBoolean, asNumber, asString, asTimestamp, formatResultValue, periodMonths, periodMs } from './coerce.js';
import { Harness, column } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

const first = <T>(f: (v: T) => T) => (cols: T[]) => f(cols[0]!);
const texts = column('dynamic', [null, '200', '-1.5', 'abc', '', 'true', 'FALSE', '0', '1704067200000', '2024-01-01T12:00:00+02:00', '2024-01-01 12:00:00']);

describe('asNumber', () => {
  it('reads text that is a number, else null', async () => {
    assert.deepEqual(await h.expr(first(asNumber), texts), [null, '200', '-1.5', null, null, null, null, '0', '1704067200000', null, null]);
  });
  it('reads a timestamp as epoch ms and a boolean as 1 or 0', async () => {
    assert.deepEqual(await h.expr(first(asNumber), column('timestamp', [0, 1704067200123, null])), ['0', '1704067200123', null]);
    assert.deepEqual(await h.expr(first(asNumber), column('boolean', [true, false, null])), ['1', '0', null]);
  });
});

describe('asString', () => {
  it('prints numbers without a trailing .0, booleans as 1 and 0, timestamps with milliseconds', async () => {
    assert.deepEqual(await h.expr(first(asString), column('number', [null, 1, -0, 1.5, 200, 1642195111000, 0.1])), [null, '1', '0', '1.5', '200', '1642195111000', '0.1']);
    assert.deepEqual(await h.expr(first(asString), column('boolean', [true, false, null])), ['1', '0', null]);
    assert.deepEqual(await h.expr(first(asString), column('timestamp', [Date.UTC(2024, 0, 1, 12, 0, 0, 5), null])), ['2024-01-01 12:00:00.005', null]);
  });
  it('prints a number in SQL as formatResultValue shows its result', async () => {
    const doubles = fc.oneof(fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }), fc.double({ min: -1e15, max: 1e15, noNaN: true }).map((x) => Math.round(x * 1000) / 1000));
    await fc.assert(
      fc.asyncProperty(fc.array(doubles, { minLength: 1, maxLength: 50 }), async (xs) => {
        const got = await h.expr(first(asString), column('number', xs));
        assert.deepEqual(got, xs.map((x) => formatResultValue(x, 'number')));
      }),
      { numRuns: 20 },
    );
  });
});

describe('asBoolean', () => {
  it('reads true/false text, and numbers as non-zero', async () => {
    assert.deepEqual(await h.expr(first(asBoolean), texts), [null, '1', '1', null, null, '1', '0', '0', '1', null, null]);
    assert.deepEqual(await h.expr(first(asBoolean), column('number', [0, 2, -0.5, null])), ['0', '1', '1', null]);
  });
});

describe('asTimestamp', () => {
  it('reads numbers as epoch ms and text as epoch ms or an ISO date-time (in UTC unless it has an offset)', async () => {
    assert.deepEqual(await h.expr(first(asTimestamp), texts), [
      null,
      '1970-01-01 00:00:00.200',
      '1969-12-31 23:59:59.999',
      null,
      null,
      null,
      null,
      '1970-01-01 00:00:00.000',
      '2024-01-01 00:00:00.000',
      '2024-01-01 10:00:00.000',
      '2024-01-01 12:00:00.000',
    ]);
    assert.deepEqual(await h.expr(first(asTimestamp), column('number', [1.9, 1e20, null])), ['1970-01-01 00:00:00.001', null, null]);
  });
});

describe('periods', () => {
  const p = (amount: number, unit: PeriodUnit): PeriodLiteral => ({ kind: 'period', amount, unit, text: `${amount}${unit}`, span: { start: 0, end: 0 } });
  it('are in ms, their amount capped by the unit as AWS does', () => {
    assert.equal(periodMs(p(5, 'm')), 300_000);
    assert.equal(periodMs(p(300, 's')), 60_000);
    assert.equal(periodMs(p(2000, 'ms')), 1000);
    assert.equal(periodMs(p(90, 'm')), 3_600_000);
    assert.equal(periodMs(p(48, 'h')), 86_400_000);
    assert.equal(periodMs(p(3, 'd')), 3 * 86_400_000);
    assert.equal(periodMs(p(2, 'w')), 14 * 86_400_000);
    assert.equal(periodMs(p(1.5, 's')), 1500);
  });
  it('count calendar months for mo, q and y (and nothing for the others)', () => {
    assert.equal(periodMonths(p(2, 'mo')), 2);
    assert.equal(periodMonths(p(1, 'q')), 3);
    assert.equal(periodMonths(p(1, 'y')), 12);
    assert.equal(periodMonths(p(1, 'w')), null);
  });
});

describe('formatResultValue', () => {
  it('shows values as GetQueryResults does', () => {
    assert.equal(formatResultValue(new Date(Date.UTC(2024, 0, 1, 12)), 'timestamp'), '2024-01-01 12:00:00.000');
    assert.equal(formatResultValue(1704110400000, 'timestamp'), '2024-01-01 12:00:00.000');
    assert.equal(formatResultValue(1704110400000n, 'timestamp'), '2024-01-01 12:00:00.000');
    assert.equal(formatResultValue(3, 'number'), '3');
    assert.equal(formatResultValue(3.25, 'number'), '3.25');
    assert.equal(formatResultValue(-0, 'number'), '0');
    assert.equal(formatResultValue(12345678901234567890n, 'number'), '12345678901234567890');
    assert.equal(formatResultValue(true, 'boolean'), '1');
    assert.equal(formatResultValue(false, 'boolean'), '0');
    assert.equal(formatResultValue('200', 'dynamic'), '200');
    assert.equal(formatResultValue(null, 'string'), '');
    assert.equal(formatResultValue(new Date(Date.UTC(-1, 0, 1)), 'timestamp'), '-0001-01-01 00:00:00.000');
  });
});
