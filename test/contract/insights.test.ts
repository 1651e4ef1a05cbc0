/**
 * Logs Insights through the AWS SDK and the aws CLI: StartQuery, GetQueryResults, StopQuery,
 * DescribeQueries, GetLogRecord and the saved queries (PutQueryDefinition, DescribeQueryDefinitions,
 * DeleteQueryDefinition), with AWS's errors. Wordings marked "recorded" come from
 * test/fixtures/aws-recorded-responses/test_logs_queries.snapshot.json.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteQueryDefinitionCommand,
  DescribeQueriesCommand,
  DescribeQueryDefinitionsCommand,
  GetLogRecordCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  PutQueryDefinitionCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type GetQueryResultsCommandOutput,
  type MalformedQueryException,
  type StartQueryCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, startLogward, stopAndClean, TEST_ACCOUNT_ID, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, sleep, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
const group = `insights-${uid()}`;
const emptyGroup = `insights-empty-${uid()}`;
const nowS = Math.floor(Date.now() / 1000);
const startTime = nowS - 3600;
const endTime = nowS + 300;
/** Five events in s1 and s2, one second apart, the newest ten seconds ago. */
const base = Date.now() - 15_000;
const events = [
  { stream: 's1', timestamp: base + 1000, message: 'event nr 0' },
  { stream: 's2', timestamp: base + 2000, message: 'event nr 1' },
  { stream: 's1', timestamp: base + 3000, message: 'event nr 2' },
  { stream: 's2', timestamp: base + 4000, message: 'event nr 3' },
  { stream: 's1', timestamp: base + 5000, message: 'event nr 4' },
  { stream: 's1', timestamp: base + 6000, message: 'event nr 5' },
];

before(async () => {
  srv = await startLogward();
  for (const g of [group, emptyGroup]) await srv.client.send(new CreateLogGroupCommand({ logGroupName: g }));
  for (const s of ['s1', 's2']) {
    await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: s }));
    await srv.client.send(
      new PutLogEventsCommand({
        logGroupName: group,
        logStreamName: s,
        logEvents: events.filter((e) => e.stream === s).map(({ timestamp, message }) => ({ timestamp, message })),
      }),
    );
  }
});

after(async () => {
  await stopAndClean(srv);
});

const start = (over: Partial<StartQueryCommandInput> = {}) =>
  srv.client.send(new StartQueryCommand({ logGroupName: group, startTime, endTime, queryString: 'fields @message', ...over }));

/** Polls GetQueryResults until the query has ended (at most 30 s). */
async function ended(client: CloudWatchLogsClient, queryId: string): Promise<GetQueryResultsCommandOutput> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status !== 'Scheduled' && r.status !== 'Running') return r;
    if (Date.now() > deadline) assert.fail(`query ${queryId} still ${r.status} after 30 s`);
    await sleep(50);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** @timestamp as Logs Insights shows it: `2024-05-01 12:00:00.000` (UTC). */
const shown = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
const asObject = (row: Array<{ field?: string; value?: string }>) => Object.fromEntries(row.map((f) => [f.field, f.value]));

// ---- Results (they need the engine) ----

test('fields, sort and limit: the newest five events, with @ptr, and statistics', async () => {
  const { queryId } = await start({ queryString: 'fields @timestamp, @message | sort @timestamp desc | limit 5' });
  assert.match(queryId!, UUID);
  const r = await ended(srv.client, queryId!);
  assert.equal(r.status, 'Complete');
  assert.equal(r.encryptionKey, undefined);
  const newest = [...events].reverse().slice(0, 5);
  assert.deepEqual(
    r.results!.map((row) => row.map((f) => f.field)),
    newest.map(() => ['@timestamp', '@message', '@ptr']),
  );
  assert.deepEqual(
    r.results!.map((row) => [asObject(row)['@timestamp'], asObject(row)['@message']]),
    newest.map((e) => [shown(e.timestamp), e.message]),
  );
  assert.equal(r.statistics?.recordsScanned, events.length);
  assert.equal(r.statistics?.recordsMatched, events.length);
  assert.ok((r.statistics?.bytesScanned ?? 0) > 0);
});

