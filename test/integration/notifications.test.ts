/**
 * Notifications end to end: a real server started with --smtp-url and --smtp-ca-file, a real SMTP server
 * requiring STARTTLS (aiosmtpd, test/helpers/smtp.ts), local HTTP receivers standing in for a webhook,
 * Slack and Teams. `logward topics subscribe --email/--slack/--teams/--webhook`, an alarm on the topic,
 * and every channel receives the alarm; a failing endpoint on the same topic is retried and reported in
 * the alarm's history and on /metrics, and delays no other channel.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, DescribeAlarmHistoryCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { runLogward, startLogward, stopAndClean, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { header, startSmtp, type SmtpServer } from '../helpers/smtp.js';

interface Receiver {
  url: string;
  bodies: string[];
  server: Server;
  next(): Promise<string>;
}

/** An HTTP receiver answering `status` to everything. */
async function receiver(path: string, status = 200): Promise<Receiver> {
  const bodies: string[] = [];
  let waiting: ((b: string) => void) | undefined;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      res.statusCode = status;
      res.end(status === 200 ? 'ok' : 'no');
      waiting?.(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    bodies,
    server,
    next: () => new Promise((r) => (waiting = r)),
  };
}

let srv: LogwardServer;
let smtp: SmtpServer;
let slack: Receiver;
let teams: Receiver;
let broken: Receiver;

before(async () => {
  smtp = await startSmtp();
  slack = await receiver('/services/T000/B000/secret-token');
  teams = await receiver('/webhookb2/secret');
  broken = await receiver('/down', 503);
  srv = await startLogward({ args: ['--allow-private-destinations', '--smtp-url', smtp.url, '--smtp-ca-file', smtp.caFile, '--smtp-from', 'alarms@logward.test'] });
});

after(async () => {
  await stopAndClean(srv);
  for (const r of [slack, teams, broken]) await new Promise<void>((res) => r?.server.close(() => res()));
  await smtp?.stop();
});

const logward = (args: string[]) => runLogward(srv, args, { isolated: true });

