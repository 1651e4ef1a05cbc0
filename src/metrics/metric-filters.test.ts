import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FakeClock } from '../clock.js';
import type { LogGroup, MetricFilterRecord } from '../store/catalog.js';
import type { LogStore } from '../store/store.js';
import { appendEvents, openTestStore } from '../store/testing.js';
import { MetricStore } from './metric-store.js';
import { MetricFilterEngine } from './metric-filters.js';

const T = 1_800_000_000_000;
const logger = pino({ level: 'silent' });
const record = (g: LogGroup, name: string, pattern: string, t: MetricFilterRecord['transformations'][0]): MetricFilterRecord => ({
  groupId: g.id,
  name,
  pattern,
  transformations: [t],
  createdMs: T,
  applyOnTransformedLogs: false,
});

interface Env {
  store: LogStore;
  metrics: MetricStore;
  engine: MetricFilterEngine;
  g: LogGroup;
  /** Puts filters as PutMetricFilter does. */
  put(...records: MetricFilterRecord[]): Promise<void>;
  /** One PutLogEvents batch. */
  append(events: Array<[number, string]>): Promise<void>;
}

async function open(dir: string, worker: boolean): Promise<Env> {
  const clock = new FakeClock(T);
  const store = await openTestStore(dir, clock);
  const metrics = await MetricStore.open({ dataDir: dir, clock, logger, retentionMs: 86_400_000 * 10_000, memoryLimit: '64MB', tempDir: dir });
  const engine = await MetricFilterEngine.open({ store, metrics, logger, worker });
  let g = store.catalog.groups.get('g');
  if (!g) {
    g = await store.catalog.createGroup('g', T, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T);
  }
  const group = g;
  return {
    store,
    metrics,
    engine,
    g: group,
    put: async (...records) => {
      for (const r of records) await engine.change(group, () => store.catalog.putMetricFilter(r));
    },
    append: async (events) => void (await appendEvents(store, group, 's', events.map(([timestamp, message]) => ({ timestamp, message })), T)),
  };
}

async function close(e: Env): Promise<void> {
  await e.engine.close();
  await e.metrics.close();
  await e.store.close();
}

