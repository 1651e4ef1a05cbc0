/**
 * Logs Insights' `unnest`, `expand`, `parse ... multi` and `addtotals` end to end, through the AWS SDK and the aws CLI against a
 * started server: StartQuery, GetQueryResults (rows, @ptr), GetLogRecord, and MalformedQueryException's
 * location.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  GetLogRecordCommand,
  StartQueryCommand,
  type GetQueryResultsCommandOutput,
  type MalformedQueryException,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, uid } from '../helpers/assert-aws.js';
import { putMessages, runQuery, waitForQuery } from '../helpers/insights.js';

let srv: LogwardServer;
const group = `insights-unnest-${uid()}`;
const nowS = Math.floor(Date.now() / 1000);
const base = Date.now() - 20_000;
const messages = [
  JSON.stringify({ events: [{ name: 'exception' }, { name: 'user action' }], price: 10, tax: 2 }),
  JSON.stringify({ events: [], price: 5, tax: 'n/a' }),
  JSON.stringify({ events: { name: 'single' }, price: 1.5, tax: 0.5 }),
];

before(async () => {
  srv = await startLogward();
  await putMessages(srv, group, messages, base);
});

after(async () => {
  await stopAndClean(srv);
});

const run = (queryString: string): Promise<GetQueryResultsCommandOutput> => runQuery(srv, group, queryString, { startS: nowS - 3600, endS: nowS + 300 });

const fields = (row: Array<{ field?: string; value?: string }>): Record<string, string> => Object.fromEntries(row.map((f) => [f.field!, f.value!]));

test('unnest: one row per element, each with the @ptr of its event', async () => {
  const r = await run('fields jsonParse(@message) as json_message | unnest json_message.events into event | sort @timestamp asc | display event.name');
  assert.equal(r.status, 'Complete');
  const rows = r.results!.map(fields);
  assert.deepEqual(
    rows.map((x) => x['event.name']),
    ['exception', 'user action', 'single'],
    'an empty list gives no row; a map is a list of one',
  );
  assert.equal(rows[0]!['@ptr'], rows[1]!['@ptr'], 'both elements come from the first event');
  assert.notEqual(rows[0]!['@ptr'], rows[2]!['@ptr']);
  const record = await srv.client.send(new GetLogRecordCommand({ logRecordPointer: rows[1]!['@ptr'] }));
  assert.equal(record.logRecord?.['@message'], messages[0]);
});

test('unnest feeds filter and stats with members of the elements', async () => {
  const r = await run('fields jsonParse(@message) as js | unnest js.events into e | filter e.name like /x|g/ | stats count(*) as n by e.name | sort e.name');
  assert.equal(r.status, 'Complete');
  assert.deepEqual(r.results!.map(fields), [
    { 'e.name': 'exception', n: '1' },
    { 'e.name': 'single', n: '1' },
  ]);
});

test('expand: the elements of the array in its place, the other fields repeated', async () => {
  const r = await run('filter ispresent(price) | sort @timestamp asc | expand events | display events, price');
  assert.equal(r.status, 'Complete');
  assert.deepEqual(
    r.results!.map(fields).map(({ '@ptr': _ptr, ...rest }) => rest),
    [
      { events: '{"name":"exception"}', price: '10' },
      { events: '{"name":"user action"}', price: '10' },
      { events: '{"name":"single"}', price: '1.5' },
    ],
  );
});

test('parse ... multi: one row for each match of the regex, in order', async () => {
  const r = await run('parse @message /"name":"(?<name>[^"]+)"/ multi | filter ispresent(name) | sort @timestamp asc | display name');
  assert.equal(r.status, 'Complete');
  assert.deepEqual(
    r.results!.map(fields).map((x) => x.name),
    ['exception', 'user action', 'single'],
  );
});

test('addtotals: row totals of the listed fields, and a summary row without @ptr', async () => {
  const r = await run('fields price, tax | sort @timestamp asc | addtotals col=true price, tax');
  assert.equal(r.status, 'Complete');
  const rows = r.results!.map(fields);
  assert.deepEqual(
    rows.map(({ '@ptr': ptr, ...rest }) => [rest, ptr !== undefined]),
    [
      [{ price: '10', tax: '2', Total: '12' }, true],
      [{ price: '5', tax: 'n/a', Total: '5' }, true],
      [{ price: '1.5', tax: '0.5', Total: '2' }, true],
      [{ price: '16.5', tax: '2.5', Total: '19' }, false],
    ],
  );
});

test('addtotals fieldname= and row=false', async () => {
  const named = await run('fields price | sort @timestamp asc | addtotals fieldname=RowSum | limit 1');
  assert.deepEqual(named.results!.map(fields).map(({ '@ptr': _ptr, ...rest }) => rest), [{ price: '10', RowSum: '10' }]);
  const cols = await run('stats sum(price) as p, count(*) as n | addtotals row=false col=true');
  assert.deepEqual(cols.results!.map(fields), [
    { p: '16.5', n: '3' },
    { p: '16.5', n: '3' },
  ]);
});

test('malformed unnest and addtotals: MalformedQueryException at the offending characters', async () => {
  for (const [queryString, at, token] of [
    ['fields jsonParse(@message) as js | unnest js.events', 51, ''],
    ['fields price | addtotals row=maybe', 29, 'maybe'],
  ] as const) {
    const err = (await rejectsAws(
      srv.client.send(new StartQueryCommand({ logGroupName: group, startTime: nowS - 3600, endTime: nowS + 300, queryString })),
      'MalformedQueryException',
    )) as unknown as MalformedQueryException;
    assert.equal(err.queryCompileError?.location?.startCharOffset, at, queryString);
    assert.equal(err.queryCompileError?.location?.endCharOffset, at + token.length, queryString);
  }
});

test('the aws CLI: start-query and get-query-results with unnest and addtotals', async () => {
  const query = 'fields jsonParse(@message) as js | unnest js.events into e | fields e.name as name, js.price as price | sort @timestamp asc | addtotals col=true price';
  const started = await awsCli(['start-query', '--log-group-name', group, '--start-time', String(nowS - 3600), '--end-time', String(nowS + 300), '--query-string', query], srv);
  assert.equal(started.code, 0, started.stderr);
  const { queryId } = started.json as { queryId: string };
  await waitForQuery(srv, queryId);
  const results = await awsCli(['get-query-results', '--query-id', queryId], srv);
  assert.equal(results.code, 0, results.stderr);
  const body = results.json as { status: string; results: Array<Array<{ field: string; value: string }>> };
  assert.equal(body.status, 'Complete');
  assert.deepEqual(
    body.results.map((row) => Object.fromEntries(row.filter((f) => ['name', 'price', 'Total'].includes(f.field)).map((f) => [f.field, f.value]))),
    [
      { name: 'exception', price: '10', Total: '10' },
      { name: 'user action', price: '10', Total: '10' },
      { name: 'single', price: '1.5', Total: '1.5' },
      { price: '21.5', Total: '21.5' },
    ],
  );
});
