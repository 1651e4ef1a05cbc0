/**
 * `logward serve`: runs the server until SIGTERM or SIGINT. The one line `Logward listening on <url>` on
 * stdout is a contract: scripts and tests wait for it and read the URL (the real port with --port 0).
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { ConfigError, parseServerConfig, type ServerConfigInput } from '../../config.js';
import { CREDENTIALS_FILE } from '../../api/auth/credentials.js';
import { SERVER_DEFAULTS, credentialsFromEnv } from '../client.js';
import { parseDuration } from '../duration.js';
import type { CliContext } from '../context.js';
import type { CommandSpec } from '../program.js';
import { MASTER_KEY_ENV } from '../../kms/local-keyring.js';

interface ServeOptions {
  host?: string;
  port?: string;
  dataDir?: string;
  region?: string;
  accountId?: string;
  logLevel?: string;
  queryConcurrency?: string;
  queryTimeout?: string;
  queryResultsRetention?: string;
  subscriptionRetryFor?: string;
  auditMinRetentionDays?: string;
  metricsRetention?: string;
  syslogTcpPort?: string;
  syslogUdpPort?: string;
  syslogLogGroup?: string;
  /** true without a value (every non-public address), else a comma-separated list of CIDRs. */
  allowPrivateDestinations?: boolean | string;
  /** false with --no-encryption. */
  encryption?: boolean;
  plaintextCacheMb?: string;
  kmsEndpointUrl?: string;
  kmsRegion?: string;
  smtpUrl?: string;
  smtpCaFile?: string;
  smtpFrom?: string;
}

export const serveCommand: CommandSpec = {
  build: (ctx) =>
    new Command('serve')
      .summary('run the server')
      .description('Run the Logward server.')
      .option('--host <host>', `the address to listen on (default: ${SERVER_DEFAULTS.host})`)
      .option('--port <port>', `the port to listen on; 0 picks a free one (default: ${SERVER_DEFAULTS.port})`)
      .option('--data-dir <dir>', `where the data and the generated ${CREDENTIALS_FILE} are kept (default: ${SERVER_DEFAULTS.dataDir})`)
      .option('--region <region>', `the region the server answers for (default: ${SERVER_DEFAULTS.region})`)
      .option('--account-id <id>', `the twelve-digit account id in ARNs (default: ${SERVER_DEFAULTS.accountId})`)
      .option('--log-level <level>', `fatal, error, warn, info, debug, trace or silent (default: ${SERVER_DEFAULTS.logLevel})`)
      .option('--query-concurrency <n>', `Logs Insights queries that run at once; more wait (default: ${SERVER_DEFAULTS.queryConcurrency})`)
      .option('--query-timeout <duration>', 'a Logs Insights query running longer ends with status Timeout (default: 1h, as AWS)')
      .option('--query-results-retention <duration>', 'how long the results of a finished query are kept, in memory and bounded (default: 7d, as AWS)')
      .option('--subscription-retry-for <duration>', 'how long a subscription retries a batch before it goes to the dead-letter log group (default: 24h, as AWS)')
      .option('--audit-min-retention-days <n>', `the shortest retention the audit group logward/audit may be given (default: ${SERVER_DEFAULTS.auditMinRetentionDays})`)
      .option('--metrics-retention <duration>', 'how long metric datapoints are kept (default: 15d)')
      .option('--no-encryption', 'store log data in plaintext (only to measure what encryption at rest costs; see docs/encryption.md)')
      .option('--plaintext-cache-mb <n>', 'memory for decrypted segments that queries read (default: 2048)')
      .option('--kms-endpoint-url <url>', 'the AWS KMS endpoint for log groups given a KMS key (default: AWS for the region)')
      .option('--kms-region <region>', 'the region of that AWS KMS (default: --region)')
      .option('--syslog-tcp-port <port>', 'receive syslog over TCP (octet counting or newline framing) on this port; 0 picks a free one')
      .option('--syslog-udp-port <port>', 'receive syslog over UDP on this port; 0 picks a free one')
      .option('--syslog-log-group <name>', 'the log group syslog messages go to, one stream per host (default: syslog)')
      .option('--allow-private-destinations [cidr,...]', 'let topics\' webhooks and subscription targets reach loopback, link-local and private addresses (only these ranges when given; subscription targets may use plain http there)')
      .option('--smtp-url <url>', 'the SMTP server for e-mail notifications: smtp://user:pass@host:587 (STARTTLS required) or smtps://user:pass@host:465 (or LOGWARD_SMTP_URL, which keeps the password out of the process list)')
      .option('--smtp-ca-file <file>', 'PEM certificates to trust for the SMTP server (a private CA); default: the system\'s CAs')
      .option('--smtp-from <address>', 'the From address of notification mails (default: logward@<smtp host>)')
      .addHelpText(
        'after',
        `
The root credentials are LOGWARD_ACCESS_KEY_ID and LOGWARD_SECRET_ACCESS_KEY when both are set;
otherwise they are generated on the first start, printed once, and kept in <data-dir>/${CREDENTIALS_FILE}.
LOGWARD_MASTER_KEY (base64 of 32 bytes) is the master key that wraps the log groups' data keys (events
are stored encrypted) and seals IAM users' secret keys; without it, one is generated and kept in
<data-dir>/master.key. AWS KMS (--kms-endpoint-url) takes its credentials from the AWS SDK's chain.
LOGWARD_SMTP_URL is the SMTP server's URL when --smtp-url is not given.
With LOGWARD_METRICS_TOKEN set (16 characters or more), GET /metrics requires \`Authorization: Bearer <token>\`.

Examples:
  logward serve
  logward serve --host 0.0.0.0 --port 4599 --data-dir /var/lib/logward`,
      )
      .action(async (opts: ServeOptions) => serve(ctx, opts)),
};

