/**
 * Delivery targets: gzip NDJSON and Parquet in a local directory, and gzip NDJSON with server-side
 * encryption in an S3 bucket of a real moto_server (preinstalled on dev and CI machines). These check
 * the formats, so they write plain objects (`encryption: none`); objects sealed under the group's key
 * are tested end to end in test/integration/encryption.test.ts.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { S3Client, CreateBucketCommand, ListObjectsV2Command, GetObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { openHarness, waitFor } from '../testing.js';
import type { SubscriptionMessage } from '../payload.js';
import { startMoto, type Moto } from '../../../test/helpers/moto.js';

const ARN = 'arn:aws:firehose:us-east-1:000000000000:deliverystream/archive';
const credentials = { accessKeyId: 'testing', secretAccessKey: 'testing' };
let moto: Moto | undefined;
let endpoint = '';

const files = (root: string): string[] =>
  readdirSync(root).flatMap((n) => (statSync(join(root, n)).isDirectory() ? files(join(root, n)) : [join(root, n)]));

before(async () => {
  moto = await startMoto();
  endpoint = moto.endpoint;
});

after(async () => {
  await moto?.stop();
});

test('gzip NDJSON objects under <prefix>YYYY/MM/DD/HH/ in a local directory hold exactly the matching events', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const bucket = mkdtempSync(join(tmpdir(), 'bucket-'));
  const h = await openHarness(dir);
  try {
    const g = await h.group('app', ['a', 'b']);
    await h.subscribe(g, 'warn', 'WARN', { kind: 'delivery', name: 'archive', config: { bucket, prefix: 'cwl/app/', format: 'gzip', bufferSeconds: 0.2, encryption: 'none' }, createdMs: Date.now() }, ARN);
    await h.put(g, 'a', ['WARN 1', 'INFO 2']);
    await h.put(g, 'b', ['WARN 3']);
    const read = (): SubscriptionMessage[] =>
      files(bucket)
        .filter((f) => f.endsWith('.ndjson.gz'))
        .sort()
        .flatMap((f) => gunzipSync(readFileSync(f)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as SubscriptionMessage));
    await waitFor('both events', () => read().flatMap((m) => m.logEvents).filter((e) => e.message.startsWith('WARN')).length >= 2);
    const keys = files(bucket).map((f) => relative(bucket, f));
    for (const k of keys) assert.match(k, /^cwl\/app\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/archive-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9a-z-]+\.ndjson\.gz$/);
    const data = read().filter((m) => m.messageType === 'DATA_MESSAGE');
    assert.deepEqual(data.flatMap((m) => m.logEvents.map((e) => `${m.logStream}:${e.message}`)).sort(), ['a:WARN 1', 'b:WARN 3']);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(bucket, { recursive: true, force: true });
  }
});

test('Parquet objects have one row per event', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const bucket = mkdtempSync(join(tmpdir(), 'bucket-'));
  const h = await openHarness(dir);
  try {
    const g = await h.group('app');
    await h.subscribe(g, 'all', '', { kind: 'delivery', name: 'archive', config: { bucket, format: 'parquet', bufferSeconds: 0.2, encryption: 'none' }, createdMs: Date.now() }, ARN);
    await h.put(g, 's1', ['p1', 'p2', 'p3']);
    const parquet = (): string[] => files(bucket).filter((f) => f.endsWith('.parquet'));
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const rows = async (): Promise<string[]> => {
      const list = parquet();
      if (list.length === 0) return [];
      const r = await conn.runAndReadAll(`SELECT message FROM read_parquet([${list.map((f) => `'${f}'`).join(',')}]) WHERE message_type = 'DATA_MESSAGE' ORDER BY id`);
      return r.getRowObjectsJS().map((x) => String(x.message));
    };
    await waitFor('three rows', async () => (await rows()).length >= 3);
    assert.deepEqual(await rows(), ['p1', 'p2', 'p3']);
    conn.closeSync();
    db.closeSync();
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(bucket, { recursive: true, force: true });
  }
});

test('S3-compatible store (moto_server): objects with the server-side encryption header', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const s3 = new S3Client({ region: 'us-east-1', endpoint, credentials, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'cwl-archive' }));
  // The sink takes credentials from the SDK's default chain, as a server would from its environment.
  process.env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  const h = await openHarness(dir);
  try {
    const g = await h.group('app');
    await h.subscribe(g, 'all', '', { kind: 'delivery', name: 'archive', config: { bucket: 'cwl-archive', endpointUrl: endpoint, prefix: 'logs/', format: 'gzip', bufferSeconds: 0.2, sse: 'AES256', encryption: 'none' }, createdMs: Date.now() }, ARN);
    await h.put(g, 's1', ['s3 one', 's3 two']);
    const objects = async (): Promise<string[]> => ((await s3.send(new ListObjectsV2Command({ Bucket: 'cwl-archive', Prefix: 'logs/' }))).Contents ?? []).map((o) => o.Key!);
    const events = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const key of (await objects()).sort()) {
        const body = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'cwl-archive', Key: key }))).Body!.transformToByteArray());
        for (const line of gunzipSync(body).toString('utf8').trim().split('\n')) {
          const m = JSON.parse(line) as SubscriptionMessage;
          if (m.messageType === 'DATA_MESSAGE') out.push(...m.logEvents.map((e) => e.message));
        }
      }
      return out;
    };
    await waitFor('two events in the bucket', async () => (await events()).length >= 2);
    assert.deepEqual(await events(), ['s3 one', 's3 two']);
    const key = (await objects())[0]!;
    assert.match(key, /^logs\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/archive-/);
    const head = await s3.send(new GetObjectCommand({ Bucket: 'cwl-archive', Key: key }));
    assert.equal(head.ServerSideEncryption, 'AES256');
    await head.Body?.transformToByteArray();
  } finally {
    await h.close();
    s3.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('prefixes and local buckets that could escape their directory are refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const h = await openHarness(dir);
  try {
    assert.throws(() => h.engine.checkTarget('delivery', { bucket: '/tmp/x', prefix: '../up/' }), /prefix/);
    assert.throws(() => h.engine.checkTarget('delivery', { bucket: '/tmp/x', prefix: '/abs/' }), /prefix/);
    assert.throws(() => h.engine.checkTarget('delivery', { bucket: 'relative/dir' }), /absolute/);
    assert.throws(() => h.engine.checkTarget('delivery', { bucket: 's3://Bad_Bucket' }), /S3 bucket name/);
    assert.throws(() => h.engine.checkTarget('delivery', { bucket: '/tmp/x', unknown: 1 }), /unknown|Unrecognized/i);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
