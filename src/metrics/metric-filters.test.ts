import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FakeClock } from '../clock.js';
import type { LogGroup, MetricFilterRecord } from '../store/catalog.js';
import type { HotBatch } from '../store/hot.js';
import { MetricStore } from './metric-store.js';
import { MetricFilterEngine } from './metric-filters.js';

const T = 1_800_000_000_000;
const group = { id: 7, name: 'g' } as LogGroup;
const batch = (events: Array<[number, string]>): HotBatch =>
  ({ groupId: 7, streamId: 1, walFile: 1, ingestMs: T, firstSeq: 0, timestamps: events.map((e) => e[0]), messages: events.map((e) => e[1]), bytes: 0 }) as HotBatch;
const record = (name: string, pattern: string, t: MetricFilterRecord['transformations'][0]): MetricFilterRecord => ({ groupId: 7, name, pattern, transformations: [t], createdMs: T, applyOnTransformedLogs: false });

async function withStore(fn: (s: MetricStore, e: MetricFilterEngine) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lw-mf-'));
  const logger = pino({ level: 'silent' });
  const s = await MetricStore.open({ dataDir: dir, clock: new FakeClock(T), logger, retentionMs: 86_400_000, memoryLimit: '64MB', tempDir: dir });
  try {
    await fn(s, new MetricFilterEngine(s, logger));
  } finally {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const sums = async (s: MetricStore, ns: string, name: string, dims: Array<[string, string]> = []): Promise<Array<[number, number, number]>> => {
  const series = s.find(ns, name, dims);
  if (!series) return [];
  return (await s.periods(series, 0, 4_000_000_000, 1, { sketches: false })).map((r) => [r.bucket - T / 1000, r.n, r.sum]);
};

test('defaultValue is published once for each second with events but no match', async () => {
  await withStore(async (s, e) => {
    e.load(7, [record('f', 'ERROR', { metricName: 'Errors', metricNamespace: 'N', metricValue: '1', defaultValue: 0 })]);
    e.apply(group, batch([[T, 'INFO a'], [T + 10, 'INFO b'], [T + 1000, 'ERROR c'], [T + 1001, 'ERROR d'], [T + 2000, 'INFO e']]));
    assert.deepEqual(await sums(s, 'N', 'Errors'), [[0, 1, 0], [1, 2, 2], [2, 1, 0]]);
  });
});

test('values and dimensions from the event; events without them are skipped and counted as such', async () => {
  await withStore(async (s, e) => {
    e.load(7, [record('f', '[ip, method, path, status, bytes]', { metricName: 'Bytes', metricNamespace: 'N', metricValue: '$bytes', dimensions: { Method: '$method' } })]);
    e.apply(group, batch([[T, '1.2.3.4 GET / 200 100'], [T, '1.2.3.4 GET /x 200 50'], [T, '1.2.3.4 POST / 201 -'], [T, 'short line']]));
    assert.deepEqual(await sums(s, 'N', 'Bytes', [['Method', 'GET']]), [[0, 2, 150]]);
    assert.deepEqual(await sums(s, 'N', 'Bytes', [['Method', 'POST']]), []);
    assert.deepEqual(e.stats, { eventsMatched: 3, eventsSkipped: 1 });
  });
});

test('a JSON selector may name a field the pattern does not test', async () => {
  await withStore(async (s, e) => {
    e.load(7, [record('f', '{ $.status = 500 }', { metricName: 'Latency', metricNamespace: 'N', metricValue: '$.timing.ms' })]);
    e.apply(group, batch([[T, '{"status":500,"timing":{"ms":12.5}}'], [T, '{"status":200,"timing":{"ms":99}}']]));
    assert.deepEqual(await sums(s, 'N', 'Latency'), [[0, 1, 12.5]]);
  });
});

test('filters with the same pattern share one evaluation and each still publishes its own metric', async () => {
  await withStore(async (s, e) => {
    e.load(7, [
      record('count', '{ $.status = 500 }', { metricName: 'Errors', metricNamespace: 'N', metricValue: '1', defaultValue: 0 }),
      record('latency', '{ $.status = 500 }', { metricName: 'Latency', metricNamespace: 'N', metricValue: '$.ms', dimensions: { Route: '$.route' } }),
      record('other', '{ $.status = 200 }', { metricName: 'Ok', metricNamespace: 'N', metricValue: '2' }),
    ]);
    e.apply(group, batch([[T, '{"status":500,"ms":7,"route":"/a"}'], [T, '{"status":500,"ms":3}'], [T, '{"status":200,"ms":1,"route":"/a"}'], [T + 1000, '{"status":200}']]));
    assert.deepEqual(await sums(s, 'N', 'Errors'), [[0, 2, 2], [1, 1, 0]]);
    assert.deepEqual(await sums(s, 'N', 'Latency', [['Route', '/a']]), [[0, 1, 7]]);
    assert.deepEqual(await sums(s, 'N', 'Ok'), [[0, 1, 2], [1, 1, 2]]);
    assert.deepEqual(e.stats, { eventsMatched: 6, eventsSkipped: 1 });
  });
});
