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

test('requests sent one run a message are acknowledged once, after their last run; a collect gives their rows as evaluate() of all their runs', async () => {
  const rs = runs();
  const expected = new FilterSet(records).evaluate(rs);
  await withWorker(async (ask) => {
    await ask({ kind: 'load', groupId: 1, version: 1, records }, false);
    for (let i = 0; i < 2; i++) await ask({ kind: 'eval', id: 7, groupId: 1, version: 1, runs: [rs[i]!], more: true, end: 0 }, false);
    assert.deepEqual(await ask({ kind: 'eval', id: 7, groupId: 1, version: 1, runs: [rs[2]!], more: false, end: 4500 }, true), { kind: 'done', id: 7 });
    // A second request, one message: its rows add to the first's until they are collected.
    assert.deepEqual(await ask({ kind: 'eval', id: 8, groupId: 1, version: 1, runs: [rs[3]!], more: false, end: 6000 }, true), { kind: 'done', id: 8 });
    assert.deepEqual(await ask({ kind: 'collect', id: 9 }, true), { kind: 'collected', id: 9, groups: [{ groupId: 1, version: 1, end: 6000, result: expected }] });
    // Collected once: nothing is given twice.
    assert.deepEqual(await ask({ kind: 'collect', id: 10 }, true), { kind: 'collected', id: 10, groups: [] });
    // An empty request moves the position (the store had nothing to evaluate there).
    assert.deepEqual(await ask({ kind: 'eval', id: 11, groupId: 1, version: 1, runs: [], more: false, end: 6100 }, true), { kind: 'done', id: 11 });
    assert.deepEqual(await ask({ kind: 'collect', id: 12 }, true), { kind: 'collected', id: 12, groups: [{ groupId: 1, version: 1, end: 6100, result: new FilterSet(records).evaluate([]) }] });
  });
});

test('a request for a filter set the worker no longer holds fails once, at its last run, and drops the rows not collected yet', async () => {
  const rs = runs();
  await withWorker(async (ask) => {
    await ask({ kind: 'load', groupId: 1, version: 1, records }, false);
    assert.deepEqual(await ask({ kind: 'eval', id: 1, groupId: 1, version: 1, runs: [rs[0]!], more: false, end: 1500 }, true), { kind: 'done', id: 1 });
    await ask({ kind: 'load', groupId: 1, version: 2, records }, false);
    await ask({ kind: 'eval', id: 2, groupId: 1, version: 1, runs: [rs[1]!], more: true, end: 0 }, false);
    assert.deepEqual(await ask({ kind: 'eval', id: 2, groupId: 1, version: 1, runs: [rs[2]!], more: false, end: 4500 }, true), { kind: 'done', id: 2, error: 'filter set changed' });
    // The engine evaluates again from its last collected position: nothing of request 1 may come.
    assert.deepEqual(await ask({ kind: 'collect', id: 3 }, true), { kind: 'collected', id: 3, groups: [] });
  });
});
