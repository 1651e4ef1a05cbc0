import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { QueryError } from '../ast.js';
import { javaPatternToStrptime } from './datetime.js';
import { FakeContext, Harness, col, column, lit, period, type Table } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

const at = (iso: string): number => Date.parse(`${iso}Z`);

/** Events at these times (the `ts` column, which the fake context gives as @timestamp). */
const events = (...isos: string[]): Table => ({ types: ['number'], rows: isos.map(() => [0]), ts: isos.map(at) });

describe('bin', () => {
  // @timestamp is never before 1970: ingestion refuses such events, so bin need not round negatives.
  const t = events('2024-05-15T00:07:30.123', '2024-05-15T23:59:59.999', '1970-01-01T00:00:00.001', '2024-02-29T12:00:00');
  it('rounds @timestamp down to fixed periods aligned on the epoch', async () => {
    assert.deepEqual(await h.rows('bin', [period('5m')], t), ['2024-05-15 00:05:00.000', '2024-05-15 23:55:00.000', '1970-01-01 00:00:00.000', '2024-02-29 12:00:00.000']);
    assert.deepEqual(await h.rows('bin', [period('1h')], t), ['2024-05-15 00:00:00.000', '2024-05-15 23:00:00.000', '1970-01-01 00:00:00.000', '2024-02-29 12:00:00.000']);
    assert.deepEqual(await h.rows('bin', [period('7m')], events('1970-01-01T00:13:59')), ['1970-01-01 00:07:00.000']);
    assert.deepEqual(await h.rows('bin', [period('100ms')], t), ['2024-05-15 00:07:30.100', '2024-05-15 23:59:59.900', '1970-01-01 00:00:00.000', '2024-02-29 12:00:00.000']);
    assert.deepEqual(await h.rows('bin', [period('1d')], t), ['2024-05-15 00:00:00.000', '2024-05-15 00:00:00.000', '1970-01-01 00:00:00.000', '2024-02-29 00:00:00.000']);
  });
  it('caps the amount by its unit as AWS does: 300s is 60s, 48h is 24h', async () => {
    assert.deepEqual(await h.rows('bin', [period('300s')], t), await h.rows('bin', [period('1m')], t));
    assert.deepEqual(await h.rows('bin', [period('48h')], t), await h.rows('bin', [period('1d')], t));
  });
  it('starts weeks on Monday and buckets months, quarters and years on the calendar', async () => {
    assert.deepEqual(await h.rows('bin', [period('1w')], t), ['2024-05-13 00:00:00.000', '2024-05-13 00:00:00.000', '1969-12-29 00:00:00.000', '2024-02-26 00:00:00.000']);
    assert.deepEqual(await h.rows('bin', [period('1mo')], t), ['2024-05-01 00:00:00.000', '2024-05-01 00:00:00.000', '1970-01-01 00:00:00.000', '2024-02-01 00:00:00.000']);
    assert.deepEqual(await h.rows('bin', [period('1q')], t), ['2024-04-01 00:00:00.000', '2024-04-01 00:00:00.000', '1970-01-01 00:00:00.000', '2024-01-01 00:00:00.000']);
    assert.deepEqual(await h.rows('bin', [period('1y')], t), ['2024-01-01 00:00:00.000', '2024-01-01 00:00:00.000', '1970-01-01 00:00:00.000', '2024-01-01 00:00:00.000']);
  });
  it('reads @timestamp through the context, and needs it', () => {
    const ctx = Object.assign(new FakeContext(), { field: undefined });
    assert.throws(() => h.compile('bin', [period('5m')], t, ctx), /internal: bin needs SqlContext.field/);
  });
});

describe('datefloor and dateceil', () => {
  const t: Table = {
    types: ['timestamp', 'number', 'dynamic'],
    rows: [
      [at('2024-05-15T10:00:00'), at('2024-05-15T10:00:00'), '2024-05-15T10:00:00Z'],
      [at('2024-05-15T10:00:00.001'), at('2024-05-15T10:00:00.001'), '1715767200001'],
      [at('2024-05-15T10:59:59.999'), null, '2024-05-15T12:59:59.999+02:00'],
      [null, null, 'abc'],
    ],
  };
  it('datefloor truncates timestamps, epoch ms and date text alike', async () => {
    const want = ['2024-05-15 10:00:00.000', '2024-05-15 10:00:00.000', '2024-05-15 10:00:00.000', null];
    assert.deepEqual(await h.rows('datefloor', [col(0), period('1h')], t), want);
    assert.deepEqual(await h.rows('datefloor', [col(1), period('1h')], t), [...want.slice(0, 2), null, null]);
    assert.deepEqual(await h.rows('datefloor', [col(2), period('1h')], t), want);
  });
  it('dateceil rounds up, keeping a time already on a boundary', async () => {
    assert.deepEqual(await h.rows('dateceil', [col(0), period('1h')], t), ['2024-05-15 10:00:00.000', '2024-05-15 11:00:00.000', '2024-05-15 11:00:00.000', null]);
    assert.deepEqual(await h.rows('dateceil', [col(0), period('1mo')], t), ['2024-06-01 00:00:00.000', '2024-06-01 00:00:00.000', '2024-06-01 00:00:00.000', null]);
    assert.deepEqual(await h.rows('dateceil', [col(0), period('1d')], column('timestamp', [at('2024-05-15T00:00:00')])), ['2024-05-15 00:00:00.000']);
  });
  it('refuses a period of zero', () => {
    assert.throws(() => h.compile('datefloor', [col(0), period('0m')], t, new FakeContext()), QueryError);
  });
});

