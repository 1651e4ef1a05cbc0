/** The AWS KMS provider against a real moto_server (preinstalled on dev and CI machines), started per file. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AwsKmsProvider } from './aws-kms-provider.js';
import { context } from './envelope.js';
import { KeyProviderError, KeyShreddedError } from './errors.js';
import { KeyService } from './key-service.js';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const region = 'us-east-1';
let moto: ChildProcess | undefined;
let endpoint = '';
let client: KMSClient;
let kmsKeyId = '';
const dir = mkdtempSync(join(tmpdir(), 'logward-kms-'));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForMoto(child: ChildProcess, url: string): Promise<void> {
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = `moto_server exited (${code ?? signal})`));
  for (let attempt = 0; attempt < 600; attempt++) {
    if (exited !== undefined) throw new Error(exited);
    try {
      const res = await fetch(`${url}/moto-api/`);
      await res.arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100)); // not listening yet
    }
  }
  throw new Error(`moto_server did not answer at ${url}`);
}

before(async () => {
  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  await waitForMoto(moto, endpoint);
  client = new KMSClient({ region, endpoint, credentials });
  const created = await client.send(new CreateKeyCommand({ Description: 'logward test KEK' }));
  kmsKeyId = created.KeyMetadata!.KeyId!;
});

after(async () => {
  client?.destroy();
  if (moto !== undefined && moto.exitCode === null) {
    const exited = new Promise((r) => moto!.once('exit', r));
    moto.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('AwsKmsProvider (moto_server)', () => {
  const ctx = { 'logward:log-group': 'g', 'logward:key-id': 'k-1', 'logward:key-version': '1' };

  it('generates a 256-bit data key and unwraps it through KMS', async () => {
    const provider = new AwsKmsProvider({ defaultKeyId: kmsKeyId, region, endpoint, credentials });
    try {
      const { plaintext, wrapped } = await provider.generateDataKey(kmsKeyId, ctx);
      assert.equal(plaintext.length, 32);
      assert.ok(!wrapped.includes(plaintext));
      assert.deepEqual(await provider.decrypt(wrapped, kmsKeyId, ctx), plaintext);
      await assert.rejects(provider.decrypt(wrapped, kmsKeyId, { ...ctx, 'logward:log-group': 'other' }), KeyProviderError);
      await assert.rejects(provider.generateDataKey('alias/does-not-exist', ctx), /KMS GenerateDataKey with key alias\/does-not-exist failed/);
      assert.deepEqual(provider.describe(), { kind: 'aws-kms', defaultKekId: kmsKeyId, location: `${endpoint} (${region})` });
    } finally {
      provider.close();
    }
  });

  it('backs a KeyService: seal, rotate, restart, shred', async () => {
    const provider = new AwsKmsProvider({ defaultKeyId: kmsKeyId, region, endpoint, credentials });
    try {
      const dataDir = join(dir, 'data');
      const where = context('wal', '000001.log');
      const ks = KeyService.open({ dataDir, provider });
      const v1 = await ks.seal('app', Buffer.from('through kms'), where);
      await ks.rotate('app');
      const v2 = await ks.seal('app', Buffer.from('rotated'), where);
      const restarted = KeyService.open({ dataDir, provider });
      assert.equal((await restarted.open('app', v1, where)).toString(), 'through kms');
      assert.equal((await restarted.open('app', v2, where)).toString(), 'rotated');
      assert.equal(restarted.describe('app')?.versions[0]?.kekId, kmsKeyId);
      await restarted.shred('app');
      await assert.rejects(KeyService.open({ dataDir, provider }).open('app', v2, where), KeyShreddedError);
    } finally {
      provider.close();
    }
  });
});
