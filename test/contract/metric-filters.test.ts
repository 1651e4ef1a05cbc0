/**
 * Contract: metric filters through the AWS SDK: put, describe (by group, prefix, metric), delete, the
 * limit of 100 per group, AWS's errors, and the metrics they publish from ingested events (values from
 * JSON fields, dimensions, percentiles) read back with GetMetricStatistics.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteMetricFilterCommand,
  DescribeMetricFiltersCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
  type PutMetricFilterCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { startLogward, stopAndClean, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
let cw: CloudWatchClient;
const run = uid();

before(async () => {
  srv = await startLogward();
  cw = new CloudWatchClient({ endpoint: srv.url, region: TEST_REGION, credentials: { ...srv.credentials }, maxAttempts: 1 });
});

after(async () => {
  cw.destroy();
  await stopAndClean(srv);
});

const filter = (group: string, name: string, over: Partial<PutMetricFilterCommandInput> = {}): PutMetricFilterCommand =>
  new PutMetricFilterCommand({
    logGroupName: group,
    filterName: name,
    filterPattern: 'ERROR',
    metricTransformations: [{ metricName: 'Errors', metricNamespace: `T${run}`, metricValue: '1' }],
    ...over,
  });

test('put, describe by group, prefix and metric, replace, delete', async () => {
  const g = `/mf/${run}/a`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: g }));
  await srv.client.send(filter(g, 'errors'));
  await srv.client.send(filter(g, 'warnings', { filterPattern: 'WARN', metricTransformations: [{ metricName: 'Warnings', metricNamespace: `T${run}`, metricValue: '1', defaultValue: 0 }] }));
  const all = await srv.client.send(new DescribeMetricFiltersCommand({ logGroupName: g }));
  assert.deepEqual(
    all.metricFilters?.map((f) => [f.filterName, f.filterPattern, f.logGroupName, f.metricTransformations, f.applyOnTransformedLogs]),
    [
      ['errors', 'ERROR', g, [{ metricName: 'Errors', metricNamespace: `T${run}`, metricValue: '1' }], false],
      ['warnings', 'WARN', g, [{ metricName: 'Warnings', metricNamespace: `T${run}`, metricValue: '1', defaultValue: 0 }], false],
    ],
  );
  assert.equal(typeof all.metricFilters?.[0]?.creationTime, 'number');
  const byPrefix = await srv.client.send(new DescribeMetricFiltersCommand({ logGroupName: g, filterNamePrefix: 'warn' }));
  assert.deepEqual(byPrefix.metricFilters?.map((f) => f.filterName), ['warnings']);
  const byMetric = await srv.client.send(new DescribeMetricFiltersCommand({ metricName: 'Errors', metricNamespace: `T${run}` }));
  assert.deepEqual(byMetric.metricFilters?.map((f) => f.filterName), ['errors']);
  const paged = await srv.client.send(new DescribeMetricFiltersCommand({ logGroupName: g, limit: 1 }));
  assert.equal(paged.metricFilters?.length, 1);
  const next = await srv.client.send(new DescribeMetricFiltersCommand({ logGroupName: g, limit: 1, nextToken: paged.nextToken }));
  assert.deepEqual(next.metricFilters?.map((f) => f.filterName), ['warnings']);

  await srv.client.send(filter(g, 'errors', { filterPattern: '?ERROR ?FATAL' }));
  const replaced = await srv.client.send(new DescribeMetricFiltersCommand({ logGroupName: g, filterNamePrefix: 'errors' }));
  assert.equal(replaced.metricFilters?.[0]?.filterPattern, '?ERROR ?FATAL');

  await srv.client.send(new DeleteMetricFilterCommand({ logGroupName: g, filterName: 'errors' }));
  const left = await srv.client.send(new DescribeMetricFiltersCommand({ logGroupName: g }));
  assert.deepEqual(left.metricFilters?.map((f) => f.filterName), ['warnings']);
  await rejectsAws(srv.client.send(new DeleteMetricFilterCommand({ logGroupName: g, filterName: 'errors' })), 'ResourceNotFoundException', 'The specified metric filter does not exist.');
});

test('bad filters get AWS errors and change nothing', async () => {
  const g = `/mf/${run}/bad`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: g }));
  await rejectsAws(srv.client.send(filter(`/mf/${run}/nope`, 'x')), 'ResourceNotFoundException', 'The specified log group does not exist.');
  await rejectsAws(srv.client.send(filter(g, 'x', { filterPattern: '{ $.a = ' })), 'InvalidParameterException');
  await rejectsAws(
    srv.client.send(filter(g, 'x', { filterPattern: '{ $.a = 1 }', metricTransformations: [{ metricName: 'M', metricNamespace: 'N', metricValue: '1', defaultValue: 0, dimensions: { a: '$.a' } }] })),
    'InvalidParameterException',
    'Invalid metric transformation: dimensions and default value are mutually exclusive properties',
  );
  await rejectsAws(
    srv.client.send(filter(g, 'x', { metricTransformations: [{ metricName: 'M', metricNamespace: 'N', metricValue: '1', dimensions: { a: '$.a' } }] })),
    'InvalidParameterException',
    'The specified filter pattern does not support dimensions',
  );
  await rejectsAws(
    srv.client.send(filter(g, 'x', { filterPattern: '{ $.a = 1 }', metricTransformations: [{ metricName: 'M', metricNamespace: 'N', metricValue: '1', dimensions: { a: '$.a', b: '$.b', c: '$.c', d: '$.d' } }] })),
    'InvalidParameterException',
    /at most 3 dimensions/,
  );
  await rejectsAws(srv.client.send(filter(g, 'x', { metricTransformations: [{ metricName: 'M', metricNamespace: 'N', metricValue: 'lots' }] })), 'InvalidParameterException', /^Invalid metric value/);
  // The model's own constraints, in Coral's words.
  await rejectsAws(
    srv.client.send(filter(g, 'x', { metricTransformations: [{ metricName: 'a:b', metricNamespace: 'N', metricValue: '1' }] })),
    'InvalidParameterException',
    "1 validation error detected: Value 'a:b' at 'metricTransformations.1.member.metricName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*$]*",
  );
  const none = await srv.client.send(new DescribeMetricFiltersCommand({ logGroupName: g }));
  assert.deepEqual(none.metricFilters, []);

  for (let k = 0; k < 100; k++) await srv.client.send(filter(g, `f${String(k).padStart(3, '0')}`));
  await rejectsAws(srv.client.send(filter(g, 'one-too-many')), 'LimitExceededException', 'Resource limit exceeded.');
  await srv.client.send(filter(g, 'f000', { filterPattern: 'FATAL' })); // replacing one is not a new one
});

test('ingested events publish values, dimensions and percentiles; earlier events are not counted', async () => {
  const g = `/mf/${run}/latency`;
  const ns = `Web${run}`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: g }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
  const ev = (k: number, route: string, ms: number) => ({ timestamp: t0 + k, message: JSON.stringify({ route, status: 200, latency: ms }) });
  await srv.client.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: 's', logEvents: [ev(0, '/early', 9999)] }));
  await srv.client.send(
    filter(g, 'latency', {
      filterPattern: '{ $.status = 200 }',
      metricTransformations: [{ metricName: 'Latency', metricNamespace: ns, metricValue: '$.latency', unit: 'Milliseconds', dimensions: { Route: '$.route' } }],
    }),
  );
  await srv.client.send(
    filter(g, 'requests', { filterPattern: '[]', metricTransformations: [{ metricName: 'Requests', metricNamespace: ns, metricValue: '1' }] }),
  );
  const events = Array.from({ length: 100 }, (_, k) => ev(k + 1, k % 2 === 0 ? '/a' : '/b', k + 1));
  await srv.client.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: 's', logEvents: [...events, { timestamp: t0 + 200, message: 'not json' }] }));

  const stats = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: ns,
      MetricName: 'Latency',
      Dimensions: [{ Name: 'Route', Value: '/a' }],
      StartTime: new Date(t0),
      EndTime: new Date(t0 + 60_000),
      Period: 60,
      Statistics: ['SampleCount', 'Sum', 'Minimum', 'Maximum', 'Average'],
    }),
  );
  // /a has the odd latencies 1, 3, ..., 99.
  assert.deepEqual(stats.Datapoints?.map((d) => [d.Timestamp?.getTime(), d.SampleCount, d.Sum, d.Minimum, d.Maximum, d.Average, d.Unit]), [[t0, 50, 2500, 1, 99, 50, 'Milliseconds']]);
  const pct = await cw.send(
    new GetMetricStatisticsCommand({ Namespace: ns, MetricName: 'Latency', Dimensions: [{ Name: 'Route', Value: '/b' }], StartTime: new Date(t0), EndTime: new Date(t0 + 60_000), Period: 60, ExtendedStatistics: ['p50', 'p99', 'p100'] }),
  );
  const ext = pct.Datapoints?.[0]?.ExtendedStatistics ?? {};
  // /b has 2, 4, ..., 100: nearest-rank p50 is 50, p99 is 100; sketches are within 1%.
  assert.ok(Math.abs(ext.p50! - 50) <= 0.5, `p50 ${ext.p50}`);
  assert.ok(Math.abs(ext.p99! - 100) <= 1, `p99 ${ext.p99}`);
  assert.equal(ext.p100, 100);
  const requests = await cw.send(
    new GetMetricStatisticsCommand({ Namespace: ns, MetricName: 'Requests', StartTime: new Date(t0), EndTime: new Date(t0 + 60_000), Period: 60, Statistics: ['Sum'] }),
  );
  assert.deepEqual(requests.Datapoints?.map((d) => d.Sum), [101]); // the events after the filter, JSON or not
  const listed = await cw.send(new ListMetricsCommand({ Namespace: ns }));
  assert.deepEqual(
    listed.Metrics?.map((m) => [m.MetricName, m.Dimensions?.map((d) => `${d.Name}=${d.Value}`).join(',')]),
    [
      ['Latency', 'Route=/a'],
      ['Latency', 'Route=/b'],
      ['Requests', ''],
    ],
  );
});
