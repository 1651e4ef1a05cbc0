/**
 * Logs Insights' `relevantfields` end to end, through the AWS SDK and the aws CLI against a started
 * server: the fields that set slow requests apart, ranked, and MalformedQueryException's location.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  type GetQueryResultsCommandOutput,
  type MalformedQueryException,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, sleep, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
const group = `insights-relevantfields-${uid()}`;
const nowS = Math.floor(Date.now() / 1000);
const base = Date.now() - 60_000;
// Slow requests all go through the payments controller; the region has nothing to do with it.
const messages = Array.from({ length: 40 }, (_, i) =>
  JSON.stringify({
    Controller: i % 4 === 0 ? 'payments' : i % 4 === 1 ? 'users' : 'search',
    Region: Math.floor(i / 4) % 2 === 0 ? 'eu-west-1' : 'eu-central-1',
    Time: i % 4 === 0 ? 500 + i : 100 + i,
  }),
);

before(async () => {
  srv = await startLogward();
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  await srv.client.send(
    new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: messages.map((message, i) => ({ timestamp: base + i * 1000, message })) }),
  );
});

after(async () => {
  await stopAndClean(srv);
});

async function ended(queryId: string): Promise<GetQueryResultsCommandOutput> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await srv.client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status !== 'Scheduled' && r.status !== 'Running') return r;
    if (Date.now() > deadline) assert.fail(`query ${queryId} still ${r.status} after 30 s`);
    await sleep(50);
  }
}

const rows = (r: GetQueryResultsCommandOutput): Array<Record<string, string>> =>
  r.results!.map((row) => Object.fromEntries(row.filter((f) => f.field !== '@ptr').map((f) => [f.field!, f.value!])));

test("relevantfields where Time > 400 (AWS's first example): the controller ranks first, the region scores nothing", async () => {
  const { queryId } = await srv.client.send(new StartQueryCommand({ logGroupName: group, startTime: nowS - 3600, endTime: nowS + 300, queryString: 'relevantfields where Time > 400' }));
  const r = await ended(queryId!);
  assert.equal(r.status, 'Complete');
  assert.deepEqual(rows(r), [
    { '@fieldName': 'Controller', '@relevanceScore': '1', '@topRelevanceContributors': 'payments (100.0% vs 0.0%), search (0.0% vs 66.7%), users (0.0% vs 33.3%)' },
    { '@fieldName': 'Region', '@relevanceScore': '0' },
  ]);
});

test('relevantfields with a field list, through the aws CLI: a numerical field has its medians', async () => {
  const started = await awsCli(['start-query', '--log-group-name', group, '--start-time', String(nowS - 3600), '--end-time', String(nowS + 300), '--query-string', 'relevantfields Time where Controller = "payments"'], srv);
  assert.equal(started.code, 0, started.stderr);
  const { queryId } = started.json as { queryId: string };
  await ended(queryId);
  const results = await awsCli(['get-query-results', '--query-id', queryId], srv);
  assert.equal(results.code, 0, results.stderr);
  const body = results.json as { status: string; results: Array<Array<{ field: string; value: string }>> };
  assert.equal(body.status, 'Complete');
  assert.deepEqual(
    body.results.map((row) => Object.fromEntries(row.map((f) => [f.field, f.value]))),
    [{ '@fieldName': 'Time', '@relevanceScore': '1', '@conditionalMedian': '518', '@baselineMedian': '120' }],
  );
});

test('relevantfields without where: MalformedQueryException at the end of the fields', async () => {
  const err = (await rejectsAws(
    srv.client.send(new StartQueryCommand({ logGroupName: group, startTime: nowS - 3600, endTime: nowS + 300, queryString: 'relevantfields Controller, Path' })),
    'MalformedQueryException',
  )) as unknown as MalformedQueryException;
  assert.equal(err.queryCompileError?.location?.startCharOffset, 31);
  assert.equal(err.queryCompileError?.location?.endCharOffset, 31);
});
