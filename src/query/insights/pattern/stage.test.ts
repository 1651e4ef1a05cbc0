import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { describeChange, diffStage, DiffInputError, patternDiffStage, patternStage, type Row } from './stage.js';
import { analyzedText } from './tokenize.js';

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);

const app = (i: number): string[] => [
  `2024-05-01T10:${String(i % 60).padStart(2, '0')}:00Z INFO [main] Order ${8800 + i} created for user cust-${1000 + (i % 7)} in ${(i * 7) % 90}ms`,
  `2024-05-01T10:${String(i % 60).padStart(2, '0')}:01Z ERROR [worker-${i % 4}] Payment failed for order ${8800 + i}: card declined`,
  `10.0.${i % 5}.${i % 200} - - [01/May/2024:10:00:${String(i % 60).padStart(2, '0')} +0000] "GET /api/orders/${i} HTTP/1.1" 200 ${100 + i} "-" "curl/8.0"`,
];

test('pattern rows: the documented fields, most frequent first', () => {
  const values: Array<string | null> = [];
  for (let i = 0; i < 10; i++) values.push(...(app(i) as string[]).slice(0, i < 4 ? 2 : 3));
  values.push(null);
  const rows = patternStage(values);
  assert.deepEqual(
    rows.map((r) => [r['@pattern'], r['@sampleCount'], r['@severityLabel']]),
    [
      ['<Timestamp-1> INFO [main] Order <Number-2> created for user <ID-3> in <Number-4>ms', 10, 'INFO'],
      ['<Timestamp-1> ERROR [<ID-2>] Payment failed for order <Number-3>: card declined', 10, 'ERROR'],
      ['<IPAddress-1> - - [<Timestamp-2> <Number-3>] "GET <Token-4> HTTP/1.1" <Number-5> <Number-6> "-" "curl/8.0"', 6, 'NONE'],
    ],
  );
  assert.deepEqual(
    rows.map((r) => r['@ratio']),
    [10 / 26, 10 / 26, 6 / 26],
  );
  const r = rows[2] as Row;
  assert.deepEqual(Object.keys(r), [
    '@pattern',
    '@ratio',
    '@sampleCount',
    '@severityLabel',
    '@PatternId',
    '@regexString',
    '@tokens',
    '@logSamples',
    '@visualization',
    '@relatedPattern',
  ]);
  assert.match(r['@PatternId'] as string, /^[0-9a-f]{32}$/);
  assert.equal(r['@visualization'], null, 'no timestamps, no histogram');
  const tokens = JSON.parse(r['@tokens'] as string) as Array<Record<string, unknown>>;
  assert.deepEqual(tokens[0], {
    dynamicTokenPosition: 1,
    isDynamic: true,
    tokenType: 'DYNAMIC',
    tokenString: '<*>',
    isNumeric: false,
    isErrorCode: false,
    enumerations: { '10.0.4.4': 1, '10.0.0.5': 1, '10.0.1.6': 1, '10.0.2.7': 1, '10.0.3.8': 1, '10.0.4.9': 1 },
    inferredTokenName: 'IPAddress-1',
  });
  assert.deepEqual(tokens[1], { dynamicTokenPosition: 0, isDynamic: false, tokenType: 'STATIC', tokenString: '-', isNumeric: false, isErrorCode: false });
  const status = tokens.find((t) => t['inferredTokenName'] === 'Number-5');
  assert.deepEqual(status?.['enumerations'], { '200': 6 });
  assert.equal(status?.['isNumeric'], true);
  const samples = JSON.parse(r['@logSamples'] as string) as Array<{ message: string }>;
  assert.equal(samples.length, 5);
  assert.equal(samples[0]?.message, app(4)[2]);
});

test('wildcard token style', () => {
  const [row] = patternStage(['took 5 ms', 'took 7 ms'], { tokenStyle: 'wildcard' });
  assert.equal(row?.['@pattern'], 'took <*> ms');
});

test('no values, no rows; nulls are not events', () => {
  assert.deepEqual(patternStage([]), []);
  assert.deepEqual(patternStage([null, null]), []);
  const rows = patternStage(['', '  ', null, 'x']);
  assert.deepEqual(
    rows.map((r) => [r['@pattern'], r['@sampleCount'], r['@ratio']]),
    [
      ['', 2, 2 / 3],
      ['x', 1, 1 / 3],
    ],
  );
});

