/**
 * Test support: the real HTTP front over a real store, audit trail and user store in a temporary data
 * dir, driven in-process with fastify's inject() and requests signed by the SDK's own signer. For tests
 * that need to reach inside (inject a fault, look at the catalog) or run many requests quickly.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { SignatureV4 } from '@smithy/signature-v4';
import { allowsPrivate, parseServerConfig } from '../config.js';
import { systemClock } from '../clock.js';
import { LogStore } from '../store/store.js';
import { QueryManager } from '../query/insights/manager.js';
import { getLogRecord, runInsightsQuery } from '../query/insights/engine.js';
import { OPERATIONS } from './model/generated/logs-shapes.js';
import { CredentialStore, type Credentials } from './auth/credentials.js';
import { NodeSha256 } from './auth/node-sha256.js';
import { TEST_KEY } from './auth/testing.js';
import { UserStore } from '../iam/user-store.js';
import { AccessControl } from './access.js';
import { buildHttp, TOPICS_TARGET_PREFIX } from './http.js';
import { AuditTrail } from './audit/trail.js';
import { AuditGuard } from './audit/guard.js';
import { MetricsSubsystem } from '../metrics/subsystem.js';
import { SubscriptionCatalog } from '../store/subscriptions.js';
import { SubscriptionEngine } from '../subscriptions/engine.js';
import { AddressPolicy } from '../subscriptions/safety.js';
import { MASTER_KEY_FILE, metricsHttpDeps, storeEncryption } from '../server.js';
import { LocalKeyring } from '../kms/local-keyring.js';
import { subscriptionFamilies } from '../subscriptions/prometheus.js';

export interface TestApp {
  app: FastifyInstance;
  store: LogStore;
  audit: AuditTrail;
  users: UserStore;
  subscriptions: SubscriptionEngine;
  /** A CloudWatch Logs call signed with `creds` (default: the root key, TEST_KEY). */
  logs(op: string, input: unknown, creds?: Credentials): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A CloudWatch (metrics and alarms) call signed with `creds` (default: the root key). */
  monitoring(op: string, input: unknown, creds?: Credentials): Promise<{ status: number; body: Record<string, unknown>; queryError: string | undefined }>;
  /** A topics call (SNS's operation names, signed for `sns`) with `creds` (default: the root key). */
  topics(op: string, input: unknown, creds?: Credentials): Promise<{ status: number; body: Record<string, unknown> }>;
  /** An IAM Query call (form parameters, Version added unless given), signed for `iam`. */
  iam(params: Record<string, string>, creds?: Credentials): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function openTestApp(): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-app-'));
  const config = parseServerConfig({ dataDir, logLevel: 'silent' });
  const logger = pino({ level: 'silent' });
  const storeKeys = storeEncryption(config, LocalKeyring.load({ file: join(dataDir, MASTER_KEY_FILE) }), systemClock);
  const store = await LogStore.open({ ...config, clock: systemClock, logger, encryption: storeKeys.encryption });
  const queries = new QueryManager({
    runner: (r) => runInsightsQuery(store, r),
    clock: systemClock,
    logger,
    concurrency: 1,
    queueLength: 1,
    timeoutMs: 60_000,
    retentionMs: 60_000,
    maxRetainedQueries: 10,
    maxRetainedBytes: 1024 * 1024,
  });
  const audit = await AuditTrail.open(store, systemClock, logger);
  const metrics = await MetricsSubsystem.open(store, {
    dataDir,
    clock: systemClock,
    logger,
    region: config.region,
    accountId: config.accountId,
    retentionMs: config.metricsRetentionMs,
    allowPrivateDestinations: allowsPrivate(config.allowPrivateDestinations),
  });
  // The user store's own sealing is tested beside it; here secrets pass through unchanged.
  const users = await UserStore.open(join(dataDir, 'iam'), { seal: async (p) => p, open: async (s) => s }, systemClock);
  const credentials = new CredentialStore(TEST_KEY, users);
  const access = new AccessControl(credentials, users, config.accountId);
  const subsCatalog = new SubscriptionCatalog(store.db);
  await subsCatalog.load();
  const subscriptions = new SubscriptionEngine({ store, subs: subsCatalog, clock: systemClock, logger, accountId: config.accountId, policy: new AddressPolicy(), retry: { baseMs: 100, maxMs: 1000, budgetMs: 60_000 } });
  await subscriptions.start();
  const app = buildHttp({
    store,
    subscriptions,
    insights: { queries, getLogRecord: (ptr) => getLogRecord(store, ptr) },
    credentials,
    region: config.region,
    accountId: config.accountId,
    clock: systemClock,
    logger,
    maxInflightBytes: config.maxInflightBytes,
    modelOperations: new Set(Object.keys(OPERATIONS)),
    access,
    users,
    audit,
    auditGuard: new AuditGuard({ access, region: config.region, minRetentionDays: 365 }),
    ...metricsHttpDeps(metrics, config, systemClock, logger, () => subscriptionFamilies(subscriptions.stats())),
  });
  const send = async (service: string, creds: Credentials, headers: Record<string, string>, body: string) => {
    const signer = new SignatureV4({ service, region: config.region, credentials: creds, sha256: NodeSha256 });
    const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: 'localhost', path: '/', headers: { host: 'localhost', ...headers }, body });
    return app.inject({ method: 'POST', url: '/', headers: signed.headers as Record<string, string>, payload: body });
  };
  return {
    app,
    store,
    audit,
    users,
    subscriptions,
    async logs(op, input, creds = TEST_KEY) {
      const res = await send('logs', creds, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${op}` }, JSON.stringify(input));
      return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Record<string, unknown> };
    },
    async monitoring(op, input, creds = TEST_KEY) {
      const res = await send('monitoring', creds, { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `GraniteServiceVersion20100801.${op}` }, JSON.stringify(input));
      const queryError = res.headers['x-amzn-query-error'];
      return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Record<string, unknown>, queryError: typeof queryError === 'string' ? queryError : undefined };
    },
    async topics(op, input, creds = TEST_KEY) {
      const res = await send('sns', creds, { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TOPICS_TARGET_PREFIX}${op}` }, JSON.stringify(input));
      return { status: res.statusCode, body: JSON.parse(res.body || '{}') as Record<string, unknown> };
    },
    async iam(params, creds = TEST_KEY) {
      const form = new URLSearchParams({ Version: '2010-05-08', ...params }).toString();
      const res = await send('iam', creds, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, form);
      return { status: res.statusCode, body: res.body };
    },
    async close() {
      await app.close();
      await subscriptions.close();
      await queries.close();
      await metrics.close();
      await store.close();
      storeKeys.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