async function serve(ctx: CliContext, opts: ServeOptions): Promise<void> {
  const config = parseServerConfig(configInput(opts, ctx.env));
  // Taken before starting, so that a signal during start-up still closes what was started.
  const stop = ctx.interruptSignal();
  // Loaded here, not at the top: the client commands need not load the server and its store.
  // The server runs in a worker thread, for a capped heap (see server-worker.ts).
  const { startServerInWorker } = await import('../../server-worker.js');
  // Logs are personal data: everything the server writes is readable by its owner only.
  process.umask(0o077);
  const server = await startServerInWorker(config);
  ctx.stdout.write(`Logward listening on ${server.url}\n`);
  if (server.generatedCredentials) {
    const { accessKeyId, secretAccessKey } = server.credentials;
    ctx.stdout.write(
      [
        '',
        `New root credentials were generated and kept in ${join(config.dataDir, CREDENTIALS_FILE)}:`,
        `  access key id:     ${accessKeyId}`,
        `  secret access key: ${secretAccessKey}`,
        'Client commands on this machine read them from there; elsewhere, set LOGWARD_ACCESS_KEY_ID and LOGWARD_SECRET_ACCESS_KEY.',
        '',
        '',
      ].join('\n'),
    );
  }
  if (!stop.aborted) await new Promise((resolve) => stop.addEventListener('abort', resolve, { once: true }));
  // A second signal from here on exits 1 at once (see CliContext.interruptSignal).
  await server.close();
}

/** The options that were given, and the root credentials from the environment; the schema fills in the rest. */
function configInput(opts: ServeOptions, env: CliContext['env']): ServerConfigInput {
  const input: ServerConfigInput = {
    host: opts.host,
    port: opts.port === undefined ? undefined : parsePort(opts.port),
    dataDir: opts.dataDir,
    region: opts.region,
    accountId: opts.accountId,
    logLevel: opts.logLevel as ServerConfigInput['logLevel'],
    queryConcurrency: opts.queryConcurrency === undefined ? undefined : parseCount('query concurrency', opts.queryConcurrency),
    queryTimeoutMs: opts.queryTimeout === undefined ? undefined : parseDuration(opts.queryTimeout),
    queryResultsRetentionMs: opts.queryResultsRetention === undefined ? undefined : parseDuration(opts.queryResultsRetention),
    subscriptionRetryBudgetMs: opts.subscriptionRetryFor === undefined ? undefined : parseDuration(opts.subscriptionRetryFor),
    auditMinRetentionDays: opts.auditMinRetentionDays === undefined ? undefined : parseCount('audit minimum retention', opts.auditMinRetentionDays),
    metricsRetentionMs: opts.metricsRetention === undefined ? undefined : parseDuration(opts.metricsRetention),
    encryption: opts.encryption,
    plaintextCacheBytes: opts.plaintextCacheMb === undefined ? undefined : parseCount('plaintext cache', opts.plaintextCacheMb) * 1024 * 1024,
    kmsEndpoint: opts.kmsEndpointUrl,
    kmsRegion: opts.kmsRegion,
    syslogTcpPort: opts.syslogTcpPort === undefined ? undefined : parsePort(opts.syslogTcpPort),
    syslogUdpPort: opts.syslogUdpPort === undefined ? undefined : parsePort(opts.syslogUdpPort),
    syslogLogGroup: opts.syslogLogGroup,
    allowPrivateDestinations:
      typeof opts.allowPrivateDestinations === 'string'
        ? opts.allowPrivateDestinations.split(',').map((c) => c.trim()).filter((c) => c !== '')
        : opts.allowPrivateDestinations,
    smtpUrl: opts.smtpUrl ?? (env.LOGWARD_SMTP_URL !== undefined && env.LOGWARD_SMTP_URL !== '' ? env.LOGWARD_SMTP_URL : undefined),
    smtpCaFile: opts.smtpCaFile,
    smtpFrom: opts.smtpFrom,
  };
  const masterKey = env[MASTER_KEY_ENV];
  const metricsToken = env.LOGWARD_METRICS_TOKEN;
  return {
    ...input,
    ...credentialsFromEnv(env),
    ...(masterKey !== undefined && masterKey !== '' ? { masterKey } : {}),
    ...(metricsToken !== undefined && metricsToken !== '' ? { metricsToken } : {}),
  };
}

function parseCount(what: string, text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new ConfigError(`invalid configuration: ${what}: expected a whole number, not '${text}'`);
  return Number(text);
}

function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) {
    throw new ConfigError(`invalid configuration: port: expected a whole number from 0 to 65535, not '${text}'`);
  }
  return port;
}
