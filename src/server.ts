/**
 * Starts a Logward server from a parsed configuration: credentials, the store, the HTTP front.
 * The CLI's `serve` command is its only production caller; tests start it through that command too.
 */
import { pino, type Logger } from 'pino';
import { CredentialStore, loadRootCredentials, type Credentials } from './api/auth/credentials.js';
import { buildHttp, type HttpDeps } from './api/http.js';
import { OPERATIONS } from './api/model/generated/logs-shapes.js';
import { systemClock, type Clock } from './clock.js';
import { allowsPrivate, ConfigError, privateRanges, type ServerConfig } from './config.js';
import { readFileSync } from 'node:fs';
import type { SmtpSettings } from './notify/email.js';
import { LogStore } from './store/store.js';
import { QueryManager } from './query/insights/manager.js';
import { getLogRecord, runInsightsQuery } from './query/insights/engine.js';
import { SubscriptionCatalog } from './store/subscriptions.js';
import { SubscriptionEngine } from './subscriptions/engine.js';
import { AddressPolicy } from './subscriptions/safety.js';
import { subscriptionFamilies } from './subscriptions/prometheus.js';
import { SyslogInput } from './ingest/syslog.js';
import { SourceManager } from './sources/manager.js';
import { privatePaths } from './store/private-paths.js';
import type { Family } from './metrics/prometheus.js';
import { join } from 'node:path';
import { KeyService } from './kms/key-service.js';
import { LocalKeyring, MASTER_KEY_ENV } from './kms/local-keyring.js';
import { KeyProviders } from './kms/providers.js';
import type { EncryptionOptions } from './store/at-rest.js';
import { context as aadOf } from './kms/envelope.js';
import { UserStore } from './iam/user-store.js';
import { AccessControl } from './api/access.js';
import { AuditTrail } from './api/audit/trail.js';
import { AuditGuard } from './api/audit/guard.js';
import { MetricsSubsystem } from './metrics/subsystem.js';
import type { AlarmNotifier } from './metrics/alarms/notifier.js';

/** Where a data dir keeps its local master key when none is configured. */
export const MASTER_KEY_FILE = 'master.key';
/** The IAM user store and its own key store (kept apart from the log groups' keys). */
export const IAM_DIR = 'iam';
const IAM_KEY_GROUP = 'logward:iam';

/** The log groups' data keys (under `<dataDir>/keys`), apart from the IAM user store's. */
export const STORE_KEYS_DIR = 'keys';

/**
 * The store's encryption at rest: per-group data keys wrapped by the local master key, or by the AWS
 * KMS key a group was given. null when the configuration turns encryption off.
 */
export function storeEncryption(
  config: Pick<ServerConfig, 'dataDir' | 'encryption' | 'plaintextCacheBytes' | 'plaintextDir' | 'kmsEndpoint' | 'kmsRegion' | 'region'>,
  keyring: LocalKeyring,
  clock: Clock,
): { encryption: EncryptionOptions | null; close(): void } {
  if (!config.encryption) return { encryption: null, close: () => {} };
  const providers = new KeyProviders(keyring, {
    region: config.kmsRegion ?? config.region,
    ...(config.kmsEndpoint !== undefined ? { endpoint: config.kmsEndpoint } : {}),
  });
  const keys = KeyService.open({ dataDir: join(config.dataDir, STORE_KEYS_DIR), provider: providers, clock });
  return {
    encryption: { keys, cacheBytes: config.plaintextCacheBytes, ...(config.plaintextDir !== undefined ? { plaintextRoot: config.plaintextDir } : {}) },
    close: () => {
      keys.close();
      providers.close();
    },
  };
}

/** What the HTTP front needs of the metrics subsystem: filters, CloudWatch, /metrics (with subscription delivery), topics. */
export function metricsHttpDeps(
  metrics: MetricsSubsystem,
  config: Pick<ServerConfig, 'region' | 'accountId' | 'metricsToken' | 'allowPrivateDestinations'>,
  clock: Clock,
  logger: Logger,
  /** Families of other subsystems for /metrics (subscription delivery, syslog input). */
  extra: () => Family[],
): Pick<HttpDeps, 'metricFilters' | 'monitoring' | 'metricsEndpoint' | 'topics'> {
  return {
    metricFilters: metrics.filters,
    monitoring: { metrics: metrics.store, alarms: metrics.alarms, region: config.region, accountId: config.accountId, clock, logger },
    metricsEndpoint: { bearerToken: config.metricsToken, render: () => metrics.exposition(extra()) },
    topics: { topics: metrics.topics, allowPrivateDestinations: allowsPrivate(config.allowPrivateDestinations), emailEnabled: metrics.emailEnabled, clock },
  };
}

