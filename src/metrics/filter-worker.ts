/**
 * The metric filter worker thread: holds each log group's compiled filters and evaluates the runs of
 * events the main thread posts (metric-filters.ts), answering with what to record. Messages are handled
 * in the order they are posted, so a `load` applies to every `eval` posted after it.
 */
import { existsSync, readlinkSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { MetricFilterRecord } from '../store/catalog.js';
import { FilterSet, type EvalResult, type EventRun } from './filter-eval.js';

export type ToWorker =
  | { kind: 'load'; groupId: number; version: number; records: MetricFilterRecord[] }
  | { kind: 'drop'; groupId: number }
  | { kind: 'eval'; id: number; groupId: number; version: number; runs: EventRun[] };

export type FromWorker =
  | { kind: 'result'; id: number; result: EvalResult | null; error?: string }
  /** Sent once at start: the thread's id in the operating system (Linux), for per-thread CPU in the bench. */
  | { kind: 'thread'; tid: number };

const sets = new Map<number, { version: number; set: FilterSet }>();

// Linux names each thread in /proc/thread-self (elsewhere the bench reports no CPU for the worker).
if (existsSync('/proc/thread-self')) {
  const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
  if (Number.isInteger(tid)) parentPort?.postMessage({ kind: 'thread', tid } satisfies FromWorker);
}

parentPort?.on('message', (msg: ToWorker) => {
  switch (msg.kind) {
    case 'load':
      sets.set(msg.groupId, { version: msg.version, set: new FilterSet(msg.records) });
      return;
    case 'drop':
      sets.delete(msg.groupId);
      return;
    case 'eval': {
      const s = sets.get(msg.groupId);
      let reply: FromWorker;
      if (s === undefined || s.version !== msg.version) reply = { kind: 'result', id: msg.id, result: null, error: 'filter set changed' };
      else {
        try {
          reply = { kind: 'result', id: msg.id, result: s.set.evaluate(msg.runs) };
        } catch (e) {
          reply = { kind: 'result', id: msg.id, result: null, error: String((e as Error).stack ?? e) };
        }
      }
      parentPort!.postMessage(reply);
      return;
    }
  }
});
