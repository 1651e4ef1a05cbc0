/**
 * FilterSet's shortcuts (JSON guards, pattern groups, the space-delimited selectors read without
 * building extractedValues, rows merged per second) against the plain definition: every filter's
 * pattern tested on every event with query/filter-pattern/extract.ts, its value and dimensions read from
 * what extract() gives, defaultValue once per second of a run without a match. Random filters and
 * events (fast-check), then the CIS controls and CloudTrail filters over the real CloudTrail records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { MetricFilterRecord } from '../store/catalog.js';
import { extract, type ExtractedValues } from '../query/filter-pattern/extract.js';
import { parseFilterPattern } from '../query/filter-pattern/parse.js';
import { parseObject } from '../query/filter-pattern/predicate.js';
import { CIS_CONTROLS } from '../cli/cis-pack.js';
import { FilterSet, type EvalResult, type EventRun } from './filter-eval.js';
import { addValue, mergeInto, type Sketch } from './sketch.js';

/** What a (filter, second, dimension values) row adds to its metric. */
interface Aggregate {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Bucket → count (sketch.ts), sorted by bucket. */
  sketch: Record<string, number>;
}

interface Outcome {
  rows: Record<string, Aggregate>;
  matched: number;
  skipped: number;
}

const rowKey = (filter: number, second: number, dims: string[] | null): string => `${filter}|${second}|${JSON.stringify(dims)}`;

/** Adds `count` values `value` (or a sketch of them) to a row, as the metric store does. */
function fold(rows: Record<string, Aggregate>, key: string, count: number, sum: number, min: number, max: number, sketch: Sketch): void {
  const a = (rows[key] ??= { count: 0, sum: 0, min: Infinity, max: -Infinity, sketch: {} });
  a.count += count;
  a.sum += sum;
  if (min < a.min) a.min = min;
  if (max > a.max) a.max = max;
  const merged: Sketch = new Map(Object.entries(a.sketch));
  mergeInto(merged, sketch);
  a.sketch = Object.fromEntries([...merged].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)));
}

function fromResult(r: EvalResult): Outcome {
  const rows: Record<string, Aggregate> = {};
  for (let i = 0; i < r.filter.length; i++) {
    let sk = r.sketch[i]!;
    if (sk === null) addValue((sk = new Map()), r.min[i]!, r.count[i]!);
    fold(rows, rowKey(r.filter[i]!, r.second[i]!, r.dims[i]!), r.count[i]!, r.sum[i]!, r.min[i]!, r.max[i]!, sk);
  }
  return { rows, matched: r.matched, skipped: r.skipped };
}

/** The plain definition (no index, no groups, no memo of rows). */
function reference(records: MetricFilterRecord[], runs: EventRun[]): Outcome {
  const out: Outcome = { rows: {}, matched: 0, skipped: 0 };
  const add = (f: number, s: number, v: number, d: string[] | null): void => {
    const sk: Sketch = new Map();
    addValue(sk, v);
    fold(out.rows, rowKey(f, s, d), 1, v, v, v, sk);
  };
  const lookup = (got: ExtractedValues, selector: string, m: string): string | undefined => {
    const v = got[selector];
    if (v !== undefined) return String(v);
    if (!selector.startsWith('$.')) return undefined;
    let cur: unknown = parseObject(m);
    for (const part of selector.slice(2).split('.')) {
      if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
      cur = (cur as Record<string, unknown>)[part];
    }
    return typeof cur === 'number' || typeof cur === 'string' ? String(cur) : undefined;
  };
  const asNumber = (v: string | undefined): number | undefined => (v === undefined || v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v));
  const patterns = records.map((r) => parseFilterPattern(r.pattern));
  for (const run of runs) {
    // Stretches of events with the same second: defaultValue once per stretch without a match.
    let k = 0;
    while (k < run.messages.length) {
      const second = Math.floor(run.timestamps[k]! / 1000);
      const hit = records.map(() => false);
      for (; k < run.messages.length && Math.floor(run.timestamps[k]! / 1000) === second; k++) {
        const m = run.messages[k]!;
        records.forEach((r, i) => {
          const got = extract(patterns[i]!, m);
          if (got === null) return;
          hit[i] = true;
          out.matched++;
          const t = r.transformations[0]!;
          const value = t.metricValue.startsWith('$') ? asNumber(lookup(got, t.metricValue, m)) : Number(t.metricValue);
          const sels = Object.values(t.dimensions ?? {});
          const dims = sels.map((s) => lookup(got, s, m));
          if (value === undefined || dims.some((d) => d === undefined || d === '' || d.length > 255)) {
            out.skipped++;
            return;
          }
          add(i, second, value, sels.length === 0 ? null : (dims as string[]));
        });
      }
      records.forEach((r, i) => {
        const t = r.transformations[0]!;
        if (!hit[i] && t.defaultValue !== undefined && t.dimensions === undefined) add(i, second, t.defaultValue, null);
      });
    }
  }
  return out;
}

