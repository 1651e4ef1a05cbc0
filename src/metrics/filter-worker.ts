/**
 * The metric filter worker thread: holds each log group's compiled filters and evaluates the runs of
 * events the main thread posts (metric-filters.ts), keeping what to record until the main thread
 * collects it. Messages are handled in the order they are posted, so a `load` applies to every `eval`
 * posted after it, and a `collect` answers for every `eval` posted before it.
 *
 * A request comes as one `eval` message per run (a batch of up to some thousand events), the last with
 * `more: false`, and is acknowledged once, after its last run (`done`, without rows). Each run is
 * evaluated as its message arrives: a message's strings are made only when it is handled (until then it
 * waits in serialized form, outside the heap), so a request of 8,000 events has about 1,000 message
 * strings alive at a time instead of all of them, and each young-generation collection copies that much
 * less (less CPU in V8's collector threads: 0.5 instead of 0.8 µs an event,
 * bench/metric-filters-engine-cost.ts).
 *
 * The rows of a group's requests add up here until a `collect` (the metric store's flush, about once a
 * second, and reads): the main thread pays per row it records, and a second's rows of one filter come
 * once instead of once per request. The answer says, per group, up to which sequence number its rows go
 * (`end`, the last successful request's): the engine's position on disk. A request that fails drops its
 * group's rows not collected yet (they may hold part of it); the engine evaluates again from the last
 * collected position.
 */
import { parentPort } from 'node:worker_threads';
import type { MetricFilterRecord } from '../store/catalog.js';
import { lowerThisThreadPriority } from '../thread-priority.js';
import { FilterSet, type EvalResult, type Evaluation, type EventRun } from './filter-eval.js';

export type ToWorker =
  | { kind: 'load'; groupId: number; version: number; records: MetricFilterRecord[] }
  | { kind: 'drop'; groupId: number }
  /**
   * Runs of request `id`; `more`: further runs of it follow, and the acknowledgement comes after the last.
   * `end`: the sequence number after the request's last event.
   */
  | { kind: 'eval'; id: number; groupId: number; version: number; runs: EventRun[]; more: boolean; end: number }
  /** The rows of every group's requests acknowledged since the last collect. */
  | { kind: 'collect'; id: number };

/** What a collect gives for a group: the rows of its requests up to `end` (filter set `version`). */
export interface Collected {
  groupId: number;
  version: number;
  end: number;
  result: EvalResult;
}

export type FromWorker =
  | { kind: 'done'; id: number; error?: string }
  | { kind: 'collected'; id: number; groups: Collected[] }
  /** Sent once at start: the thread's id in the operating system (Linux), for per-thread CPU in the bench. */
  | { kind: 'thread'; tid: number };

const sets = new Map<number, { version: number; set: FilterSet }>();
/** Per group: the evaluation of its requests since the last collect, and where the last one ended. */
const pending = new Map<number, { version: number; evaluation: Evaluation; end: number }>();
/** Requests whose last run has not come yet and that failed (their group's pending rows are dropped). */
const failed = new Map<number, string>();

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
      pending.delete(msg.groupId);
      return;
    case 'eval': {
      if (!failed.has(msg.id)) {
        const s = sets.get(msg.groupId);
        let p = pending.get(msg.groupId);
        let error: string | undefined;
        if (s === undefined || s.version !== msg.version) error = 'filter set changed';
        else {
          try {
            if (p === undefined || p.version !== msg.version) pending.set(msg.groupId, (p = { version: msg.version, evaluation: s.set.start(), end: -1 }));
            for (const run of msg.runs) p.evaluation.add(run);
            if (!msg.more) p.end = msg.end;
          } catch (e) {
            error = String((e as Error).stack ?? e);
          }
        }
        if (error !== undefined) {
          // Rows of this request may be in the group's pending evaluation: none of it is collected.
          pending.delete(msg.groupId);
          failed.set(msg.id, error);
        }
      }
      if (msg.more) return;
      const error = failed.get(msg.id);
      failed.delete(msg.id);
      parentPort!.postMessage((error === undefined ? { kind: 'done', id: msg.id } : { kind: 'done', id: msg.id, error }) satisfies FromWorker);
      return;
    }
    case 'collect': {
      const groups: Collected[] = [];
      // (A request's messages are posted together, so none is half-evaluated here.)
      for (const [groupId, p] of pending) {
        if (p.end < 0) continue;
        groups.push({ groupId, version: p.version, end: p.end, result: p.evaluation.result });
        pending.delete(groupId);
      }
      parentPort!.postMessage({ kind: 'collected', id: msg.id, groups } satisfies FromWorker);
      return;
    }
  }
});
