import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import type { MetricFilterRecord } from '../store/catalog.js';
import { FilterSet, type EventRun } from './filter-eval.js';
import type { FromWorker, ToWorker } from './filter-worker.js';

const T = 1_800_000_000_000;
const records: MetricFilterRecord[] = [
  { groupId: 1, name: 'errors', pattern: 'ERROR', transformations: [{ metricName: 'E', metricNamespace: 'N', metricValue: '1', defaultValue: 0 }], createdMs: T, applyOnTransformedLogs: false },
  { groupId: 1, name: 'latency', pattern: '{ $.ms > 0 }', transformations: [{ metricName: 'L', metricNamespace: 'N', metricValue: '$.ms', dimensions: { Route: '$.route' } }], createdMs: T, applyOnTransformedLogs: false },
];

/** Runs (batches) of mixed events; some share seconds with the run before, as batches of one stream do. */
function runs(): EventRun[] {
  return [0, 1, 2, 3].map((r) => {
    const timestamps = Array.from({ length: 1500 }, (_, k) => T + r * 700 + k);
    const messages = timestamps.map((_, k) => (k % 3 === 0 ? `ERROR ${r} ${k}` : k % 3 === 1 ? JSON.stringify({ ms: (k * 7) % 100, route: `/r${k % 4}` }) : `INFO ${k}`));
    return { timestamps, messages };
  });
}

async function withWorker(fn: (ask: (m: ToWorker, answer: boolean) => Promise<FromWorker | undefined>) => Promise<void>): Promise<void> {
  const w = new Worker(new URL('./filter-worker.js', import.meta.url));
  const results: FromWorker[] = [];
  let wake: (() => void) | undefined;
  w.on('message', (m: FromWorker) => {
    if (m.kind === 'thread') return;
    results.push(m);
    wake?.();
  });
  try {
    await fn(async (m, answer) => {
      w.postMessage(m);
      if (!answer) return undefined;
      while (results.length === 0) await new Promise<void>((r) => (wake = r));
      return results.shift();
    });
    assert.equal(results.length, 0, 'a request was answered before its last run');
  } finally {
    await w.terminate();
  }
}

test('the worker answers a request sent one run a message once, after its last run, as evaluate() of all its runs', async () => {
  const rs = runs();
  const expected = new FilterSet(records).evaluate(rs);
  await withWorker(async (ask) => {
    await ask({ kind: 'load', groupId: 1, version: 1, records }, false);
    for (let i = 0; i < rs.length - 1; i++) await ask({ kind: 'eval', id: 7, groupId: 1, version: 1, runs: [rs[i]!], more: true }, false);
    const reply = await ask({ kind: 'eval', id: 7, groupId: 1, version: 1, runs: [rs.at(-1)!], more: false }, true);
    assert.deepEqual(reply, { kind: 'result', id: 7, result: expected });
    // The same runs as two messages of two runs: the same result.
    await ask({ kind: 'eval', id: 8, groupId: 1, version: 1, runs: rs.slice(0, 2), more: true }, false);
    assert.deepEqual(await ask({ kind: 'eval', id: 8, groupId: 1, version: 1, runs: rs.slice(2), more: false }, true), { kind: 'result', id: 8, result: expected });
  });
});

test('a request for a filter set the worker no longer holds fails once, at its last run', async () => {
  const rs = runs();
  await withWorker(async (ask) => {
    await ask({ kind: 'load', groupId: 1, version: 2, records }, false);
    await ask({ kind: 'eval', id: 1, groupId: 1, version: 1, runs: [rs[0]!], more: true }, false);
    assert.deepEqual(await ask({ kind: 'eval', id: 1, groupId: 1, version: 1, runs: [rs[1]!], more: false }, true), { kind: 'result', id: 1, result: null, error: 'filter set changed' });
  });
});
