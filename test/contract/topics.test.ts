/**
 * Topics end to end: `logward topics create` and `subscribe --webhook --secret` against a real server, an
 * alarm whose action is the topic's ARN, and a real local HTTP server receiving the signed notification.
 * Loopback webhooks need --allow-private-destinations; without it they are refused.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, DescribeAlarmHistoryCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { runLogward, startLogward, stopAndClean, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { signature } from '../../src/notify/webhook.js';


let srv: LogwardServer;
let hook: Server;
let hookUrl: string;
const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
let onReceive: (() => void) | undefined;

before(async () => {
  srv = await startLogward({ args: ['--allow-private-destinations'] });
  hook = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.end();
      onReceive?.();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alarms`;
});

after(async () => {
  await new Promise<void>((r) => hook.close(() => r()));
  await stopAndClean(srv);
});

const logward = (s: LogwardServer, args: string[]) => runLogward(s, args, { isolated: true });

test('an alarm action on a topic reaches its webhook, signed; topics survive a restart', async () => {
  const created = await logward(srv, ['topics', 'create', 'oncall']);
  assert.equal(created.code, 0, created.stderr);
  const topicArn = 'arn:aws:sns:us-east-1:000000000000:oncall';
  assert.equal(created.stdout, `${topicArn}\n`);
  const sub = await logward(srv, ['topics', 'subscribe', 'oncall', '--webhook', hookUrl, '--secret', 'hook-secret']);
  assert.equal(sub.code, 0, sub.stderr);
  assert.match(sub.stdout, /^arn:aws:sns:us-east-1:000000000000:oncall:[0-9a-f-]{36}\n$/);

  const cw = new CloudWatchClient({ endpoint: srv.url, region: TEST_REGION, credentials: { ...srv.credentials }, maxAttempts: 1 });
  try {
    await cw.send(new PutMetricAlarmCommand({ AlarmName: 'root-usage', AlarmDescription: 'root used', Namespace: 'CIS', MetricName: 'RootUsage', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [topicArn], TreatMissingData: 'ignore' }));
    const arrived = new Promise<void>((r) => (onReceive = r));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'root-usage', StateValue: 'ALARM', StateReason: 'root signed in' }));
    await arrived; // the test runner's timeout bounds the wait
    assert.equal(received.length, 1);
    const { headers, body } = received[0]!;
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['x-logward-signature'], signature('hook-secret', String(headers['x-logward-timestamp']), body));
    const env = JSON.parse(body) as { TopicArn: string; Subject: string; Message: string };
    assert.equal(env.TopicArn, topicArn);
    assert.equal(env.Subject, 'ALARM: "root-usage" in us-east-1');
    const msg = JSON.parse(env.Message) as Record<string, unknown>;
    assert.deepEqual([msg.AlarmName, msg.AlarmDescription, msg.NewStateValue, msg.NewStateReason], ['root-usage', 'root used', 'ALARM', 'root signed in']);
    // The delivery is recorded once it is done.
    let items: string[] = [];
    for (let i = 0; i < 50 && !items.some((s) => s.startsWith('Successfully')); i++) {
      const h = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'root-usage', HistoryItemType: 'Action' }));
      items = (h.AlarmHistoryItems ?? []).map((x) => x.HistorySummary ?? '');
      if (items.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(items, [`Successfully executed action ${topicArn}`]);
  } finally {
    cw.destroy();
  }

  const code = await srv.stop();
  assert.equal(code, 0);
  srv = await startLogward({ dataDir: srv.dataDir, args: ['--allow-private-destinations'] });
  const listed = await logward(srv, ['topics', 'list', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const topics = JSON.parse(listed.stdout) as Array<{ TopicArn: string; Subscriptions: Array<{ Protocol: string; Endpoint: string }> }>;
  assert.deepEqual(topics.map((t) => [t.TopicArn, t.Subscriptions.map((s) => [s.Protocol, s.Endpoint])]), [[topicArn, [['webhook', hookUrl]]]]);
  assert.ok(!listed.stdout.includes('hook-secret'), 'secrets are never shown');
});

test('without --allow-private-destinations a loopback webhook is refused', async () => {
  const strict = await startLogward();
  try {
    assert.equal((await logward(strict, ['topics', 'create', 'ops'])).code, 0);
    const r = await logward(strict, ['topics', 'subscribe', 'ops', '--webhook', 'http://127.0.0.1:9/x']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'logward: InvalidParameterException: Invalid parameter: Endpoint: 127.0.0.1 is a loopback or private address: start the server with --allow-private-destinations to send there\n');
    const bad = await logward(strict, ['topics', 'subscribe', 'ops', '--webhook', 'ftp://example.com/x']);
    assert.match(bad.stderr, /is not an http or https URL/);
  } finally {
    await stopAndClean(strict);
  }
});
