import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkQuery } from '../src/query/insights/engine.js';
import { parseQuery } from '../src/query/insights/parse.js';
import { EventGenerator, logEventsJson } from './generate.js';
import {
  BIN_MS,
  checkBins,
  checkNewest,
  checkParseStats,
  checkStreamCounts,
  expectedBins,
  insightsQueries,
  isPercentile,
  ParseStatsModel,
  resultTimestampMs,
  rowRecord,
  runInsightsQuery,
  storedTimestamp,
  type ResultRow,
} from './insights.js';
import { patchTimestamps } from './load-worker.js';
import { uncachedSpellings } from './insights-scenario.js';

const fmt = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);

test('the benchmark queries parse and pass the semantic checks', () => {
  const qs = insightsQueries('error');
  assert.deepEqual(qs.map((q) => q.key), ['bins', 'errors', 'newest', 'parseStats']);
  for (const q of qs) checkQuery(parseQuery(q.query), q.query);
  assert.match(qs[1]!.query, /like \/error\//);
});

test('the generator writes the error term into error events only', () => {
  const gen = new EventGenerator({ seed: 7, startMs: 1.7e12, stepMs: 3 });
  const { messages } = gen.batch(0, 5000);
  const withTerm = messages.filter((m) => m.includes('error'));
  assert.ok(withTerm.length > 20);
  assert.ok(withTerm.every((m) => m.includes('"level":"error"')));
  assert.ok(!messages.some((m) => m.includes('ERROR')));
});

test('stored timestamps are what the load workers send', () => {
  const set = { startMs: 1_700_000_000_123, stepMs: 21.6 };
  const gen = new EventGenerator({ seed: 3, startMs: set.startMs, stepMs: set.stepMs });
  const first = 4000;
  const batch = gen.batch(first, 50);
  const prefix = '{"logGroupName":"g","logStreamName":"s","logEvents":';
  const body = Buffer.from(`${prefix}${logEventsJson(batch)}}`);
  const deltaMs = 86_400_000.25;
  patchTimestamps(body, prefix.length, 50, (v) => v + deltaMs);
  const sent = (JSON.parse(body.toString()) as { logEvents: { timestamp: number }[] }).logEvents.map((e) => e.timestamp);
  assert.deepEqual(sent, Array.from({ length: 50 }, (_, i) => storedTimestamp(set, deltaMs, first + i)));
});

test('result rows and timestamps', () => {
  assert.deepEqual(rowRecord([{ field: 'a', value: '1' }, { field: 'b' }, { value: 'x' }]), { a: '1', b: '' });
  assert.equal(resultTimestampMs('2024-01-01 12:00:00.250'), Date.UTC(2024, 0, 1, 12, 0, 0, 250));
  assert.ok(Number.isNaN(resultTimestampMs('2024-01-01T12:00:00Z')));
  assert.ok(Number.isNaN(resultTimestampMs(undefined)));
});

test('runInsightsQuery polls until Complete and collects every page', async () => {
  const calls: string[] = [];
  const replies: object[] = [
    { queryId: 'q1' },
    { status: 'Scheduled' },
    { status: 'Running' },
    { status: 'Complete', results: [[{ field: 'n', value: '1' }]], statistics: { recordsScanned: 9 }, nextToken: 't' },
    { status: 'Complete', results: [[{ field: 'n', value: '2' }]] },
  ];
  const client = {
    call: async <T>(op: string, input: object): Promise<T> => {
      calls.push(`${op} ${JSON.stringify(input)}`);
      return replies.shift() as T;
    },
  };
  const r = await runInsightsQuery(client, { group: 'g', startTime: 1, endTime: 2, query: 'fields @message', pollMs: 1 });
  assert.equal(r.polls, 3);
  assert.deepEqual(r.rows, [{ n: '1' }, { n: '2' }]);
  assert.equal(r.recordsScanned, 9);
  assert.match(calls[0]!, /^StartQuery .*"logGroupName":"g","startTime":1,"endTime":2/);
  assert.match(calls[4]!, /"nextToken":"t"/);

  const failing = { call: async <T>(op: string): Promise<T> => (op === 'StartQuery' ? { queryId: 'q2' } : { status: 'Failed' }) as T };
  await assert.rejects(runInsightsQuery(failing, { group: 'g', startTime: 1, endTime: 2, query: 'x', pollMs: 1 }), /ended Failed/);
});

test('checkBins: sum, bin alignment, exact per-bin counts', () => {
  const ts = (i: number): number => 1_700_000_000_000 + i * 7_000;
  const bins = expectedBins(200, ts);
  assert.equal([...bins.values()].reduce((a, b) => a + b, 0), 200);
  const rows: ResultRow[] = [...bins].map(([b, n]) => ({ 'bin(5m)': fmt(b), 'count(*)': String(n) }));
  assert.deepEqual(checkBins(rows, 200, bins), []);
  assert.deepEqual(checkBins(rows, 200), []);
  assert.match(checkBins(rows, 201).join(), /sum to 200, expected 201/);
  const shifted = rows.map((r, i) => (i === 0 ? { ...r, 'count(*)': String(Number(r['count(*)']) - 1) } : i === 1 ? { ...r, 'count(*)': String(Number(r['count(*)']) + 1) } : r));
  assert.equal(checkBins(shifted, 200).length, 0, 'the sum alone cannot see a shifted count');
  assert.equal(checkBins(shifted, 200, bins).length, 2);
  assert.match(checkBins([{ 'bin(5m)': fmt(BIN_MS * 1000 + 1), 'count(*)': '200' }], 200).join(), /bad bin/);
  assert.match(checkBins([...rows, rows[0]!], 200).join(), /twice/);
});

test('checkStreamCounts', () => {
  const streams = ['host-0', 'host-1'];
  assert.deepEqual(checkStreamCounts([{ '@logStream': 'host-0', 'count()': '3' }, { '@logStream': 'host-1', 'count()': '4' }], 7, streams), []);
  assert.match(checkStreamCounts([{ '@logStream': 'host-0', 'count()': '3' }], 7, streams).join(), /sum to 3, expected 7/);
  assert.match(checkStreamCounts([{ '@logStream': 'host-9', 'count()': '7' }], 7, streams).join(), /unknown stream/);
  assert.match(checkStreamCounts([{ '@logStream': 'host-0', count: '7' }], 7, streams).join(), /bad count/);
});

test('checkNewest: 20 rows, descending, and the newest events when known', () => {
  const newest = Array.from({ length: 20 }, (_, i) => ({ ts: 1_700_000_000_000 - i * 5, message: `m${i}` }));
  const rows: ResultRow[] = newest.map((e) => ({ '@timestamp': fmt(e.ts), '@message': e.message, '@ptr': 'p' }));
  assert.deepEqual(checkNewest(rows, newest), []);
  assert.match(checkNewest(rows.slice(1)).join(), /19 rows/);
  const swapped = [rows[1]!, rows[0]!, ...rows.slice(2)];
  assert.match(checkNewest(swapped).join(), /row 1: .* after a row with an older one/);
  const otherMessage = rows.map((r, i) => (i === 3 ? { ...r, '@message': 'x' } : r));
  assert.deepEqual(checkNewest(otherMessage), []);
  assert.match(checkNewest(otherMessage, newest).join(), /row 3: @message/);
  assert.match(checkNewest(rows.map(({ '@ptr': _, ...r }) => r)).join(), /no @ptr/);
});

test('isPercentile accepts the 95th percentile within one rank', () => {
  const h = new Map(Array.from({ length: 100 }, (_, i) => [i + 1, 1] as [number, number]));
  assert.ok(isPercentile(h, 95, 95));
  assert.ok(isPercentile(h, 95, 96));
  assert.ok(!isPercentile(h, 95, 90));
  assert.ok(!isPercentile(h, 95, 99));
  assert.ok(!isPercentile(h, 95, 95.5), 'not a value of the field');
  assert.ok(isPercentile(new Map([[7, 10]]), 95, 7));
});

/** What a right answer to the parse + stats query looks like, from the model itself. */
function rowsOf(model: ParseStatsModel): ResultRow[] {
  return [...model.groups.values()].map((g) => {
    const sorted = [...g.histogram].sort((a, b) => a[0] - b[0]);
    let acc = 0;
    const p95 = sorted.find(([, c]) => (acc += c) >= 0.95 * g.count)![0];
    const row: ResultRow = { avg_ms: String(g.sum / g.count), p95_ms: String(p95), n: String(g.count) };
    if (g.level !== undefined) row['level'] = g.level;
    if (g.verb !== undefined) row['verb'] = g.verb;
    return row;
  });
}

test('ParseStatsModel groups generated app logs with a duration by level and the first word of msg', () => {
  const gen = new EventGenerator({ seed: 11, startMs: 1.7e12, stepMs: 3 });
  const { messages } = gen.batch(0, 20_000);
  const model = new ParseStatsModel();
  for (const m of messages) model.add(m);
  const withDuration = messages.filter((m) => m.startsWith('{') && 'duration_ms' in (JSON.parse(m) as object)).length;
  assert.equal(model.events, withDuration);
  const groups = [...model.groups.values()].map((g) => `${g.level} ${g.verb}`).sort();
  assert.deepEqual(groups, ['debug db', 'info request', 'warn slow']);

  const rows = rowsOf(model);
  assert.deepEqual(checkParseStats(rows, model), []);
  assert.match(checkParseStats(rows.slice(1), model).join(), /missing group/);
  assert.match(checkParseStats(rows.map((r, i) => (i === 0 ? { ...r, n: String(Number(r['n']) + 1) } : r)), model).join(), /n = /);
  assert.match(checkParseStats(rows.map((r, i) => (i === 0 ? { ...r, avg_ms: String(Number(r['avg_ms']) * 1.001) } : r)), model).join(), /avg_ms/);
  assert.match(checkParseStats(rows.map((r, i) => (i === 0 ? { ...r, p95_ms: '1' } : r)), model).join(), /p95_ms/);
  assert.match(checkParseStats([...rows, { level: 'error', verb: 'payment', n: '1', avg_ms: '1', p95_ms: '1' }], model).join(), /unexpected group/);
});

test('uncached spellings are distinct regular expressions that match exactly what the term matches', () => {
  const spellings = uncachedSpellings('error', 7);
  assert.equal(new Set(spellings).size, 7);
  for (const re of spellings) {
    assert.notEqual(re, 'error');
    const r = new RegExp(re);
    for (const [text, want] of [['an error here', true], ['errors', true], ['ERROR', false], ['erro r', false], ['eror', false]] as const) {
      assert.equal(r.test(text), want, `/${re}/ on ${text}`);
    }
  }
});