test('stats count(*) by @logStream: one row per stream, no @ptr', async () => {
  const { queryId } = await start({ queryString: 'stats count(*) by @logStream' });
  const r = await ended(srv.client, queryId!);
  assert.equal(r.status, 'Complete');
  const rows = r.results!.map(asObject).sort((a, b) => String(a['@logStream']).localeCompare(String(b['@logStream'])));
  assert.deepEqual(rows, [
    { '@logStream': 's1', 'count(*)': '4' },
    { '@logStream': 's2', 'count(*)': '2' },
  ]);
});

test('GetLogRecord reads back the whole event a @ptr points at', async () => {
  const { queryId } = await start({ queryString: 'fields @message | filter @message like /nr 3/' });
  const r = await ended(srv.client, queryId!);
  assert.equal(r.status, 'Complete');
  assert.equal(r.results!.length, 1);
  const ptr = asObject(r.results![0]!)['@ptr']!;
  const { logRecord } = await srv.client.send(new GetLogRecordCommand({ logRecordPointer: ptr }));
  assert.equal(logRecord?.['@message'], 'event nr 3');
  assert.equal(logRecord?.['@logStream'], 's2');
  assert.equal(logRecord?.['@log'], `${TEST_ACCOUNT_ID}:${group}`);
});

test('SOURCE logGroups(namePrefix: [...]) selects the groups itself', async () => {
  const { queryId } = await srv.client.send(
    new StartQueryCommand({ startTime, endTime, queryString: `SOURCE logGroups(namePrefix: ['${group}']) | stats count(*) as n` }),
  );
  const r = await ended(srv.client, queryId!);
  assert.equal(r.status, 'Complete');
  assert.deepEqual(r.results!.map(asObject), [{ n: String(events.length) }]);
});

test('GetQueryResults pages with maxItems and nextToken', async () => {
  const { queryId } = await start({ queryString: 'fields @message | sort @timestamp asc' });
  await ended(srv.client, queryId!);
  const first = await srv.client.send(new GetQueryResultsCommand({ queryId, maxItems: 4 }));
  assert.equal(first.results!.length, 4);
  assert.ok(first.nextToken);
  const second = await srv.client.send(new GetQueryResultsCommand({ queryId, maxItems: 4, nextToken: first.nextToken }));
  assert.equal(second.results!.length, events.length - 4);
  assert.equal(second.nextToken, undefined);
  assert.deepEqual([...first.results!, ...second.results!].map((row) => asObject(row)['@message']), events.map((e) => e.message));
});

// ---- StartQuery's errors ----

test('a malformed query is MalformedQueryException with the location of the problem', async () => {
  const queryString = 'fields @message | bogus x';
  const err = (await rejectsAws(start({ queryString }), 'MalformedQueryException')) as unknown as MalformedQueryException;
  const location = err.queryCompileError?.location;
  assert.equal(location?.startCharOffset, queryString.indexOf('bogus'));
  assert.ok((location?.endCharOffset ?? 0) > queryString.indexOf('bogus'));
  assert.equal(err.queryCompileError?.message, err.message);
});

test('a log group that does not exist: the recorded ResourceNotFoundException', async () => {
  const name = `non-existent-${uid()}`;
  const message = `Log group '${name}' does not exist for account ID '${TEST_ACCOUNT_ID}'`;
  await rejectsAws(start({ logGroupName: name }), 'ResourceNotFoundException', message);
  await rejectsAws(start({ logGroupName: undefined, logGroupNames: [group, name] }), 'ResourceNotFoundException', message);
  await rejectsAws(
    start({ logGroupName: undefined, logGroupIdentifiers: [`arn:aws:logs:us-east-1:${TEST_ACCOUNT_ID}:log-group:${name}`] }),
    'ResourceNotFoundException',
    message,
  );
});

test('log groups by ARN (logGroupIdentifiers) are accepted', async () => {
  const { queryId } = await start({ logGroupName: undefined, logGroupIdentifiers: [`arn:aws:logs:us-east-1:${TEST_ACCOUNT_ID}:log-group:${group}`] });
  assert.match(queryId!, UUID);
});

