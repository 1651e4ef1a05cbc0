import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../clock.js';
import type { LogGroup } from '../../store/catalog.js';
import type { InsightsOutput, InsightsRun } from './engine.js';
import {
  QueryCancelledError,
  QueryManager,
  QueryQueueFullError,
  QueryTimeoutError,
  type QueryManagerOptions,
  type QuerySpec,
  type QueryStatus,
  type Schedule,
} from './manager.js';

/** A runner whose runs finish only when the test says so (or when their signal is aborted). */
class FakeRunner {
  readonly runs: Array<{
    input: InsightsRun;
    resolve: (out: InsightsOutput) => void;
    reject: (e: unknown) => void;
    abortReason: unknown;
    settled: boolean;
  }> = [];
  /** When false, a run ignores its signal (a slow engine): it settles only when told. */
  honourAbort = true;

  readonly runner = (input: InsightsRun): Promise<InsightsOutput> =>
    new Promise((resolve, reject) => {
      const run = {
        input,
        resolve: (out: InsightsOutput) => {
          run.settled = true;
          resolve(out);
        },
        reject: (e: unknown) => {
          run.settled = true;
          reject(e);
        },
        abortReason: undefined as unknown,
        settled: false,
      };
      input.signal.addEventListener('abort', () => {
        run.abortReason = input.signal.reason;
        if (this.honourAbort) run.reject(input.signal.reason);
      });
      this.runs.push(run);
    });
}

/** Timers fired by hand: `fire()` runs those due at the fake clock's time. */
class FakeTimers {
  private timers: Array<{ at: number; fn: () => void; live: boolean }> = [];
  constructor(private readonly clock: FakeClock) {}
  readonly schedule: Schedule = (ms, fn) => {
    const t = { at: this.clock.now() + ms, fn, live: true };
    this.timers.push(t);
    return () => {
      t.live = false;
    };
  };
  advance(ms: number): void {
    this.clock.advance(ms);
    for (const t of this.timers.filter((t) => t.live && t.at <= this.clock.now())) {
      t.live = false;
      t.fn();
    }
  }
  get pending(): number {
    return this.timers.filter((t) => t.live).length;
  }
}