test('@visualization counts each pattern per window over the period; @relatedPattern pairs patterns that occur together', () => {
  const values: string[] = [];
  const timestamps: number[] = [];
  // A burst of errors with their retry warnings in minutes 10-12, steady health checks throughout.
  for (let m = 0; m < 30; m++) {
    values.push(`GET /health 200 in ${m}ms`);
    timestamps.push(T0 + m * 60_000);
    if (m >= 10 && m <= 12) {
      for (let k = 0; k < m - 8; k++) {
        values.push(`ERROR db timeout after ${k + 100}ms`, `WARN retrying query ${k}`);
        timestamps.push(T0 + m * 60_000 + k, T0 + m * 60_000 + k + 1);
      }
    }
  }
  const rows = patternStage(values, { timestamps, startMs: T0, endMs: T0 + 30 * 60_000 - 1 });
  const byPattern = new Map(rows.map((r) => [r['@pattern'], r]));
  const health = byPattern.get('GET /health <Number-1> in <Number-2>ms') as Row;
  const errors = byPattern.get('ERROR db timeout after <Number-1>ms') as Row;
  const warns = byPattern.get('WARN retrying query <Number-1>') as Row;
  const vis = JSON.parse(errors['@visualization'] as string) as { timeWindowCountMapping: Record<string, number> };
  const windows = Object.entries(vis.timeWindowCountMapping);
  assert.equal(windows.length, 60, 'at most 60 windows: 30 s over 30 minutes');
  assert.equal(windows[0]?.[0], String(T0));
  assert.equal(windows[1]?.[0], String(T0 + 30_000));
  assert.deepEqual(
    windows.filter(([, n]) => n > 0),
    [
      [String(T0 + 10 * 60_000), 2],
      [String(T0 + 11 * 60_000), 3],
      [String(T0 + 12 * 60_000), 4],
    ],
  );
  assert.deepEqual(JSON.parse(errors['@relatedPattern'] as string), [warns['@PatternId']]);
  assert.deepEqual(JSON.parse(health['@relatedPattern'] as string), []);
  const samples = JSON.parse(errors['@logSamples'] as string) as Array<{ timestamp: number; message: string }>;
  assert.deepEqual(samples[0], { timestamp: T0 + 10 * 60_000, message: 'ERROR db timeout after 100ms' });
});

test('templates that end up identical are one pattern', () => {
  // The first two lines form `<*> <*> r s t` in the leaf routed by `foo`; the third has the same
  // template from the start but is routed by `r`, so Drain keeps a second cluster.
  const rows = patternStage(['foo q r s t', '5 foo r s t', '6 7 r s t']);
  assert.deepEqual(
    rows.map((r) => [r['@pattern'], r['@sampleCount']]),
    [['<Token-1> <Token-2> r s t', 3]],
  );
  const tokens = JSON.parse(rows[0]?.['@tokens'] as string) as Array<{ enumerations?: Record<string, number> }>;
  assert.deepEqual(tokens[0]?.enumerations, { foo: 1, '5': 1, '6': 1 });
  assert.deepEqual(
    JSON.parse(rows[0]?.['@logSamples'] as string).map((s: { message: string }) => s.message),
    ['foo q r s t', '5 foo r s t', '6 7 r s t'],
  );
});

test('determinism: the same input gives the same rows', () => {
  const values = Array.from({ length: 200 }, (_, i) => (app(i) as string[])[i % 3] as string);
  const timestamps = values.map((_, i) => T0 + i * 1000);
  assert.deepEqual(patternStage(values, { timestamps }), patternStage(values, { timestamps }));
});

// ---------------------------------------------------------------------------------------------
// diff

test('diff: counts against the previous period, new and vanished patterns, largest change first', () => {
  const current = [...Array(5).fill('job 1 done'), ...Array(3).fill('ERROR disk full on /dev/sda1'), 'cache warmed in 30ms'];
  const previous = [...Array(8).fill('job 2 done'), ...Array(2).fill('WARN slow request 500ms'), 'cache warmed in 45ms'];
  const rows = patternDiffStage({ values: current }, { values: previous });
  assert.deepEqual(
    rows.map((r) => [r['@pattern'], r['@sampleCount'], r['@previousSampleCount'], r['@diffEventCount'], r['@diffDescription']]),
    [
      ['job <Number-1> done', 5, 8, -3, 'Decreased by 38%'],
      ['ERROR disk full on /dev/sda1', 3, 0, 3, 'New pattern'],
      ['WARN slow request <Number-1>ms', 0, 2, -2, 'No longer seen'],
      ['cache warmed in <Number-1>ms', 1, 1, 0, 'No change'],
    ],
  );
  const gone = rows[2] as Row;
  assert.equal(gone['@ratio'], 0);
  assert.equal(gone['@severityLabel'], 'WARN');
  assert.equal(JSON.parse(gone['@logSamples'] as string)[0].message, 'WARN slow request 500ms');
});