test('exactly one of logGroupName, logGroupNames, logGroupIdentifiers, or SOURCE', async () => {
  const message = /^A StartQuery operation must include exactly one of logGroupName, logGroupNames or logGroupIdentifiers/;
  await rejectsAws(start({ logGroupNames: [group] }), 'InvalidParameterException', message);
  await rejectsAws(start({ logGroupName: undefined, logGroupNames: [] }), 'InvalidParameterException', message);
  await rejectsAws(start({ logGroupName: undefined }), 'InvalidParameterException', message);
  await rejectsAws(start({ queryString: `SOURCE "${group}" | fields @message` }), 'InvalidParameterException', message);
});

test('endTime before startTime is InvalidParameterException; limit is checked against the model', async () => {
  await rejectsAws(start({ startTime: endTime, endTime: startTime }), 'InvalidParameterException', 'endTime must be greater than or equal to startTime.');
  await rejectsAws(
    start({ limit: 0 }),
    'InvalidParameterException',
    "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
  await rejectsAws(
    start({ limit: 100_001 }),
    'InvalidParameterException',
    "1 validation error detected: Value '100001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100000",
  );
});

// ---- GetQueryResults, StopQuery, DescribeQueries, GetLogRecord ----

test('GetQueryResults and StopQuery of an unknown query are ResourceNotFoundException', async () => {
  const queryId = '00000000-0000-0000-0000-000000000000';
  await rejectsAws(srv.client.send(new GetQueryResultsCommand({ queryId })), 'ResourceNotFoundException', 'The specified query does not exist.');
  await rejectsAws(srv.client.send(new StopQueryCommand({ queryId })), 'ResourceNotFoundException', 'The specified query does not exist.');
});

test('StopQuery of a query that has ended: "Query is already ended with <status>"', async () => {
  const { queryId } = await start();
  const r = await ended(srv.client, queryId!);
  await rejectsAws(srv.client.send(new StopQueryCommand({ queryId })), 'InvalidParameterException', `Query is already ended with ${r.status}`);
});

test('StopQuery of a query that has not ended cancels it', async () => {
  // The query may end before the stop arrives; either way the answer is consistent with the status.
  const { queryId } = await start({ queryString: 'fields @message | sort @timestamp desc' });
  let stopped: boolean | undefined;
  try {
    stopped = (await srv.client.send(new StopQueryCommand({ queryId }))).success;
  } catch (e) {
    assert.match((e as Error).message, /^Query is already ended with Complete$/);
  }
  const r = await ended(srv.client, queryId!);
  assert.equal(r.status, stopped === true ? 'Cancelled' : 'Complete');
  if (stopped === true) assert.deepEqual(r.results, []);
});

test('DescribeQueries shows the query as AWS does: SOURCE, START and END prepended, queryLanguage CWLI', async () => {
  const { queryId } = await start();
  await ended(srv.client, queryId!);
  const r = await srv.client.send(new DescribeQueriesCommand({ logGroupName: group }));
  const q = r.queries!.find((x) => x.queryId === queryId);
  assert.ok(q, 'the query is listed');
  assert.deepEqual(Object.keys(q).sort(), ['createTime', 'logGroupName', 'queryId', 'queryLanguage', 'queryString', 'status']);
  assert.equal(q.queryString, `SOURCE "${group}" START=${startTime}000 END=${endTime}999 | fields @message`);
  assert.equal(q.queryLanguage, 'CWLI');
  assert.equal(q.logGroupName, group);
  assert.ok(Math.abs(q.createTime! - Date.now()) < 60_000);
  assert.equal(r.queries![0]!.createTime! >= r.queries!.at(-1)!.createTime!, true, 'newest first');
  // The status filter, as recorded: a Complete query is not Scheduled.
  const complete = await srv.client.send(new DescribeQueriesCommand({ logGroupName: group, status: q.status }));
  assert.ok(complete.queries!.some((x) => x.queryId === queryId));
  const scheduled = await srv.client.send(new DescribeQueriesCommand({ logGroupName: group, status: 'Scheduled' }));
  assert.ok(!scheduled.queries!.some((x) => x.queryId === queryId));
});

test('DescribeQueries: none for a group without queries, pages with maxResults, a missing group is an error', async () => {
  assert.deepEqual((await srv.client.send(new DescribeQueriesCommand({ logGroupName: emptyGroup }))).queries, []);
  for (let i = 0; i < 3; i++) await start();
  const seen: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await srv.client.send(new DescribeQueriesCommand({ logGroupName: group, maxResults: 2, nextToken }));
    assert.ok(page.queries!.length <= 2);
    seen.push(...page.queries!.map((q) => q.queryId!));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const all = (await srv.client.send(new DescribeQueriesCommand({ logGroupName: group }))).queries!.map((q) => q.queryId!);
  assert.deepEqual(seen, all);
  await rejectsAws(
    srv.client.send(new DescribeQueriesCommand({ logGroupName: `missing-${uid()}` })),
    'ResourceNotFoundException',
    'The specified log group does not exist.',
  );
});

test('GetLogRecord of a pointer that points nowhere is InvalidParameterException', async () => {
  await rejectsAws(
    srv.client.send(new GetLogRecordCommand({ logRecordPointer: 'dummydata' })),
    'InvalidParameterException',
    'The specified logRecordPointer is not valid.',
  );
});

// ---- Saved queries ----

test('saved queries: create, read, update (a whole replacement), delete', async () => {
  const name = `saved-${uid()}/errors`;
  const { queryDefinitionId: id } = await srv.client.send(
    new PutQueryDefinitionCommand({ name, queryString: 'fields @message | filter @message like /ERROR/', logGroupNames: [group] }),
  );
  assert.match(id!, UUID);
  const list = async () => (await srv.client.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: name }))).queryDefinitions!;
  const [d] = await list();
  assert.deepEqual({ ...d, lastModified: undefined }, {
    queryLanguage: 'CWLI',
    queryDefinitionId: id,
    name,
    queryString: 'fields @message | filter @message like /ERROR/',
    logGroupNames: [group],
    lastModified: undefined,
  });
  assert.ok(Math.abs(d!.lastModified! - Date.now()) < 60_000);

  // An update without logGroupNames leaves none: "No current values are retained".
  const updated = await srv.client.send(new PutQueryDefinitionCommand({ queryDefinitionId: id, name, queryString: 'stats count(*)' }));
  assert.equal(updated.queryDefinitionId, id);
  const [u] = await list();
  assert.equal(u!.queryString, 'stats count(*)');
  assert.equal(u!.logGroupNames, undefined);

  assert.deepEqual((await srv.client.send(new DeleteQueryDefinitionCommand({ queryDefinitionId: id }))).success, true);
  assert.deepEqual(await list(), []);
  const message = 'The specified query definition does not exist.';
  await rejectsAws(srv.client.send(new DeleteQueryDefinitionCommand({ queryDefinitionId: id })), 'ResourceNotFoundException', message);
  await rejectsAws(
    srv.client.send(new PutQueryDefinitionCommand({ queryDefinitionId: id, name, queryString: 'fields @message' })),
    'ResourceNotFoundException',
    message,
  );
});