const filterRecord = (i: number, pattern: string, metricValue: string, dimensions?: Record<string, string>, defaultValue?: number): MetricFilterRecord => ({
  groupId: 1,
  name: `f${i}`,
  pattern,
  transformations: [{ metricName: `m${i}`, metricNamespace: 'T', metricValue, ...(dimensions ? { dimensions } : {}), ...(defaultValue !== undefined ? { defaultValue } : {}) }],
  createdMs: 0,
  applyOnTransformedLogs: false,
});

function valid(p: string): boolean {
  try {
    parseFilterPattern(p); // at most 2 regular expressions, for one
    return true;
  } catch {
    return false;
  }
}

const cond = fc.constantFrom(
  '$.a = "x"',
  '$.a = "xy"',
  '$.b = "x"',
  '$.a = "x*"',
  '$.a = *',
  '$.a != "x"',
  '$.b = 1',
  '$.b > 0',
  '$.b >= 1',
  '$.b < 1',
  '$.b <= 0',
  '$.b != 1',
  '$.b = -0',
  '$.a.b = 1',
  '$.a.b.c = "x"',
  // A key Object.prototype has: only an own member counts (the `$.key` read, json-guard.ts).
  '$.constructor = *',
  '$.toString NOT EXISTS',
  '$.a.b = "x"',
  '$.a.b = *',
  '$.c IS TRUE',
  '$.c IS NULL',
  '$.c NOT EXISTS',
  '$.a NOT EXISTS',
  '$.a[0] = "x"',
  '$.*.b = "x"',
  '$.a[*] = "y"',
  '$.a = %x+%',
);
const jsonExpr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof({ depthSize: 'small' }, cond, fc.tuple(tie('e'), fc.constantFrom('&&', '||'), tie('e')).map(([l, op, r]) => `(${l as string} ${op} ${r as string})`)),
})).e as fc.Arbitrary<string>;
const pattern = fc.oneof(
  { weight: 4, arbitrary: jsonExpr.map((e) => `{ ${e} }`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom('[a, b, c]', '[a, b = x*, ...]', '[..., b]', '[, b, ...]', '[a = x, ..., c]', '[a, , c > 1]', '[a, b]', '[..., b = 1, c]', '[a, b, c, d, e]', '[a = "x*" || a = 1, b]'),
  },
  {
    weight: 3,
    arbitrary: fc.constantFrom('x', 'xyz', '"x y"', '?x ?y', 'x -y', '""', '%x.y%', '%^\\{%', 'xyz -abc', '?xyz ?abc', '"y xy" x', '%xyz|ab+c%', '%a.c%', '[a = "xy*", ...]', '[..., c = *abc*]', 'a.c'),
  },
).filter(valid);
const selector = fc.constantFrom('$.a', '$.b', '$.a.b', '$.c', '$a', '$b', '$c', '$1', '$2', '$3', '$01', '$.nope');
const filter = fc.record({
  pattern,
  value: fc.oneof(fc.constantFrom('1', '2.5', '0', '-0'), selector),
  dims: fc.option(fc.array(selector, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  defaultValue: fc.option(fc.constantFrom(0, 1), { nil: undefined }),
});

const leaf = fc.constantFrom<unknown>('x', 'y', 'xy', 'x y', '', 1, 0, -0, 2.5, true, false, null, '1');
const json: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 2 }), fc.dictionary(fc.constantFrom('a', 'b', 'c'), tie('v'), { maxKeys: 3 })),
})).v;
const message = fc.oneof(
  fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), json, { maxKeys: 4 }).map((d) => JSON.stringify(d)),
  // The same member spelt with an escape, and twice (JSON.parse keeps the last).
  // Long ones: FilterSet projects these (json-project.ts) instead of parsing them whole.
  fc.tuple(fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), json, { maxKeys: 4 }), fc.boolean()).map(([d, first]) => {
    const text = JSON.stringify(d);
    const pad = `"pad":"${'p'.repeat(400)}"`;
    return text === '{}' ? `{${pad}}` : first ? `{${pad},${text.slice(1)}` : `${text.slice(0, -1)},${pad}}`;
  }),
  // A raw control character in a string (not JSON) or between members (JSON).
  fc.constantFrom('{"\\u0061":"x"}', '{"a":"\\u0078"}', '{"a":"y","a":"x"}', '{"a":"x"', '{"a":{"b":"x"},"b":1}', '{"a":"x\ty","b":1}', '{"b":1,"a":"\nx"}', '{"a":\n"x","b":1}').map((m) => `${' '.repeat(400)}${m}`),
  fc.constantFrom('{"\\u0061":"x"}', '{"a":"\\u0078"}', '{"a":"y","a":"x"}', ' {"a":"x"}', '{"a":"x"', '["x"]', '{"a":{"b":"x"},"b":1}', '{"constructor":"x"}', '{"toString":1}'),
  fc.array(fc.constantFrom('x', 'y', '1', '2', 'xyz', 'abc', 'abbc', 'a.c', 'xyzabc', '[x y]', '"x y"', '{', '-', ''), { maxLength: 6 }).map((ws) => ws.join(' ')),
);
const runs = fc.array(
  fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), message), { minLength: 1, maxLength: 8 }).map((evs) => ({
    timestamps: evs.map(([s], k) => s * 1000 + k),
    messages: evs.map(([, m]) => m),
  })),
  { minLength: 1, maxLength: 3 },
);

