import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AddressPolicy, DestinationRefusedError } from './safety.js';

test('non-public addresses are refused unless allowed; plain http only inside allowed ranges', () => {
  const strict = new AddressPolicy();
  for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1']) {
    assert.throws(() => strict.check(a, false), DestinationRefusedError, a);
  }
  assert.doesNotThrow(() => strict.check('93.184.216.34', false));
  assert.throws(() => strict.check('93.184.216.34', true), /use https/);
  const allowed = new AddressPolicy(['127.0.0.1/32', '10.0.0.0/8']);
  assert.doesNotThrow(() => allowed.check('127.0.0.1', true));
  assert.doesNotThrow(() => allowed.check('10.9.8.7', true));
  assert.throws(() => allowed.check('127.0.0.2', false), DestinationRefusedError);
  assert.throws(() => allowed.check('192.168.1.1', false), DestinationRefusedError);
  assert.throws(() => new AddressPolicy(['10.0.0.0/99']), /not an address range/);
});

test('URLs: https or http only, no credentials, literals checked at once', () => {
  const p = new AddressPolicy();
  assert.throws(() => p.checkUrl('ftp://example.com/'), /must be https/);
  assert.throws(() => p.checkUrl('https://user:pw@example.com/'), /credentials/);
  assert.throws(() => p.checkUrl('https://[::1]:9200/'), /loopback/);
  assert.equal(p.checkUrl('https://example.com/hook').hostname, 'example.com');
});

test('a name that resolves to a loopback address is refused when connecting (lookup)', async () => {
  const p = new AddressPolicy();
  const err = await new Promise<Error | null>((resolve) => p.lookup(false)('localhost', { all: false }, (e) => resolve(e)));
  assert.ok(err instanceof DestinationRefusedError);
});