test('saved queries: a retried create (same clientToken) creates one; prefix filter and pages in name order', async () => {
  const prefix = `paged-${uid()}-`;
  const clientToken = `token-${uid()}-${'x'.repeat(36)}`;
  const a = await srv.client.send(new PutQueryDefinitionCommand({ name: `${prefix}c`, queryString: 'fields @message', clientToken }));
  const again = await srv.client.send(new PutQueryDefinitionCommand({ name: `${prefix}c`, queryString: 'fields @message', clientToken }));
  assert.equal(again.queryDefinitionId, a.queryDefinitionId);
  for (const n of ['b', 'a']) await srv.client.send(new PutQueryDefinitionCommand({ name: `${prefix}${n}`, queryString: 'fields @message' }));
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await srv.client.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: prefix, maxResults: 2, nextToken }));
    names.push(...page.queryDefinitions!.map((d) => d.name!));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  assert.deepEqual(names, [`${prefix}a`, `${prefix}b`, `${prefix}c`]);
});

test('saved queries survive a restart', async () => {
  const name = `kept-${uid()}`;
  const { queryDefinitionId } = await srv.client.send(
    new PutQueryDefinitionCommand({ name, queryString: 'stats count(*) by bin(5m)', logGroupNames: [group], parameters: [{ name: 'level', defaultValue: 'ERROR' }] }),
  );
  const dataDir = srv.dataDir;
  assert.equal(await srv.stop(), 0);
  srv = await startLogward({ dataDir });
  const { queryDefinitions } = await srv.client.send(new DescribeQueryDefinitionsCommand({ queryDefinitionNamePrefix: name }));
  assert.deepEqual(
    queryDefinitions!.map((d) => [d.queryDefinitionId, d.name, d.queryString, d.logGroupNames, d.parameters]),
    [[queryDefinitionId, name, 'stats count(*) by bin(5m)', [group], [{ name: 'level', defaultValue: 'ERROR' }]]],
  );
});

