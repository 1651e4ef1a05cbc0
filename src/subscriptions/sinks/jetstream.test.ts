/** Stream targets against a real nats-server with JetStream (Debian package nats-server), started per test file. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { openHarness, waitFor } from '../testing.js';
import type { SubscriptionMessage } from '../payload.js';

const ARN = 'arn:aws:kinesis:us-east-1:000000000000:stream/events';
let port = 0;
let storeDir = '';
let server: ChildProcess | undefined;
let nc: NatsConnection;
let jsm: JetStreamManager;

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });

async function startNats(): Promise<void> {
  server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir], { stdio: 'ignore' });
  await waitFor('nats-server to accept connections', async () => {
    try {
      const probe = await connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false });
      await probe.close();
      return true;
    } catch {
      return false; // not listening yet
    }
  });
}

async function stopNats(): Promise<void> {
  const s = server;
  server = undefined;
  if (!s || s.exitCode !== null) return;
  const exited = new Promise((r) => s.once('exit', r));
  s.kill('SIGTERM');
  await exited;
}

before(async () => {
  port = await freePort();
  storeDir = mkdtempSync(join(tmpdir(), 'nats-'));
  await startNats();
  nc = await connect({ servers: `nats://127.0.0.1:${port}`, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'LOGS', subjects: ['logs.>'] });
});

after(async () => {
  await nc?.close();
  await stopNats();
  rmSync(storeDir, { recursive: true, force: true });
});

async function stored(): Promise<SubscriptionMessage[]> {
  const info = await jsm.streams.info('LOGS');
  const out: SubscriptionMessage[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage('LOGS', { seq });
    if (m) out.push(JSON.parse(gunzipSync(m.data).toString('utf8')) as SubscriptionMessage);
  }
  return out;
}

test('each message lands in the JetStream stream as the gzip of the CloudWatch JSON, and survives an outage of the server', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const h = await openHarness(dir);
  try {
    const g = await h.group('app', ['a', 'b']);
    await h.subscribe(g, 'all', '', { kind: 'stream', name: 'events', config: { servers: `nats://127.0.0.1:${port}`, subject: 'logs.app', stream: 'LOGS' }, createdMs: Date.now() }, ARN);
    await h.put(g, 'a', ['one', 'two']);
    await h.put(g, 'b', ['three']);
    const data = async (): Promise<string[]> => (await stored()).filter((m) => m.messageType === 'DATA_MESSAGE').flatMap((m) => m.logEvents.map((e) => e.message));
    await waitFor('three events in the stream', async () => (await data()).length >= 3);
    const all = await stored();
    assert.equal(all[0]!.messageType, 'CONTROL_MESSAGE');
    assert.deepEqual(all.filter((m) => m.logStream === 'a').flatMap((m) => m.logEvents.map((e) => e.message)), ['one', 'two']);
    assert.deepEqual(all.filter((m) => m.logStream === 'b').flatMap((m) => m.logEvents.map((e) => e.message)), ['three']);

    // The server goes away; events keep being acknowledged by the store, and arrive once it is back.
    await stopNats();
    await h.put(g, 'a', ['four', 'five']);
    await waitFor('a failed attempt', () => (h.engine.stats()[0]?.retries ?? 0) > 0);
    await startNats();
    // The test's own connection is reconnecting too: a request that times out meanwhile just polls again.
    await waitFor('every event after the outage', () => data().then((d) => d.includes('five'), () => false), 60_000);
    assert.deepEqual([...new Set(await data())], ['one', 'two', 'three', 'four', 'five']);
  } finally {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
