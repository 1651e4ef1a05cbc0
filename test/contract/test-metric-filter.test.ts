/**
 * TestMetricFilter through the AWS SDK and the aws CLI: the matching messages, 1-based event numbers,
 * and the extracted values as strings (the API's ExtractedValues is a map of strings).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { rejectsAws } from '../helpers/assert-aws.js';

let srv: LogwardServer;

before(async () => {
  srv = await startLogward();
});

after(async () => {
  await stopAndClean(srv);
});

test('JSON pattern: matching messages with their event numbers and extracted values', async () => {
  const r = await srv.client.send(
    new TestMetricFilterCommand({
      filterPattern: '{ $.latency > 100 }',
      logEventMessages: ['{"latency": 50}', '{"latency": 150, "path": "/a"}', 'not json at all', '{"latency": 101.5}'],
    }),
  );
  assert.deepEqual(r.matches, [
    { eventNumber: 2, eventMessage: '{"latency": 150, "path": "/a"}', extractedValues: { '$.latency': '150' } },
    { eventNumber: 4, eventMessage: '{"latency": 101.5}', extractedValues: { '$.latency': '101.5' } },
  ]);
});

test('space-delimited pattern: every named field is extracted', async () => {
  const r = await srv.client.send(
    new TestMetricFilterCommand({
      filterPattern: '[ip, user, status = 404, bytes]',
      logEventMessages: ['1.2.3.4 bob 404 512', '1.2.3.4 bob 200 512'],
    }),
  );
  assert.deepEqual(r.matches, [
    { eventNumber: 1, eventMessage: '1.2.3.4 bob 404 512', extractedValues: { $ip: '1.2.3.4', $user: 'bob', $status: '404', $bytes: '512' } },
  ]);
});

test('terms match without extracted values; no match is an empty list', async () => {
  const r = await srv.client.send(new TestMetricFilterCommand({ filterPattern: 'ERROR', logEventMessages: ['ERROR x', 'fine'] }));
  assert.deepEqual(r.matches, [{ eventNumber: 1, eventMessage: 'ERROR x', extractedValues: {} }]);
  const none = await srv.client.send(new TestMetricFilterCommand({ filterPattern: 'NOPE', logEventMessages: ['fine'] }));
  assert.deepEqual(none.matches, []);
});

test('a pattern AWS rejects, and more than 50 messages, are InvalidParameterException', async () => {
  await rejectsAws(
    srv.client.send(new TestMetricFilterCommand({ filterPattern: '{ $.a = ', logEventMessages: ['x'] })),
    'InvalidParameterException',
    /^Invalid filter pattern/,
  );
  await rejectsAws(
    srv.client.send(new TestMetricFilterCommand({ filterPattern: 'x', logEventMessages: Array.from({ length: 51 }, () => 'x') })),
    'InvalidParameterException',
    /^1 validation error detected: Value '.*' at 'logEventMessages' failed to satisfy constraint: Member must have length less than or equal to 50$/s,
  );
});

test('the aws CLI runs test-metric-filter', async () => {
  const r = await awsCli(['test-metric-filter', '--filter-pattern', '{ $.level = "ERROR" }', '--log-event-messages', '{"level":"ERROR"}', '{"level":"INFO"}'], srv);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json, { matches: [{ eventNumber: 1, eventMessage: '{"level":"ERROR"}', extractedValues: { '$.level': 'ERROR' } }] });
});