// ---- The aws CLI ----

test('the aws CLI: start-query, get-query-results, describe-queries, stop-query', async () => {
  const started = await awsCli(
    ['start-query', '--log-group-name', group, '--start-time', String(startTime), '--end-time', String(endTime), '--query-string', 'stats count(*) as n'],
    srv,
  );
  assert.equal(started.code, 0, started.stderr);
  const { queryId } = started.json as { queryId: string };
  assert.match(queryId, UUID);
  await ended(srv.client, queryId);
  const results = await awsCli(['get-query-results', '--query-id', queryId], srv);
  assert.equal(results.code, 0, results.stderr);
  const body = results.json as { status: string; results: unknown; statistics: Record<string, number> };
  assert.equal(body.status, 'Complete');
  assert.deepEqual(body.results, [[{ field: 'n', value: String(events.length) }]]);
  assert.deepEqual(Object.keys(body.statistics).sort(), ['bytesScanned', 'recordsMatched', 'recordsScanned']);

  const described = await awsCli(['describe-queries', '--log-group-name', group, '--status', 'Complete'], srv);
  assert.equal(described.code, 0, described.stderr);
  assert.ok((described.json as { queries: Array<{ queryId: string }> }).queries.some((q) => q.queryId === queryId));

  const stop = await awsCli(['stop-query', '--query-id', queryId], srv);
  assert.notEqual(stop.code, 0);
  assert.match(stop.stderr, /\(InvalidParameterException\) when calling the StopQuery operation: Query is already ended with Complete/);
});

test('the aws CLI: errors of start-query', async () => {
  const bad = await awsCli(['start-query', '--log-group-name', group, '--start-time', String(startTime), '--end-time', String(endTime), '--query-string', 'fields @message | bogus'], srv);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /\(MalformedQueryException\) when calling the StartQuery operation/);
  const missing = await awsCli(['start-query', '--log-group-name', 'nope-nope', '--start-time', String(startTime), '--end-time', String(endTime), '--query-string', 'fields @message'], srv);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /\(ResourceNotFoundException\) when calling the StartQuery operation: Log group 'nope-nope' does not exist for account ID '000000000000'/);
});

test('the aws CLI: saved query CRUD', async () => {
  const name = `cli-${uid()}`;
  const put = await awsCli(['put-query-definition', '--name', name, '--query-string', 'fields @message', '--log-group-names', group], srv);
  assert.equal(put.code, 0, put.stderr);
  const { queryDefinitionId } = put.json as { queryDefinitionId: string };
  const listed = await awsCli(['describe-query-definitions', '--query-definition-name-prefix', name], srv);
  assert.equal(listed.code, 0, listed.stderr);
  const defs = (listed.json as { queryDefinitions: Array<Record<string, unknown>> }).queryDefinitions;
  assert.deepEqual(
    defs.map((d) => [d.queryDefinitionId, d.name, d.queryString, d.logGroupNames]),
    [[queryDefinitionId, name, 'fields @message', [group]]],
  );
  const deleted = await awsCli(['delete-query-definition', '--query-definition-id', queryDefinitionId], srv);
  assert.equal(deleted.code, 0, deleted.stderr);
  assert.deepEqual(deleted.json, { success: true });
});