test('FilterSet gives what every filter tested on every event gives (random filters and events)', () => {
  fc.assert(
    fc.property(fc.array(filter, { minLength: 1, maxLength: 8 }), runs, (fs, rs) => {
      const records = fs.map((f, i) => filterRecord(i, f.pattern, f.value, f.dims ? Object.fromEntries(f.dims.map((s, k) => [`D${k}`, s])) : undefined, f.dims ? undefined : f.defaultValue));
      const got = fromResult(new FilterSet(records, (name, e) => assert.fail(`${name}: ${String(e)}`)).evaluate(rs));
      assert.deepEqual(got, reference(records, rs));
    }),
    { numRuns: 1500 },
  );
});

test('the CIS controls and CloudTrail filters over the real CloudTrail records', () => {
  const file = fileURLToPath(new URL('../../../test/fixtures/cloudtrail-stratus-red-team/records.jsonl.gz', import.meta.url));
  const trail = gunzipSync(readFileSync(file)).toString('utf8').split('\n').filter((l) => l.trim() !== '');
  const records = [
    ...CIS_CONTROLS.map((c, i) => filterRecord(i, c.pattern, '1')),
    filterRecord(20, '{ $.eventSource = "s3.amazonaws.com" }', '1', { EventName: '$.eventName' }),
    filterRecord(21, '{ $.errorCode = "*" }', '1', { ErrorCode: '$.errorCode' }),
    filterRecord(22, '{ $.userIdentity.type = "AssumedRole" && $.readOnly IS FALSE }', '1'),
    filterRecord(23, '{ $.awsRegion != "us-east-1" || $.sourceIPAddress = "1.*" }', '1', undefined, 0),
    filterRecord(24, '{ $.eventName = "ListBuckets" || $.eventName = "GetCallerIdentity" }', '1'),
    filterRecord(25, 'AccessDenied', '1'),
    filterRecord(26, '[..., last]', '1', { Last: '$last' }),
  ];
  const rs: EventRun[] = [];
  for (let i = 0; i < trail.length; i += 400) {
    const messages = trail.slice(i, i + 400);
    rs.push({ timestamps: messages.map((_, k) => 1_800_000_000_000 + k * 37), messages });
  }
  const got = fromResult(new FilterSet(records).evaluate(rs));
  const want = reference(records, rs);
  assert.ok(want.matched > 1000, `the filters match the records (${want.matched})`);
  assert.deepEqual(got, want);
});
