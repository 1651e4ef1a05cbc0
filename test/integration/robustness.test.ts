/**
 * Overload and garbage: a server with tiny admission limits answers ThrottlingException (never 5xx)
 * when pushed past them, keeps every acknowledged event, and survives arbitrary requests.
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

const CREDS = { accessKeyId: 'LKIAROBUSTNESS000001', secretAccessKey: 'robustness-secret-robustness-secret-0001' };

async function withServer(overrides: Record<string, unknown>, fn: (s: RunningServer) => Promise<void>): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-robust-'));
  const server = await startServer(parseServerConfig({ port: 0, dataDir, logLevel: 'silent', ...CREDS, ...overrides }));
  try {
    await fn(server);
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function call(url: string, op: string, body: unknown): Promise<{ status: number; json: { __type?: string; message?: string } }> {
  const r = await signedRequest({ url, credentials: CREDS }, { target: op, body: JSON.stringify(body) });
  return { status: r.status, json: (r.json ?? {}) as { __type?: string; message?: string } };
}

test('past its admission limits the server answers ThrottlingException, keeps every acknowledged event and stores no refused one', async () => {
  await withServer({ maxInflightBytes: 1024 * 1024, maxHotBytes: 1024 * 1024, walSealAgeMs: 3_600_000 }, async (s) => {
    assert.equal((await call(s.url, 'CreateLogGroup', { logGroupName: 'load' })).status, 200);
    assert.equal((await call(s.url, 'CreateLogStream', { logGroupName: 'load', logStreamName: 's' })).status, 200);
    const now = Date.now();
    const batch = (b: number): unknown => ({
      logGroupName: 'load',
      logStreamName: 's',
      logEvents: Array.from({ length: 1000 }, (_, k) => ({ timestamp: now, message: `b${b} e${k} ${'x'.repeat(200)}` })),
    });
    const statuses = new Map<string, number>();
    const acked: number[] = [];
    // 40 batches of ~230 KB at once: far past 1 MiB in flight and 1 MiB of unsealed events.
    await Promise.all(
      Array.from({ length: 40 }, async (_, b) => {
        const r = await call(s.url, 'PutLogEvents', batch(b));
        const key = r.status === 200 ? '200' : `${r.status} ${r.json.__type}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (r.status === 200) acked.push(b);
      }),
    );
    assert.ok((statuses.get('400 ThrottlingException') ?? 0) > 0, `expected throttling, got ${JSON.stringify([...statuses])}`);
    assert.deepEqual([...statuses.keys()].filter((k) => k !== '200' && k !== '400 ThrottlingException'), [], 'only 200 or ThrottlingException');
    assert.ok(acked.length > 0, 'some batches get through');
    // Every acknowledged batch is there, whole, once.
    const seen = new Map<number, number>();
    let token: string | undefined;
    do {
      const r = await call(s.url, 'FilterLogEvents', { logGroupName: 'load', ...(token ? { nextToken: token } : {}) });
      assert.equal(r.status, 200);
      const page = r.json as unknown as { events: Array<{ message: string }>; nextToken?: string };
      for (const e of page.events) {
        const b = Number(/^b(\d+) /.exec(e.message)![1]);
        seen.set(b, (seen.get(b) ?? 0) + 1);
      }
      token = page.nextToken;
    } while (token);
    for (const b of acked) assert.equal(seen.get(b), 1000, `batch ${b}`);
    // ...and a throttled batch is not stored at all: its client was told to send it again.
    for (let b = 0; b < 40; b++) if (!acked.includes(b)) assert.equal(seen.get(b), undefined, `throttled batch ${b} was stored`);
    // Throttling is temporary: the store seals what it holds and takes writes again.
    let r = await call(s.url, 'PutLogEvents', batch(99));
    for (let i = 0; i < 100 && r.status !== 200; i++) {
      await new Promise((res) => setTimeout(res, 100));
      r = await call(s.url, 'PutLogEvents', batch(99));
    }
    assert.equal(r.status, 200, `still refused after 10 s: ${JSON.stringify(r.json)}`);
  });
});

test('arbitrary requests get 4xx answers in AWS shape, and the server stays up', async () => {
  await withServer({}, async (s) => {
    const ops = ['PutLogEvents', 'CreateLogGroup', 'DescribeLogGroups', 'GetLogEvents', 'FilterLogEvents', 'TagResource', 'NoSuchOperation'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ops), fc.jsonValue({ maxDepth: 3 }), async (op, body) => {
        const r = await call(s.url, op, body);
        assert.ok(r.status < 500, `${op} ${JSON.stringify(body).slice(0, 200)} -> ${r.status} ${JSON.stringify(r.json)}`);
        if (r.status !== 200) assert.equal(typeof r.json.__type, 'string');
      }),
      { numRuns: 300, seed: 7 },
    );
    const health = await fetch(`${s.url}/health`);
    assert.equal(health.status, 200);
  });
});
