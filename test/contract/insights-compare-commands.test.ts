/**
 * `cidrlookup`, `outlier`, `appendcols` and `logcompare` end to end, through the AWS SDK and the aws
 * CLI against a started server, with AWS's own examples where the fixture allows, and
 * MalformedQueryException's location for their mistakes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  CreateLookupTableCommand,
  PutLogEventsCommand,
  type GetQueryResultsCommandOutput,
} from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';
import { assertMalformedAt, cliQuery, resultRows, runQuery } from '../helpers/insights.js';

let srv: LogwardServer;
const net = `insights-compare-net-${uid()}`;
const api = `insights-compare-api-${uid()}`;
const nowS = Math.floor(Date.now() / 1000);
const base = Date.now() - 20_000;
const HOUR = 3_600_000;
const flows = [
  { srcAddr: '10.1.2.3', svc: 'api', cpu: 20, memory: 512 },
  { srcAddr: '10.9.0.1', svc: 'web', cpu: 22, memory: 530 },
  { srcAddr: '2001:db8::5', svc: 'api', cpu: 95, memory: 520 },
  { srcAddr: '198.51.100.7', svc: 'web', cpu: 21, memory: 4096 },
  { srcAddr: '10.1.2.200', svc: 'api', cpu: 24, memory: 515 },
  { srcAddr: '10.1.3.4', svc: 'web', cpu: 23, memory: 505 },
];
const NETS = 'cidr,region,owner,datacenter\n10.0.0.0/8,us-east-1,corp,dc1\n10.1.2.0/24,us-east-1,payments,dc2\n2001:db8::/32,us-west-2,lab,dc4\n';

async function put(group: string, events: Array<{ timestamp: number; message: string }>): Promise<void> {
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  await srv.client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: events }));
}

before(async () => {
  srv = await startLogward();
  await put(net, flows.map((f, i) => ({ timestamp: base + i * 1000, message: JSON.stringify(f) })));
  // /api: two logins now, one an hour and a half ago (logcompare's baseline), one logout now.
  await put(api, [
    { timestamp: base - 90 * 60_000, message: 'user=carol action=login result=ok' },
    { timestamp: base, message: JSON.stringify({ level: 'info', latency: 10 }) },
    { timestamp: base + 1000, message: JSON.stringify({ level: 'error', latency: 300 }) },
    { timestamp: base + 2000, message: 'user=alice action=login result=ok' },
    { timestamp: base + 3000, message: 'user=bob action=login result=ok' },
    { timestamp: base + 4000, message: JSON.stringify({ level: 'info', latency: 30 }) },
  ]);
  await srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'nets', tableBody: NETS }));
});

after(async () => {
  await stopAndClean(srv);
});

const range = { startS: nowS - 3600, endS: nowS + 300 };
const run = (queryString: string, logGroupName = net): Promise<GetQueryResultsCommandOutput> => runQuery(srv, logGroupName, queryString, range);

const rows = resultRows;

test("cidrlookup: AWS's example, the longest prefix winning, IPv6, no match", async () => {
  const r = await run('fields @timestamp, srcAddr\n| cidrlookup nets srcAddr OUTPUT region, owner, datacenter\n| sort @timestamp asc\n| display srcAddr, owner, datacenter');
  assert.equal(r.status, 'Complete');
  assert.deepEqual(rows(r), [
    { srcAddr: '10.1.2.3', owner: 'payments', datacenter: 'dc2' },
    { srcAddr: '10.9.0.1', owner: 'corp', datacenter: 'dc1' },
    { srcAddr: '2001:db8::5', owner: 'lab', datacenter: 'dc4' },
    { srcAddr: '198.51.100.7' },
    { srcAddr: '10.1.2.200', owner: 'payments', datacenter: 'dc2' },
    { srcAddr: '10.1.3.4', owner: 'corp', datacenter: 'dc1' },
  ]);
});

test("outlier: AWS's example removes the rows with an outlier; the default clamps", async () => {
  const removed = await run('fields @timestamp, cpu, memory\n| outlier action=remove param=3.0 uselower=true mark=true cpu memory\n| sort @timestamp asc\n| display cpu, memory, isOutlier');
  assert.equal(removed.status, 'Complete');
  assert.deepEqual(rows(removed), [
    { cpu: '20', memory: '512', isOutlier: '0' },
    { cpu: '22', memory: '530', isOutlier: '0' },
    { cpu: '24', memory: '515', isOutlier: '0' },
    { cpu: '23', memory: '505', isOutlier: '0' },
  ]);
  // cpu: Q1 21.25, Q3 23.75, upper fence 23.75 + 2.5 * 2.5 = 30: 95 becomes 30.
  const clamped = await run('outlier cpu | sort @timestamp asc | display cpu');
  assert.deepEqual(rows(clamped).map((x) => x.cpu), ['20', '22', '30', '21', '24', '23']);
});

test("appendcols: AWS's example, another group's stats by position", async () => {
  const r = await run(`fields svc\n| stats count(*) as cnt by svc\n| appendcols override=true ( SOURCE '${api}' | filter ispresent(level) | stats avg(latency) as avgLat by level )`);
  assert.equal(r.status, 'Complete');
  assert.deepEqual(rows(r), [
    { svc: 'api', cnt: '3', level: 'error', avgLat: '300' },
    { svc: 'web', cnt: '3', level: 'info', avgLat: '20' },
  ]);
});

test('logcompare: the patterns of the range against a baseline shifted back', async () => {
  const r = await run('filter @message like /action=/ | logcompare timeshift 1h | display @pattern, @sampleCount, @previousSampleCount, @diffDescription', api);
  assert.equal(r.status, 'Complete');
  assert.deepEqual(rows(r), [{ '@pattern': 'user=<Token-1> action=login result=ok', '@sampleCount': '2', '@previousSampleCount': '1', '@diffDescription': 'Increased by 100%' }]);
});

test('stats ... by bin() offset: the counts of the range an hour back, in bins moved forward an hour', async () => {
  const r = await run('filter @message like /action=/ | stats count(*) as n by bin(1h) offset 1h', api);
  assert.equal(r.status, 'Complete');
  const got = rows(r);
  assert.deepEqual(got.map((x) => x.n), ['1'], 'only the login of an hour and a half ago');
  const bin = Date.parse(`${got[0]!['bin(1h)']!.replace(' ', 'T')}Z`);
  assert.equal(bin, Math.floor((base - 90 * 60_000) / HOUR) * HOUR + HOUR);
});

test('mistakes in these commands: MalformedQueryException at the offending characters', async () => {
  for (const [queryString, start, end] of [
    ['outlier action=clamp cpu', 15, 20],
    ['cidrlookup nets srcAddr AS range OUTPUT region', 27, 32],
    ['logcompare 7d', 11, 13],
    ['appendcols max=0 (fields a)', 15, 16],
  ] as const) {
    await assertMalformedAt(srv, net, queryString, range, start, end);
  }
});

test('the aws CLI: start-query and get-query-results with cidrlookup and outlier', async () => {
  const query = 'cidrlookup nets srcAddr OUTPUT owner | outlier action=remove memory | stats count(*) as n by owner | sort owner';
  const cliRows = await cliQuery(srv, net, query, range);
  // The 4096 row (198.51.100.7, no owner) is removed as an outlier of memory.
  assert.deepEqual(
    cliRows,
    [
      { owner: 'corp', n: '2' },
      { owner: 'lab', n: '1' },
      { owner: 'payments', n: '2' },
    ],
  );
});