describe('fromMillis, toMillis, now', () => {
  it('fromMillis reads epoch ms, from numbers or text', async () => {
    assert.deepEqual(await h.rows('fromMillis', [col(0)], column('number', [null, 0, 1642195111000, -1, 1.9])), [
      null,
      '1970-01-01 00:00:00.000',
      '2022-01-14 21:18:31.000',
      '1969-12-31 23:59:59.999',
      '1970-01-01 00:00:00.001',
    ]);
    assert.deepEqual(await h.rows('fromMillis', [col(0)], column('dynamic', ['1642195111000', 'abc', '1e20'])), ['2022-01-14 21:18:31.000', null, null]);
  });
  it('toMillis is the inverse (the AWS example: 2022-01-14T13:18:31.000-08:00 is 1642195111000)', async () => {
    assert.deepEqual(await h.rows('toMillis', [col(0)], column('timestamp', [null, at('2022-01-14T21:18:31.000'), 0])), [null, '1642195111000', '0']);
    assert.deepEqual(await h.rows('toMillis', [col(0)], column('dynamic', ['2022-01-14T13:18:31.000-08:00'])), ['1642195111000']);
  });
  it('now() is the time the query started, in epoch seconds', async () => {
    const ctx = Object.assign(new FakeContext(), { nowMs: 1_700_000_000_999 });
    assert.deepEqual(await h.rows('now', [], column('number', [1]), ctx), ['1700000000']);
  });
});

describe('parseDate', () => {
  const t = column('string', [null, '2024-01-02', 'junk']);
  it('parses with a Java pattern into epoch ms, in UTC by default', async () => {
    assert.deepEqual(await h.rows('parseDate', [col(0), lit('yyyy-MM-dd')], t), [null, String(at('2024-01-02T00:00:00')), null]);
    const u = column('string', ['2024-01-02 03:04:05.678', '2024-13-02 03:04:05.678']);
    assert.deepEqual(await h.rows('parseDate', [col(0), lit('yyyy-MM-dd HH:mm:ss.SSS')], u), [String(at('2024-01-02T03:04:05.678')), null]);
  });
  it('takes the local time in the given zone, or the offset in the text', async () => {
    assert.deepEqual(await h.rows('parseDate', [col(0), lit('yyyy-MM-dd'), lit('America/New_York')], t), [null, String(at('2024-01-02T05:00:00')), null]);
    const apache = column('string', ['10/Oct/2000:13:55:36 -0700']);
    assert.deepEqual(await h.rows('parseDate', [col(0), lit("dd/MMM/yyyy:HH:mm:ss Z")], apache), ['971211336000']);
    const quoted = column('string', ["2024-01-02T03:04:05 o'clock"]);
    assert.deepEqual(await h.rows('parseDate', [col(0), lit("yyyy-MM-dd'T'HH:mm:ss 'o''clock'")], quoted), [String(at('2024-01-02T03:04:05'))]);
  });
  it('refuses a format that is not a literal or has no DuckDB equivalent', () => {
    const ctx = new FakeContext();
    assert.throws(() => h.compile('parseDate', [col(0), col(0)], t, ctx), /format must be a string written in the query/);
    assert.throws(() => h.compile('parseDate', [col(0), lit('G yyyy')], t, ctx), /pattern letter 'G'/);
  });
  it('translates Java patterns', () => {
    assert.deepEqual(javaPatternToStrptime('yyyy-MM-dd HH:mm:ss.SSS'), { format: '%Y-%m-%d %H:%M:%S.%g' });
    assert.deepEqual(javaPatternToStrptime("EEE, d MMM yy h:mm a '100%'"), { format: '%a, %d %b %y %I:%M %p 100%%' });
    assert.deepEqual(javaPatternToStrptime("''yyyy"), { format: "'%Y" });
    assert.deepEqual(javaPatternToStrptime("'unterminated"), { error: 'an unterminated quote' });
  });
});

describe('formatDate and strftime', () => {
  const t = column('timestamp', [null, at('2024-01-02T03:04:05.678')]);
  it('format with strftime codes, in UTC or the given zone', async () => {
    assert.deepEqual(await h.rows('formatDate', [col(0), lit('%Y-%m-%d')], t), [null, '2024-01-02']);
    assert.deepEqual(await h.rows('strftime', [col(0), lit('%d/%m/%Y %H:%M')], t), [null, '02/01/2024 03:04']);
    assert.deepEqual(await h.rows('formatDate', [col(0), lit('%Y-%m-%d %H:%M'), lit('Asia/Tokyo')], t), [null, '2024-01-02 12:04']);
  });
  it('need a literal format', () => {
    assert.throws(() => h.compile('formatDate', [col(0), col(0)], t, new FakeContext()), /format must be a string written in the query/);
  });
  it('format epoch ms as well', async () => {
    assert.deepEqual(await h.rows('formatDate', [col(0), lit('%H:%M:%S')], column('number', [3_600_000])), ['01:00:00']);
  });
});
