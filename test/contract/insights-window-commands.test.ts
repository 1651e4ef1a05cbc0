/**
 * The commands AWS added to its command table (accum, autoregress, filldown, fillmissing,
 * countFrequent, sessionize) end to end, through the AWS SDK and the aws CLI against a started server,
 * and MalformedQueryException's location for their mistakes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';
import { assertMalformedAt, cliQuery, resultRows, runQuery } from '../helpers/insights.js';

let srv: LogwardServer;
const group = `insights-window-${uid()}`;
const nowS = Math.floor(Date.now() / 1000);
const MIN = 60_000;
// Whole minutes, so that bin(1m) falls on the events; half an hour ago, inside the query's range.
const base = Math.floor((Date.now() - 30 * MIN) / MIN) * MIN;
const events: Array<[minute: number, doc: Record<string, unknown>]> = [
  [0, { host: 'h1', bytes: 100, userId: 'u1', method: 'GET' }],
  [1, { bytes: 200, userId: 'u1', method: 'GET' }],
  [2, { host: 'h2', bytes: 50, userId: 'u2', method: 'POST' }],
  [5, { bytes: 25, userId: 'u1', method: 'GET' }],
  [6, { host: 'h1', bytes: 300, userId: 'u1', method: 'GET' }],
];

/** `2026-11-01 00:05:00.000`: how GetQueryResults writes a time. */
const at = (minute: number): string => new Date(base + minute * MIN).toISOString().replace('T', ' ').replace('Z', '');

before(async () => {
  srv = await startLogward();
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  await srv.client.send(
    new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: events.map(([m, doc]) => ({ timestamp: base + m * MIN, message: JSON.stringify(doc) })) }),
  );
});

after(async () => {
  await stopAndClean(srv);
});

const range = { startS: nowS - 3600, endS: nowS + 300 };
const run = (queryString: string, logGroupName = group): Promise<GetQueryResultsCommandOutput> => runQuery(srv, logGroupName, queryString, range);

const rows = resultRows;

test('accum and autoregress: a running total and the previous row, oldest first', async () => {
  const r = await run('fields bytes | sort @timestamp asc | accum bytes AS totalBytes | autoregress bytes p=1-2');
  assert.equal(r.status, 'Complete');
  assert.deepEqual(rows(r), [
    { bytes: '100', totalBytes: '100' },
    { bytes: '200', totalBytes: '300', bytes_p1: '100' },
    { bytes: '50', totalBytes: '350', bytes_p1: '200', bytes_p2: '100' },
    { bytes: '25', totalBytes: '375', bytes_p1: '50', bytes_p2: '200' },
    { bytes: '300', totalBytes: '675', bytes_p1: '25', bytes_p2: '50' },
  ]);
  assert.ok(r.results!.every((row) => row.some((f) => f.field === '@ptr')), 'rows are still events, with @ptr');
});

test("fillmissing: AWS's example fills the empty minutes", async () => {
  const r = await run('fields @timestamp, bytes\n| stats avg(bytes) as avg_bytes by bin(1m)\n| fillmissing with 0 for avg_bytes');
  assert.equal(r.status, 'Complete');
  assert.deepEqual(
    rows(r),
    [100, 200, 50, 0, 0, 25, 300].map((avg, m) => ({ 'bin(1m)': at(m), avg_bytes: String(avg) })),
  );
});

test('sessionize and countFrequent', async () => {
  const sessions = await run('sessionize userId maxspan 2m as s | sort @timestamp asc | display userId, s');
  assert.deepEqual(rows(sessions), [
    { userId: 'u1', s: '1' },
    { userId: 'u1', s: '1' },
    { userId: 'u2', s: '2' },
    { userId: 'u1', s: '3' },
    { userId: 'u1', s: '3' },
  ]);
  const frequent = await run('count_frequent method');
  assert.deepEqual(rows(frequent), [
    { method: 'GET', _approxcount: '4' },
    { method: 'POST', _approxcount: '1' },
  ]);
});

test('mistakes: MalformedQueryException at the offending characters', async () => {
  for (const [queryString, start, end] of [
    ['autoregress bytes as prev p=1-4', 28, 31],
    ['stats count(*) as n by method | fillmissing with 0 for n', 32, 56],
    ['sessionize userId maxspan 1mo', 26, 29],
  ] as const) {
    await assertMalformedAt(srv, group, queryString, range, start, end);
  }
});

test('the aws CLI: start-query and get-query-results with filldown', async () => {
  const query = 'fields @timestamp, host | sort @timestamp asc | filldown host | display host';
  const cliRows = await cliQuery(srv, group, query, range);
  assert.deepEqual(
    cliRows,
    ['h1', 'h1', 'h2', 'h2', 'h1'].map((host) => ({ host })),
  );
});
