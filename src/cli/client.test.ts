import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DEFAULT_ENDPOINT, isLoopback, resolveClientSettings, type ResolveDeps } from './client.js';
import { UsageError } from './context.js';

const KEYS = { accessKeyId: 'LWFILEKEY0000000', secretAccessKey: 'file-secret-0000000000' };

function deps(env: Record<string, string>, files: Record<string, string> = {}): ResolveDeps {
  return {
    env,
    readFile: async (path) => {
      const text = files[path];
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
      return text;
    },
  };
}
const defaultFile = { [join('./data', 'credentials.json')]: JSON.stringify(KEYS) };

test('endpoint: the option, else LOGWARD_ENDPOINT, else the local default', async () => {
  assert.equal((await resolveClientSettings({}, deps({}))).endpoint, DEFAULT_ENDPOINT);
  assert.equal(DEFAULT_ENDPOINT, 'http://127.0.0.1:4599');
  assert.equal((await resolveClientSettings({}, deps({ LOGWARD_ENDPOINT: 'http://h:1' }))).endpoint, 'http://h:1');
  const both = await resolveClientSettings({ endpointUrl: 'https://o:2' }, deps({ LOGWARD_ENDPOINT: 'http://h:1' }));
  assert.equal(both.endpoint, 'https://o:2');
});

test('a malformed endpoint is a usage error', async () => {
  await assert.rejects(resolveClientSettings({ endpointUrl: 'not a url' }, deps({})), UsageError);
  await assert.rejects(resolveClientSettings({ endpointUrl: 'ftp://h' }, deps({})), /only http and https/);
});

test('region: the option, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1', async () => {
  const region = async (opts: { region?: string }, env: Record<string, string>) => (await resolveClientSettings(opts, deps(env))).region;
  assert.equal(await region({}, {}), 'us-east-1');
  assert.equal(await region({}, { AWS_DEFAULT_REGION: 'eu-west-1' }), 'eu-west-1');
  assert.equal(await region({}, { AWS_DEFAULT_REGION: 'eu-west-1', AWS_REGION: 'eu-west-2' }), 'eu-west-2');
  assert.equal(await region({ region: 'ap-south-1' }, { AWS_REGION: 'eu-west-2' }), 'ap-south-1');
});

test('credentials: LOGWARD_* first, even when a credentials file is there', async () => {
  const s = await resolveClientSettings(
    {},
    deps({ LOGWARD_ACCESS_KEY_ID: 'LWENVKEY00000000', LOGWARD_SECRET_ACCESS_KEY: 'env-secret' }, defaultFile),
  );
  assert.equal(s.credentialSource, 'environment');
  assert.deepEqual(s.credentials, { accessKeyId: 'LWENVKEY00000000', secretAccessKey: 'env-secret' });
});

test('credentials: only one of the LOGWARD_* pair is a usage error', async () => {
  await assert.rejects(resolveClientSettings({}, deps({ LOGWARD_ACCESS_KEY_ID: 'x' })), /set both/);
});

test('credentials: the generated keys in ./data or --data-dir for a local server', async () => {
  const s = await resolveClientSettings({}, deps({}, defaultFile));
  assert.equal(s.credentialSource, 'data-dir');
  assert.deepEqual(s.credentials, KEYS);
  const files = { [join('/srv/lw', 'credentials.json')]: JSON.stringify({ ...KEYS, createdAt: 'kept' }) };
  const other = await resolveClientSettings({ dataDir: '/srv/lw', endpointUrl: 'http://localhost:9000' }, deps({}, files));
  assert.equal(other.credentialSource, 'data-dir');
});

test('credentials: the generated keys are never sent to a server on another machine', async () => {
  const s = await resolveClientSettings({ endpointUrl: 'https://logs.example.com' }, deps({}, defaultFile));
  assert.equal(s.credentialSource, 'sdk-default-chain');
  assert.equal(s.credentials, undefined);
});

test('credentials: without env or file, the SDK default chain', async () => {
  const s = await resolveClientSettings({}, deps({ AWS_ACCESS_KEY_ID: 'AKIA' }));
  assert.equal(s.credentialSource, 'sdk-default-chain');
  assert.equal(s.credentials, undefined);
});

test('a credentials file that is there but malformed is an error, not silently skipped', async () => {
  const bad = { [join('./data', 'credentials.json')]: '{"accessKeyId": 1}' };
  await assert.rejects(resolveClientSettings({}, deps({}, bad)), /does not hold/);
  const notJson = { [join('./data', 'credentials.json')]: 'nope' };
  await assert.rejects(resolveClientSettings({}, deps({}, notJson)), /not valid JSON/);
});

test('loopback endpoints', () => {
  for (const u of ['http://127.0.0.1:4599', 'http://localhost:1', 'http://[::1]:4599', 'http://127.1.2.3']) assert.ok(isLoopback(u), u);
  for (const u of ['http://10.0.0.1:4599', 'https://logs.example.com', 'http://localhost.example.com']) assert.ok(!isLoopback(u), u);
});
