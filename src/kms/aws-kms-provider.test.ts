/** The AWS KMS provider against a real moto_server (preinstalled on dev and CI machines), started per file. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { AwsKmsProvider } from './aws-kms-provider.js';
import { context } from './envelope.js';
import { KeyProviderError, KeyShreddedError } from './errors.js';
import { KeyService } from './key-service.js';
import { startMoto, type Moto } from '../../test/helpers/moto.js';

const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
const region = 'us-east-1';
let moto: Moto | undefined;
let endpoint = '';
let client: KMSClient;
let kmsKeyId = '';
const dir = mkdtempSync(join(tmpdir(), 'logward-kms-'));

before(async () => {
  moto = await startMoto();
  endpoint = moto.endpoint;
  client = new KMSClient({ region, endpoint, credentials });
  const created = await client.send(new CreateKeyCommand({ Description: 'logward test KEK' }));
  kmsKeyId = created.KeyMetadata!.KeyId!;
});

after(async () => {
  client?.destroy();
  await moto?.stop();
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
