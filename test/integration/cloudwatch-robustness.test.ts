/**
 * The CloudWatch API under arbitrary input: bodies of any JSON, metric math of any tokens, values of any
 * size, periods and ranges of any length. Every answer is a 2xx or an AWS-shaped 4xx, never a 5xx, and
 * the server stays up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseServerConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { signedRequest } from '../helpers/raw.js';

const CREDS = { accessKeyId: 'LKIACWROBUSTNESS0001', secretAccessKey: 'cw-robustness-secret-cw-robustness-0001' };
async function call(url: string, op: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const r = await signedRequest(
    { url, credentials: CREDS },
    { service: 'monitoring', rawTarget: `GraniteServiceVersion20100801.${op}`, contentType: 'application/x-amz-json-1.0', body: JSON.stringify(body) },
  );
  return { status: r.status, json: (r.json ?? {}) as Record<string, unknown> };
}

async function withServer(fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-cw-robust-'));
  const server = await startServer(parseServerConfig({ port: 0, dataDir, logLevel: 'silent', ...CREDS }));
  try {
    await fn(server);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const no5xx = (what: string, r: { status: number; json: Record<string, unknown> }): void => {
  assert.ok(r.status < 500, `${what} -> ${r.status} ${JSON.stringify(r.json)}`);
  if (r.status !== 200) assert.equal(typeof r.json.__type, 'string', what);
};

test('arbitrary bodies, values, expressions and ranges never get a 5xx', async () => {
  await withServer(async (s) => {
    const now = Math.floor(Date.now() / 1000);
    const ops = ['PutMetricData', 'GetMetricData', 'GetMetricStatistics', 'ListMetrics', 'PutMetricAlarm', 'DescribeAlarms', 'DescribeAlarmHistory', 'SetAlarmState', 'DeleteAlarms', 'PutDashboard'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ops), fc.jsonValue({ maxDepth: 3 }), async (op, body) => no5xx(`${op} ${JSON.stringify(body).slice(0, 200)}`, await call(s.url, op, body))),
      { numRuns: 200, seed: 11 },
    );
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e-300, 2 ** 360, -(2 ** 360), 1.7e308));
    await fc.assert(
      fc.asyncProperty(fc.array(value, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 2 ** 40 }), async (values, count) => {
        const r = await call(s.url, 'PutMetricData', {
          Namespace: 'Fuzz',
          MetricData: [
            { MetricName: 'V', Value: values[0], Timestamp: now - 30 },
            { MetricName: 'V', Values: values, Counts: values.map(() => count), Timestamp: now - 30 },
          ],
        });
        no5xx(`PutMetricData ${JSON.stringify(values)} x ${count}`, r);
        const g = await call(s.url, 'GetMetricStatistics', { Namespace: 'Fuzz', MetricName: 'V', StartTime: now - 120, EndTime: now, Period: 60, Statistics: ['Sum', 'Average', 'SampleCount'] });
        no5xx('GetMetricStatistics', g);
        const p = await call(s.url, 'GetMetricData', {
          StartTime: now - 120,
          EndTime: now,
          MetricDataQueries: [{ Id: 'v', MetricStat: { Metric: { Namespace: 'Fuzz', MetricName: 'V' }, Period: 1, Stat: 'p99.9' } }],
        });
        no5xx('GetMetricData', p);
      }),
      { numRuns: 60, seed: 12 },
    );
    const token = fc.constantFrom('a', 'b', 'nope', '1', '0', '2.5e3', '+', '-', '*', '/', '(', ')', '[', ']', ',', 'SUM', 'AVG', 'MIN', 'MAX', 'METRICS', 'RATE', ' ', '"', '$');
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 12 }).map((t) => t.join('')), async (expr) => {
        const r = await call(s.url, 'GetMetricData', {
          StartTime: now - 600,
          EndTime: now,
          MetricDataQueries: [
            { Id: 'a', MetricStat: { Metric: { Namespace: 'Fuzz', MetricName: 'V' }, Period: 60, Stat: 'Sum' }, ReturnData: false },
            { Id: 'b', MetricStat: { Metric: { Namespace: 'Fuzz', MetricName: 'V' }, Period: 60, Stat: 'Maximum' }, ReturnData: false },
            { Id: 'e', Expression: expr },
          ],
        });
        no5xx(`expression ${JSON.stringify(expr)}`, r);
      }),
      { numRuns: 150, seed: 13 },
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -1, max: 100_000 }), fc.integer({ min: -(2 ** 33), max: 2 ** 33 }), fc.integer({ min: 0, max: 2 ** 33 }), async (period, start, span) => {
        const r = await call(s.url, 'GetMetricStatistics', { Namespace: 'Fuzz', MetricName: 'V', StartTime: start, EndTime: start + span, Period: period, ExtendedStatistics: ['p50'] });
        no5xx(`range ${start}+${span} / ${period}`, r);
      }),
      { numRuns: 100, seed: 14 },
    );
    assert.equal((await fetch(`${s.url}/health`)).status, 200);
  });
});
