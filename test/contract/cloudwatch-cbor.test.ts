/**
 * Contract: the CloudWatch metrics and alarms API in Smithy RPC v2 CBOR (the first protocol of the
 * service's model, which newer SDKs may choose), through the AWS SDK for JavaScript told to speak it
 * (AwsSmithyRpcV2CborProtocol, with the service's awsQueryCompatible settings): timestamps both ways as CBOR tag 1, AWS's errors with their awsQuery
 * codes, and on the wire the protocol's path, headers and refusals.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { cbor, tag } from '@smithy/core/cbor';
import { startLogward, stopAndClean, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';
import { signHeaders } from '../helpers/raw.js';

let srv: LogwardServer;
let cw: CloudWatchClient;
const run = uid();
const NS = `Cbor${run}`;
const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
const PATH = '/service/GraniteServiceVersion20100801/operation/';

before(async () => {
  srv = await startLogward();
  cw = new CloudWatchClient({ endpoint: srv.url, region: TEST_REGION, credentials: { ...srv.credentials }, maxAttempts: 1, protocol: AwsSmithyRpcV2CborProtocol });
});

after(async () => {
  cw.destroy();
  await stopAndClean(srv);
});

/** A signed request in the CBOR protocol, sent as given; the answer's status, headers and decoded body. */
async function rpc(op: string, body: Uint8Array, headers: Record<string, string> = { 'smithy-protocol': 'rpc-v2-cbor' }, contentType: string | null = 'application/cbor') {
  const signed = await signHeaders(srv.url, { credentials: srv.credentials, service: 'monitoring', path: PATH + op, rawTarget: null, contentType, headers, body: Buffer.from(body) });
  const res = await fetch(srv.url + PATH + op, { method: 'POST', headers: signed, body: Buffer.from(body) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: bytes.length === 0 ? undefined : (cbor.deserialize(bytes) as Record<string, unknown>) };
}

test('metrics through the SDK in CBOR: PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics', async () => {
  await cw.send(
    new PutMetricDataCommand({
      Namespace: NS,
      MetricData: [
        { MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'cart' }], Timestamp: new Date(T0), Values: [10, 30], Counts: [1, 1], Unit: 'Milliseconds' },
        { MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'cart' }], Timestamp: new Date(T0 + 60_000), Value: 50, Unit: 'Milliseconds' },
      ],
    }),
  );
  const stats = await cw.send(
    new GetMetricStatisticsCommand({ Namespace: NS, MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'cart' }], StartTime: new Date(T0), EndTime: new Date(T0 + 120_000), Period: 60, Statistics: ['SampleCount', 'Sum', 'Maximum'] }),
  );
  assert.deepEqual(
    stats.Datapoints?.map((d) => [d.Timestamp?.getTime(), d.SampleCount, d.Sum, d.Maximum, d.Unit]),
    [
      [T0, 2, 40, 30, 'Milliseconds'],
      [T0 + 60_000, 1, 50, 50, 'Milliseconds'],
    ],
  );
  const data = await cw.send(
    new GetMetricDataCommand({
      StartTime: new Date(T0),
      EndTime: new Date(T0 + 120_000),
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [{ Id: 'l', MetricStat: { Metric: { Namespace: NS, MetricName: 'Latency', Dimensions: [{ Name: 'Service', Value: 'cart' }] }, Period: 60, Stat: 'Sum' }, ReturnData: false }, { Id: 'twice', Expression: 'l * 2' }],
    }),
  );
  assert.deepEqual(
    data.MetricDataResults?.map((r) => [r.Id, r.Timestamps?.map((t) => t.getTime()), r.Values, r.StatusCode]),
    [['twice', [T0, T0 + 60_000], [80, 100], 'Complete']],
  );
  const listed = await cw.send(new ListMetricsCommand({ Namespace: NS }));
  assert.deepEqual(listed.Metrics?.map((m) => [m.MetricName, m.Dimensions]), [['Latency', [{ Name: 'Service', Value: 'cart' }]]]);
});

