/**
 * Fail closed: when the audit record of a call cannot be made durable, the call is not acknowledged
 * (ServiceUnavailableException) and every later call is refused before it runs. Real store, trail and
 * HTTP front; the fault is a write-ahead log that stops accepting records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseServerConfig } from '../../config.js';
import { systemClock } from '../../clock.js';
import { LogStore, StoreUnavailableError } from '../../store/store.js';
import { QueryManager } from '../../query/insights/manager.js';
import { getLogRecord, runInsightsQuery } from '../../query/insights/engine.js';
import { OPERATIONS } from '../model/generated/logs-shapes.js';
import { CredentialStore } from '../auth/credentials.js';
import { NodeSha256, TEST_KEY } from '../auth/testing.js';
import { UserStore } from '../../iam/user-store.js';
import { AccessControl } from '../access.js';
import { buildHttp } from '../http.js';
import { AuditTrail } from './trail.js';
import { AuditGuard } from './guard.js';

test('an audit record that cannot be written: the call answers ServiceUnavailableException, later calls are refused unrun', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-failclosed-'));
  const config = parseServerConfig({ dataDir, logLevel: 'silent' });
  const logger = pino({ level: 'silent' });
  const store = await LogStore.open({ ...config, clock: systemClock, logger });
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
  try {
    const audit = await AuditTrail.open(store, systemClock, logger);
    const users = await UserStore.open(join(dataDir, 'iam'), { seal: async (p) => p, open: async (s) => s }, systemClock);
    const credentials = new CredentialStore(TEST_KEY, users);
    const access = new AccessControl(credentials, users, config.accountId);
    const app = buildHttp({
      store,
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
    });
    const signer = new SignatureV4({ service: 'logs', region: config.region, credentials: TEST_KEY, sha256: NodeSha256 });
    const call = async (op: string, input: unknown): Promise<{ status: number; body: { __type?: string } }> => {
      const body = JSON.stringify(input);
      const headers = { host: 'localhost', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `Logs_20140328.${op}` };
      const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: 'localhost', path: '/', headers, body });
      const res = await app.inject({ method: 'POST', url: '/', headers: signed.headers as Record<string, string>, payload: body });
      return { status: res.statusCode, body: JSON.parse(res.body || '{}') as { __type?: string } };
    };

    assert.equal((await call('CreateLogGroup', { logGroupName: 'before' })).status, 200);
    // From now on the write-ahead log refuses records, as a full or failing disk would.
    store.append = () => Promise.reject(new StoreUnavailableError('the write-ahead log could not be written'));

    const lost = await call('CreateLogGroup', { logGroupName: 'during' });
    assert.deepEqual([lost.status, lost.body.__type], [503, 'ServiceUnavailableException']);
    assert.notEqual(audit.failed, undefined);

    const refused = await call('CreateLogGroup', { logGroupName: 'after' });
    assert.deepEqual([refused.status, refused.body.__type], [503, 'ServiceUnavailableException']);
    assert.equal(store.catalog.groups.has('after'), false, 'a refused call did not run');
    assert.equal(store.catalog.groups.has('before'), true);
    // The health check stays up: it is not an API call and reads nothing.
    assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    await app.close();
  } finally {
    await queries.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
