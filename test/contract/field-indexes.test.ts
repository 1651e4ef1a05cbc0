/**
 * Field indexes and the two Logs Insights commands added with them, through the AWS SDK: PutIndexPolicy,
 * DescribeIndexPolicies, DeleteIndexPolicy and DescribeFieldIndexes with their errors; `filterIndex`
 * (only indexed groups, only events ingested after the policy, the rows `filter` gives otherwise);
 * `pattern @message | anomaly` over events whose anomalies are known (testdata/anomaly-fixture.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteIndexPolicyCommand,
  DeleteLogGroupCommand,
  DescribeFieldIndexesCommand,
  DescribeIndexPoliciesCommand,
  GetQueryResultsCommand,
  PutIndexPolicyCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  type GetQueryResultsCommandOutput,
  type MalformedQueryException,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, makeClient, startLogward, stopAndClean, TEST_ACCOUNT_ID, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { IamClient } from '../../src/cli/iam-client.js';
import { groupArnBare, rejectsAws, sleep, uid } from '../helpers/assert-aws.js';
import { anomalyFixture } from '../../src/query/insights/testdata/anomaly-fixture.js';

let srv: LogwardServer;
const indexed = `fi-indexed-${uid()}`;
const plain = `fi-plain-${uid()}`;
const nowS = Math.floor(Date.now() / 1000);
const base = Date.now() - 60_000;
const arn = (name: string): string => `arn:aws:logs:us-east-1:${TEST_ACCOUNT_ID}:log-group:${name}`;
const json = (requestId: string, i: number): string => JSON.stringify({ requestId, level: i % 2 === 0 ? 'info' : 'error', n: i });

async function put(group: string, messages: string[], from: number): Promise<void> {
  await srv.client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: messages.map((message, i) => ({ timestamp: from + i, message })) }));
}

async function query(groups: string[], queryString: string, startTime = nowS - 3600, endTime = nowS + 300): Promise<GetQueryResultsCommandOutput> {
  const { queryId } = await srv.client.send(new StartQueryCommand({ logGroupNames: groups, startTime, endTime, queryString }));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await srv.client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status !== 'Scheduled' && r.status !== 'Running') {
      assert.equal(r.status, 'Complete');
      return r;
    }
    if (Date.now() > deadline) assert.fail(`query still ${r.status} after 30 s`);
    await sleep(50);
  }
}
const rowsOf = (r: GetQueryResultsCommandOutput): Array<Record<string, string | undefined>> =>
  r.results!.map((row) => Object.fromEntries(row.filter((f) => f.field !== '@ptr').map((f) => [f.field!, f.value])));

before(async () => {
  srv = await startLogward();
  for (const g of [indexed, plain]) {
    await srv.client.send(new CreateLogGroupCommand({ logGroupName: g }));
    await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
  }
  // Before the policy: these events are not indexed (filterIndex must not return them).
  await put(indexed, [json('r-1', 0), json('r-2', 1)], base);
  await put(plain, [json('r-1', 0), json('r-2', 1)], base);
});

after(async () => {
  await stopAndClean(srv);
});

test('PutIndexPolicy, DescribeIndexPolicies, then filterIndex: indexed groups, events after the policy, the rows filter gives', async () => {
  const policyDocument = JSON.stringify({ Fields: ['requestId'] });
  const put1 = await srv.client.send(new PutIndexPolicyCommand({ logGroupIdentifier: indexed, policyDocument }));
  assert.deepEqual({ ...put1.indexPolicy, lastUpdateTime: undefined }, { logGroupIdentifier: arn(indexed), policyDocument, source: 'LOG_GROUP', lastUpdateTime: undefined });
  assert.ok(Math.abs(put1.indexPolicy!.lastUpdateTime! - Date.now()) < 60_000);
  const described = await srv.client.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [arn(indexed)] }));
  assert.deepEqual(described.indexPolicies, [put1.indexPolicy]);
  assert.deepEqual((await srv.client.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [plain] }))).indexPolicies, []);

  await sleep(5); // ingestion after the policy's time, to the millisecond
  const later = [json('r-1', 2), json('r-3', 3), json('r-1', 4)];
  await put(indexed, later, base + 10);
  await put(plain, later, base + 10);

  const fi = await query([indexed, plain], 'filterIndex requestId = "r-1" | fields n, @log | sort n asc');
  assert.deepEqual(rowsOf(fi), [
    { n: '2', '@log': `${TEST_ACCOUNT_ID}:${indexed}` },
    { n: '4', '@log': `${TEST_ACCOUNT_ID}:${indexed}` },
  ]);
  // The plain group is skipped: it is not scanned at all (5 events scanned, those of the indexed group).
  assert.equal(fi.statistics?.recordsScanned, 5);
  assert.equal(fi.statistics?.recordsMatched, 2);
  // Over the indexed events, filterIndex and filter agree (in [...] too).
  const since = `toMillis(@ingestionTime) >= ${put1.indexPolicy!.lastUpdateTime!}`;
  for (const [a, b] of [
    ['filterIndex requestId = "r-1"', `filter requestId = "r-1" and ${since}`],
    ['filterIndex requestId in ["r-1", "r-3"]', `filter requestId in ["r-1", "r-3"] and ${since}`],
  ] as const) {
    const x = rowsOf(await query([indexed], `${a} | fields n | sort n asc`));
    const y = rowsOf(await query([indexed], `${b} | fields n | sort n asc`));
    assert.deepEqual(x, y, `${a} vs ${b}`);
    assert.ok(x.length > 0);
  }
  // A field no policy indexes gives nothing; @logStream is indexed by default.
  assert.deepEqual(rowsOf(await query([indexed, plain], 'filterIndex level = "info" | stats count(*) as n')), [{ n: '0' }]);
  assert.deepEqual(rowsOf(await query([indexed, plain], 'filterIndex @logStream = "s" | stats count(*) as n')), [{ n: '10' }]);
});

test('DescribeFieldIndexes reports the indexed fields the events hold, with their event times; DeleteIndexPolicy makes them INACTIVE', async () => {
  const group = `fi-describe-${uid()}`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  await srv.client.send(new PutIndexPolicyCommand({ logGroupIdentifier: group, policyDocument: JSON.stringify({ Fields: ['requestId', 'absent'], FieldsV2: { level: { type: 'FACET' } } }) }));
  await sleep(5);
  await put(group, [json('a', 0), 'plain text', json('b', 1)], base + 100);
  const d = await srv.client.send(new DescribeFieldIndexesCommand({ logGroupIdentifiers: [group] }));
  const byName = Object.fromEntries(d.fieldIndexes!.map((f) => [f.fieldIndexName, f]));
  assert.deepEqual(Object.keys(byName).sort(), ['@logStream', 'level', 'requestId'], 'absent has no event');
  assert.deepEqual({ ...byName.requestId, lastScanTime: undefined }, {
    logGroupIdentifier: arn(group), fieldIndexName: 'requestId', firstEventTime: base + 100, lastEventTime: base + 102, type: 'FIELD_INDEX', indexCategory: 'CUSTOM', lastScanTime: undefined,
  });
  assert.equal(byName.level!.type, 'FACET');
  assert.deepEqual([byName['@logStream']!.indexCategory, byName['@logStream']!.firstEventTime, byName['@logStream']!.lastEventTime], ['DEFAULT', base + 100, base + 102]);
  const custom = await srv.client.send(new DescribeFieldIndexesCommand({ logGroupIdentifiers: [arn(group)], indexCategories: ['CUSTOM'] }));
  assert.deepEqual(custom.fieldIndexes!.map((f) => f.fieldIndexName).sort(), ['level', 'requestId']);

  assert.deepEqual(await srv.client.send(new DeleteIndexPolicyCommand({ logGroupIdentifier: group })).then((r) => ({ ...r, $metadata: undefined })), { $metadata: undefined });
  assert.deepEqual((await srv.client.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [group] }))).indexPolicies, []);
  const after = await srv.client.send(new DescribeFieldIndexesCommand({ logGroupIdentifiers: [group] }));
  assert.deepEqual(after.fieldIndexes!.map((f) => [f.fieldIndexName, f.indexCategory]).sort(), [['@logStream', 'DEFAULT'], ['level', 'INACTIVE'], ['requestId', 'INACTIVE']]);
  // Indexed events stay usable after the policy is deleted (AWS: for as many as 30 days).
  assert.deepEqual(rowsOf(await query([group], 'filterIndex requestId = "b" | fields n')), [{ n: '1' }]);
  await srv.client.send(new DeleteLogGroupCommand({ logGroupName: group }));
});

test('index policy errors: AWS error codes, nothing changed', async () => {
  const missing = `fi-missing-${uid()}`;
  const doc = JSON.stringify({ Fields: ['x'] });
  await rejectsAws(srv.client.send(new PutIndexPolicyCommand({ logGroupIdentifier: missing, policyDocument: doc })), 'ResourceNotFoundException', 'The specified log group does not exist.');
  await rejectsAws(srv.client.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [missing] })), 'ResourceNotFoundException', 'The specified log group does not exist.');
  await rejectsAws(srv.client.send(new DeleteIndexPolicyCommand({ logGroupIdentifier: missing })), 'ResourceNotFoundException', 'The specified log group does not exist.');
  await rejectsAws(srv.client.send(new DescribeFieldIndexesCommand({ logGroupIdentifiers: [plain, missing] })), 'ResourceNotFoundException', 'The specified log group does not exist.');
  await rejectsAws(srv.client.send(new DeleteIndexPolicyCommand({ logGroupIdentifier: plain })), 'ResourceNotFoundException', 'The specified log group does not have a field index policy.');
  const bad = async (policyDocument: string, message: string | RegExp): Promise<void> => {
    await rejectsAws(srv.client.send(new PutIndexPolicyCommand({ logGroupIdentifier: plain, policyDocument })), 'InvalidParameterException', message);
  };
  await bad('{"Fields": ', 'The policy document is not valid JSON.');
  await bad('{"Fields": []}', 'The policy document must include at least one field index.');
  await bad(JSON.stringify({ Fields: Array.from({ length: 21 }, (_, i) => `f${i}`) }), 'A field index policy can include at most 20 fields; this one has 21.');
  await bad(JSON.stringify({ Fields: ['x'.repeat(101)] }), /^Field index names must be 1 to 100 characters long/);
  await bad(JSON.stringify({ Fields: ['@userId'] }), "'@userId' is not a generated field that can be indexed; to index a field of your log events that starts with @, write it with an extra @ (@@userId).");
  await bad(JSON.stringify({ Fields: ['a'], FieldsV2: { a: { type: 'FACET' } } }), "Field 'a' is in both Fields and FieldsV2: the two must not share a name.");
  await bad(JSON.stringify({ FieldsV2: { a: { type: 'OTHER' } } }), "The type of field 'a' in FieldsV2 must be FIELD_INDEX or FACET.");
  await bad(JSON.stringify({ Field: ['a'] }), "The policy document has an unknown key 'Field': expected Fields or FieldsV2.");
  // Model validation: DescribeIndexPolicies takes one group.
  await rejectsAws(srv.client.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [plain, indexed] })), 'InvalidParameterException');
  await rejectsAws(srv.client.send(new DescribeFieldIndexesCommand({ logGroupIdentifiers: [plain], nextToken: 'x' })), 'InvalidParameterException', 'The specified nextToken is invalid.');
  assert.deepEqual((await srv.client.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [plain] }))).indexPolicies, [], 'nothing was created');
  // @@ indexes an event field that starts with @ (the Field index syntax page).
  await srv.client.send(new PutIndexPolicyCommand({ logGroupIdentifier: groupArnBare(plain), policyDocument: JSON.stringify({ Fields: ['@@userId', '@requestId'] }) }));
  await srv.client.send(new DeleteIndexPolicyCommand({ logGroupIdentifier: plain }));
});

test('filterIndex errors are MalformedQueryException with the location', async () => {
  const queryString = 'fields @message | filterIndex requestId like "r-1"';
  const err = (await rejectsAws(query([indexed], queryString), 'MalformedQueryException')) as unknown as MalformedQueryException;
  assert.deepEqual(err.queryCompileError?.location, { startCharOffset: queryString.indexOf('like'), endCharOffset: queryString.indexOf('like') + 4 });
  const after = 'stats count(*) by requestId | filterIndex requestId = "r-1"';
  const err2 = (await rejectsAws(query([indexed], after), 'MalformedQueryException')) as unknown as MalformedQueryException;
  assert.deepEqual(err2.queryCompileError?.location, { startCharOffset: after.indexOf('filterIndex'), endCharOffset: after.length });
});

test('pattern @message | anomaly finds the anomalies the events hold', async () => {
  const group = `anomaly-${uid()}`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  const t0 = (Math.floor(Date.now() / 3_600_000) - 3) * 3_600_000; // an hour that ended at least two hours ago
  const events = anomalyFixture(t0).sort((a, b) => a.ts - b.ts);
  for (let i = 0; i < events.length; i += 5000) {
    await srv.client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: events.slice(i, i + 5000).map((e) => ({ timestamp: e.ts, message: e.message })) }));
  }
  const r = await query([group], 'fields @timestamp, @message | pattern @message | anomaly | display @pattern, @anomalyType, @priority', t0 / 1000, t0 / 1000 + 3599);
  const types = Object.fromEntries(rowsOf(r).map((x) => [String(x['@pattern']).split(' ').slice(0, 2).join(' '), x['@anomalyType'] ?? null]));
  assert.deepEqual(types, {
    'upstream answered': 'HttpErrorCode',
    'ERROR disk': 'NewPattern',
    'request served': 'NumericToken',
    'heartbeat ok': 'PatternFrequency',
    'cache state': 'TokenVariation',
    'login succeeded': null,
  });
  assert.deepEqual(rowsOf(r).map((x) => x['@priority'] ?? null), ['HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'LOW', null]);
  // Commands after anomaly see its fields.
  const only = await query([group], 'pattern @message | anomaly | filter @priority = "HIGH" | stats count(*) as n', t0 / 1000, t0 / 1000 + 3599);
  assert.deepEqual(rowsOf(only), [{ n: '2' }]);
});

test('the aws CLI: put-index-policy, describe-index-policies, describe-field-indexes, delete-index-policy', async () => {
  const group = `fi-cli-${uid()}`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  const doc = '{"Fields":["@ingestionTime","requestId"]}';
  const put1 = await awsCli(['put-index-policy', '--log-group-identifier', arn(group), '--policy-document', doc], srv);
  assert.equal(put1.code, 0, put1.stderr);
  const policy = (put1.json as { indexPolicy: Record<string, unknown> }).indexPolicy;
  assert.deepEqual({ ...policy, lastUpdateTime: 0 }, { logGroupIdentifier: arn(group), lastUpdateTime: 0, policyDocument: doc, source: 'LOG_GROUP' });
  const described = await awsCli(['describe-index-policies', '--log-group-identifiers', group], srv);
  assert.deepEqual(described.json, { indexPolicies: [policy] });
  await sleep(5);
  await put(group, [json('x', 0)], base + 200);
  // (This CLI's botocore predates --index-categories: the default categories.)
  const fields = await awsCli(['describe-field-indexes', '--log-group-identifiers', group], srv);
  assert.equal(fields.code, 0, fields.stderr);
  assert.deepEqual((fields.json as { fieldIndexes: Array<{ fieldIndexName: string }> }).fieldIndexes.map((f) => f.fieldIndexName).sort(), ['@ingestionTime', '@logStream', 'requestId']);
  assert.equal((await awsCli(['delete-index-policy', '--log-group-identifier', group], srv)).code, 0);
  const again = await awsCli(['delete-index-policy', '--log-group-identifier', group], srv);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /ResourceNotFoundException/);
});

test('IAM: logs:<Operation> on the log group, as for the other operations; a denied PutIndexPolicy changes nothing', async () => {
  const iam = IamClient.create({ endpoint: srv.url, region: TEST_REGION, credentials: srv.credentials, credentialSource: 'environment' });
  const user = `fi-reader-${uid()}`;
  await iam.call('CreateUser', { UserName: user });
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:DescribeIndexPolicies', 'logs:DescribeFieldIndexes'], Resource: `${arn(plain)}:*` }] };
  await iam.call('PutUserPolicy', { UserName: user, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
  const key = (await iam.call('CreateAccessKey', { UserName: user })) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
  const client = makeClient(srv.url, { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey });
  try {
    assert.deepEqual((await client.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [plain] }))).indexPolicies, []);
    const resource = `${arn(plain)}:log-stream:`;
    await rejectsAws(
      client.send(new PutIndexPolicyCommand({ logGroupIdentifier: plain, policyDocument: '{"Fields":["a"]}' })),
      'AccessDeniedException',
      `User: arn:aws:iam::${TEST_ACCOUNT_ID}:user/${user} is not authorized to perform: logs:PutIndexPolicy on resource: ${resource} because no identity-based policy allows the logs:PutIndexPolicy action`,
    );
    await rejectsAws(client.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [indexed] })), 'AccessDeniedException');
    assert.deepEqual((await srv.client.send(new DescribeIndexPoliciesCommand({ logGroupIdentifiers: [plain] }))).indexPolicies, []);
  } finally {
    client.destroy();
  }
});
