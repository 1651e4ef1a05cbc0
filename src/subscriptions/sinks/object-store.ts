/**
 * Delivery targets (what `arn:aws:firehose:...:deliverystream/<name>` is bound to), the Firehose-like
 * path: a batch (buffered by size and time, see batching) becomes one object under
 * `<prefix>YYYY/MM/DD/HH/<target>-<YYYY-MM-DD-HH-MM-SS>-<batch id>.<ext>` (UTC, Firehose's layout), either
 * gzip NDJSON (one CloudWatch message per line, as Firehose stores CloudWatch records once decompressed)
 * or Parquet (one row per event). The object name comes from the batch id, so a retried batch rewrites
 * the same object instead of adding a copy.
 *
 * Where: a local directory by default; an S3-compatible store when `endpointUrl` is set or the bucket is
 * `s3://<name>`, through @aws-sdk/client-s3 with the SDK's default credential chain, and with the
 * server-side encryption header when `sse` is set. Its endpoint follows the address rule of the other
 * targets (safety.ts): a loopback, link-local or private address needs --allow-private-destinations, and a
 * public one https.
 *
 * Encryption (docs/encryption.md): when the server encrypts at rest, each object is sealed under the
 * data key of the log group it comes from (`.lwenc` after the usual extension), so that crypto-shredding
 * the group reaches these copies too; `logward keys decrypt` opens one while the group's keys exist.
 * `encryption: none` writes plain objects, which shredding cannot reach.
 */
