import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CloudWatchLogsClient, GetQueryResultsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { FIRST_POLL_MS, MAX_POLL_MS, QueryNotCompleteError, parseTimePoint, renderRows, runQuery } from './query.js';

type Answer = Partial<GetQueryResultsCommandOutput> | Error;

/** A client that answers StartQuery with `q1`, GetQueryResults from `answers` in turn, and records every call. */
function fakeClient(answers: Answer[], opts: { stop?: Error } = {}) {
  const calls: Array<{ op: string; input: Record<string, unknown> }> = [];
  let polls = 0;
  const client = {
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      const op = command.constructor.name.replace(/Command$/, '');
      calls.push({ op, input: command.input });
      if (op === 'StartQuery') return { queryId: 'q1' };
      if (op === 'StopQuery') {
        if (opts.stop) throw opts.stop;
        return { success: true };
      }
      const a = answers[Math.min(polls++, answers.length - 1)]!;
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as CloudWatchLogsClient;
  return { client, calls };
}

function tty() {
  const out: string[] = [];
  return { stderr: { write: (s: string) => out.push(s), isTTY: true }, text: () => out.join('') };
}

const row = (message: string) => [
  { field: '@timestamp', value: '2024-05-01 00:00:00.000' },
  { field: '@message', value: message },
  { field: '@ptr', value: `ptr-${message}` },
];
const stats = { recordsMatched: 2, recordsScanned: 1200, bytesScanned: 2048 };
const input = { logGroupNames: ['g'], startTime: 1, endTime: 2, queryString: 'fields @message' };

test('polls until Complete, backing off, and returns every page of rows', async () => {
  const { client, calls } = fakeClient([
    { status: 'Scheduled' },
    { status: 'Running', statistics: { recordsMatched: 1, recordsScanned: 600, bytesScanned: 1024 } },
    { status: 'Complete', results: [row('a')], statistics: stats, nextToken: 't1' },
    { status: 'Complete', results: [row('b')] },
  ]);
  const waits: number[] = [];
  const err = tty();
  const r = await runQuery(client, input, { signal: new AbortController().signal, stderr: err.stderr, sleep: async (ms) => void waits.push(ms) });
  assert.equal(r.queryId, 'q1');
  assert.deepEqual(r.rows, [row('a'), row('b')]);
  assert.deepEqual(calls[0], { op: 'StartQuery', input });
  assert.deepEqual(calls.at(-1), { op: 'GetQueryResults', input: { queryId: 'q1', nextToken: 't1' } });
  assert.deepEqual(waits, [FIRST_POLL_MS, Math.round(FIRST_POLL_MS * 1.5)]);
  assert.match(err.text(), /Running: 600 records scanned, 1 matched, 1\.0 KiB/);
  assert.match(err.text(), /2 rows; 1,200 records scanned, 2 matched, 2\.0 KiB\n$/);
});

test('the poll interval grows to its ceiling and stays there', async () => {
  const { client } = fakeClient([...Array.from({ length: 12 }, () => ({ status: 'Running' as const })), { status: 'Complete', results: [] }]);
  const waits: number[] = [];
  await runQuery(client, input, { signal: new AbortController().signal, stderr: { write: () => true }, sleep: async (ms) => void waits.push(ms) });
  assert.equal(waits.at(-1), MAX_POLL_MS);
  assert.ok(waits.every((w, i) => i === 0 || w >= waits[i - 1]!));
});

test('a query that ends Failed, Cancelled or Timeout is an error naming the status', async () => {
  for (const status of ['Failed', 'Cancelled', 'Timeout'] as const) {
    const { client } = fakeClient([{ status }]);
    await assert.rejects(
      runQuery(client, input, { signal: new AbortController().signal, stderr: { write: () => true }, sleep: async () => {} }),
      (e: unknown) => e instanceof QueryNotCompleteError && e.message === `query q1 ended with status ${status}`,
    );
  }
});

test('Ctrl-C during the wait sends StopQuery; a query that ended meanwhile is no error', async () => {
  for (const stop of [undefined, Object.assign(new Error('Query is already ended with Complete'), { name: 'InvalidParameterException' })]) {
    const { client, calls } = fakeClient([{ status: 'Running' }], { stop });
    const ctl = new AbortController();
    const sleep = (_ms: number, signal: AbortSignal) =>
      new Promise<void>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason));
        ctl.abort(new Error('stopped by SIGINT'));
      });
    await assert.rejects(runQuery(client, input, { signal: ctl.signal, stderr: { write: () => true }, sleep }), /stopped query q1/);
    assert.deepEqual(calls.at(-1), { op: 'StopQuery', input: { queryId: 'q1' } });
  }
});

test('progress is drawn only on a terminal', async () => {
  const { client } = fakeClient([{ status: 'Running' }, { status: 'Complete', results: [] }]);
  const out: string[] = [];
  await runQuery(client, input, { signal: new AbortController().signal, stderr: { write: (s: string) => out.push(s) }, sleep: async () => {} });
  assert.deepEqual(out, []);
});

test('rows print as a table of the fields in order of appearance, without @ptr', () => {
  const text = renderRows([
    [{ field: '@logStream', value: 'web-1' }, { field: 'count(*)', value: '3' }],
    [{ field: '@logStream', value: 'web-2' }, { field: 'extra', value: 'x' }, { field: '@ptr', value: 'p' }],
  ]);
  assert.equal(text, '@logStream  count(*)  extra\nweb-1       3         \nweb-2                 x\n');
  assert.equal(renderRows([]), '');
});

test('time points: epoch seconds, epoch milliseconds, ISO 8601 and durations', () => {
  const now = Date.UTC(2024, 4, 2);
  assert.equal(parseTimePoint('1714521600', now), 1_714_521_600_000);
  assert.equal(parseTimePoint('1714521600123', now), 1_714_521_600_123);
  assert.equal(parseTimePoint('2024-05-01T00:00:00Z', now), Date.UTC(2024, 4, 1));
  assert.equal(parseTimePoint('1h', now), now - 3_600_000);
  assert.throws(() => parseTimePoint('yesterday', now), /invalid time 'yesterday'/);
});
