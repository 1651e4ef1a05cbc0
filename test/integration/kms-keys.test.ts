/**
 * Log groups whose data keys are wrapped by an AWS KMS key (moto_server's KMS), chosen as in CloudWatch:
 * CreateLogGroup's kmsKeyId and AssociateKmsKey / DisassociateKmsKey, through the AWS SDK. Events
 * written under each key stay readable across a restart (the server unwraps each data key through the
 * KMS that wrapped it); a key KMS does not know is refused and changes nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AssociateKmsKeyCommand,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogGroupsCommand,
  DisassociateKmsKeyCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { runLogward, startLogward, type LogwardServer } from '../helpers/server.js';
import { rejectsAws } from '../helpers/assert-aws.js';
import { MOTO_CREDENTIALS, MOTO_REGION, startMoto } from '../helpers/moto.js';

async function put(client: CloudWatchLogsClient, group: string, texts: string[]): Promise<void> {
  await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: texts.map((message, i) => ({ timestamp: Date.now() - 1000 + i, message })) }));
}

async function messages(client: CloudWatchLogsClient, group: string): Promise<string[]> {
  const out = await client.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: 's', startFromHead: true }));
  return (out.events ?? []).map((e) => e.message!);
}

test('AssociateKmsKey, DisassociateKmsKey and CreateLogGroup kmsKeyId wrap data keys with AWS KMS keys; every event stays readable across a restart', async () => {
  const moto = await startMoto();
  const kms = new KMSClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
  const dataDir = await mkdtemp(join(tmpdir(), 'lw-kms-'));
  const args = ['--kms-endpoint-url', moto.endpoint, '--kms-region', MOTO_REGION];
  const env = { AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey };
  let srv: LogwardServer | undefined;
  try {
    const keyA = (await kms.send(new CreateKeyCommand({ Description: 'group key A' }))).KeyMetadata!.Arn!;
    const keyB = (await kms.send(new CreateKeyCommand({ Description: 'group key B' }))).KeyMetadata!.Arn!;
    const unknownKey = keyA.replace(/key\/.*$/, 'key/00000000-0000-0000-0000-000000000000');
    srv = await startLogward({ dataDir, args, env });
    const c = srv.client;

    await c.send(new CreateLogGroupCommand({ logGroupName: 'app/kms', kmsKeyId: keyA }));
    await c.send(new CreateLogStreamCommand({ logGroupName: 'app/kms', logStreamName: 's' }));
    await put(c, 'app/kms', ['under key A']);
    await c.send(new AssociateKmsKeyCommand({ logGroupName: 'app/kms', kmsKeyId: keyB }));
    await put(c, 'app/kms', ['under key B']);
    await c.send(new DisassociateKmsKeyCommand({ logGroupName: 'app/kms' }));
    await put(c, 'app/kms', ['under the master key']);

    const groups = await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'app/kms' }));
    assert.equal(groups.logGroups?.[0]?.kmsKeyId, undefined, 'disassociated: no kmsKeyId');
    const described = await runLogward({ ...srv, dataDir }, ['keys', 'describe', 'app/kms', '--output', 'json']);
    assert.equal(described.code, 0, described.stderr);
    const kekIds = (JSON.parse(described.stdout) as { versions: Array<{ kekId: string }> }).versions.map((v) => v.kekId);
    assert.equal(kekIds.length, 3);
    assert.deepEqual(kekIds.slice(0, 2), [keyA, keyB]);
    assert.match(kekIds[2]!, /^local:/);

    // A key KMS does not have: refused, and nothing changes.
    await rejectsAws(c.send(new AssociateKmsKeyCommand({ logGroupName: 'app/kms', kmsKeyId: unknownKey })), 'InvalidParameterException');
    await rejectsAws(c.send(new AssociateKmsKeyCommand({ logGroupName: 'app/kms', kmsKeyId: 'not-an-arn' })), 'InvalidParameterException');
    await rejectsAws(c.send(new CreateLogGroupCommand({ logGroupName: 'app/kms-bad', kmsKeyId: unknownKey })), 'InvalidParameterException');
    const after = await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'app/kms' }));
    assert.deepEqual(after.logGroups?.map((g) => g.logGroupName), ['app/kms'], 'the refused group was not created');
    await rejectsAws(c.send(new AssociateKmsKeyCommand({ logGroupName: 'app/none', kmsKeyId: keyA })), 'ResourceNotFoundException');

    await c.send(new AssociateKmsKeyCommand({ logGroupName: 'app/kms', kmsKeyId: keyB }));
    const withKey = await c.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: 'app/kms' }));
    assert.equal(withKey.logGroups?.[0]?.kmsKeyId, keyB);
    await put(c, 'app/kms', ['under key B again']);
    assert.deepEqual(await messages(c, 'app/kms'), ['under key A', 'under key B', 'under the master key', 'under key B again']);

    // After a restart (sealed at shutdown), each data key is unwrapped again by what wrapped it.
    await srv.stop();
    srv = await startLogward({ dataDir, args, env });
    assert.deepEqual(await messages(srv.client, 'app/kms'), ['under key A', 'under key B', 'under the master key', 'under key B again']);
  } finally {
    await srv?.stop();
    kms.destroy();
    await moto.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