import { mkdir, rename, writeFile, readFile, rm, mkdtemp } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { S3Client, PutObjectCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import { gzipForDelivery, type SubscriptionMessage } from '../payload.js';
import type { SinkSpec } from './types.js';

const schema = z.strictObject({
  bucket: z.string().min(1).max(1024),
  /** Object key prefix: key characters only, no `..` segment, no leading slash. */
  prefix: z
    .string()
    .max(512)
    .regex(/^[A-Za-z0-9!_.*'()=/-]*$/, 'letters, digits and !_.*\'()=/- only')
    .refine((p) => !p.startsWith('/') && !p.split('/').includes('..') && !p.split('/').includes('.'), 'no leading /, no . or .. segment')
    .default(''),
  format: z.enum(['gzip', 'parquet']).default('gzip'),
  bufferMb: z.number().min(0.001).max(128).default(5),
  bufferSeconds: z.number().min(0).max(900).default(300),
  endpointUrl: z.string().url().optional(),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/).default('us-east-1'),
  sse: z.enum(['AES256', 'aws:kms']).optional(),
  sseKmsKeyId: z.string().min(1).max(2048).optional(),
  encryption: z.enum(['logward', 'none']).default('logward'),
});
type Config = z.output<typeof schema>;

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const isS3 = (c: Config): boolean => c.endpointUrl !== undefined || c.bucket.startsWith('s3://');
const bucketName = (c: Config): string => c.bucket.replace(/^s3:\/\//, '');

const pad = (n: number): string => String(n).padStart(2, '0');

export function objectKey(c: Config, target: string, batchId: string, nowMs: number, sealed = false): string {
  const d = new Date(nowMs);
  const [y, mo, da, h, mi, s] = [d.getUTCFullYear(), pad(d.getUTCMonth() + 1), pad(d.getUTCDate()), pad(d.getUTCHours()), pad(d.getUTCMinutes()), pad(d.getUTCSeconds())];
  const ext = c.format === 'gzip' ? 'ndjson.gz' : 'parquet';
  return `${c.prefix}${y}/${mo}/${da}/${h}/${target}-${y}-${mo}-${da}-${h}-${mi}-${s}-${batchId}.${ext}${sealed ? '.lwenc' : ''}`;
}

export const ndjsonGzip = (messages: readonly SubscriptionMessage[]): Promise<Buffer> => gzipForDelivery(messages.map((m) => `${JSON.stringify(m)}\n`).join(''));

/**
 * One row per event, written by an in-memory DuckDB of its own (never the store's database), through a
 * file in `scratchDir` (private memory: the plaintext never reaches a disk).
 */
async function parquet(messages: readonly SubscriptionMessage[], scratchDir: string): Promise<Buffer> {
  const dir = await mkdtemp(join(scratchDir, 'delivery-parquet-'));
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await db.connect();
  try {
    await conn.run(`CREATE TABLE e (message_type VARCHAR, owner VARCHAR, log_group VARCHAR, log_stream VARCHAR, subscription_filters VARCHAR, id VARCHAR, "timestamp" BIGINT, message VARCHAR)`);
    const app = await conn.createAppender('e');
    for (const m of messages) {
      for (const e of m.logEvents) {
        app.appendVarchar(m.messageType);
        app.appendVarchar(m.owner);
        app.appendVarchar(m.logGroup);
        app.appendVarchar(m.logStream);
        app.appendVarchar(JSON.stringify(m.subscriptionFilters));
        app.appendVarchar(e.id);
        app.appendBigInt(BigInt(e.timestamp));
        app.appendVarchar(e.message);
        app.endRow();
      }
    }
    app.closeSync();
    const file = join(dir, 'batch.parquet');
    await conn.run(`COPY e TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`);
    return await readFile(file);
  } finally {
    conn.closeSync();
    db.closeSync();
    await rm(dir, { recursive: true, force: true });
  }
}

export const objectStoreSink: SinkSpec<typeof schema> = {
  schema,
  check: (c, policy) => {
    if (isS3(c) && !S3_BUCKET.test(bucketName(c))) throw new Error(`not an S3 bucket name: '${bucketName(c)}'`);
    if (c.endpointUrl !== undefined) policy.checkUrl(c.endpointUrl);
    if (!isS3(c) && !c.bucket.startsWith('/')) throw new Error('a local bucket must be an absolute directory path');
    if (c.sseKmsKeyId !== undefined && c.sse !== 'aws:kms') throw new Error('sseKmsKeyId needs sse aws:kms');
  },
  batching: (c) => ({ maxBytes: Math.round(c.bufferMb * 1024 * 1024), maxMs: Math.round(c.bufferSeconds * 1000) }),
  controlName: 'Firehose',
  build: (c, ctx) => {
    // Every connection is checked against the address policy, as the function and OpenSearch targets' are.
    const s3 = isS3(c) ? new S3Client({ region: c.region, ...(c.endpointUrl ? { endpoint: c.endpointUrl, forcePathStyle: true } : {}), requestHandler: ctx.policy.sdkRequestHandler(), maxAttempts: 1 }) : undefined;
    const root = resolve(c.bucket);
    return {
      async deliver(batch, signal) {
        const plain = c.format === 'gzip' ? await ndjsonGzip(batch.messages) : await parquet(batch.messages, ctx.scratchDir);
        // One filter, one group. CloudWatch's CONTROL_MESSAGE names no group and holds no log content: it is written plain.
        const groups = new Set(batch.messages.map((m) => m.logGroup).filter((g) => g !== ''));
        if (groups.size > 1) throw new Error('a delivery batch holds events of more than one log group');
        const [group] = groups;
        const sealed = c.encryption === 'logward' && group !== undefined ? await ctx.sealObject(group, plain) : null;
        const body = sealed ?? plain;
        const key = objectKey(c, ctx.targetName, batch.batchId, ctx.clock.now(), sealed !== null);
        if (s3) {
          await s3.send(
            new PutObjectCommand({
              Bucket: bucketName(c),
              Key: key,
              Body: body,
              ContentType: sealed !== null ? 'application/octet-stream' : c.format === 'gzip' ? 'application/x-ndjson' : 'application/vnd.apache.parquet',
              ...(c.format === 'gzip' && sealed === null ? { ContentEncoding: 'gzip' } : {}),
              ...(c.sse ? { ServerSideEncryption: c.sse } : {}),
              ...(c.sseKmsKeyId ? { SSEKMSKeyId: c.sseKmsKeyId } : {}),
            }),
            { abortSignal: signal },
          );
          return;
        }
        // The key is built from checked parts only; the check below is a second line.
        const path = resolve(root, key);
        if (!path.startsWith(root + sep)) throw new Error('object key escapes the bucket directory');
        await mkdir(join(path, '..'), { recursive: true, mode: 0o700 });
        const tmp = `${path}.tmp`;
        await writeFile(tmp, body, { mode: 0o600 });
        await rename(tmp, path); // readers never see half an object
      },
      async health(signal) {
        if (s3) await s3.send(new HeadBucketCommand({ Bucket: bucketName(c) }), { abortSignal: signal });
        else await mkdir(root, { recursive: true, mode: 0o700 });
      },
      async close() {
        s3?.destroy();
      },
    };
  },
};
