/**
 * Alarms end to end, in process with a fake clock (no sleeping, no timed assertions): a metric filter
 * counts ERROR events as they are ingested, an alarm on that metric goes INSUFFICIENT_DATA → ALARM → OK
 * as the clock moves and evaluateAll runs, with AWS-shaped reasons, history and actions handed to the
 * notifier; then SetAlarmState, disabled actions, M-out-of-N, metric math, and a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  CloudWatchClient,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  DisableAlarmActionsCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { parseServerConfig } from '../../src/config.js';
import { startServer, type InProcessServer } from '../../src/server.js';
import { FakeClock } from '../../src/clock.js';
import { RecordingNotifier } from '../../src/metrics/alarms/notifier.js';

const CREDS = { accessKeyId: 'LKIAALARMSTEST000001', secretAccessKey: 'alarms-secret-alarms-secret-alarms-0001' };
const TOPIC = 'arn:aws:sns:us-east-1:000000000000:oncall';
const OK_TOPIC = 'arn:aws:sns:us-east-1:000000000000:recovered';

interface Ctx {
  server: InProcessServer;
  logs: CloudWatchLogsClient;
  cw: CloudWatchClient;
  notifier: RecordingNotifier;
}

async function start(dataDir: string, clock: FakeClock, alarmTimer = true): Promise<Ctx> {
  const notifier = new RecordingNotifier();
  // Early evaluation runs when the tests say so (alarms.early()), not on its real timer. Without
  // alarmTimer, periodic evaluation too (alarms.evaluateAll()): SetAlarmState's state lasts only until
  // the next evaluation, which the real 1 s timer would otherwise run at a moment no test controls.
  const server = await startServer(parseServerConfig({ port: 0, dataDir, logLevel: 'silent', ...CREDS }), { clock, notifier, earlyAlarmTimer: false, alarmTimer });
  // Copies: the SDK marks the credentials object it is given.
  const opts = { endpoint: server.url, region: 'us-east-1', credentials: { ...CREDS }, maxAttempts: 1 };
  return { server, notifier, logs: new CloudWatchLogsClient(opts), cw: new CloudWatchClient(opts) };
}

async function stop(c: Ctx): Promise<void> {
  c.logs.destroy();
  c.cw.destroy();
  await c.server.close();
}

async function alarm(c: Ctx, name: string) {
  const r = await c.cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  assert.equal(r.MetricAlarms?.length, 1);
  return r.MetricAlarms![0]!;
}

test('a metric filter feeds an alarm: INSUFFICIENT_DATA → ALARM → OK, with history and actions, across a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-alarms-'));
  // Near the real time (SigV4 allows 15 minutes of skew), at the start of a minute.
  const clock = new FakeClock(Math.floor(Date.now() / 60_000) * 60_000);
  let c = await start(dataDir, clock, false);
  try {
    await c.logs.send(new CreateLogGroupCommand({ logGroupName: 'app' }));
    await c.logs.send(new CreateLogStreamCommand({ logGroupName: 'app', logStreamName: 'web' }));
    const t0 = clock.now();
    // Stored before the filter exists: never counted.
    await c.logs.send(new PutLogEventsCommand({ logGroupName: 'app', logStreamName: 'web', logEvents: [{ timestamp: t0, message: 'ERROR early' }] }));
    await c.logs.send(
      new PutMetricFilterCommand({
        logGroupName: 'app',
        filterName: 'errors',
        filterPattern: 'ERROR',
        metricTransformations: [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1', unit: 'Count' }],
      }),
    );
    await c.cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'too-many-errors',
        AlarmDescription: 'three errors a minute',
        MetricName: 'Errors',
        Namespace: 'App',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 3,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [TOPIC],
        OKActions: [OK_TOPIC],
      }),
    );
    let a = await alarm(c, 'too-many-errors');
    assert.equal(a.StateValue, 'INSUFFICIENT_DATA');
    assert.equal(a.StateReason, 'Unchecked: Initial alarm creation');
    assert.equal(a.AlarmArn, 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:too-many-errors');

    const errors = [1, 2, 3, 4].map((k) => ({ timestamp: t0 + k * 1000, message: `ERROR failure ${k}` }));
    await c.logs.send(new PutLogEventsCommand({ logGroupName: 'app', logStreamName: 'web', logEvents: [...errors, { timestamp: t0 + 5000, message: 'INFO fine' }] }));

    // The minute is not complete yet: nothing to evaluate, so still no data.
    clock.advance(30_000);
    await c.server.metrics.alarms.evaluateAll();
    a = await alarm(c, 'too-many-errors');
    assert.equal(a.StateValue, 'INSUFFICIENT_DATA');

    clock.advance(31_000);
    await c.server.metrics.alarms.evaluateAll();
    await c.server.metrics.alarms.settled();
    a = await alarm(c, 'too-many-errors');
    assert.equal(a.StateValue, 'ALARM');
    const when = new Date(t0);
    const p = (n: number): string => String(n).padStart(2, '0');
    const stamp = `${p(when.getUTCDate())}/${p(when.getUTCMonth() + 1)}/${p(when.getUTCFullYear() % 100)} ${p(when.getUTCHours())}:${p(when.getUTCMinutes())}:00`;
    assert.equal(
      a.StateReason,
      `Threshold Crossed: 1 out of the last 1 datapoints [4.0 (${stamp})] was greater than or equal to the threshold (3.0) (minimum 1 datapoint for OK -> ALARM transition).`,
    );
    const data = JSON.parse(a.StateReasonData!) as { statistic: string; period: number; recentDatapoints: number[]; threshold: number };
    assert.deepEqual([data.statistic, data.period, data.recentDatapoints, data.threshold], ['Sum', 60, [4], 3]);
    assert.deepEqual(
      c.notifier.recorded.map((n) => [n.action, n.oldState, n.newState, n.alarmName]),
      [[TOPIC, 'INSUFFICIENT_DATA', 'ALARM', 'too-many-errors']],
    );

    // The metric: 4 (the event before the filter is not counted), in one minute.
    const stats = await c.cw.send(
      new GetMetricStatisticsCommand({ Namespace: 'App', MetricName: 'Errors', StartTime: new Date(t0), EndTime: new Date(t0 + 60_000), Period: 60, Statistics: ['Sum', 'SampleCount'] }),
    );
    assert.deepEqual(stats.Datapoints?.map((d) => [d.Timestamp?.getTime(), d.Sum, d.SampleCount, d.Unit]), [[t0, 4, 4, 'Count']]);

    // A quiet minute (one event, not an error): with TreatMissingData missing the alarm has no datapoint... so
    // it goes INSUFFICIENT_DATA; breaching data has to be absent for that. Put one error only: OK.
    await c.logs.send(new PutLogEventsCommand({ logGroupName: 'app', logStreamName: 'web', logEvents: [{ timestamp: t0 + 65_000, message: 'ERROR once' }] }));
    clock.advance(60_000);
    await c.server.metrics.alarms.evaluateAll();
    await c.server.metrics.alarms.settled();
    a = await alarm(c, 'too-many-errors');
    assert.equal(a.StateValue, 'OK');
    assert.match(a.StateReason!, /^Threshold Crossed: 1 out of the last 1 datapoints \[1\.0 \(.*\)\] was not greater than or equal to the threshold \(3\.0\) \(minimum 1 datapoint for ALARM -> OK transition\)\.$/);
    assert.deepEqual(c.notifier.recorded.map((n) => n.action), [TOPIC, OK_TOPIC]);

    const history = await c.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'too-many-errors', ScanBy: 'TimestampAscending' }));
    const items = history.AlarmHistoryItems!.map((h) => [h.HistoryItemType, h.HistorySummary]);
    assert.deepEqual(items, [
      ['ConfigurationUpdate', 'Alarm "too-many-errors" created'],
      ['StateUpdate', 'Alarm updated from INSUFFICIENT_DATA to ALARM'],
      ['Action', `Failed to execute action ${TOPIC}`],
      ['StateUpdate', 'Alarm updated from ALARM to OK'],
      ['Action', `Failed to execute action ${OK_TOPIC}`],
    ]);
    const update = JSON.parse(history.AlarmHistoryItems![1]!.HistoryData!) as { oldState: { stateValue: string }; newState: { stateValue: string } };
    assert.deepEqual([update.oldState.stateValue, update.newState.stateValue], ['INSUFFICIENT_DATA', 'ALARM']);
    const onlyActions = await c.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'too-many-errors', HistoryItemType: 'Action' }));
    assert.equal(onlyActions.AlarmHistoryItems?.length, 2);

    // SetAlarmState, with actions disabled: the state changes, nothing is notified.
    await c.cw.send(new DisableAlarmActionsCommand({ AlarmNames: ['too-many-errors'] }));
    await c.cw.send(new SetAlarmStateCommand({ AlarmName: 'too-many-errors', StateValue: 'ALARM', StateReason: 'testing the pager', StateReasonData: '{"why":"drill"}' }));
    await c.server.metrics.alarms.settled();
    a = await alarm(c, 'too-many-errors');
    assert.deepEqual([a.StateValue, a.StateReason, a.StateReasonData, a.ActionsEnabled], ['ALARM', 'testing the pager', '{"why":"drill"}', false]);
    assert.equal(c.notifier.recorded.length, 2);

    // Restart: alarms, their state and history, the filter and the metric survive.
    await stop(c);
    c = await start(dataDir, clock, false);
    a = await alarm(c, 'too-many-errors');
    assert.deepEqual([a.StateValue, a.StateReason, a.ActionsEnabled], ['ALARM', 'testing the pager', false]);
    const after = await c.cw.send(new DescribeAlarmHistoryCommand({ AlarmName: 'too-many-errors' }));
    assert.equal(after.AlarmHistoryItems?.length, 6);
    await c.logs.send(new PutLogEventsCommand({ logGroupName: 'app', logStreamName: 'web', logEvents: [{ timestamp: t0 + 125_000, message: 'ERROR after restart' }] }));
    const again = await c.cw.send(
      new GetMetricStatisticsCommand({ Namespace: 'App', MetricName: 'Errors', StartTime: new Date(t0), EndTime: new Date(t0 + 180_000), Period: 60, Statistics: ['Sum'] }),
    );
    assert.deepEqual(again.Datapoints?.map((d) => d.Sum), [4, 1, 1]);
  } finally {
    await stop(c);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('M out of N, TreatMissingData and metric math alarms', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-alarms-'));
  const clock = new FakeClock(Math.floor(Date.now() / 60_000) * 60_000);
  const c = await start(dataDir, clock);
  try {
    const t0 = clock.now();
    // Three 10-second periods of Latency: 50, 500, 700; Requests 10 each.
    for (const [k, v] of [50, 500, 700].entries()) {
      await c.cw.send(
        new PutMetricDataCommand({
          Namespace: 'Shop',
          MetricData: [
            { MetricName: 'Latency', Value: v, Timestamp: new Date(t0 + k * 10_000), Dimensions: [{ Name: 'Service', Value: 'cart' }] },
            { MetricName: 'Requests', Value: 10, Timestamp: new Date(t0 + k * 10_000) },
            { MetricName: 'Failures', Value: k, Timestamp: new Date(t0 + k * 10_000) },
          ],
        }),
      );
    }
    const base = { Namespace: 'Shop', MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'cart' }], Statistic: 'Maximum' as const, Period: 10, EvaluationPeriods: 3, Threshold: 400, ComparisonOperator: 'GreaterThanThreshold' as const };
    await c.cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'two-of-three', DatapointsToAlarm: 2 }));
    await c.cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'three-of-three' }));
    // Evaluated over four periods, the oldest without data: counted as breaching, or left out.
    await c.cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'missing-breaches', EvaluationPeriods: 4, DatapointsToAlarm: 3, TreatMissingData: 'breaching' }));
    await c.cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'missing-ignored', EvaluationPeriods: 4, DatapointsToAlarm: 3, TreatMissingData: 'ignore' }));
    await c.cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'failure-rate',
        EvaluationPeriods: 1,
        Threshold: 0.15,
        ComparisonOperator: 'GreaterThanThreshold',
        Metrics: [
          { Id: 'f', MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Failures' }, Period: 10, Stat: 'Sum' }, ReturnData: false },
          { Id: 'r', MetricStat: { Metric: { Namespace: 'Shop', MetricName: 'Requests' }, Period: 10, Stat: 'Sum' }, ReturnData: false },
          { Id: 'rate', Expression: 'f / r', Label: 'failure rate' },
        ],
      }),
    );
    clock.set(t0 + 30_000);
    await c.server.metrics.alarms.evaluateAll();
    const states = await c.cw.send(new DescribeAlarmsCommand({}));
    assert.deepEqual(
      states.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue]),
      [
        ['failure-rate', 'ALARM'], // 2 failures of 10 requests in the last period: 0.2 > 0.15
        ['missing-breaches', 'ALARM'], // missing, 500, 700 breach
        ['missing-ignored', 'OK'], // 500 and 700 breach: 2 < 3
        ['three-of-three', 'OK'],
        ['two-of-three', 'ALARM'],
      ],
    );
    const alarming = await c.cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
    assert.deepEqual(alarming.MetricAlarms?.map((a) => a.AlarmName), ['failure-rate', 'missing-breaches', 'two-of-three']);
    // Later, with no data at all in any window: missing → INSUFFICIENT_DATA, ignore keeps its state,
    // breaching stays ALARM.
    clock.set(t0 + 80_000);
    await c.server.metrics.alarms.evaluateAll();
    const later = await c.cw.send(new DescribeAlarmsCommand({}));
    assert.deepEqual(later.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue]), [
      ['failure-rate', 'INSUFFICIENT_DATA'],
      ['missing-breaches', 'ALARM'],
      ['missing-ignored', 'OK'],
      ['three-of-three', 'INSUFFICIENT_DATA'],
      ['two-of-three', 'INSUFFICIENT_DATA'],
    ]);
    const reason = later.MetricAlarms![4]!.StateReason;
    assert.equal(reason, 'Insufficient Data: 3 datapoints were unknown.');
  } finally {
    await stop(c);
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('early evaluation: Sum >= threshold fires on the breaching datapoint, before its period ends; Average waits', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lw-alarms-'));
  const clock = new FakeClock(Math.floor(Date.now() / 300_000) * 300_000);
  const c = await start(dataDir, clock);
  try {
    const t0 = clock.now();
    const put = (name: string, statistic: 'Sum' | 'Average') =>
      c.cw.send(
        new PutMetricAlarmCommand({
          AlarmName: name,
          Namespace: 'CIS',
          MetricName: 'RootAccountUsage',
          Statistic: statistic,
          Period: 300,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          AlarmActions: [TOPIC],
          TreatMissingData: 'notBreaching',
        }),
      );
    await put('root-sum', 'Sum');
    await put('root-avg', 'Average');
    await c.cw.send(new PutMetricAlarmCommand({ AlarmName: 'other', Namespace: 'CIS', MetricName: 'Other', Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
    await c.server.metrics.alarms.early();
    // (The server's own once-a-second timer may evaluate complete periods meanwhile: OK, never ALARM.)
    assert.notEqual((await alarm(c, 'root-sum')).StateValue, 'ALARM', 'no data yet: nothing early');

    clock.advance(10_000);
    await c.cw.send(new PutMetricDataCommand({ Namespace: 'CIS', MetricData: [{ MetricName: 'RootAccountUsage', Value: 0.5, Timestamp: new Date(t0 + 5_000) }] }));
    await c.server.metrics.alarms.early();
    assert.notEqual((await alarm(c, 'root-sum')).StateValue, 'ALARM', '0.5 does not breach');
    await c.cw.send(new PutMetricDataCommand({ Namespace: 'CIS', MetricData: [{ MetricName: 'RootAccountUsage', Value: 1, Timestamp: new Date(t0 + 9_000) }] }));
    await c.server.metrics.alarms.early();
    await c.server.metrics.alarms.settled();
    const a = await alarm(c, 'root-sum');
    assert.equal(a.StateValue, 'ALARM');
    assert.match(a.StateReason!, /^Threshold Crossed: 1 out of the last 1 datapoints \[1\.5 \(.*\)\] was greater than or equal to the threshold \(1\.0\)/);
    assert.deepEqual(c.notifier.recorded.map((n) => [n.alarmName, n.newState]), [['root-sum', 'ALARM']]);
    // Evaluating the complete periods before this one (no data: not breaching) does not undo it.
    await c.server.metrics.alarms.evaluateAll();
    assert.equal((await alarm(c, 'root-sum')).StateValue, 'ALARM');
    // An Average may still fall below the threshold in this period; another metric's alarm is not touched.
    assert.notEqual((await alarm(c, 'root-avg')).StateValue, 'ALARM');
    assert.notEqual((await alarm(c, 'other')).StateValue, 'ALARM');
    // At the end of the period the complete period decides, as before.
    clock.advance(300_000);
    await c.server.metrics.alarms.evaluateAll();
    assert.equal((await alarm(c, 'root-sum')).StateValue, 'ALARM');
    // The average of the complete period is 0.75: firing it early on the 1.0 alone would have been wrong.
    assert.equal((await alarm(c, 'root-avg')).StateValue, 'OK');
  } finally {
    await stop(c);
    rmSync(dataDir, { recursive: true, force: true });
  }
});