async function withEnv(worker: boolean, fn: (e: Env) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lw-mf-'));
  const e = await open(dir, worker);
  try {
    await fn(e);
  } finally {
    await close(e);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** [second - T/1000, count, sum] per second of a series; reads wait for the filters to catch up. */
const sums = async (s: MetricStore, ns: string, name: string, dims: Array<[string, string]> = []): Promise<Array<[number, number, number]>> => {
  await s.settle();
  const series = s.find(ns, name, dims);
  if (!series) return [];
  return (await s.periods(series, 0, 4_000_000_000, 1, { sketches: false })).map((r) => [r.bucket - T / 1000, r.n, r.sum]);
};

for (const worker of [false, true]) {
  const where = worker ? 'worker thread' : 'main thread';

  test(`${where}: defaultValue is published once for each second with events but no match`, async () => {
    await withEnv(worker, async (e) => {
      await e.put(record(e.g, 'f', 'ERROR', { metricName: 'Errors', metricNamespace: 'N', metricValue: '1', defaultValue: 0 }));
      await e.append([[T, 'INFO a'], [T + 10, 'INFO b'], [T + 1000, 'ERROR c'], [T + 1001, 'ERROR d'], [T + 2000, 'INFO e']]);
      assert.deepEqual(await sums(e.metrics, 'N', 'Errors'), [[0, 1, 0], [1, 2, 2], [2, 1, 0]]);
    });
  });

  test(`${where}: a few events are evaluated without a read asking (they wait to gather, not forever)`, async () => {
    await withEnv(worker, async (e) => {
      await e.put(record(e.g, 'f', 'ERROR', { metricName: 'Errors', metricNamespace: 'N', metricValue: '1' }));
      await e.append([[T, 'ERROR a'], [T + 1, 'INFO b']]);
      // No settle(): what alarms' early checks see (series versions). A liveness check, not a timing one.
      for (let i = 0; i < 500 && e.engine.stats.eventsMatched === 0; i++) await new Promise((r) => setTimeout(r, 20));
      assert.equal(e.engine.stats.eventsMatched, 1);
      assert.ok((e.metrics.find('N', 'Errors', [])?.version ?? 0) > 0);
    });
  });

  test(`${where}: values and dimensions from the event; events without them are skipped and counted as such`, async () => {
    await withEnv(worker, async (e) => {
      await e.put(record(e.g, 'f', '[ip, method, path, status, bytes]', { metricName: 'Bytes', metricNamespace: 'N', metricValue: '$bytes', dimensions: { Method: '$method' } }));
      await e.append([[T, '1.2.3.4 GET / 200 100'], [T, '1.2.3.4 GET /x 200 50'], [T, '1.2.3.4 POST / 201 -'], [T, 'short line']]);
      assert.deepEqual(await sums(e.metrics, 'N', 'Bytes', [['Method', 'GET']]), [[0, 2, 150]]);
      assert.deepEqual(await sums(e.metrics, 'N', 'Bytes', [['Method', 'POST']]), []);
      assert.deepEqual(e.engine.stats, { eventsMatched: 3, eventsSkipped: 1, eventsReplayed: 0 });
    });
  });

  test(`${where}: a JSON selector may name a field the pattern does not test`, async () => {
    await withEnv(worker, async (e) => {
      await e.put(record(e.g, 'f', '{ $.status = 500 }', { metricName: 'Latency', metricNamespace: 'N', metricValue: '$.timing.ms' }));
      await e.append([[T, '{"status":500,"timing":{"ms":12.5}}'], [T, '{"status":200,"timing":{"ms":99}}']]);
      assert.deepEqual(await sums(e.metrics, 'N', 'Latency'), [[0, 1, 12.5]]);
    });
  });

  test(`${where}: filters with the same pattern share one evaluation and each still publishes its own metric`, async () => {
    await withEnv(worker, async (e) => {
      await e.put(
        record(e.g, 'count', '{ $.status = 500 }', { metricName: 'Errors', metricNamespace: 'N', metricValue: '1', defaultValue: 0 }),
        record(e.g, 'latency', '{ $.status = 500 }', { metricName: 'Latency', metricNamespace: 'N', metricValue: '$.ms', dimensions: { Route: '$.route' } }),
        record(e.g, 'other', '{ $.status = 200 }', { metricName: 'Ok', metricNamespace: 'N', metricValue: '2' }),
      );
      await e.append([[T, '{"status":500,"ms":7,"route":"/a"}'], [T, '{"status":500,"ms":3}'], [T, '{"status":200,"ms":1,"route":"/a"}'], [T + 1000, '{"status":200}']]);
      assert.deepEqual(await sums(e.metrics, 'N', 'Errors'), [[0, 2, 2], [1, 1, 0]]);
      assert.deepEqual(await sums(e.metrics, 'N', 'Latency', [['Route', '/a']]), [[0, 1, 7]]);
      assert.deepEqual(await sums(e.metrics, 'N', 'Ok'), [[0, 1, 2], [1, 1, 2]]);
      assert.deepEqual(e.engine.stats, { eventsMatched: 6, eventsSkipped: 1, eventsReplayed: 0 });
    });
  });

  test(`${where}: events stored before a filter existed are not counted, even when not yet evaluated`, async () => {
    await withEnv(worker, async (e) => {
      await e.put(record(e.g, 'a', 'x', { metricName: 'A', metricNamespace: 'N', metricValue: '1' }));
      // Not awaited one by one: several batches wait for evaluation when the second filter is put.
      await Promise.all([1, 2, 3].map((k) => e.append([[T, `x ${k}`]])));
      await e.put(record(e.g, 'b', 'x', { metricName: 'B', metricNamespace: 'N', metricValue: '1' }));
      await e.append([[T, 'x 4']]);
      assert.deepEqual(await sums(e.metrics, 'N', 'A'), [[0, 4, 4]]);
      assert.deepEqual(await sums(e.metrics, 'N', 'B'), [[0, 1, 1]]);
    });
  });
}

test('worker thread: rows the worker evaluated but had not handed over when it died are evaluated again, once', async () => {
  await withEnv(true, async (e) => {
    await e.put(record(e.g, 'f', 'hit', { metricName: 'Hits', metricNamespace: 'N', metricValue: '1' }));
    const internals = e.engine as unknown as { groups: Map<number, { next: number; recorded: number }>; worker: { terminate(): Promise<number> } | undefined };
    const st = (): { next: number; recorded: number } => internals.groups.get(e.g.id)!;
    // Until the worker holds rows not recorded yet: evaluated (`next`) past what the metric store has
    // (`recorded`). A flush in between collects them: then another batch. A state, not a time.
    let hits = 0;
    for (let k = 0; st().next === st().recorded; k++) {
      assert.ok(k < 200, 'the worker never held rows between two flushes');
      await e.append([[T, `hit ${k}`], [T, 'miss']]);
      hits++;
      while (st().next < e.g.nextSeq) await new Promise((r) => setTimeout(r, 5));
    }
    await internals.worker!.terminate();
    assert.equal(st().next, st().recorded, 'the engine evaluates again from what is recorded');
    await e.append([[T + 1000, 'hit last']]);
    assert.deepEqual(await sums(e.metrics, 'N', 'Hits'), [[0, hits, hits], [1, 1, 1]]);
    assert.equal(e.engine.stats.eventsMatched, hits + 1);
  });
});

test('after a restart, events whose values were not written are evaluated again, from segments, exactly once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-mf-'));
  try {
    let e = await open(dir, true);
    await e.append([[T, 'hit before the filter']]);
    await e.put(record(e.g, 'f', 'hit', { metricName: 'Hits', metricNamespace: 'N', metricValue: '1' }));
    await e.append([[T, 'hit 1'], [T, 'miss'], [T + 1000, 'hit 2']]);
    assert.deepEqual(await sums(e.metrics, 'N', 'Hits'), [[0, 1, 1], [1, 1, 1]]);
    // The filters stop here (as at a crash): these are stored but never evaluated before the restart.
    await e.engine.close();
    await e.append([[T + 1000, 'hit 3'], [T + 2000, 'hit 4'], [T + 2000, 'miss']]);
    await e.metrics.close();
    await e.store.close(); // seals: the next run reads the rest from segments
    e = await open(dir, true);
    try {
      assert.equal(e.engine.stats.eventsReplayed, 3);
      await e.append([[T + 2000, 'hit 5']]);
      assert.deepEqual(await sums(e.metrics, 'N', 'Hits'), [[0, 1, 1], [1, 2, 2], [2, 2, 2]]);
    } finally {
      await close(e);
    }
    // And once more: nothing is evaluated twice.
    e = await open(dir, true);
    try {
      assert.equal(e.engine.stats.eventsReplayed, 0);
      assert.deepEqual(await sums(e.metrics, 'N', 'Hits'), [[0, 1, 1], [1, 2, 2], [2, 2, 2]]);
    } finally {
      await close(e);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