test('alarms through the SDK in CBOR, and errors with their names, awsQuery codes and statuses', async () => {
  const name = `cbor-${run}`;
  await cw.send(new PutMetricAlarmCommand({ AlarmName: name, Namespace: NS, MetricName: 'Latency', Statistic: 'Maximum', Period: 60, EvaluationPeriods: 1, Threshold: 100, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'ignore' }));
  await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'by hand' }));
  const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  const a = alarms.MetricAlarms?.[0];
  assert.equal(a?.StateValue, 'ALARM');
  assert.equal(a?.StateReason, 'by hand');
  assert.ok(a?.StateUpdatedTimestamp instanceof Date && Math.abs(a.StateUpdatedTimestamp.getTime() - Date.now()) < 60_000, `StateUpdatedTimestamp ${String(a?.StateUpdatedTimestamp)}`);
  const history = await cw.send(new DescribeAlarmHistoryCommand({ AlarmName: name, HistoryItemType: 'StateUpdate' }));
  assert.deepEqual(history.AlarmHistoryItems?.map((h) => h.HistorySummary), ['Alarm updated from INSUFFICIENT_DATA to ALARM']);
  assert.ok(history.AlarmHistoryItems?.[0]?.Timestamp instanceof Date);

  const failure = async (p: Promise<unknown>): Promise<{ name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number } }> => {
    try {
      await p;
    } catch (e) {
      return e as { name: string; Code?: string; message: string };
    }
    assert.fail('expected an error');
  };
  const bad = await failure(cw.send(new PutMetricAlarmCommand({ AlarmName: 'x', Namespace: NS, MetricName: 'Latency', Statistic: 'Sum', Period: 45, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' })));
  assert.deepEqual([bad.name, bad.Code, bad.message, bad.$metadata?.httpStatusCode], ['ValidationException', 'ValidationError', 'Period must be 10, 30 or a multiple of 60.', 400]);
  const missing = await failure(cw.send(new SetAlarmStateCommand({ AlarmName: `nope-${run}`, StateValue: 'OK', StateReason: 'r' })));
  assert.deepEqual([missing.name, missing.Code, missing.$metadata?.httpStatusCode], ['ResourceNotFound', 'ResourceNotFound', 404]);

  await cw.send(new DeleteAlarmsCommand({ AlarmNames: [name] }));
  assert.deepEqual((await cw.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms, []);
});

test('on the wire: the protocol header and content type both ways; a bad body, a missing header or another content type is refused and stores nothing', async () => {
  const ok = await rpc('ListMetrics', cbor.serialize({ Namespace: NS }));
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('smithy-protocol'), 'rpc-v2-cbor');
  assert.equal(ok.headers.get('content-type'), 'application/cbor');
  // An operation's input may be sent as no body at all.
  assert.equal((await rpc('DescribeAlarms', new Uint8Array(0), { 'smithy-protocol': 'rpc-v2-cbor' }, null)).status, 200);

  const put = { Namespace: `${NS}-refused`, MetricData: [{ MetricName: 'M', Value: 1 }] };
  const cases: Array<[string, Awaited<ReturnType<typeof rpc>>]> = [
    ['truncated CBOR', await rpc('PutMetricData', cbor.serialize(put).subarray(0, 20))],
    ['not a map', await rpc('PutMetricData', cbor.serialize([put]))],
    // 200,000 nested one-element arrays: deeper than any call stack.
    ['nested too deeply', await rpc('PutMetricData', Buffer.concat([Buffer.from([0xa1, 0x61, 0x78]), Buffer.alloc(200_000, 0x81), Buffer.from([0x00])]))],
    ['an unknown tag', await rpc('PutMetricData', cbor.serialize({ ...put, MetricData: [{ MetricName: 'M', Value: 1, Timestamp: tag({ tag: 100, value: 'x' }) }] }))],
    ['no smithy-protocol header', await rpc('PutMetricData', cbor.serialize(put), {})],
    ['JSON content type', await rpc('PutMetricData', cbor.serialize(put), { 'smithy-protocol': 'rpc-v2-cbor' }, 'application/json')],
  ];
  for (const [what, r] of cases) {
    assert.equal(r.status, 400, what);
    assert.equal(r.headers.get('content-type'), 'application/cbor', what);
    assert.equal(r.headers.get('x-amzn-query-error')?.split(';')[1], 'Sender', what);
    assert.equal(typeof r.body?.__type, 'string', what);
    assert.equal(typeof r.body?.message, 'string', what);
  }
  for (const k of [0, 1, 2, 4]) assert.equal(cases[k]![1].body?.__type, 'SerializationException', cases[k]![0]);
  assert.deepEqual((await cw.send(new ListMetricsCommand({ Namespace: `${NS}-refused` }))).Metrics, []);
  const unknown = await rpc('NoSuchOperation', cbor.serialize({}));
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body?.__type, 'UnknownOperationException');
});
