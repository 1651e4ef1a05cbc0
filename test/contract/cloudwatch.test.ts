/**
 * Contract: the CloudWatch metrics and alarms API (awsJson1_0, SigV4 service `monitoring`) through the
 * AWS SDK for JavaScript: PutMetricData in its three forms, GetMetricStatistics, GetMetricData with metric
 * math, ListMetrics filters, the alarm operations, AWS's errors (name, awsQuery code, status), and
 * GET /metrics.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  DescribeAlarmsForMetricCommand,
  EnableAlarmActionsCommand,
  DisableAlarmActionsCommand,
  GetMetricDataCommand,
  paginateGetMetricData,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
  DescribeAlarmHistoryCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { startLogward, stopAndClean, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
let cw: CloudWatchClient;
const run = uid();
const NS = `Shop${run}`;
// Aligned to 120 s: one test reads 120-second periods, which are aligned to the epoch.
const T0 = Math.floor(Date.now() / 120_000) * 120_000 - 10 * 60_000;

before(async () => {
  srv = await startLogward();
  cw = new CloudWatchClient({ endpoint: srv.url, region: TEST_REGION, credentials: { ...srv.credentials }, maxAttempts: 1 });
});

after(async () => {
  cw.destroy();
  await stopAndClean(srv);
});

interface SdkError {
  name: string;
  message: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
}

async function fails(p: Promise<unknown>, name: string, code: string, message?: string | RegExp, status = 400): Promise<void> {
  let err: SdkError | undefined;
  try {
    await p;
  } catch (e) {
    err = e as SdkError;
  }
  assert.ok(err, `expected ${name}`);
  assert.equal(err.name, name, err.message);
  assert.equal(err.Code, code, 'awsQuery error code');
  assert.equal(err.$metadata?.httpStatusCode, status);
  if (typeof message === 'string') assert.equal(err.message, message);
  else if (message) assert.match(err.message, message);
}

test('PutMetricData: values, statistic sets and value lists; GetMetricStatistics per period', async () => {
  await cw.send(
    new PutMetricDataCommand({
      Namespace: NS,
      MetricData: [
        { MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'cart' }, { Name: 'Az', Value: 'a' }], Timestamp: new Date(T0), Value: 10, Unit: 'Milliseconds' },
        { MetricName: 'Latency', Dimensions: [{ Name: 'Az', Value: 'a' }, { Name: 'Service', Value: 'cart' }], Timestamp: new Date(T0 + 1000), Values: [20, 30], Counts: [1, 2], Unit: 'Milliseconds' },
        { MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'cart' }, { Name: 'Az', Value: 'a' }], Timestamp: new Date(T0 + 60_000), StatisticValues: { SampleCount: 4, Sum: 400, Minimum: 50, Maximum: 150 }, Unit: 'Milliseconds' },
        { MetricName: 'Orders', Timestamp: new Date(T0), Value: 3 },
        { MetricName: 'Orders', Timestamp: new Date(T0 + 60_000), Value: 5 },
        { MetricName: 'Visits', Timestamp: new Date(T0), Value: 10 },
        { MetricName: 'Visits', Timestamp: new Date(T0 + 60_000), Value: 20 },
      ],
    }),
  );
  const dims = [{ Name: 'Service', Value: 'cart' }, { Name: 'Az', Value: 'a' }];
  const r = await cw.send(
    new GetMetricStatisticsCommand({ Namespace: NS, MetricName: 'Latency', Dimensions: dims, StartTime: new Date(T0), EndTime: new Date(T0 + 120_000), Period: 60, Statistics: ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'] }),
  );
  assert.equal(r.Label, 'Latency');
  assert.deepEqual(
    r.Datapoints?.map((d) => [d.Timestamp?.getTime(), d.SampleCount, d.Sum, d.Average, d.Minimum, d.Maximum, d.Unit]),
    [
      [T0, 4, 90, 22.5, 10, 30, 'Milliseconds'],
      [T0 + 60_000, 4, 400, 100, 50, 150, 'Milliseconds'],
    ],
  );
  const p = await cw.send(
    new GetMetricStatisticsCommand({ Namespace: NS, MetricName: 'Latency', Dimensions: dims, StartTime: new Date(T0), EndTime: new Date(T0 + 120_000), Period: 120, ExtendedStatistics: ['p50'] }),
  );
  // One period holds a statistic set (no distribution): no percentile, as in AWS.
  assert.deepEqual(p.Datapoints?.map((d) => d.ExtendedStatistics), [{}]);
  const unitless = await cw.send(
    new GetMetricStatisticsCommand({ Namespace: NS, MetricName: 'Latency', Dimensions: dims, StartTime: new Date(T0), EndTime: new Date(T0 + 120_000), Period: 60, Statistics: ['Sum'], Unit: 'Seconds' }),
  );
  assert.deepEqual(unitless.Datapoints, []);
});

test('GetMetricData: MetricStat queries, math expressions, ReturnData, ScanBy', async () => {
  const stat = (id: string, name: string, returnData = false) => ({ Id: id, MetricStat: { Metric: { Namespace: NS, MetricName: name }, Period: 60, Stat: 'Sum' }, ReturnData: returnData });
  const r = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 120_000),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        stat('orders', 'Orders', true),
        stat('visits', 'Visits'),
        { Id: 'conversion', Expression: 'orders / visits * 100', Label: 'Conversion %' },
        { Id: 'total', Expression: 'SUM([orders, visits])' },
        { Id: 'most', Expression: 'MAX(METRICS())' },
      ],
    }),
  );
  assert.deepEqual(
    r.MetricDataResults?.map((x) => [x.Id, x.Label, x.Timestamps?.map((t) => t.getTime()), x.Values, x.StatusCode]),
    [
      ['orders', 'Orders', [T0, T0 + 60_000], [3, 5], 'Complete'],
      ['conversion', 'Conversion %', [T0, T0 + 60_000], [30, 25], 'Complete'],
      ['total', 'total', [T0, T0 + 60_000], [13, 25], 'Complete'],
      ['most', 'most', [T0, T0 + 60_000], [10, 20], 'Complete'],
    ],
  );
  const newestFirst = await cw.send(new GetMetricDataCommand({ StartTime: new Date(T0), EndTime: new Date(T0 + 120_000), MetricDataQueries: [stat('o', 'Orders', true)] }));
  assert.deepEqual(newestFirst.MetricDataResults?.[0]?.Values, [5, 3]);
  await fails(
    cw.send(new GetMetricDataCommand({ StartTime: new Date(T0), EndTime: new Date(T0 + 60_000), MetricDataQueries: [{ Id: 'o', MetricStat: { Metric: { Namespace: NS, MetricName: 'Orders' }, Period: 60, Stat: 'Median' } }] })),
    'ValidationException',
    'ValidationError',
    'The value Median for parameter MetricDataQueries.member.1.MetricStat.Stat is not a valid statistic.',
  );
  await fails(
    cw.send(new GetMetricDataCommand({ StartTime: new Date(T0), EndTime: new Date(T0 + 60_000), MetricDataQueries: [{ Id: 'e', Expression: 'nope * 2' }] })),
    'ValidationException',
    'ValidationError',
    /Unrecognized metric id nope/,
  );
});

test('GetMetricData pages by MaxDatapoints with NextToken (the SDK paginator), resuming inside a result', async () => {
  const stat = (id: string, name: string) => ({ Id: id, MetricStat: { Metric: { Namespace: NS, MetricName: name }, Period: 60, Stat: 'Sum' } });
  const input = { StartTime: new Date(T0), EndTime: new Date(T0 + 120_000), MaxDatapoints: 3, MetricDataQueries: [stat('orders', 'Orders'), stat('visits', 'Visits')] };
  const pages = [];
  for await (const page of paginateGetMetricData({ client: cw }, { ...input })) pages.push(page);
  // Newest first; 4 datapoints in pages of at most 3: the second page resumes inside Visits.
  assert.deepEqual(
    pages.map((p) => p.MetricDataResults?.map((x) => [x.Id, x.Timestamps?.map((t) => t.getTime() - T0), x.Values, x.StatusCode])),
    [
      [
        ['orders', [60_000, 0], [5, 3], 'Complete'],
        ['visits', [60_000], [20], 'PartialData'],
      ],
      [['visits', [0], [10], 'Complete']],
    ],
  );
  assert.equal(pages.at(-1)?.NextToken, undefined);
  const first = await cw.send(new GetMetricDataCommand(input));
  assert.ok(first.NextToken);
  // A token belongs to its request.
  await fails(cw.send(new GetMetricDataCommand({ ...input, ScanBy: 'TimestampAscending', NextToken: first.NextToken })), 'InvalidNextToken', 'InvalidNextToken', 'The specified nextToken is invalid.');
  await fails(cw.send(new GetMetricDataCommand({ ...input, NextToken: 'not-a-token' })), 'InvalidNextToken', 'InvalidNextToken', 'The specified nextToken is invalid.');
  // With a returned math expression, results are cut without a token, as AWS documents.
  const math = await cw.send(new GetMetricDataCommand({ ...input, MaxDatapoints: 1, MetricDataQueries: [{ ...stat('orders', 'Orders'), ReturnData: false }, { Id: 'twice', Expression: 'orders * 2' }] }));
  assert.deepEqual(math.MetricDataResults?.map((x) => [x.Id, x.Values, x.StatusCode]), [['twice', [10], 'PartialData']]);
  assert.equal(math.NextToken, undefined);
});

test('ListMetrics by namespace, name and dimensions', async () => {
  const all = await cw.send(new ListMetricsCommand({ Namespace: NS }));
  assert.deepEqual(all.Metrics?.map((m) => m.MetricName), ['Latency', 'Orders', 'Visits']);
  assert.deepEqual(all.Metrics?.[0]?.Dimensions, [{ Name: 'Az', Value: 'a' }, { Name: 'Service', Value: 'cart' }]);
  const byDim = await cw.send(new ListMetricsCommand({ Namespace: NS, Dimensions: [{ Name: 'Service' }] }));
  assert.deepEqual(byDim.Metrics?.map((m) => m.MetricName), ['Latency']);
  const byValue = await cw.send(new ListMetricsCommand({ Dimensions: [{ Name: 'Service', Value: 'other' }] }));
  assert.deepEqual(byValue.Metrics, []);
  const byName = await cw.send(new ListMetricsCommand({ MetricName: 'Orders', Namespace: NS, RecentlyActive: 'PT3H' }));
  assert.equal(byName.Metrics?.length, 1);
});

test('bad metric requests are AWS errors and store nothing', async () => {
  await fails(cw.send(new PutMetricDataCommand({ Namespace: 'AWS/EC2', MetricData: [{ MetricName: 'X', Value: 1 }] })), 'InvalidParameterValueException', 'InvalidParameterValue', 'The value AWS/EC2 for parameter Namespace is invalid.');
  await fails(
    cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: 'Bad', Value: 1 }, { MetricName: 'Bad', Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }] })),
    'InvalidParameterCombinationException',
    'InvalidParameterCombination',
    'The parameters MetricData.member.2.Value and MetricData.member.2.StatisticValues are mutually exclusive and you have specified both.',
  );
  await fails(
    cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: 'Bad', Timestamp: new Date(Date.now() - 15 * 86_400_000), Value: 1 }] })),
    'InvalidParameterValueException',
    'InvalidParameterValue',
    'The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks.',
  );
  await fails(cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: 'Bad', Values: [1, 2], Counts: [1] }] })), 'InvalidParameterValueException', 'InvalidParameterValue');
  // A model constraint: Coral's message, CloudWatch's ValidationError.
  await fails(
    cw.send(new PutMetricDataCommand({ Namespace: NS, MetricData: [{ MetricName: '', Value: 1 }] })),
    'ValidationException',
    'ValidationError',
    "1 validation error detected: Value '' at 'metricData.1.member.metricName' failed to satisfy constraint: Member must have length greater than or equal to 1",
  );
  const listed = await cw.send(new ListMetricsCommand({ Namespace: NS, MetricName: 'Bad' }));
  assert.deepEqual(listed.Metrics, []);
  await fails(
    cw.send(new GetMetricStatisticsCommand({ Namespace: NS, MetricName: 'Orders', StartTime: new Date(T0), EndTime: new Date(T0 + 86_400_000 * 2), Period: 60, Statistics: ['Sum'] })),
    'InvalidParameterCombinationException',
    'InvalidParameterCombination',
    'You have requested up to 2,880 datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
  );
  await fails(
    cw.send(new GetMetricStatisticsCommand({ Namespace: NS, MetricName: 'Orders', StartTime: new Date(T0), EndTime: new Date(T0 + 60_000), Period: 60 })),
    'MissingRequiredParameterException',
    'MissingParameter',
  );
  await fails(
    cw.send(new GetMetricStatisticsCommand({ Namespace: NS, MetricName: 'Orders', StartTime: new Date(T0), EndTime: new Date(T0 + 60_000), Period: 45, Statistics: ['Sum'] })),
    'InvalidParameterValueException',
    'InvalidParameterValue',
  );
});

test('alarms: put, describe, for metric, set state, actions on/off, delete, errors', async () => {
  const base: PutMetricAlarmCommandInput = { AlarmName: `hi-${run}`, Namespace: NS, MetricName: 'Orders', Statistic: 'Sum', Period: 60, EvaluationPeriods: 2, DatapointsToAlarm: 1, Threshold: 100, ComparisonOperator: 'GreaterThanThreshold', AlarmActions: ['arn:aws:sns:us-east-1:000000000000:ops'] };
  await cw.send(new PutMetricAlarmCommand(base));
  // TreatMissingData ignore: an evaluation without data keeps the alarm's state, so the state SetAlarmState
  // gives it below is still there when it is described, whenever the evaluator runs in between.
  await cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: `p99-${run}`, Statistic: undefined, ExtendedStatistic: 'p99', MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'cart' }, { Name: 'Az', Value: 'a' }], TreatMissingData: 'ignore' }));
  const d = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `hi-${run}` }));
  const a = d.MetricAlarms![0]!;
  assert.deepEqual(
    [a.AlarmName, a.StateValue, a.Namespace, a.MetricName, a.Statistic, a.Period, a.EvaluationPeriods, a.DatapointsToAlarm, a.Threshold, a.ComparisonOperator, a.TreatMissingData, a.ActionsEnabled, a.AlarmActions],
    [`hi-${run}`, 'INSUFFICIENT_DATA', NS, 'Orders', 'Sum', 60, 2, 1, 100, 'GreaterThanThreshold', 'missing', true, ['arn:aws:sns:us-east-1:000000000000:ops']],
  );
  assert.ok(a.AlarmConfigurationUpdatedTimestamp instanceof Date);
  const forMetric = await cw.send(new DescribeAlarmsForMetricCommand({ Namespace: NS, MetricName: 'Latency', Dimensions: [{ Name: 'Az', Value: 'a' }, { Name: 'Service', Value: 'cart' }] }));
  assert.deepEqual(forMetric.MetricAlarms?.map((x) => [x.AlarmName, x.ExtendedStatistic]), [[`p99-${run}`, 'p99']]);

  await cw.send(new SetAlarmStateCommand({ AlarmName: `p99-${run}`, StateValue: 'ALARM', StateReason: 'manual' }));
  const set = await cw.send(new DescribeAlarmsCommand({ StateValue: 'ALARM', AlarmNames: [`hi-${run}`, `p99-${run}`] }));
  assert.deepEqual(set.MetricAlarms?.map((x) => [x.AlarmName, x.StateReason]), [[`p99-${run}`, 'manual']]);
  const hist = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: `p99-${run}`, HistoryItemType: 'StateUpdate' }));
  assert.deepEqual(hist.AlarmHistoryItems?.map((h) => h.HistorySummary), ['Alarm updated from INSUFFICIENT_DATA to ALARM']);
  await cw.send(new DisableAlarmActionsCommand({ AlarmNames: [`hi-${run}`] }));
  assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNames: [`hi-${run}`] }))).MetricAlarms?.[0]?.ActionsEnabled, false);
  await cw.send(new EnableAlarmActionsCommand({ AlarmNames: [`hi-${run}`] }));
  assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNames: [`hi-${run}`] }))).MetricAlarms?.[0]?.ActionsEnabled, true);

  await fails(cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'x', Period: 45 })), 'ValidationException', 'ValidationError', 'Period must be 10, 30 or a multiple of 60.');
  await fails(cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'x', DatapointsToAlarm: 3 })), 'ValidationException', 'ValidationError', 'DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
  await fails(
    cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'x', Period: 3600, EvaluationPeriods: 25 })),
    'ValidationException',
    'ValidationError',
    'Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400).',
  );
  await fails(cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'x', ComparisonOperator: 'LessThanLowerOrGreaterThanUpperThreshold' })), 'ValidationException', 'ValidationError', 'ComparisonOperators for ranges require ThresholdMetricId to be set');
  await fails(cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'x', TreatMissingData: 'sometimes' })), 'ValidationException', 'ValidationError');
  await fails(cw.send(new PutMetricAlarmCommand({ ...base, AlarmName: 'x', ExtendedStatistic: 'p90' })), 'InvalidParameterCombinationException', 'InvalidParameterCombination');
  await fails(cw.send(new SetAlarmStateCommand({ AlarmName: 'nope', StateValue: 'OK', StateReason: 'r' })), 'ResourceNotFound', 'ResourceNotFound', 'Alarm nope not found', 404);
  await fails(cw.send(new SetAlarmStateCommand({ AlarmName: `hi-${run}`, StateValue: 'OK', StateReason: 'r', StateReasonData: '{nope' })), 'InvalidFormatFault', 'InvalidFormat');
  await fails(cw.send(new DeleteAlarmsCommand({ AlarmNames: [`hi-${run}`, 'nope'] })), 'ResourceNotFound', 'ResourceNotFound', undefined, 404);
  assert.equal((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'x' }))).MetricAlarms?.length, 0);

  await cw.send(new DeleteAlarmsCommand({ AlarmNames: [`hi-${run}`, `p99-${run}`] }));
  assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `hi-${run}` }))).MetricAlarms, []);
});

test('GET /metrics: Logward health and the newest values of every metric, in the Prometheus format', async () => {
  const res = await fetch(`${srv.url}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, /^# TYPE logward_ingested_events_total counter$/m);
  assert.match(text, /^logward_hot_tier_bytes \d+$/m);
  assert.match(text, /^logward_seal_queue_depth \d+$/m);
  assert.match(text, /^logward_alarms\{state="OK"\} \d+$/m);
  assert.match(text, new RegExp(`^Shop${run}_Orders_sum 5$`, 'm'));
  assert.match(text, new RegExp(`^Shop${run}_Latency_count\\{Az="a",Service="cart"\\} 4$`, 'm'));
  for (const line of text.split('\n').filter((l) => l !== '' && !l.startsWith('#'))) {
    assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? \S+$/, line);
  }
});

test('an unsigned CloudWatch request gets the awsJson1_0 error shape with its awsQuery code', async () => {
  const res = await fetch(srv.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.ListMetrics' },
    body: '{}',
  });
  assert.equal(res.status, 400);
  assert.match(res.headers.get('content-type') ?? '', /^application\/x-amz-json-1\.0/);
  assert.equal(res.headers.get('x-amzn-query-error'), 'MissingAuthenticationTokenException;Sender');
  assert.deepEqual(await res.json(), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
});