const group = (name: string): LogGroup => ({ name }) as LogGroup;
const spec = (over: Partial<QuerySpec> = {}): QuerySpec => ({
  queryString: 'SOURCE "g" START=0 END=999 | fields @message',
  text: 'fields @message',
  accountId: '000000000000',
  groups: [group('g')],
  startMs: 0,
  endMs: 999,
  query: { source: null, commands: [], span: { start: 0, end: 0 } },
  limit: 100,
  ...over,
});
const rows = (n: number, text = 'x') => Array.from({ length: n }, (_, i) => [{ field: '@message', value: `${text}${i}` }]);
const output = (n: number, text?: string): InsightsOutput => ({ rows: rows(n, text), statistics: { recordsMatched: n, recordsScanned: 2 * n, bytesScanned: 10 * n } });
/** Lets the manager's promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function setup(over: Partial<QueryManagerOptions> = {}) {
  const clock = new FakeClock(1_700_000_000_000);
  const timers = new FakeTimers(clock);
  const fake = new FakeRunner();
  let n = 0;
  const warnings: unknown[] = [];
  const manager = new QueryManager({
    runner: fake.runner,
    clock,
    concurrency: 2,
    queueLength: 3,
    timeoutMs: 60_000,
    retentionMs: 3_600_000,
    maxRetainedQueries: 100,
    maxRetainedBytes: 1 << 30,
    schedule: timers.schedule,
    newId: () => `q${++n}`,
    logger: { warn: (o) => void warnings.push(o), error: (o) => void warnings.push(o) },
    ...over,
  });
  const status = (id: string): QueryStatus | undefined => manager.get(id)?.status;
  return { clock, timers, fake, manager, status, warnings };
}

test('a query goes Scheduled → Running → Complete, with its rows and statistics', async () => {
  const { fake, manager, status, clock } = setup();
  const id = manager.start(spec());
  assert.equal(status(id), 'Running', 'a free slot runs it at once');
  await settle();
  assert.equal(fake.runs.length, 1);
  const run = fake.runs[0]!;
  assert.deepEqual(run.input.groups.map((g) => g.name), ['g']);
  assert.equal(run.input.limit, 100);
  assert.equal(run.input.queryString, 'fields @message');
  assert.equal(run.input.accountId, '000000000000');
  assert.deepEqual(manager.get(id)!.rows, [], 'no rows before it completes');
  clock.advance(1500);
  run.resolve(output(3));
  await settle();
  const q = manager.get(id)!;
  assert.equal(q.status, 'Complete');
  assert.deepEqual(q.rows, rows(3));
  assert.deepEqual(q.statistics, { recordsMatched: 3, recordsScanned: 6, bytesScanned: 30 });
  assert.equal(q.endedMs! - q.startedMs!, 1500);
  assert.deepEqual(q.logGroupNames, ['g']);
});

test('statistics are partial while the query runs', async () => {
  const { fake, manager } = setup();
  const id = manager.start(spec());
  await settle();
  fake.runs[0]!.input.onProgress!({ recordsMatched: 1, recordsScanned: 500, bytesScanned: 4096 });
  assert.deepEqual(manager.get(id)!.statistics, { recordsMatched: 1, recordsScanned: 500, bytesScanned: 4096 });
  assert.equal(manager.get(id)!.status, 'Running');
});

test('beyond the concurrency limit queries wait Scheduled, in order; past the queue, QueryQueueFullError', async () => {
  const { fake, manager, status } = setup({ concurrency: 2, queueLength: 2 });
  const ids = [1, 2, 3, 4].map(() => manager.start(spec()));
  await settle();
  assert.deepEqual(ids.map(status), ['Running', 'Running', 'Scheduled', 'Scheduled']);
  assert.equal(fake.runs.length, 2);
  assert.throws(() => manager.start(spec()), (e: unknown) => e instanceof QueryQueueFullError && e.maxInFlight === 4);

  fake.runs[1]!.resolve(output(1));
  await settle();
  assert.deepEqual(ids.map(status), ['Running', 'Complete', 'Running', 'Scheduled'], 'the first waiting query takes the slot');
  assert.equal(fake.runs.length, 3);

  fake.runs[0]!.reject(new Error('engine bug'));
  await settle();
  assert.deepEqual(ids.map(status), ['Failed', 'Complete', 'Running', 'Running']);
  // Room again: a fifth query is accepted.
  assert.equal(status(manager.start(spec())), 'Scheduled');
});

test('a queue length of 0 rejects every query beyond the running ones', () => {
  const { manager } = setup({ concurrency: 1, queueLength: 0 });
  manager.start(spec());
  assert.throws(() => manager.start(spec()), QueryQueueFullError);
});

test('StopQuery cancels a running query: its signal is aborted and it stays Cancelled', async () => {
  const { fake, manager, status } = setup();
  const id = manager.start(spec());
  await settle();
  assert.deepEqual(manager.stop(id), { kind: 'stopped' });
  assert.equal(status(id), 'Cancelled');
  assert.ok(fake.runs[0]!.input.signal.aborted);
  assert.ok(fake.runs[0]!.abortReason instanceof QueryCancelledError);
  await settle();
  assert.equal(status(id), 'Cancelled', 'the rejected run does not turn it into Failed');
  assert.deepEqual(manager.stop(id), { kind: 'ended', status: 'Cancelled' });
  assert.deepEqual(manager.stop('nope'), { kind: 'missing' });
});

test('StopQuery of a Scheduled query removes it from the queue: it never runs', async () => {
  const { fake, manager, status } = setup({ concurrency: 1 });
  const first = manager.start(spec());
  const second = manager.start(spec());
  const third = manager.start(spec());
  assert.deepEqual(manager.stop(second), { kind: 'stopped' });
  assert.equal(status(second), 'Cancelled');
  await settle();
  fake.runs[0]!.resolve(output(0));
  await settle();
  assert.equal(status(first), 'Complete');
  assert.equal(status(third), 'Running');
  assert.equal(fake.runs.length, 2, 'the cancelled query was skipped');
});

test('StopQuery of a query that has ended says with which status', async () => {
  const { fake, manager } = setup();
  const done = manager.start(spec());
  const failed = manager.start(spec());
  await settle();
  fake.runs[0]!.resolve(output(1));
  fake.runs[1]!.reject(new Error('boom'));
  await settle();
  assert.deepEqual(manager.stop(done), { kind: 'ended', status: 'Complete' });
  assert.deepEqual(manager.stop(failed), { kind: 'ended', status: 'Failed' });
});

test('a query running longer than the timeout ends Timeout and its run is aborted', async () => {
  const { fake, manager, status, timers } = setup({ timeoutMs: 60_000 });
  const id = manager.start(spec());
  await settle();
  timers.advance(59_999);
  assert.equal(status(id), 'Running');
  timers.advance(1);
  assert.equal(status(id), 'Timeout');
  assert.ok(fake.runs[0]!.abortReason instanceof QueryTimeoutError);
  await settle();
  assert.equal(status(id), 'Timeout');
  assert.deepEqual(manager.stop(id), { kind: 'ended', status: 'Timeout' });
});

test('the timeout counts from when the query starts running, not from when it was scheduled', async () => {
  const { fake, manager, status, timers } = setup({ concurrency: 1, timeoutMs: 60_000 });
  manager.start(spec());
  const waiting = manager.start(spec());
  await settle();
  timers.advance(50_000);
  fake.runs[0]!.resolve(output(0));
  await settle();
  assert.equal(status(waiting), 'Running');
  timers.advance(59_000);
  assert.equal(status(waiting), 'Running');
  timers.advance(1_000);
  assert.equal(status(waiting), 'Timeout');
});

test('a finished run cancels its timeout timer', async () => {
  const { fake, manager, timers } = setup();
  manager.start(spec());
  await settle();
  assert.equal(timers.pending, 1);
  fake.runs[0]!.resolve(output(0));
  await settle();
  assert.equal(timers.pending, 0);
});

test('a cancelled run keeps its slot until it has really stopped', async () => {
  const { fake, manager, status } = setup({ concurrency: 1 });
  fake.honourAbort = false;
  const first = manager.start(spec());
  const second = manager.start(spec());
  await settle();
  manager.stop(first);
  await settle();
  assert.equal(status(first), 'Cancelled');
  assert.equal(status(second), 'Scheduled', 'the engine is still busy with the first query');
  fake.runs[0]!.resolve(output(5));
  await settle();
  assert.equal(status(first), 'Cancelled', 'a late result does not resurrect a cancelled query');
  assert.deepEqual(manager.get(first)!.rows, []);
  assert.equal(status(second), 'Running');
});

test('a runner that throws synchronously fails the query', async () => {
  const { manager, status, warnings } = setup({
    runner: () => {
      throw new Error('sync');
    },
  });
  const id = manager.start(spec());
  await settle();
  assert.equal(status(id), 'Failed');
  assert.equal(warnings.length, 1);
});

test('rows beyond the limit are not kept', async () => {
  const { fake, manager } = setup();
  const id = manager.start(spec({ limit: 2 }));
  await settle();
  fake.runs[0]!.resolve(output(5));
  await settle();
  assert.equal(manager.get(id)!.rows.length, 2);
});

test('ended queries are kept for the retention period, then forgotten', async () => {
  const { fake, manager, clock, status } = setup({ retentionMs: 10_000 });
  const id = manager.start(spec());
  await settle();
  fake.runs[0]!.resolve(output(1));
  await settle();
  clock.advance(9_999);
  assert.equal(status(id), 'Complete');
  clock.advance(1);
  assert.equal(manager.get(id), undefined);
  assert.deepEqual(manager.stop(id), { kind: 'missing' });
});

test('running and scheduled queries are never forgotten, whatever their age', async () => {
  const { manager, clock, status } = setup({ retentionMs: 1_000, concurrency: 1 });
  const running = manager.start(spec());
  const waiting = manager.start(spec());
  clock.advance(10_000_000);
  assert.equal(status(running), 'Running');
  assert.equal(status(waiting), 'Scheduled');
});

test('at most maxRetainedQueries ended queries are kept, the oldest going first', async () => {
  const { fake, manager, status } = setup({ maxRetainedQueries: 2, concurrency: 5, queueLength: 0 });
  const ids = [0, 1, 2].map(() => manager.start(spec()));
  await settle();
  // They end in the order 2, 0, 1: the first to end is the first to go.
  for (const i of [2, 0, 1]) {
    fake.runs[i]!.resolve(output(1));
    await settle();
  }
  assert.deepEqual(ids.map(status), ['Complete', 'Complete', undefined]);
  assert.equal(manager.list().length, 2);
});

test('results are bounded in bytes; the most recently ended query is kept even when alone it is larger', async () => {
  const { fake, manager, status } = setup({ maxRetainedBytes: 20_000, concurrency: 5 });
  const ids = [0, 1, 2].map(() => manager.start(spec({ limit: 10_000 })));
  await settle();
  fake.runs[0]!.resolve(output(50)); // about 5 KB
  await settle();
  fake.runs[1]!.resolve(output(50));
  await settle();
  assert.deepEqual(ids.slice(0, 2).map(status), ['Complete', 'Complete']);
  fake.runs[2]!.resolve(output(1000, 'a much longer message ')); // far over the budget alone
  await settle();
  assert.deepEqual(ids.map(status), [undefined, undefined, 'Complete']);
  assert.equal(manager.get(ids[2]!)!.rows.length, 1000);
});

test('list() shows every kept query, newest first', async () => {
  const { manager, clock } = setup({ concurrency: 1 });
  const a = manager.start(spec({ queryString: 'a' }));
  clock.advance(1);
  const b = manager.start(spec({ queryString: 'b' }));
  assert.deepEqual(
    manager.list().map((q) => [q.queryId, q.queryString, q.status]),
    [
      [b, 'b', 'Scheduled'],
      [a, 'a', 'Running'],
    ],
  );
});

test('close() cancels every query, waits for the runs, and refuses new ones', async () => {
  const { fake, manager, status } = setup({ concurrency: 1 });
  const running = manager.start(spec());
  const waiting = manager.start(spec());
  await settle();
  fake.honourAbort = false;
  let closed = false;
  const closing = manager.close().then(() => (closed = true));
  await settle();
  assert.deepEqual([status(running), status(waiting)], ['Cancelled', 'Cancelled']);
  assert.equal(closed, false, 'close waits for the run to stop');
  fake.runs[0]!.reject(fake.runs[0]!.abortReason);
  await closing;
  assert.equal(fake.runs.length, 1, 'the waiting query never ran');
  assert.throws(() => manager.start(spec()), QueryCancelledError);
});
