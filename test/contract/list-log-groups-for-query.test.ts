/**
 * ListLogGroupsForQuery through the AWS SDK and the aws CLI: the groups a query analyzed, as ARNs, when
 * SOURCE logGroups(namePrefix: ...) chose them and a nested query read another; pages of maxResults;
 * AWS's errors for an unknown query and a page size out of the model's bounds.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  GetQueryResultsCommand,
  ListLogGroupsForQueryCommand,
  StartQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, startLogward, stopAndClean, TEST_ACCOUNT_ID, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, sleep, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
const run = uid();
const prefix = `/lgq-${run}/app-`;
const apps = Array.from({ length: 52 }, (_, i) => `${prefix}${String(i).padStart(2, '0')}`);
const other = `/lgq-${run}/other`;
const nowS = Math.floor(Date.now() / 1000);
const arn = (name: string): string => `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT_ID}:log-group:${name}`;

before(async () => {
  srv = await startLogward();
  for (const name of [...apps, other]) await srv.client.send(new CreateLogGroupCommand({ logGroupName: name }));
});

after(async () => {
  await stopAndClean(srv);
});

async function start(queryString: string): Promise<string> {
  const { queryId } = await srv.client.send(new StartQueryCommand({ queryString, startTime: nowS - 3600, endTime: nowS + 60 }));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await srv.client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status !== 'Scheduled' && r.status !== 'Running') return queryId!;
    if (Date.now() > deadline) assert.fail(`query still ${r.status}`);
    await sleep(50);
  }
}

test('the groups SOURCE selected and a nested query read, in pages of maxResults', async () => {
  const queryId = await start(`SOURCE logGroups(namePrefix: ['${prefix}']) | filter x in (SOURCE '${other}' | fields x) | fields @message`);
  const seen: string[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const r = await srv.client.send(new ListLogGroupsForQueryCommand({ queryId, maxResults: 50, nextToken }));
    assert.ok(r.logGroupIdentifiers!.length <= 50);
    seen.push(...r.logGroupIdentifiers!);
    nextToken = r.nextToken;
    pages++;
  } while (nextToken !== undefined);
  assert.equal(pages, 2, '53 groups in pages of 50');
  assert.deepEqual([...seen].sort(), [...apps, other].map(arn).sort());
});

test('an unknown query is ResourceNotFoundException; maxResults below 50 is InvalidParameterException', async () => {
  await rejectsAws(srv.client.send(new ListLogGroupsForQueryCommand({ queryId: '00000000-0000-0000-0000-000000000000' })), 'ResourceNotFoundException');
  const queryId = await start(`SOURCE '${other}' | fields @message`);
  await rejectsAws(srv.client.send(new ListLogGroupsForQueryCommand({ queryId, maxResults: 10 })), 'InvalidParameterException');
});

test('the aws CLI: list-log-groups-for-query', async () => {
  const queryId = await start(`SOURCE '${other}' | fields @message`);
  const r = await awsCli(['list-log-groups-for-query', '--query-id', queryId], srv);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((r.json as { logGroupIdentifiers: string[] }).logGroupIdentifiers, [arn(other)]);
});
