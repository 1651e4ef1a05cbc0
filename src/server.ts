/**
 * Starts a Logward server from a parsed configuration: credentials, the store, the HTTP front.
 * The CLI's `serve` command is its only production caller; tests start it through that command too.
 */
import { pino } from 'pino';
import { CredentialStore, loadRootCredentials, type Credentials } from './api/auth/credentials.js';
import { buildHttp } from './api/http.js';
import { OPERATIONS } from './api/model/generated/logs-shapes.js';
import { systemClock, type Clock } from './clock.js';
import type { ServerConfig } from './config.js';
import { LogStore } from './store/store.js';
import { QueryManager } from './query/insights/manager.js';
import { getLogRecord, runInsightsQuery } from './query/insights/engine.js';
import { SubscriptionCatalog } from './store/subscriptions.js';
import { SubscriptionEngine } from './subscriptions/engine.js';
import { AddressPolicy } from './subscriptions/safety.js';

export interface RunningServer {
  url: string;
  port: number;
  credentials: Credentials;
  generatedCredentials: boolean;
  /** Stops accepting requests, seals every event to disk and closes the database. */
  close(): Promise<void>;
}

export async function startServer(config: ServerConfig, opts: { clock?: Clock } = {}): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  // Logs go to stderr, as JSON lines; stdout is for what the user asked for.
  const logger = pino({ level: config.logLevel, redact: ['secretAccessKey', '*.secretAccessKey', 'headers.authorization'] }, pino.destination(2));
  const configured =
    config.accessKeyId !== undefined && config.secretAccessKey !== undefined
      ? { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey }
      : undefined;
  const { credentials, generated } = loadRootCredentials(config.dataDir, configured);
  const store = await LogStore.open({
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
  const subsCatalog = new SubscriptionCatalog(store.db);
  await subsCatalog.load();
  const subscriptions = new SubscriptionEngine({
    store,
    subs: subsCatalog,
    clock,
    logger,
    accountId: config.accountId,
    policy: new AddressPolicy(config.allowPrivateDestinations),
    retry: { baseMs: config.subscriptionRetryBaseMs, maxMs: config.subscriptionRetryMaxMs, budgetMs: config.subscriptionRetryBudgetMs },
  });
  await subscriptions.start();
  const app = buildHttp({
    store,
    subscriptions,
    insights: { queries, getLogRecord: (ptr) => getLogRecord(store, ptr, config.accountId) },
    credentials: new CredentialStore(credentials),
    region: config.region,
    accountId: config.accountId,
    clock,
    logger,
    maxInflightBytes: config.maxInflightBytes,
    modelOperations: new Set(Object.keys(OPERATIONS)),
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await queries.close();
    await subscriptions.close();
    await store.close();
    throw e;
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
    close: () =>
      (closing ??= (async () => {
        await app.close();
        // Running queries read the store: they stop before it closes.
        await queries.close();
        // Consumers stop at their last acknowledged batch; the next start resumes from there.
        await subscriptions.close();
        await store.close();
        logger.info('logward stopped');
        logger.flush();
      })()),
  };
}
