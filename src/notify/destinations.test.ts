import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWebhookUrl, DestinationError, notificationAddresses } from './destinations.js';
import { isNonPublicAddress } from '../subscriptions/safety.js';

test('loopback, private, link-local, unspecified and mapped addresses are private; public ones are not', () => {
  for (const a of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0', '100.64.0.1', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
    assert.equal(isNonPublicAddress(a), true, a);
  }
  for (const a of ['8.8.8.8', '172.32.0.1', '1.1.1.1', '2606:4700::1111', 'example.com']) assert.equal(isNonPublicAddress(a), false, a);
});

test('webhook URLs: http or https, no credentials, no private address unless allowed', async () => {
  assert.equal(checkWebhookUrl('https://hooks.example.com/x', false).host, 'hooks.example.com');
  assert.throws(() => checkWebhookUrl('http://localhost:8080/x', false), DestinationError);
  assert.throws(() => checkWebhookUrl('http://[::1]/x', false), /loopback or private/);
  assert.throws(() => checkWebhookUrl('https://u:p@example.com/', false), /must not hold credentials/);
  assert.throws(() => checkWebhookUrl('file:///etc/passwd', true), /not an http or https URL/);
  assert.equal(checkWebhookUrl('http://127.0.0.1:9/x', true).port, '9');
  // At delivery: a literal at once, plain http to a public address accepted (SNS takes http endpoints).
  assert.throws(() => notificationAddresses(false).checkUrl('http://127.0.0.1/x'), /127\.0\.0\.1 is loopback, link-local or private/);
  assert.equal(notificationAddresses(true).checkUrl('http://127.0.0.1/x').port, '');
  assert.equal(notificationAddresses(false).checkUrl('http://93.184.216.34/x').hostname, '93.184.216.34');
});
