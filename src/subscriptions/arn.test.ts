import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { parseDestinationArn, targetArn } from './arn.js';
import { controlMessage, dataMessage, encodeMessage, subscriptionEventId } from './payload.js';

test('destination ARNs map to target kinds; anything else is refused', () => {
  assert.deepEqual(parseDestinationArn('arn:aws:lambda:us-east-1:000000000000:function:hook'), { kind: 'function', vendor: 'lambda', region: 'us-east-1', account: '000000000000', name: 'hook' });
  assert.equal(parseDestinationArn('arn:aws:lambda:us-east-1:000000000000:function:hook:PROD')?.name, 'hook');
  assert.equal(parseDestinationArn('arn:aws:kinesis:eu-west-1:123456789012:stream/s-1')?.kind, 'stream');
  assert.equal(parseDestinationArn('arn:aws:firehose:eu-west-1:123456789012:deliverystream/d')?.kind, 'delivery');
  assert.equal(parseDestinationArn('arn:aws:es:eu-west-1:123456789012:domain/search')?.kind, 'opensearch');
  assert.equal(parseDestinationArn('arn:aws:logs:eu-west-1:123456789012:destination:central')?.kind, 'destination');
  for (const bad of ['arn:aws:sqs:us-east-1:000000000000:q', 'arn:aws:lambda:us-east-1:0000:function:x', 'arn:aws:kinesis:us-east-1:000000000000:stream/../x', 'hook']) {
    assert.equal(parseDestinationArn(bad), null, bad);
  }
  assert.equal(targetArn('delivery', 'us-east-1', '000000000000', 'a'), 'arn:aws:firehose:us-east-1:000000000000:deliverystream/a');
});

test('messages are the gzip of CloudWatch JSON; ids are 56 digits', async () => {
  const id = subscriptionEventId(1_700_000_000_000, 42);
  assert.match(id, /^\d{56}$/);
  assert.equal(id, `${'0'.repeat(7)}1700000000000${'0'.repeat(34)}42`);
  assert.equal(subscriptionEventId(0, 0), '0'.repeat(56));
  const m = dataMessage('000000000000', 'g', 's', 'f', [{ id, timestamp: 1, message: 'm' }]);
  assert.deepEqual(JSON.parse(gunzipSync(await encodeMessage(m)).toString('utf8')), {
    messageType: 'DATA_MESSAGE',
    owner: '000000000000',
    logGroup: 'g',
    logStream: 's',
    subscriptionFilters: ['f'],
    logEvents: [{ id, timestamp: 1, message: 'm' }],
  });
  const c = controlMessage(5, 'Kinesis stream');
  assert.equal(c.owner, 'CloudWatchLogs');
  assert.equal(c.logEvents[0]!.message, 'CWL CONTROL MESSAGE: Checking health of destination Kinesis stream.');
});
