import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { putLogEventsBody } from './put-client.js';

test('put client: the body is the PutLogEvents JSON for any message', () => {
  fc.assert(
    fc.property(fc.array(fc.record({ timestamp: fc.integer({ min: 0, max: 2 ** 45 }), message: fc.string({ unit: 'binary', maxLength: 50 }) })), (events) => {
      const body = JSON.parse(putLogEventsBody('g/1', 's"\\', events).toString('utf8')) as unknown;
      assert.deepEqual(body, { logGroupName: 'g/1', logStreamName: 's"\\', logEvents: events.map((e) => ({ ...e })) });
    }),
  );
});
