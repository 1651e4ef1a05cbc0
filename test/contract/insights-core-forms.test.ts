/**
 * Forms of the Logs Insights language that no other contract test drives, through StartQuery and
 * GetQueryResults from the AWS SDK and the aws CLI: `where` (filter's alias), `dedup`, the list access
 * operator `a[1]` (Structure types) and the time-series spellings countOverTime and sumOverTime.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';
import { cliQuery, resultRows, runQuery } from '../helpers/insights.js';

let srv: LogwardServer;
const group = `/core-${uid()}`;
const t0 = Date.now() - 60_000;
const range = { startS: Math.floor(t0 / 1000) - 60, endS: Math.floor(Date.now() / 1000) + 60 };
const EVENTS = [
  { level: 'error', path: '/a', latency: 10, user: { id: 'u1', roles: ['admin', 'dev'] } },
  { level: 'error', path: '/a', latency: 20, user: { id: 'u2', roles: ['dev'] } },
  { level: 'error', path: '/b', latency: 30, user: { id: 'u3', roles: ['admin'] } },
  { level: 'info', path: '/c', latency: 40, user: { id: 'u4', roles: ['dev', 'admin'] } },
];

before(async () => {
  srv = await startLogward();
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  await srv.client.send(
    new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: EVENTS.map((e, i) => ({ timestamp: t0 + i * 1000, message: JSON.stringify(e) })) }),
  );
});

after(async () => {
  await stopAndClean(srv);
});

test('where and dedup: the first row of each path among the errors, in the sort order (only limit may follow dedup)', async () => {
  const query = 'where level = "error" | fields path, latency | sort latency desc | dedup path';
  const expected = [
    { path: '/b', latency: '30' },
    { path: '/a', latency: '20' },
  ];
  assert.deepEqual(resultRows(await runQuery(srv, group, query, range)), expected);
  assert.deepEqual(await cliQuery(srv, group, query, range), expected);
});

test('list access: user.roles[0] on a discovered field and on a jsonParse map', async () => {
  const query = 'fields jsonParse(@message) as j | filter j.user.roles[0] = "admin" | fields user.id as id, user.roles[1] as second | sort id asc | display id, second';
  const expected = [{ id: 'u1', second: 'dev' }, { id: 'u3' }];
  assert.deepEqual(resultRows(await runQuery(srv, group, query, range)), expected);
  assert.deepEqual(await cliQuery(srv, group, query, range), expected);
});

test('countOverTime and sumOverTime, as some versions of the time-series page spell them', async () => {
  const query = 'stats countOverTime(*) as c, sumOverTime(latency) as s, count_over_time(*) as c2 by level | sort level asc';
  const expected = [
    { level: 'error', c: '3', s: '60', c2: '3' },
    { level: 'info', c: '1', s: '40', c2: '1' },
  ];
  assert.deepEqual(resultRows(await runQuery(srv, group, query, range)), expected);
  assert.deepEqual(await cliQuery(srv, group, query, range), expected);
});