test('one alarm reaches e-mail, Slack and Teams; a failing webhook is retried and reported without delaying them', async () => {
  for (const args of [
    ['--email', 'oncall@example.com'],
    ['--slack', slack.url],
    ['--teams', teams.url],
    ['--webhook', broken.url],
  ]) {
    const r = await logward(['topics', 'subscribe', 'security', ...args]);
    assert.equal(r.code, 0, r.stderr);
  }
  // The same endpoint twice is one subscription.
  assert.equal((await logward(['topics', 'subscribe', 'security', '--email', 'oncall@example.com'])).code, 0);
  const list = await logward(['topics', 'list', '--json']);
  const subs = (JSON.parse(list.stdout) as Array<{ Subscriptions: Array<{ Protocol: string; Endpoint: string }> }>)[0]!.Subscriptions;
  assert.deepEqual(subs.map((s) => s.Protocol).sort(), ['email', 'slack', 'teams', 'webhook']);
  // A Slack URL is its own secret: listings show its origin only.
  assert.equal(subs.find((s) => s.Protocol === 'slack')!.Endpoint, `${new URL(slack.url).origin}/…`);

  const bad = await logward(['topics', 'subscribe', 'security', '--email', 'not an address']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /is not an e-mail address/);
  const two = await logward(['topics', 'subscribe', 'security', '--email', 'a@example.com', '--slack', slack.url]);
  assert.notEqual(two.code, 0);
  assert.match(two.stderr, /exactly one of/);

  const topicArn = 'arn:aws:sns:us-east-1:000000000000:security';
  const cw = new CloudWatchClient({ endpoint: srv.url, region: TEST_REGION, credentials: { ...srv.credentials }, maxAttempts: 1 });
  try {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'root-usage',
        AlarmDescription: 'Root credentials were used',
        Namespace: 'LogMetrics',
        MetricName: 'RootAccountUsage',
        Statistic: 'Sum',
        Period: 10,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [topicArn],
        TreatMissingData: 'notBreaching',
      }),
    );
    const slackMsg = slack.next();
    const teamsMsg = teams.next();
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'root-usage', StateValue: 'ALARM', StateReason: 'root signed in to the console' }));

    const s = JSON.parse(await slackMsg) as { text: string; blocks: Array<{ type: string; text: { type: string; text: string } }> };
    assert.match(s.text, /^ALARM: root-usage \((OK|INSUFFICIENT_DATA) -&gt; ALARM at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\)$/);
    assert.deepEqual(s.blocks[0], { type: 'header', text: { type: 'plain_text', text: 'ALARM: root-usage' } });
    assert.match(s.blocks[1]!.text.text, /\*Metric:\* LogMetrics\/RootAccountUsage, Sum &gt;= 1 over 1 x 10 s/);
    assert.match(s.blocks[1]!.text.text, /\*Reason:\* root signed in to the console/);

    const t = JSON.parse(await teamsMsg) as { type: string; attachments: Array<{ contentType: string; content: { type: string; body: Array<{ type: string; text?: string; facts?: Array<{ title: string; value: string }> }> } }> };
    assert.equal(t.type, 'message');
    assert.equal(t.attachments[0]!.contentType, 'application/vnd.microsoft.card.adaptive');
    const card = t.attachments[0]!.content;
    assert.equal(card.type, 'AdaptiveCard');
    assert.equal(card.body[0]!.text, 'ALARM: root-usage');
    const facts = Object.fromEntries(card.body.find((b) => b.type === 'FactSet')!.facts!.map((f) => [f.title, f.value]));
    assert.equal(facts.Reason, 'root signed in to the console');
    assert.equal(facts.Metric, 'LogMetrics/RootAccountUsage, Sum >= 1 over 1 x 10 s');

    const [mail] = await smtp.waitFor(1);
    assert.equal(header(mail!, 'To'), 'oncall@example.com');
    assert.equal(header(mail!, 'From'), 'alarms@logward.test');
    assert.equal(header(mail!, 'Subject'), 'ALARM: "root-usage" in us-east-1');
    assert.match(mail!, /^ALARM: root-usage$/m);
    assert.match(mail!, /^Root credentials were used$/m);
    assert.match(mail!, /^Reason: root signed in to the console$/m);
    assert.match(mail!, /^Metric: LogMetrics\/RootAccountUsage, Sum >= 1 over 1 x 10 s$/m);

    // The broken webhook is retried (4 attempts, 1 s, 2 s, 4 s apart), then the action is recorded as failed.
    let items: Array<{ summary: string; data: string }> = [];
    while (items.length === 0) {
      const h = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'root-usage', HistoryItemType: 'Action' }));
      items = (h.AlarmHistoryItems ?? []).map((x) => ({ summary: x.HistorySummary ?? '', data: x.HistoryData ?? '' }));
      if (items.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(items[0]!.summary, `Failed to execute action ${topicArn}`);
    assert.match(items[0]!.data, new RegExp(`${broken.url.replace(/[/.]/g, '\\$&')}: HTTP 503 after 4 attempt`));
    assert.equal(broken.bodies.length, 4);
    // The other channels got theirs once, long before the retries ended.
    assert.equal(slack.bodies.length, 1);
    assert.equal(teams.bodies.length, 1);

    const metrics = await (await fetch(`${srv.url}/metrics`)).text();
    assert.match(metrics, /^logward_notifications_delivered_total\{protocol="email"\} 1$/m);
    assert.match(metrics, /^logward_notifications_delivered_total\{protocol="slack"\} 1$/m);
    assert.match(metrics, /^logward_notifications_failed_total\{protocol="webhook"\} 1$/m);
    assert.match(metrics, /^logward_notification_attempts_total\{protocol="webhook"\} 4$/m);
  } finally {
    cw.destroy();
  }
});

test('without an SMTP server, e-mail subscriptions are refused with the reason', async () => {
  const plain = await startLogward();
  try {
    const r = await runLogward(plain, ['topics', 'subscribe', 'x', '--email', 'a@example.com'], { isolated: true });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /e-mail needs an SMTP server: start the server with --smtp-url/);
    // Slack URLs on loopback follow the same rule as webhooks.
    const s = await runLogward(plain, ['topics', 'subscribe', 'x', '--slack', 'http://127.0.0.1:9/hook'], { isolated: true });
    assert.equal(s.code, 1);
    assert.match(s.stderr, /loopback or private address/);
  } finally {
    await stopAndClean(plain);
  }
});
