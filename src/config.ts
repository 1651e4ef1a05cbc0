/**
 * Server configuration: parsed once, here, by a schema that rejects unknown keys.
 * Nothing else in the server reads process.env; the CLI builds a ServerConfig and passes it down.
 */
import { z } from 'zod';

export const DEFAULT_PORT = 4599;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_REGION = 'us-east-1';
export const DEFAULT_ACCOUNT_ID = '000000000000';

export const serverConfigSchema = z
  .strictObject({
    host: z.string().min(1).default(DEFAULT_HOST),
    port: z.number().int().min(0).max(65535).default(DEFAULT_PORT),
    dataDir: z.string().min(1).default('./data'),
    region: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'a region such as us-east-1')
      .default(DEFAULT_REGION),
    accountId: z
      .string()
      .regex(/^\d{12}$/, 'twelve digits')
      .default(DEFAULT_ACCOUNT_ID),
    /** Root credentials; generated and kept in the data dir when absent. */
    accessKeyId: z.string().min(16).max(128).optional(),
    secretAccessKey: z.string().min(16).max(128).optional(),
    /**
     * The local keyring's master key (base64 of 32 bytes), e.g. from LOGWARD_MASTER_KEY; when absent it is
     * kept in `<dataDir>/master.key` (mode 0600, generated on first start). It wraps the log groups' data
     * keys (encryption at rest) and the data keys that seal IAM users' secret access keys.
     */
    masterKey: z.string().min(1).optional(),
    /** The audit group `logward/audit` cannot be given a retention shorter than this (days). */
    auditMinRetentionDays: z.number().int().min(1).default(365),
    /**
     * Encryption at rest of log data (docs/encryption.md): on by default; off only to measure what it
     * costs (benchmarks). Decrypted segments are cached in memory up to plaintextCacheBytes, under
     * plaintextDir (default /dev/shm, a memory file system).
     */
    encryption: z.boolean().default(true),
    plaintextCacheBytes: z.number().int().min(0).default(2 * 1024 ** 3),
    plaintextDir: z.string().min(1).optional(),
    /**
     * AWS KMS for log groups given a KMS key (CreateLogGroup kmsKeyId, AssociateKmsKey): the endpoint
     * (default: AWS's for the region) and region (default: the server's). Credentials come from the AWS
     * SDK's default chain (AWS_ACCESS_KEY_ID..., profiles, instance roles).
     */
    kmsEndpoint: z.string().url().optional(),
    kmsRegion: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'a region such as us-east-1').optional(),
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Seal the active write-ahead log file once it holds this many bytes... */
    walSealBytes: z.number().int().min(1024).default(32 * 1024 * 1024),
    /** ...or once its oldest record is this old. */
    walSealAgeMs: z.number().int().min(100).default(5 * 60 * 1000),
    /** Ingest requests admitted at once (bytes of request bodies); past it, ThrottlingException. */
    maxInflightBytes: z.number().int().min(1024 * 1024).default(64 * 1024 * 1024),
    /** Events kept in memory before the sealer must catch up; past it, ThrottlingException. */
    maxHotBytes: z.number().int().min(1024 * 1024).default(192 * 1024 * 1024),
    /** DuckDB memory limit, e.g. "256MB". */
    duckdbMemoryLimit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i).default('256MB'),
    duckdbThreads: z.number().int().min(1).max(64).default(2),
    retentionSweepMs: z.number().int().min(100).default(60 * 1000),
    /**
     * Logs Insights (src/query/insights/manager.ts). Queries run at most this many at once; more wait,
     * Scheduled, in a queue of queryQueueLength, past which StartQuery is LimitExceededException.
     */
    queryConcurrency: z.number().int().min(1).max(64).default(4),
    queryQueueLength: z.number().int().min(0).max(10_000).default(100),
    /** A query running longer is stopped with status Timeout (AWS: 60 minutes). */
    queryTimeoutMs: z.number().int().min(1000).default(60 * 60 * 1000),
    /**
     * Results of finished queries are kept in memory for GetQueryResults, as AWS keeps them for 7 days,
     * but bounded: the oldest go first once more than queryResultsMaxQueries queries or
     * queryResultsMaxBytes of results (estimated) are kept. They do not survive a restart.
     */
    queryResultsRetentionMs: z.number().int().min(1000).default(7 * 24 * 60 * 60 * 1000),
    queryResultsMaxQueries: z.number().int().min(1).default(1000),
    queryResultsMaxBytes: z.number().int().min(1024 * 1024).default(64 * 1024 * 1024),
    /** Delivery retries: exponential backoff from base to max with full jitter, for budget (AWS: 24 hours), then the dead-letter group. */
    subscriptionRetryBaseMs: z.number().int().min(1).default(500),
    subscriptionRetryMaxMs: z.number().int().min(1).default(5 * 60 * 1000),
    subscriptionRetryBudgetMs: z.number().int().min(0).default(24 * 60 * 60 * 1000),
    /** Metric datapoints (src/metrics) older than this are dropped; CloudWatch-like default of 15 days. */
    metricsRetentionMs: z.number().int().min(60_000).default(15 * 24 * 60 * 60 * 1000),
    /** When set, `GET /metrics` requires `Authorization: Bearer <token>` (src/api/metrics-endpoint.ts). */
    metricsToken: z.string().min(16).max(512).optional(),
    /**
     * Loopback, link-local and private addresses that the server may send to: topics' webhooks
     * (src/notify/destinations.ts) and subscription targets (src/subscriptions/safety.ts). `true` allows
     * every such address; a list of CIDRs allows those ranges only (subscriptions; topics, which do not
     * know ranges, treat a non-empty list as `true`). Plain http to a subscription target only there too.
     */
    /**
     * Where e-mail notifications go (src/notify/email.ts): `smtp://user:pass@host:587` (STARTTLS required)
     * or `smtps://user:pass@host:465`; the server's certificate is checked against smtpCaFile (PEM) when
     * given, else the system's CAs. smtpFrom is the From address (default logward@<smtp host>).
     */
    smtpUrl: z.string().regex(/^smtps?:\/\/[^\s]+$/, 'an smtp:// or smtps:// URL').optional(),
    smtpCaFile: z.string().min(1).optional(),
    smtpFrom: z.string().min(3).max(320).optional(),
    /** Syslog listeners (src/ingest/syslog.ts): TCP and UDP ports (0: a free one; unset: none) and their log group. */
    syslogTcpPort: z.number().int().min(0).max(65535).optional(),
    syslogUdpPort: z.number().int().min(0).max(65535).optional(),
    syslogLogGroup: z.string().min(1).max(512).regex(/^[\.\-_/#A-Za-z0-9]+$/, 'a log group name').default('syslog'),
    allowPrivateDestinations: z.union([z.boolean(), z.array(z.string().regex(/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/, 'a CIDR such as 10.0.0.0/8'))]).default(false),
  });

/** The ranges subscription targets may reach although not public (every one for `true`). */
export function privateRanges(allow: ServerConfig['allowPrivateDestinations']): string[] {
  return allow === true ? ['0.0.0.0/0', '::/0'] : allow === false ? [] : allow;
}

/** Whether any non-public destination is allowed (what topics' webhooks ask). */
export const allowsPrivate = (allow: ServerConfig['allowPrivateDestinations']): boolean => (Array.isArray(allow) ? allow.length > 0 : allow);

export type ServerConfigInput = z.input<typeof serverConfigSchema>;
export type ServerConfig = z.output<typeof serverConfigSchema>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function parseServerConfig(input: unknown): ServerConfig {
  const parsed = serverConfigSchema.safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration: ${detail}`, { cause: parsed.error });
  }
  const cfg = parsed.data;
  if ((cfg.accessKeyId === undefined) !== (cfg.secretAccessKey === undefined)) {
    throw new ConfigError('invalid configuration: set both the access key id and the secret access key, or neither');
  }
  return cfg;
}
