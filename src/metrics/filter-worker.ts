/**
 * The metric filter worker thread: holds each log group's compiled filters and evaluates the runs of
 * events the main thread posts (metric-filters.ts), answering with what to record. Messages are handled
 * in the order they are posted, so a `load` applies to every `eval` posted after it.
 *
 * A request comes as one `eval` message per run (a batch of up to some thousand events), the last with
 * `more: false`, and is answered once, after its last run. Each run is evaluated as its message arrives:
 * a message's strings are made only when it is handled (until then it waits in serialized form, outside
 * the heap), so a request of 8,000 events has about 1,000 message strings alive at a time instead of all
 * of them, and each young-generation collection copies that much less (less CPU in V8's collector
 * threads: 0.5 instead of 0.8 µs an event, bench/metric-filters-engine-cost.ts).
 */
import { parentPort } from 'node:worker_threads';
import type { MetricFilterRecord } from '../store/catalog.js';
import { lowerThisThreadPriority } from '../thread-priority.js';
import { FilterSet, type EvalResult, type Evaluation, type EventRun } from './filter-eval.js';

export type ToWorker =
  | { kind: 'load'; groupId: number; version: number; records: MetricFilterRecord[] }
  | { kind: 'drop'; groupId: number }
  /** Runs of request `id`; `more`: further runs of it follow, and the answer comes after the last. */
  | { kind: 'eval'; id: number; groupId: number; version: number; runs: EventRun[]; more: boolean };

export type FromWorker =
  | { kind: 'result'; id: number; result: EvalResult | null; error?: string }
  /** Sent once at start: the thread's id in the operating system (Linux), for per-thread CPU in the bench. */
  | { kind: 'thread'; tid: number };

const sets = new Map<number, { version: number; set: FilterSet }>();
/** Requests whose last run has not come yet: their evaluation so far, or why they fail. */
const requests = new Map<number, { evaluation: Evaluation } | { error: string }>();

// Evaluation yields to the event loop that acknowledges ingestion (thread-priority.ts). The thread's id
// goes to the engine for the bench's per-thread CPU (none elsewhere than Linux).
const tid = lowerThisThreadPriority();
if (tid !== undefined) parentPort?.postMessage({ kind: 'thread', tid } satisfies FromWorker);

parentPort?.on('message', (msg: ToWorker) => {
  switch (msg.kind) {
    case 'load':
      sets.set(msg.groupId, { version: msg.version, set: new FilterSet(msg.records) });
      return;
    case 'drop':
      sets.delete(msg.groupId);
      return;
    case 'eval': {
      let r = requests.get(msg.id);
      if (r === undefined) {
        // The filter set is the one of the request's first run (a `load` is never posted between the runs of a request).
        const s = sets.get(msg.groupId);
        r = s === undefined || s.version !== msg.version ? { error: 'filter set changed' } : { evaluation: s.set.start() };
        requests.set(msg.id, r);
      }
      if (!('error' in r)) {
        try {
          for (const run of msg.runs) r.evaluation.add(run);
        } catch (e) {
          r = { error: String((e as Error).stack ?? e) };
          requests.set(msg.id, r);
        }
      }
      if (msg.more) return;
      requests.delete(msg.id);
      parentPort!.postMessage(('error' in r ? { kind: 'result', id: msg.id, result: null, error: r.error } : { kind: 'result', id: msg.id, result: r.evaluation.result }) satisfies FromWorker);
      return;
    }
  }
});
