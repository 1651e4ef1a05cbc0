/**
 * The SOURCE command's selectors through the AWS SDK and the aws CLI (CWL_QuerySyntax-Source):
 * `dataSource([...])` (a group's data sources come from its tags, formats/data-sources.ts),
 * `logGroupTags([...])`, their combination with `logGroups(...)`, the Standard class when none is
 * given, and MalformedQueryException where a selector is malformed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, StartQueryCommand, type MalformedQueryException } from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, uid } from '../helpers/assert-aws.js';
import { resultRows, waitForQuery } from '../helpers/insights.js';

let srv: LogwardServer;
const root = `/src-${uid()}/`;
const nowS = Math.floor(Date.now() / 1000);
const range = { startTime: nowS - 3600, endTime: nowS + 60 };

/** name → [tags, class]; each group holds one event whose message is its name without the root. */
const GROUPS: Record<string, [Record<string, string>, 'STANDARD' | 'INFREQUENT_ACCESS']> = {
  flow: [{ 'logward:format': 'vpc-flow' }, 'STANDARD'],
  trail: [{ 'logward:format': 'cloudtrail' }, 'STANDARD'],
  custom: [{ 'logward:data-source': 'my_app.audit', team: 'payments' }, 'STANDARD'],
  cold: [{ team: 'payments' }, 'INFREQUENT_ACCESS'],
  plain: [{ team: 'search' }, 'STANDARD'],
};

before(async () => {
  srv = await startLogward();
  for (const [name, [tags, logGroupClass]] of Object.entries(GROUPS)) {
    const logGroupName = root + name;
    await srv.client.send(new CreateLogGroupCommand({ logGroupName, tags, logGroupClass }));
    await srv.client.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 's' }));
    await srv.client.send(new PutLogEventsCommand({ logGroupName, logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: name }] }));
  }
});

after(async () => {
  await stopAndClean(srv);
});

/** The messages (group names) a query with its own SOURCE returns, sorted. */
async function selected(source: string): Promise<string[]> {
  const { queryId } = await srv.client.send(new StartQueryCommand({ ...range, queryString: `${source} | fields @message` }));
  const r = await waitForQuery(srv, queryId!);
  assert.equal(r.status, 'Complete', source);
  return resultRows(r).map((row) => row['@message']!).sort();
}

test('dataSource([...]): by data source name.type, or by name for every type', async () => {
  assert.deepEqual(await selected("SOURCE dataSource(['amazon_vpc.flow'])"), ['flow']);
  assert.deepEqual(await selected("SOURCE dataSource(['aws_cloudtrail.data', 'my_app.audit'])"), ['custom', 'trail']);
  assert.deepEqual(await selected("SOURCE dataSource(['aws_cloudtrail'])"), ['trail']);
  assert.deepEqual(await selected("SOURCE dataSource(['amazon_vpc'])"), ['flow']);
  assert.deepEqual(await selected("SOURCE dataSource(['amazon_vpc.other'])"), []);
});

test('dataSource and logGroups together: a group must meet both', async () => {
  assert.deepEqual(await selected(`SOURCE dataSource(['amazon_vpc.flow']) logGroups(namePrefix: ['${root}fl'])`), ['flow']);
  assert.deepEqual(await selected(`SOURCE dataSource(['amazon_vpc.flow']) logGroups(namePrefix: ['${root}tr'])`), []);
});

test('logGroupTags([...]): every key, at one of its values or any value; Standard groups unless class says otherwise', async () => {
  assert.deepEqual(await selected("SOURCE logGroupTags([{key: 'team', values: ['payments']}])"), ['custom']);
  assert.deepEqual(await selected('SOURCE logGroupTags([{"key":"team","values":["payments","search"]}])'), ['custom', 'plain']);
  assert.deepEqual(await selected("SOURCE logGroupTags([{key: 'team'}]) logGroups(class: 'INFREQUENT_ACCESS')"), ['cold']);
  assert.deepEqual(await selected("SOURCE logGroupTags([{key: 'team'}, {key: 'logward:data-source'}])"), ['custom']);
  assert.deepEqual(await selected(`SOURCE logGroups(namePrefix: ['${root}'])`), ['custom', 'flow', 'plain', 'trail']);
  // Named groups are taken whatever their class.
  assert.deepEqual(await selected(`SOURCE "${root}cold"`), ['cold']);
});

test('the aws CLI: start-query with a data source and tag selection', async () => {
  const started = await awsCli(['start-query', '--start-time', String(range.startTime), '--end-time', String(range.endTime), '--query-string', "SOURCE dataSource(['my_app']) logGroupTags([{key: 'team', values: ['payments']}]) | fields @message"], srv);
  assert.equal(started.code, 0, started.stderr);
  const { queryId } = started.json as { queryId: string };
  await waitForQuery(srv, queryId);
  const results = await awsCli(['get-query-results', '--query-id', queryId], srv);
  assert.equal(results.code, 0, results.stderr);
  assert.deepEqual(resultRows(results.json as { results: Array<Array<{ field: string; value: string }>> }).map((r) => r['@message']), ['custom']);
});

test('malformed selectors are MalformedQueryException pointing at them', async () => {
  const at = async (queryString: string, start: number, end: number): Promise<void> => {
    const err = (await rejectsAws(srv.client.send(new StartQueryCommand({ ...range, queryString })), 'MalformedQueryException')) as unknown as MalformedQueryException;
    assert.deepEqual([err.queryCompileError?.location?.startCharOffset, err.queryCompileError?.location?.endCharOffset], [start, end], queryString);
  };
  await at('SOURCE dataSource([]) | fields @message', 18, 20);
  await at(`SOURCE dataSource([${Array.from({ length: 11 }, (_, i) => `'d${i}'`).join(', ')}]) | fields @message`, 18, 85);
  await at("SOURCE logGroupTags([{values: ['x']}]) | fields @message", 21, 36);
  await at("SOURCE logGroups() logGroups() | fields @message", 19, 28);
});

test('Infrequent Access groups: every command but pattern, diff, unmask and filterIndex', async () => {
  assert.deepEqual(await selected("SOURCE logGroups(class: 'INFREQUENT_ACCESS') | stats count(*) as n by @message | fields @message"), ['cold']);
  for (const [queryString, word] of [
    ["SOURCE logGroups(class: 'INFREQUENT_ACCESS') | pattern @message", 'pattern'],
    ["SOURCE logGroupTags([{key: 'team'}]) logGroups(class: 'INFREQUENT_ACCESS') | fields @message | diff", 'diff'],
    ["SOURCE logGroups(class: 'INFREQUENT_ACCESS') | unmask @message", 'unmask'],
    ["SOURCE logGroups(class: 'INFREQUENT_ACCESS') | filterIndex team = 'payments'", 'filterIndex'],
  ] as const) {
    const err = (await rejectsAws(srv.client.send(new StartQueryCommand({ ...range, queryString })), 'MalformedQueryException', new RegExp(`^The ${word} command is not supported for log groups in the Infrequent Access log class, such as '${root}cold'$`))) as unknown as MalformedQueryException;
    const start = queryString.lastIndexOf(word);
    assert.deepEqual([err.queryCompileError?.location?.startCharOffset, err.queryCompileError?.location?.endCharOffset], [start, start + word.length], queryString);
  }
  // A Standard group takes them.
  const { queryId } = await srv.client.send(new StartQueryCommand({ ...range, logGroupName: `${root}plain`, queryString: 'pattern @message' }));
  assert.equal((await waitForQuery(srv, queryId!)).status, 'Complete');
});
