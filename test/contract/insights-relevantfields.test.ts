/**
 * Logs Insights' `relevantfields` end to end, through the AWS SDK and the aws CLI against a started
 * server: the fields that set slow requests apart, ranked, and MalformedQueryException's location.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';
import { assertMalformedAt, cliQuery, putMessages, resultRows, runQuery } from '../helpers/insights.js';

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
  await putMessages(srv, group, messages, base);
});

after(async () => {
  await stopAndClean(srv);
});

const range = { startS: nowS - 3600, endS: nowS + 300 };

test("relevantfields where Time > 400 (AWS's first example): the controller ranks first, the region scores nothing", async () => {
  const r = await runQuery(srv, group, 'relevantfields where Time > 400', range);
  assert.equal(r.status, 'Complete');
  assert.deepEqual(resultRows(r), [
    { '@fieldName': 'Controller', '@relevanceScore': '1', '@topRelevanceContributors': 'payments (100.0% vs 0.0%), search (0.0% vs 66.7%), users (0.0% vs 33.3%)' },
    { '@fieldName': 'Region', '@relevanceScore': '0' },
  ]);
  assert.equal(r.statistics?.recordsMatched, 40, 'the events compared');
  const filtered = await runQuery(srv, group, 'filter Controller != "users" | relevantfields Time where Controller = "payments"', range);
  assert.equal(filtered.statistics?.recordsMatched, 30, 'the events that reach relevantfields, not the fields that come out');
});

test('relevantfields with a field list, through the aws CLI: a numerical field has its medians', async () => {
  const cliRows = await cliQuery(srv, group, 'relevantfields Time where Controller = "payments"', range);
  assert.deepEqual(
    cliRows,
    [{ '@fieldName': 'Time', '@relevanceScore': '1', '@conditionalMedian': '518', '@baselineMedian': '120' }],
  );
});

test('relevantfields without where: MalformedQueryException at the end of the fields', async () => {
  await assertMalformedAt(srv, group, 'relevantfields Controller, Path', range, 31, 31);
});
