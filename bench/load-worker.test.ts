import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventGenerator, logEventsJson } from './generate.js';
import { errorType, patchTimestamps, rejectedCount } from './load-worker.js';

test('patchTimestamps rewrites every timestamp of a body in place and leaves the rest alone', () => {
  const batch = new EventGenerator({ seed: 7, startMs: Date.UTC(2024, 0, 1), stepMs: 3 }).batch(0, 50);
  const prefix = '{"logGroupName":"g","logStreamName":"s","logEvents":';
  const body = Buffer.from(`${prefix}${logEventsJson(batch)}}`);
  patchTimestamps(body, prefix.length, 50, (v, i) => v + 1000 * i + 5);
  const parsed = JSON.parse(body.toString('utf8')) as { logEvents: { timestamp: number; message: string }[] };
  assert.deepEqual(
    parsed.logEvents.map((e) => e.timestamp),
    batch.timestamps.map((t, i) => t + 1000 * i + 5),
  );
  assert.deepEqual(
    parsed.logEvents.map((e) => e.message),
    batch.messages,
  );
});

test('patchTimestamps refuses a body with fewer events than announced', () => {
  const body = Buffer.from('[{"timestamp":1700000000000,"message":"a"}]');
  assert.throws(() => patchTimestamps(body, 0, 2, (v) => v), /1 timestamps, expected 2/);
});

test('rejectedCount reads rejectedLogEventsInfo', () => {
  assert.equal(rejectedCount('{"nextSequenceToken":"1"}', 1000), 0);
  assert.equal(rejectedCount('{"rejectedLogEventsInfo":{"tooNewLogEventStartIndex":990}}', 1000), 10);
  assert.equal(rejectedCount('{"rejectedLogEventsInfo":{"tooOldLogEventEndIndex":4}}', 1000), 5);
});

test('errorType takes the AWS error name, namespaced or not', () => {
  assert.equal(errorType({ status: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' }), 'ThrottlingException');
  assert.equal(errorType({ status: 400, body: '{"__type":"com.amazonaws.logs#ThrottlingException"}' }), 'ThrottlingException');
  assert.equal(errorType({ status: 502, body: 'Bad Gateway' }), 'HTTP 502');
});
