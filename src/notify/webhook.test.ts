/** Webhook delivery and topic notifications against a real local HTTP server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliverWebhook, signature } from './webhook.js';
import { notificationAddresses } from './destinations.js';

/** The receivers listen on loopback: allowed here, as with --allow-private-destinations. */
const LOOPBACK = notificationAddresses(true);
import { TopicNotifier } from './topic-notifier.js';
import type { AlarmNotification } from '../metrics/alarms/notifier.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A server answering with the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[]): Promise<{ url: string; got: Received[]; close: () => Promise<void> }> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      res.statusCode = statuses[Math.min(got.length - 1, statuses.length - 1)]!;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, got, close: () => new Promise((r) => server.close(() => r())) };
}

const noWait = { sleep: async () => undefined };
const fast = { attempts: 4, backoffMs: 1, timeoutMs: 5000 };

test('a signed JSON POST; the receiver can check the signature', async () => {
  const r = await receiver([204]);
  try {
    const body = JSON.stringify({ hello: 'world' });
    const result = await deliverWebhook({ url: r.url, body, secret: 's3cret' }, LOOPBACK, fast, noWait);
    assert.deepEqual(result, { ok: true, attempts: 1, status: 204 });
    const h = r.got[0]!.headers;
    assert.equal(r.got[0]!.body, body);
    assert.equal(h['content-type'], 'application/json');
    assert.equal(h['x-logward-signature'], signature('s3cret', String(h['x-logward-timestamp']), body));
    assert.match(String(h['x-logward-signature']), /^sha256=[0-9a-f]{64}$/);
  } finally {
    await r.close();
  }
});

test('5xx and 429 are retried with backoff (same delivery id); other 4xx are not', async () => {
  const r = await receiver([503, 429, 200]);
  const waits: number[] = [];
  try {
    const result = await deliverWebhook({ url: r.url, body: '{}' }, LOOPBACK, { attempts: 4, backoffMs: 100, timeoutMs: 5000 }, { sleep: async (ms) => void waits.push(ms) });
    assert.deepEqual(result, { ok: true, attempts: 3, status: 200 });
    assert.deepEqual(waits, [100, 200]);
    assert.equal(new Set(r.got.map((g) => g.headers['x-logward-delivery'])).size, 1);
    assert.equal(r.got[0]!.headers['x-logward-signature'], undefined, 'no secret, no signature');
  } finally {
    await r.close();
  }
  const gone = await receiver([410]);
  try {
    assert.deepEqual(await deliverWebhook({ url: gone.url, body: '{}' }, LOOPBACK, fast, noWait), { ok: false, attempts: 1, status: 410, error: 'HTTP 410' });
  } finally {
    await gone.close();
  }
  const down = await receiver([500]);
  try {
    assert.deepEqual(await deliverWebhook({ url: down.url, body: '{}' }, LOOPBACK, fast, noWait), { ok: false, attempts: 4, status: 500, error: 'HTTP 500' });
  } finally {
    await down.close();
  }
});

test('an unreachable endpoint fails after every attempt, with the reason', async () => {
  const r = await receiver([200]);
  const url = r.url;
  await r.close();
  const result = await deliverWebhook({ url, body: '{}' }, LOOPBACK, { attempts: 2, backoffMs: 1, timeoutMs: 2000 }, noWait);
  assert.equal(result.ok, false);
  assert.equal(result.attempts, 2);
  assert.equal(typeof result.error, 'string');
});

const notification = (action: string): AlarmNotification => ({
  action,
  alarmName: 'root-usage',
  alarmArn: 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:root-usage',
  alarmDescription: 'root credentials used',
  oldState: 'OK',
  newState: 'ALARM',
  reason: 'Threshold Crossed: ...',
  reasonData: '{"version":"1.0"}',
  timestampMs: Date.UTC(2026, 10, 27, 1, 2, 3),
  region: 'us-east-1',
  accountId: '000000000000',
});

test('TopicNotifier: an SNS topic ARN reaches every webhook of the topic as a CloudWatch alarm message', async () => {
  const a = await receiver([200]);
  const b = await receiver([500]);
  try {
    const topics = new Map([['oncall', [{ protocol: 'webhook' as const, endpoint: a.url, secret: 'k' }]], ['broken', [{ protocol: 'webhook' as const, endpoint: b.url }]]]);
    const notifier = new TopicNotifier({ subscriptions: (t) => topics.get(t) }, { attempts: 2, backoffMs: 1, timeoutMs: 2000 });
    assert.deepEqual(await notifier.deliver(notification('arn:aws:sns:us-east-1:000000000000:oncall')), { ok: true, detail: 'delivered to 1 subscription' });
    const env = JSON.parse(a.got[0]!.body) as { Type: string; TopicArn: string; Subject: string; Message: string };
    assert.equal(env.Type, 'Notification');
    assert.equal(env.TopicArn, 'arn:aws:sns:us-east-1:000000000000:oncall');
    assert.equal(env.Subject, 'ALARM: "root-usage" in us-east-1');
    const msg = JSON.parse(env.Message) as Record<string, unknown>;
    assert.deepEqual([msg.AlarmName, msg.NewStateValue, msg.OldStateValue, msg.StateChangeTime], ['root-usage', 'ALARM', 'OK', '2026-11-27T01:02:03.000+0000']);
    const broken = await notifier.deliver(notification('arn:aws:sns:us-east-1:000000000000:broken'));
    assert.deepEqual(broken, { ok: false, detail: `${b.url}: HTTP 500 after 2 attempt(s)` });
    assert.deepEqual(await notifier.deliver(notification('arn:aws:sns:us-east-1:000000000000:nope')), { ok: false, detail: 'topic nope does not exist' });
    assert.equal((await notifier.deliver(notification('arn:aws:sns:eu-west-1:000000000000:oncall'))).ok, false);
    assert.equal((await notifier.deliver(notification('arn:aws:lambda:us-east-1:000000000000:function:f'))).ok, false);
  } finally {
    await a.close();
    await b.close();
  }
});

test('an address the policy refuses is not connected to, and not retried', async () => {
  const r = await receiver([200]);
  try {
    const strict = notificationAddresses(false);
    const byName = r.url.replace('127.0.0.1', 'localhost');
    for (const url of [r.url, byName]) {
      const result = await deliverWebhook({ url, body: '{}' }, strict, fast, noWait);
      assert.equal(result.ok, false, url);
      assert.equal(result.attempts, 1, url);
      assert.match(result.error!, /is loopback, link-local or private; allow it with --allow-private-destinations/, url);
    }
    assert.equal(r.got.length, 0, 'nothing reached the receiver');
    // Plain http to a loopback name is fine once allowed: the refusals above were the policy's.
    assert.equal((await deliverWebhook({ url: byName, body: '{}' }, LOOPBACK, fast, noWait)).ok, true);
  } finally {
    await r.close();
  }
});