test('diff mines both periods together: the template is the same in both even when one alone would not generalize', () => {
  const cur = patternStage(['user alice logged in']);
  const prev = patternStage(['user bob logged in']);
  assert.notEqual(cur[0]?.['@PatternId'], prev[0]?.['@PatternId']);
  const joint = patternDiffStage({ values: ['user alice logged in'] }, { values: ['user bob logged in'] });
  assert.deepEqual(
    joint.map((r) => [r['@pattern'], r['@diffEventCount']]),
    [['user <Token-1> logged in', 0]],
  );
});

test('diffStage joins rows by @PatternId, else @pattern, and rejects rows that are not patterns', () => {
  const rows = diffStage(
    [
      { '@pattern': 'a', '@sampleCount': '4' },
      { '@pattern': 'b', '@sampleCount': 1, '@PatternId': 'id-b' },
    ],
    [
      { '@pattern': 'a', '@sampleCount': 1 },
      { '@pattern': 'b (older rendering)', '@sampleCount': 1, '@PatternId': 'id-b' },
    ],
  );
  assert.deepEqual(
    rows.map((r) => [r['@pattern'], r['@diffEventCount'], r['@diffDescription']]),
    [
      ['a', 3, 'Increased by 300%'],
      ['b', 0, 'No change'],
    ],
  );
  assert.throws(() => diffStage([{ n: 1 }], []), DiffInputError);
  assert.throws(() => diffStage([{ '@pattern': 'a', '@sampleCount': 'many' }], []), DiffInputError);
  assert.equal(describeChange(0, 0), 'No events');
});

// ---------------------------------------------------------------------------------------------
// Properties

const value = fc.oneof(fc.integer({ min: 0, max: 99999 }).map(String), fc.ipV4(), fc.uuid(), fc.constantFrom('alice', 'bob', 'worker-2', 'GET', 'POST'));
const line = fc.oneof(
  fc.tuple(fc.constantFrom('INFO', 'WARN', 'ERROR'), value, value).map(([l, a, b]) => `${l} [${a}] request ${b} handled`),
  fc.tuple(value, value).map(([a, b]) => `${a} - - "GET /x/${b} HTTP/1.1" 200 ${b.length}`),
  fc.array(fc.oneof(value, fc.constantFrom('=', ':', ',', '"', '[', ']')), { maxLength: 8 }).map((xs) => xs.join(' ')),
  fc.string({ maxLength: 30 }),
);
const values = fc.array(fc.option(line, { nil: null, freq: 8 }), { maxLength: 80 });

test('property: ratios sum to 1, counts sum to the non-null values, every value matches a pattern', () => {
  fc.assert(
    fc.property(values, fc.integer({ min: 1, max: 6 }), (vs, maxClusters) => {
      const rows = patternStage(vs, { maxClusters });
      const present = vs.filter((v): v is string => v !== null);
      assert.equal(
        rows.reduce((n, r) => n + (r['@sampleCount'] as number), 0),
        present.length,
      );
      if (present.length > 0) assert.ok(Math.abs(rows.reduce((n, r) => n + (r['@ratio'] as number), 0) - 1) < 1e-9);
      const ids = rows.map((r) => r['@PatternId']);
      assert.equal(new Set(ids).size, ids.length, 'one row per pattern');
      const regexes = rows.map((r) => new RegExp(r['@regexString'] as string));
      for (const v of present) assert.ok(regexes.some((re) => re.test(analyzedText(v))), v);
      for (let i = 1; i < rows.length; i++) assert.ok((rows[i - 1]?.['@sampleCount'] as number) >= (rows[i]?.['@sampleCount'] as number));
    }),
    { numRuns: 200 },
  );
});

test('property: diff conserves counts', () => {
  fc.assert(
    fc.property(values, values, (cur, prev) => {
      const rows = patternDiffStage({ values: cur }, { values: prev });
      const sum = (f: string): number => rows.reduce((n, r) => n + (r[f] as number), 0);
      assert.equal(sum('@sampleCount'), cur.filter((v) => v !== null).length);
      assert.equal(sum('@previousSampleCount'), prev.filter((v) => v !== null).length);
      for (const r of rows) assert.equal(r['@diffEventCount'], (r['@sampleCount'] as number) - (r['@previousSampleCount'] as number));
    }),
    { numRuns: 100 },
  );
});
