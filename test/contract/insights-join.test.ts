/**
 * Logs Insights `join` and subqueries (`filter x in (<query>)`) through the AWS SDK: two log groups,
 * StartQuery over one, the nested query's SOURCE naming the other; GetQueryResults gives the joined
 * rows. A nested query is authorized like the query's own groups: a user who may query only the first
 * group gets AccessDeniedException for the second, and an unknown group is a MalformedQueryException
 * pointing at the nested SOURCE clause.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  type CloudWatchLogsClient,
  type MalformedQueryException,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { makeClient, startLogward, stopAndClean, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, sleep, uid } from '../helpers/assert-aws.js';
import { IamClient } from '../../src/cli/iam-client.js';

let srv: LogwardServer;
const run = uid();
const api = `/join-${run}/api`;
const lambda = `/join-${run}/lambda`;
const nowS = Math.floor(Date.now() / 1000);
const base = Date.now() - 20_000;

const apiEvents = [
  { requestId: 'r1', status: 200, path: '/items' },
  { requestId: 'r2', status: 502, path: '/orders' },
  { requestId: 'r3', status: 500, path: '/search' },
  { requestId: 'r4', status: 503, path: '/orders' },
];
const lambdaEvents = [
  { requestId: 'r1', duration: 12, errorType: null },
  { requestId: 'r2', duration: 3000, errorType: 'DatabaseConnectionTimeout' },
  { requestId: 'r3', duration: 45, errorType: 'TypeError' },
];

async function put(client: CloudWatchLogsClient, group: string, messages: object[]): Promise<void> {
  await client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: messages.map((m, i) => ({ timestamp: base + i * 1000, message: JSON.stringify(m) })) }));
}

before(async () => {
  srv = await startLogward();
  await put(srv.client, api, apiEvents);
  await put(srv.client, lambda, lambdaEvents);
});

after(async () => {
  await stopAndClean(srv);
});

/** StartQuery over the api group, then GetQueryResults until it ends: the rows as objects (no @ptr). */
async function query(client: CloudWatchLogsClient, queryString: string): Promise<Array<Record<string, string>>> {
  const { queryId } = await client.send(new StartQueryCommand({ logGroupName: api, startTime: nowS - 3600, endTime: nowS + 60, queryString }));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status === 'Complete') return (r.results ?? []).map((row: ResultField[]) => Object.fromEntries(row.filter((f) => f.field !== '@ptr').map((f) => [f.field!, f.value!])));
    assert.ok(r.status === 'Scheduled' || r.status === 'Running', `query ended ${r.status}`);
    if (Date.now() > deadline) assert.fail(`query still ${r.status} after 30 s`);
    await sleep(50);
  }
}

test('join type=inner and type=left over two log groups (AWS example 1 shape)', async () => {
  const inner = await query(
    srv.client,
    `filter status >= 500 | join type=inner left=api right=lambda where api.requestId=lambda.requestId (SOURCE '${lambda}') | fields api.requestId, api.status, lambda.duration | sort api.requestId`,
  );
  assert.deepEqual(inner, [
    { 'api.requestId': 'r2', 'api.status': '502', 'lambda.duration': '3000' },
    { 'api.requestId': 'r3', 'api.status': '500', 'lambda.duration': '45' },
  ]);
  const left = await query(
    srv.client,
    `join type=left left=api right=lambda where api.requestId=lambda.requestId (SOURCE '${lambda}' | filter ispresent(errorType)) | fields api.requestId, lambda.errorType | sort api.requestId`,
  );
  assert.deepEqual(left, [
    { 'api.requestId': 'r1' },
    { 'api.requestId': 'r2', 'lambda.errorType': 'DatabaseConnectionTimeout' },
    { 'api.requestId': 'r3', 'lambda.errorType': 'TypeError' },
    { 'api.requestId': 'r4' },
  ]);
});

test('filter requestId in (SOURCE ... | fields requestId): AWS example 1 of subqueries', async () => {
  const rows = await query(
    srv.client,
    `filter requestId in (SOURCE '${lambda}' | filter errorType = "DatabaseConnectionTimeout" | fields requestId) | fields requestId, path | sort @timestamp desc`,
  );
  assert.deepEqual(rows, [{ requestId: 'r2', path: '/orders' }]);
  const rest = await query(srv.client, `filter requestId not in (SOURCE '${lambda}' | fields requestId) | stats count(*) as n`);
  assert.deepEqual(rest, [{ n: '1' }]);
});

test('a nested query reads only groups the caller may query: AccessDeniedException otherwise', async () => {
  const iam = IamClient.create({ endpoint: srv.url, region: TEST_REGION, credentials: srv.credentials, credentialSource: 'environment' });
  const user = `join-${run}`;
  await iam.call('CreateUser', { UserName: user });
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 'logs:StartQuery', Resource: `arn:aws:logs:*:*:log-group:${api}:*` },
      { Effect: 'Allow', Action: 'logs:GetQueryResults', Resource: '*' },
    ],
  };
  await iam.call('PutUserPolicy', { UserName: user, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
  const key = (await iam.call('CreateAccessKey', { UserName: user })) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
  const client = makeClient(srv.url, { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey });
  try {
    // Its own group works.
    assert.deepEqual(await query(client, 'filter requestId = "r1" | fields requestId'), [{ requestId: 'r1' }]);
    const denied = `User: arn:aws:iam::000000000000:user/${user} is not authorized to perform: logs:StartQuery on resource: arn:aws:logs:us-east-1:000000000000:log-group:${lambda}:log-stream: because no identity-based policy allows the logs:StartQuery action`;
    const start = (queryString: string) => client.send(new StartQueryCommand({ logGroupName: api, startTime: nowS - 3600, endTime: nowS + 60, queryString }));
    await rejectsAws(start(`join left=a right=l where a.requestId=l.requestId (SOURCE '${lambda}') | fields l.duration`), 'AccessDeniedException', denied);
    await rejectsAws(start(`filter requestId in (SOURCE '${lambda}' | fields requestId)`), 'AccessDeniedException', denied);
  } finally {
    client.destroy();
  }
});

test('errors point at the nested query: an unknown group, a missing alias, an unqualified field', async () => {
  const cases: Array<[string, string, number, number]> = [
    [`filter requestId in (SOURCE '/join-${run}/none' | fields requestId)`, `The log group '/join-${run}/none' in the SOURCE of this nested query does not exist`, 21, 21 + `SOURCE '/join-${run}/none'`.length],
    [`join left=a where a.requestId=l.requestId (SOURCE '${lambda}')`, "unexpected symbol found where at line 1 and position 12: expected right=<alias> after 'a' (join needs left= and right= aliases before where)", 12, 17],
    [`join left=a right=l where requestId=l.requestId (SOURCE '${lambda}')`, 'unexpected symbol found requestId at line 1 and position 26: expected a field qualified by a or l, such as a.requestId or l.requestId', 26, 35],
  ];
  for (const [queryString, message, startCharOffset, endCharOffset] of cases) {
    const e = (await rejectsAws(
      srv.client.send(new StartQueryCommand({ logGroupName: api, startTime: nowS - 3600, endTime: nowS + 60, queryString })),
      'MalformedQueryException',
      message,
    )) as MalformedQueryException;
    assert.deepEqual(e.queryCompileError?.location, { startCharOffset, endCharOffset }, queryString);
  }
});
