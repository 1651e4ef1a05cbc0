/**
 * Logs Insights through a started server, as the contract tests use it: StartQuery then GetQueryResults
 * until the query ends (through the AWS SDK or the aws CLI), its rows as plain objects, and where a
 * MalformedQueryException points.
 */
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
import { awsCli, type LogwardServer } from './server.js';
import { rejectsAws, sleep } from './assert-aws.js';

/** The query's range, epoch seconds. */
export interface QueryRange {
  startS: number;
  endS: number;
}

/** A new group with one stream `s` holding `messages`, one second apart from `baseMs`. */
export async function putMessages(srv: LogwardServer, logGroupName: string, messages: readonly string[], baseMs: number): Promise<void> {
  await srv.client.send(new CreateLogGroupCommand({ logGroupName }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 's' }));
  await srv.client.send(new PutLogEventsCommand({ logGroupName, logStreamName: 's', logEvents: messages.map((message, i) => ({ timestamp: baseMs + i * 1000, message })) }));
}

/** GetQueryResults until the query is no longer Scheduled or Running (30 s at most). */
export async function waitForQuery(srv: LogwardServer, queryId: string): Promise<GetQueryResultsCommandOutput> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await srv.client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status !== 'Scheduled' && r.status !== 'Running') return r;
    if (Date.now() > deadline) assert.fail(`query ${queryId} still ${r.status} after 30 s`);
    await sleep(50);
  }
}

/** StartQuery over one group, then its results once it has ended. */
export async function runQuery(srv: LogwardServer, logGroupName: string, queryString: string, range: QueryRange): Promise<GetQueryResultsCommandOutput> {
  const { queryId } = await srv.client.send(new StartQueryCommand({ logGroupName, startTime: range.startS, endTime: range.endS, queryString }));
  return waitForQuery(srv, queryId!);
}

/** Each result row as `{field: value}`, without @ptr. */
export const resultRows = (r: { results?: Array<Array<{ field?: string; value?: string }>> }): Array<Record<string, string>> =>
  (r.results ?? []).map((row) => Object.fromEntries(row.filter((f) => f.field !== '@ptr').map((f) => [f.field!, f.value!])));

/** The same through the aws CLI (start-query, get-query-results): asserts Complete, returns the rows. */
export async function cliQuery(srv: LogwardServer, logGroupName: string, queryString: string, range: QueryRange): Promise<Array<Record<string, string>>> {
  const started = await awsCli(['start-query', '--log-group-name', logGroupName, '--start-time', String(range.startS), '--end-time', String(range.endS), '--query-string', queryString], srv);
  assert.equal(started.code, 0, started.stderr);
  const { queryId } = started.json as { queryId: string };
  await waitForQuery(srv, queryId);
  const results = await awsCli(['get-query-results', '--query-id', queryId], srv);
  assert.equal(results.code, 0, results.stderr);
  const body = results.json as { status: string; results: Array<Array<{ field: string; value: string }>> };
  assert.equal(body.status, 'Complete');
  return resultRows(body);
}

/** StartQuery must fail with MalformedQueryException at [start, end) of the query string. */
export async function assertMalformedAt(srv: LogwardServer, logGroupName: string, queryString: string, range: QueryRange, start: number, end: number): Promise<void> {
  const err = (await rejectsAws(
    srv.client.send(new StartQueryCommand({ logGroupName, startTime: range.startS, endTime: range.endS, queryString })),
    'MalformedQueryException',
  )) as unknown as MalformedQueryException;
  assert.equal(err.queryCompileError?.location?.startCharOffset, start, queryString);
  assert.equal(err.queryCompileError?.location?.endCharOffset, end, queryString);
}
