/**
 * What a source is (docs/sources.md): its settings as `logward sources add` sends them and as the
 * server keeps them in `<data dir>/sources/sources.json`. Parsed once, by a schema that rejects unknown
 * keys; nothing here does I/O.
 */
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { FORMAT_NAMES, formatByName } from '../formats/index.js';

export const SOURCE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const LOG_GROUP = /^[.\-_/#A-Za-z0-9]{1,512}$/;
/** S3 bucket names (the general purpose rules, plus dots and upper case that S3-compatible stores allow). */
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9.\-_]{1,254}$/;

const common = {
  name: z.string().regex(SOURCE_NAME, 'a source name is 1 to 64 letters, digits, _ . or -'),
  /** `auto`: from the key layout, else from the content; else the name of a format (formats/index.ts). */
  format: z
    .string()
    .refine((f) => f === 'auto' || formatByName(f) !== null, { message: `expected auto or one of ${FORMAT_NAMES.join(', ')}` })
    .default('auto'),
  logGroup: z.string().regex(LOG_GROUP, 'a log group name (1 to 512 of letters, digits, and . - _ / #)').optional(),
  /** Seconds between listings. */
  pollSeconds: z.number().min(0.1).max(86_400).default(60),
  /**
   * How long after its LastModified (mtime) an object may still be joined by keys that sort before it in
   * its partition (delivery is not strictly in key order); listings look back that far. See docs/sources.md.
   */
  settleSeconds: z.number().min(0).max(7 * 86_400).default(900),
  prefix: z.string().max(1024).default(''),
};

export const S3Spec = z
  .object({
    ...common,
    kind: z.literal('s3'),
    bucket: z.string().regex(BUCKET, 'a bucket name'),
    endpointUrl: z.url({ protocol: /^https?$/, error: 'an http or https URL' }).optional(),
    region: z.string().regex(/^[a-z0-9-]{1,64}$/, 'a region name').default('us-east-1'),
  })
  .strict();

export const FolderSpec = z
  .object({
    ...common,
    kind: z.literal('folder'),
    path: z.string().min(1).max(4096).refine((p) => isAbsolute(p) && !p.includes('\0'), { message: 'an absolute path on the server' }),
  })
  .strict();

export const SourceInput = z.discriminatedUnion('kind', [S3Spec, FolderSpec]);
export type SourceInput = z.input<typeof SourceInput>;
export type SourceSpec = z.output<typeof SourceInput> & { logGroup: string; createdMs: number };

/** The log group a source writes to when none is given. */
export const defaultLogGroup = (name: string): string => `/logward/sources/${name}`;

/** A spec from untrusted input; throws an Error whose message says what is wrong. */
export function parseSourceInput(input: unknown, createdMs: number): SourceSpec {
  const r = SourceInput.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new Error(`${issue.path.join('.') || 'the request'}: ${issue.message}`);
  }
  return { ...r.data, logGroup: r.data.logGroup ?? defaultLogGroup(r.data.name), createdMs };
}
