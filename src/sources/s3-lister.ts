/**
 * Lists and reads an S3-compatible bucket through @aws-sdk/client-s3, with the server's credentials
 * (the SDK's default chain: environment, shared files, instance role). Its endpoint follows the address
 * rule of subscription targets (safety.ts): loopback, link-local and private addresses need
 * --allow-private-destinations, a public one https.
 *
 * Listing: partitions (origin.ts) are found by walking the key tree with `Delimiter: '/'` down to the
 * level whose children are years (or that has no children); each partition is then listed flat with
 * `StartAfter` its marker, so that a poll reads only what is new plus what has not settled. Files that
 * sit beside sub-folders at a level above the years form the partition of that level, listed with the
 * delimiter.
 */
import { GetObjectCommand, ListObjectsV2Command, S3Client, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { ObjectRejectedError, type ListFrom, type Lister, type ObjectInfo } from './lister.js';
import type { AddressPolicy } from '../subscriptions/safety.js';

const YEAR_PREFIX = /(?:^|\/)(?:19|20|21)\d\d\/$/;
/** Levels walked below the source's prefix before a level is taken as a partition anyway. */
const MAX_DEPTH = 8;

export interface S3ListerOptions {
  bucket: string;
  prefix: string;
  region: string;
  endpointUrl?: string;
  /** Checks every connection's address (safety.ts): a source must not become a way into internal services. */
  policy: AddressPolicy;
  /** Tests only: the server uses the SDK's default credential chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export class S3Lister implements Lister {
  private readonly s3: S3Client;

  constructor(private readonly opts: S3ListerOptions) {
    this.s3 = new S3Client({
      region: opts.region,
      ...(opts.endpointUrl !== undefined ? { endpoint: opts.endpointUrl, forcePathStyle: true } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      requestHandler: opts.policy.sdkRequestHandler(),
      maxAttempts: 3,
    });
  }

  async list(from: ListFrom, limit: number, signal: AbortSignal): Promise<ObjectInfo[]> {
    const out: ObjectInfo[] = [];
    const walk = async (prefix: string, depth: number): Promise<void> => {
      if (out.length >= limit) return;
      const level = await this.listLevel(prefix, signal);
      const flat = level.prefixes.length === 0 || level.prefixes.some((p) => YEAR_PREFIX.test(p)) || depth >= MAX_DEPTH;
      if (flat) return this.listFlat(prefix, from, limit, out, signal, false);
      if (level.hasFiles) await this.listFlat(prefix, from, limit, out, signal, true);
      for (const p of level.prefixes) await walk(p, depth + 1);
    };
    await walk(this.opts.prefix, 0);
    return out.slice(0, limit);
  }

  /** The sub-folders of `prefix` (all pages) and whether files sit at that level. */
  private async listLevel(prefix: string, signal: AbortSignal): Promise<{ prefixes: string[]; hasFiles: boolean }> {
    const prefixes: string[] = [];
    let hasFiles = false;
    let token: string | undefined;
    do {
      const r: ListObjectsV2CommandOutput = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.opts.bucket, Prefix: prefix, Delimiter: '/', ...(token !== undefined ? { ContinuationToken: token } : {}) }),
        { abortSignal: signal },
      );
      for (const p of r.CommonPrefixes ?? []) if (p.Prefix !== undefined) prefixes.push(p.Prefix);
      if ((r.Contents ?? []).length > 0) hasFiles = true;
      token = r.IsTruncated === true ? r.NextContinuationToken : undefined;
    } while (token !== undefined);
    return { prefixes, hasFiles };
  }

  private async listFlat(partition: string, from: ListFrom, limit: number, out: ObjectInfo[], signal: AbortSignal, levelOnly: boolean): Promise<void> {
    const after = from.startAfter(partition);
    let token: string | undefined;
    do {
      const r: ListObjectsV2CommandOutput = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.opts.bucket,
          Prefix: partition,
          ...(levelOnly ? { Delimiter: '/' } : {}),
          ...(after !== '' ? { StartAfter: after } : {}),
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }),
        { abortSignal: signal },
      );
      for (const o of r.Contents ?? []) {
        if (o.Key === undefined || o.Key.endsWith('/') || from.handled(partition, o.Key)) continue; // "folder" placeholders
        out.push({ key: o.Key, partition, lastModifiedMs: o.LastModified?.getTime() ?? 0, size: o.Size ?? 0 });
        if (out.length >= limit) return;
      }
      token = r.IsTruncated === true ? r.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async read(key: string, maxBytes: number, signal: AbortSignal): Promise<Buffer> {
    let r;
    try {
      r = await this.s3.send(new GetObjectCommand({ Bucket: this.opts.bucket, Key: key }), { abortSignal: signal });
    } catch (e) {
      // Deleted since it was listed (or by a lifecycle rule while a crash held it): nothing left to read.
      if ((e as Error).name === 'NoSuchKey') throw new ObjectRejectedError('the object is gone', { cause: e });
      throw e;
    }
    if ((r.ContentLength ?? 0) > maxBytes) throw new ObjectRejectedError(`the object is larger than ${maxBytes} bytes`);
    const bytes = await r.Body!.transformToByteArray();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  close(): void {
    this.s3.destroy();
  }
}
