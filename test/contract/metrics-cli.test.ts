/**
 * `logward metrics list|get` and `logward alarms list|describe`: the real binary against a real server;
 * and the bearer token rule of GET /metrics.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { runLogward, startLogward, stopAndClean, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';

const TOKEN = 'scrape-token-0123456789abcdef';

let srv: LogwardServer;
const ns = `CliApp${uid()}`;
const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000;

before(async () => {
  srv = await startLogward({ env: { LOGWARD_METRICS_TOKEN: TOKEN } });
  const cw = new CloudWatchClient({ endpoint: srv.url, region: TEST_REGION, credentials: { ...srv.credentials }, maxAttempts: 1 });
  await cw.send(
    new PutMetricDataCommand({
      Namespace: ns,
      MetricData: [
        // Every minute breaches: whenever the server's own timer evaluates the alarm, it is in ALARM.
        ...[0, 1, 2, 3].map((k) => ({ MetricName: 'Errors', Timestamp: new Date(t0 + k * 60_000), Value: 5, Unit: 'Count' as const })),
        { MetricName: 'Latency', Dimensions: [{ Name: 'Route', Value: '/api' }], Timestamp: new Date(t0), Value: 12 },
      ],
    }),
  );
  await cw.send(new PutMetricAlarmCommand({ AlarmName: `${ns}-errors`, AlarmDescription: 'page me', Namespace: ns, MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 4, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: ['arn:aws:sns:us-east-1:000000000000:ops'] }));
  await cw.send(new SetAlarmStateCommand({ AlarmName: `${ns}-errors`, StateValue: 'ALARM', StateReason: 'drill' }));
  cw.destroy();
});

after(async () => {
  await stopAndClean(srv);
});

const logward = (args: string[]) => runLogward(srv, args, { isolated: true });

test('logward metrics list and get, as tables and JSON', async () => {
  const list = await logward(['metrics', 'list', '--namespace', ns]);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(list.stdout, [`NAMESPACE${' '.repeat(ns.length - 9)}  METRIC   DIMENSIONS`, `${ns}  Errors   -`, `${ns}  Latency  Route=/api`, ''].join('\n'));
  const json = await logward(['metrics', 'list', '--dimension', 'Route', '--json']);
  assert.deepEqual(JSON.parse(json.stdout), [{ Namespace: ns, MetricName: 'Latency', Dimensions: [{ Name: 'Route', Value: '/api' }] }]);

  const get = await logward(['metrics', 'get', ns, 'Errors', '--stat', 'Sum', '--period', '1m', '--since', '10m']);
  assert.equal(get.code, 0, get.stderr);
  assert.equal(get.stdout, ['TIME                      SUM  UNIT', ...[0, 1, 2, 3].map((k) => `${new Date(t0 + k * 60_000).toISOString()}  5    Count`), ''].join('\n'));
  const p = await logward(['metrics', 'get', ns, 'Latency', '--dimension', 'Route=/api', '--stat', 'p99', '--since', '10m', '--json']);
  assert.deepEqual((JSON.parse(p.stdout) as Array<{ ExtendedStatistics: Record<string, number> }>).map((d) => d.ExtendedStatistics), [{ p99: 12 }]);
  const bad = await logward(['metrics', 'get', ns, 'Errors', '--stat', 'Median']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^logward: invalid --stat 'Median'/);
});

test('logward alarms list and describe', async () => {
  const list = await logward(['alarms', 'list', '--prefix', ns]);
  assert.equal(list.code, 0, list.stderr);
  const lines = list.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^NAME +STATE +SINCE +CONDITION$/);
  assert.match(lines[1]!, new RegExp(`^${ns}-errors +ALARM +\\S+Z +Sum\\(${ns}/Errors\\) >= 4 for 2/3 x 60s$`));
  const none = await logward(['alarms', 'list', '--prefix', ns, '--state', 'OK', '--json']);
  assert.deepEqual(JSON.parse(none.stdout), []);
  const d = await logward(['alarms', 'describe', `${ns}-errors`]);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /^description +page me$/m);
  // SetAlarmState's reason, unless the server's timer evaluated the alarm first.
  assert.match(d.stdout, /^reason +(drill|Threshold Crossed: 3 out of the last 3 datapoints .*)$/m);
  assert.match(d.stdout, /^on ALARM +arn:aws:sns:us-east-1:000000000000:ops$/m);
  assert.match(d.stdout, /StateUpdate +Alarm updated from INSUFFICIENT_DATA to ALARM/);
  const j = JSON.parse((await logward(['alarms', 'describe', `${ns}-errors`, '--json'])).stdout) as { alarm: { StateValue: string }; history: Array<{ HistoryItemType: string }> };
  assert.equal(j.alarm.StateValue, 'ALARM');
  assert.deepEqual(j.history.filter((h) => h.HistoryItemType !== 'Action').map((h) => h.HistoryItemType), ['StateUpdate', 'ConfigurationUpdate']);
  const missing = await logward(['alarms', 'describe', 'nope']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, 'logward: ResourceNotFound: Alarm nope not found\n');
});

test('GET /metrics with a scrape token: 401 without it, 200 with it', async () => {
  const none = await fetch(`${srv.url}/metrics`);
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="logward-metrics"');
  const wrong = await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}x` } });
  assert.equal(wrong.status, 401);
  const ok = await fetch(`${srv.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(ok.status, 200);
  assert.match(await ok.text(), new RegExp(`^${ns}_Errors_sum 5$`, 'm'));
});