/** The SMTP settings of the configuration; the CA file is read once, here. */
function smtpSettings(config: ServerConfig): SmtpSettings {
  let ca: string | undefined;
  if (config.smtpCaFile !== undefined) {
    try {
      ca = readFileSync(config.smtpCaFile, 'utf8');
    } catch (e) {
      throw new ConfigError(`invalid configuration: smtpCaFile: cannot read ${config.smtpCaFile}: ${(e as Error).message}`, { cause: e });
    }
  }
  return { url: config.smtpUrl!, ...(ca !== undefined ? { ca } : {}), ...(config.smtpFrom !== undefined ? { from: config.smtpFrom } : {}) };
}

export interface RunningServer {
  url: string;
  port: number;
  credentials: Credentials;
  generatedCredentials: boolean;
  /** Stops accepting requests, seals every event to disk and closes the database. */
  close(): Promise<void>;
}

/** A server started in this process: tests reach its metrics subsystem (alarm evaluation, notifier). */
export interface InProcessServer extends RunningServer {
  metrics: MetricsSubsystem;
}

export async function startServer(config: ServerConfig, opts: { clock?: Clock; notifier?: AlarmNotifier; earlyAlarmTimer?: boolean; alarmTimer?: boolean } = {}): Promise<InProcessServer> {
  const clock = opts.clock ?? systemClock;
  // Logs go to stderr, as JSON lines; stdout is for what the user asked for.
  const logger = pino({ level: config.logLevel, redact: ['secretAccessKey', '*.secretAccessKey', 'headers.authorization'] }, pino.destination(2));
  const configured =
    config.accessKeyId !== undefined && config.secretAccessKey !== undefined
      ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
      : undefined;
  const { credentials, generated } = loadRootCredentials(config.dataDir, configured);
  const keyring = LocalKeyring.load(
    config.masterKey !== undefined ? { secret: config.masterKey, label: MASTER_KEY_ENV } : { file: join(config.dataDir, MASTER_KEY_FILE) },
  );
  const iamKeys = KeyService.open({ dataDir: join(config.dataDir, IAM_DIR), provider: keyring, clock });
  // Each secret is bound to its access key id: a sealed secret moved to another key does not open.
  const users = await UserStore.open(
    join(config.dataDir, IAM_DIR),
    {
      seal: (plaintext, id) => iamKeys.seal(IAM_KEY_GROUP, plaintext, aadOf('iam-access-key', id)),
      open: (sealed, id) => iamKeys.open(IAM_KEY_GROUP, sealed, aadOf('iam-access-key', id)),
    },
    clock,
  );
  const credentialStore = new CredentialStore(credentials, users);
  const access = new AccessControl(credentialStore, users, config.accountId);
  const storeKeys = storeEncryption(config, keyring, clock);
  const store = await LogStore.open({
    encryption: storeKeys.encryption,
    dataDir: config.dataDir,
    clock,
    logger,
    walSealBytes: config.walSealBytes,
    walSealAgeMs: config.walSealAgeMs,
    maxHotBytes: config.maxHotBytes,
    duckdbMemoryLimit: config.duckdbMemoryLimit,
    duckdbThreads: config.duckdbThreads,
    retentionSweepMs: config.retentionSweepMs,
  });
  let audit: AuditTrail;
  try {
    audit = await AuditTrail.open(store, clock, logger);
  } catch (e) {
    await store.close();
    throw e;
  }
  const metrics = await MetricsSubsystem.open(store, {
    dataDir: config.dataDir,
    clock,
    logger,
    region: config.region,
    accountId: config.accountId,
    retentionMs: config.metricsRetentionMs,
    allowPrivateDestinations: allowsPrivate(config.allowPrivateDestinations),
    ...(config.smtpUrl !== undefined ? { smtp: smtpSettings(config) } : {}),
    ...(opts.notifier !== undefined ? { notifier: opts.notifier } : {}),
    ...(opts.earlyAlarmTimer !== undefined ? { earlyAlarmTimer: opts.earlyAlarmTimer } : {}),
    ...(opts.alarmTimer !== undefined ? { alarmTimer: opts.alarmTimer } : {}),
  });
  const queries = new QueryManager({
    runner: (run) => runInsightsQuery(store, run),
    clock,
    logger,
    concurrency: config.queryConcurrency,
    queueLength: config.queryQueueLength,
    timeoutMs: config.queryTimeoutMs,
    retentionMs: config.queryResultsRetentionMs,
    maxRetainedQueries: config.queryResultsMaxQueries,
    maxRetainedBytes: config.queryResultsMaxBytes,
  });
  // Subscriptions start after the WAL replay (every stored event is visible) and before ingest opens.
  // Where the server may connect on a caller's behalf: subscription targets and S3 sources' endpoints.
  const addressPolicy = new AddressPolicy(privateRanges(config.allowPrivateDestinations));
  const subsCatalog = new SubscriptionCatalog(store.db);
  await subsCatalog.load();
  const subscriptions = new SubscriptionEngine({
    store,
    subs: subsCatalog,
    clock,
    logger,
    accountId: config.accountId,
    policy: addressPolicy,
    retry: { baseMs: config.subscriptionRetryBaseMs, maxMs: config.subscriptionRetryMaxMs, budgetMs: config.subscriptionRetryBudgetMs },
  });
  await subscriptions.start();
  // Sources write like ingest does: after the replay, with metric filters and subscriptions listening.
  const sources = await SourceManager.open({ store, clock, logger, dataDir: config.dataDir, privatePaths: privatePaths(store.atRest), policy: addressPolicy });
  let syslog: SyslogInput | undefined;
  const app = buildHttp({
    store,
    subscriptions,
    insights: { queries, getLogRecord: (ptr) => getLogRecord(store, ptr, config.accountId) },
    credentials: credentialStore,
    region: config.region,
    accountId: config.accountId,
    clock,
    logger,
    maxInflightBytes: config.maxInflightBytes,
    modelOperations: new Set(Object.keys(OPERATIONS)),
    access,
    users,
    audit,
    auditGuard: new AuditGuard({ access, region: config.region, minRetentionDays: config.auditMinRetentionDays }),
    sources,
    ...metricsHttpDeps(metrics, config, clock, logger, () => [...subscriptionFamilies(subscriptions.stats()), ...(syslog?.families() ?? []), ...sources.families()]),
  });
  try {
    await app.listen({ host: config.host, port: config.port });
    if (config.syslogTcpPort !== undefined || config.syslogUdpPort !== undefined) {
      syslog = await SyslogInput.start({ store, clock, logger, host: config.host, tcpPort: config.syslogTcpPort, udpPort: config.syslogUdpPort, logGroup: config.syslogLogGroup });
      logger.info({ tcpPort: syslog.tcpPort, udpPort: syslog.udpPort, logGroup: config.syslogLogGroup }, 'syslog listening');
    }
  } catch (e) {
    await app.close();
    await sources.close();
    await queries.close();
    await subscriptions.close();
    await metrics.close();
    await store.close();
    throw e;
  }
  if (config.metricsToken === undefined && !/^(127\.|::1$|localhost$)/.test(config.host)) {
    logger.warn({ host: config.host }, 'GET /metrics is open to anyone who can reach this address: set LOGWARD_METRICS_TOKEN to require a bearer token');
  }
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  logger.info({ host: config.host, port, dataDir: config.dataDir, region: config.region }, 'logward started');
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    credentials,
    generatedCredentials: generated,
    metrics,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        // Syslog stops listening and writes what it received before the store closes.
        await syslog?.close();
        await sources.close();
        // Running queries read the store: they stop before it closes.
        await queries.close();
        // Consumers stop at their last acknowledged batch; the next start resumes from there.
        await subscriptions.close();
        // After the HTTP front: no more writes; before the log store: ingest no longer calls the filters.
        await metrics.close();
        await store.close();
        storeKeys.close();
        iamKeys.close();
        logger.info('logward stopped');
        logger.flush();
      })()),
  };
}
