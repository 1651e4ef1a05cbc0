/**
 * The parse page's other forms end to end, through the AWS SDK and the aws CLI against a started server:
 * `parse ... csv as`, a regex whose groups are named after `as` (with `multi`), and `json field=`,
 * with AWS's own examples, and MalformedQueryException's location for their mistakes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { GetQueryResultsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';
import { assertMalformedAt, cliQuery, putMessages, resultRows, runQuery } from '../helpers/insights.js';

let srv: LogwardServer;
const group = `insights-parse-modes-${uid()}`;
const nowS = Math.floor(Date.now() / 1000);
const base = Date.now() - 20_000;
const messages = [
  '2026-11-01T00:01:00Z,INFO,service started',
  '2026-11-01T00:02:00Z,ERROR,"disk full, 98% used"',
  'web-1,GET,/api/users,200,15',
  'web-2,POST,/api/orders,500,42',
  'web-1,GET,/api/users,200,25',
  'req {"user":{"name":"alice"},"requestContext":{"identity":{"sourceIp":"203.0.113.5"}}} via 10.0.0.1 and 10.0.0.2',
  JSON.stringify({ requestContext: { identity: { sourceIp: '198.51.100.7' } } }),
];

before(async () => {
  srv = await startLogward();
  await putMessages(srv, group, messages, base);
});

after(async () => {
  await stopAndClean(srv);
});

const range = { startS: nowS - 3600, endS: nowS + 300 };
const run = (queryString: string, logGroupName = group): Promise<GetQueryResultsCommandOutput> => runQuery(srv, logGroupName, queryString, range);

const rows = resultRows;

test("parse csv: AWS's examples", async () => {
  const errors = await run('parse @message csv as timestamp, level, message\n| filter level = "ERROR"\n| display timestamp, message');
  assert.equal(errors.status, 'Complete');
  assert.deepEqual(rows(errors), [{ timestamp: '2026-11-01T00:02:00Z', message: 'disk full, 98% used' }], 'a quoted value keeps its comma');
  const byMethod = await run('parse @message csv as host, method, path, status, duration\n| filter ispresent(duration)\n| stats avg(duration) by method\n| sort method');
  assert.deepEqual(rows(byMethod), [
    { method: 'GET', 'avg(duration)': '20' },
    { method: 'POST', 'avg(duration)': '42' },
  ]);
});

test("parse /re/ as name multi and json field=: AWS's examples", async () => {
  const ips = await run('parse @message /(\\d+\\.\\d+\\.\\d+\\.\\d+)/ as ip_addr multi\n| filter ispresent(ip_addr)\n| stats count(*) by ip_addr\n| sort ip_addr');
  assert.equal(ips.status, 'Complete');
  assert.deepEqual(rows(ips), [
    { ip_addr: '10.0.0.1', 'count(*)': '1' },
    { ip_addr: '10.0.0.2', 'count(*)': '1' },
    { ip_addr: '198.51.100.7', 'count(*)': '1' },
    { ip_addr: '203.0.113.5', 'count(*)': '1' },
  ]);
  const names = await run('parse @message /(?<payload>\\{.*\\})/ as payload\n| json field=payload "user.name" as username\n| filter ispresent(username)\n| display username');
  assert.deepEqual(rows(names), [{ username: 'alice' }]);
  const callers = await run('json field=requestContext "identity.sourceIp" as caller_ip\n| stats count(*) by caller_ip\n| sort caller_ip');
  assert.deepEqual(
    rows(callers).filter((r) => r.caller_ip !== undefined),
    [{ caller_ip: '198.51.100.7', 'count(*)': '1' }],
    'a discovered field of a JSON message (JSON amid text is not discovered: that is what parse is for)',
  );
});

test('mistakes in these forms: MalformedQueryException at the offending characters', async () => {
  for (const [queryString, start, end] of [
    ['parse @message csv', 18, 18],
    ['parse @message /(a)(b)/ as x', 0, 28],
    ['json payload "a" as b', 5, 12],
  ] as const) {
    await assertMalformedAt(srv, group, queryString, range, start, end);
  }
});

test('the aws CLI: start-query and get-query-results with parse csv', async () => {
  const query = 'parse @message csv as host, method, path, status, duration | filter status = 500 | display host, path';
  const cliRows = await cliQuery(srv, group, query, range);
  assert.deepEqual(
    cliRows,
    [{ host: 'web-2', path: '/api/orders' }],
  );
});
