/**
 * A lookup table's kmsKeyId through AWS KMS (moto_server): the table's data key is wrapped by that KMS
 * key and unwrapped again after a restart; a key KMS does not have is refused with
 * InvalidParameterException and creates nothing; UpdateLookupTable with an empty kmsKeyId goes back to
 * the master key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateLookupTableCommand, DescribeLookupTablesCommand, GetLookupTableCommand, UpdateLookupTableCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startLogward, TEST_ACCOUNT_ID, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { rejectsAws } from '../helpers/assert-aws.js';
import { MOTO_CREDENTIALS, MOTO_REGION, startMoto } from '../helpers/moto.js';

const arn = (name: string): string => `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT_ID}:lookup-table:${name}`;
const CSV = 'code,text\n200,OK\n';

test('CreateLookupTable and UpdateLookupTable kmsKeyId: sealed under the KMS key, readable after a restart', async () => {
  const moto = await startMoto();
  const kms = new KMSClient({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS });
  const dataDir = await mkdtemp(join(tmpdir(), 'lw-lookup-kms-'));
  const args = ['--kms-endpoint-url', moto.endpoint, '--kms-region', MOTO_REGION];
  const env = { AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey };
  let srv: LogwardServer | undefined;
  try {
    const key = (await kms.send(new CreateKeyCommand({ Description: 'lookup table key' }))).KeyMetadata!.Arn!;
    const unknownKey = key.replace(/key\/.*$/, 'key/00000000-0000-0000-0000-000000000000');
    srv = await startLogward({ dataDir, args, env });
    await srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'codes', tableBody: CSV, kmsKeyId: key }));
    await rejectsAws(
      srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'refused', tableBody: CSV, kmsKeyId: unknownKey })),
      'InvalidParameterException',
      `The specified KMS key does not exist, is disabled or cannot be used: ${unknownKey}`,
    );
    const described = await srv.client.send(new DescribeLookupTablesCommand({}));
    assert.deepEqual(described.lookupTables?.map((t) => [t.lookupTableName, t.kmsKeyId]), [['codes', key]], 'the refused table was not created');

    await srv.stop();
    srv = await startLogward({ dataDir, args, env });
    const got = await srv.client.send(new GetLookupTableCommand({ lookupTableArn: arn('codes') }));
    assert.deepEqual([got.tableBody, got.kmsKeyId], [CSV, key]);

    await srv.client.send(new UpdateLookupTableCommand({ lookupTableArn: arn('codes'), tableBody: CSV, kmsKeyId: '' }));
    const plainKey = await srv.client.send(new GetLookupTableCommand({ lookupTableArn: arn('codes') }));
    assert.deepEqual([plainKey.tableBody, plainKey.kmsKeyId], [CSV, undefined]);
  } finally {
    await srv?.stop();
    kms.destroy();
    await moto.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
