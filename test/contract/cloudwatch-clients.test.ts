/**
 * Contract: the CloudWatch API through the other clients people use, changing only the endpoint: the aws
 * CLI (v1, botocore) and boto3, and boto3 in Smithy RPC v2 CBOR. Each walks metrics and alarms in one
 * test (the clients are slow to start).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { awsCli, startLogward, stopAndClean, TEST_REGION, type CliResult, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
const run = uid();

before(async () => {
  srv = await startLogward();
});

after(async () => {
  await stopAndClean(srv);
});

async function cw(args: string[]): Promise<CliResult> {
  const r = await awsCli(args, srv, 'cloudwatch');
  assert.equal(r.code, 0, `aws cloudwatch ${args.join(' ')} failed (${String(r.code)}):\n${r.stderr}`);
  return r;
}

test('metrics and alarms through the aws CLI', async () => {
  const ns = `Cli${run}`;
  const t0 = Math.floor(Date.now() / 60_000) * 60_000 - 5 * 60_000;
  const iso = (ms: number): string => new Date(ms).toISOString();
  await cw(['put-metric-data', '--namespace', ns, '--metric-name', 'Jobs', '--value', '7', '--unit', 'Count', '--timestamp', iso(t0), '--dimensions', 'Queue=high']);
  await cw(['put-metric-data', '--namespace', ns, '--metric-data', JSON.stringify([{ MetricName: 'Jobs', Value: 3, Unit: 'Count', Timestamp: iso(t0 + 1000), Dimensions: [{ Name: 'Queue', Value: 'high' }] }])]);
  const stats = (await cw(['get-metric-statistics', '--namespace', ns, '--metric-name', 'Jobs', '--dimensions', 'Name=Queue,Value=high', '--start-time', iso(t0), '--end-time', iso(t0 + 60_000), '--period', '60', '--statistics', 'Sum', 'Maximum']))
    .json as { Label: string; Datapoints: Array<{ Sum: number; Maximum: number; Unit: string; Timestamp: number }> };
  assert.equal(stats.Label, 'Jobs');
  assert.deepEqual(stats.Datapoints.map((d) => [d.Sum, d.Maximum, d.Unit, d.Timestamp * 1000]), [[10, 7, 'Count', t0]]); // the CLI prints the wire's epoch seconds
  const listed = (await cw(['list-metrics', '--namespace', ns])).json as { Metrics: Array<{ MetricName: string; Dimensions: Array<{ Name: string; Value: string }> }> };
  assert.deepEqual(listed.Metrics, [{ Namespace: ns, MetricName: 'Jobs', Dimensions: [{ Name: 'Queue', Value: 'high' }] }]);
  const data = (await cw(['get-metric-data', '--start-time', iso(t0), '--end-time', iso(t0 + 60_000), '--metric-data-queries', JSON.stringify([
    { Id: 'j', MetricStat: { Metric: { Namespace: ns, MetricName: 'Jobs', Dimensions: [{ Name: 'Queue', Value: 'high' }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
    { Id: 'double', Expression: 'j * 2' },
  ])])).json as { MetricDataResults: Array<{ Id: string; Values: number[] }> };
  assert.deepEqual(data.MetricDataResults.map((r) => [r.Id, r.Values]), [['double', [20]]]);

  await cw(['put-metric-alarm', '--alarm-name', `jobs-${run}`, '--namespace', ns, '--metric-name', 'Jobs', '--dimensions', 'Name=Queue,Value=high', '--statistic', 'Sum', '--period', '60', '--evaluation-periods', '1', '--threshold', '5', '--comparison-operator', 'GreaterThanThreshold', '--treat-missing-data', 'notBreaching']);
  await cw(['set-alarm-state', '--alarm-name', `jobs-${run}`, '--state-value', 'OK', '--state-reason', 'cli']);
  const alarms = (await cw(['describe-alarms', '--alarm-names', `jobs-${run}`])).json as { MetricAlarms: Array<{ AlarmName: string; StateValue: string; TreatMissingData: string }> };
  assert.deepEqual(alarms.MetricAlarms.map((a) => [a.AlarmName, a.StateValue, a.TreatMissingData]), [[`jobs-${run}`, 'OK', 'notBreaching']]);
  const history = (await cw(['describe-alarm-history', '--alarm-name', `jobs-${run}`])).json as { AlarmHistoryItems: Array<{ HistoryItemType: string }> };
  assert.deepEqual(history.AlarmHistoryItems.map((h) => h.HistoryItemType), ['StateUpdate', 'ConfigurationUpdate']);
  await cw(['delete-alarms', '--alarm-names', `jobs-${run}`]);

  const bad = await awsCli(['put-metric-data', '--namespace', 'AWS/Nope', '--metric-name', 'x', '--value', '1'], srv, 'cloudwatch');
  assert.equal(bad.code, 255);
  assert.match(bad.stderr, /An error occurred \(InvalidParameterValue\) when calling the PutMetricData operation: The value AWS\/Nope for parameter Namespace is invalid\./);
  const missing = await awsCli(['set-alarm-state', '--alarm-name', 'nope', '--state-value', 'OK', '--state-reason', 'x'], srv, 'cloudwatch');
  assert.match(missing.stderr, /\(ResourceNotFound\) when calling the SetAlarmState operation: Alarm nope not found/);
});

const BOTO3 = `
import json, sys, datetime, boto3, botocore
from botocore.config import Config
url, key, secret, ns = sys.argv[1:5]
cw = boto3.client('cloudwatch', endpoint_url=url, region_name='${TEST_REGION}', aws_access_key_id=key, aws_secret_access_key=secret, config=Config(retries={'max_attempts': 1}))
now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0) - datetime.timedelta(minutes=5)
cw.put_metric_data(Namespace=ns, MetricData=[{'MetricName': 'Temp', 'Values': [20.0, 21.0, 22.0], 'Counts': [1, 1, 2], 'Timestamp': now, 'Unit': 'None'}])
s = cw.get_metric_statistics(Namespace=ns, MetricName='Temp', StartTime=now, EndTime=now + datetime.timedelta(minutes=1), Period=60, Statistics=['Average', 'SampleCount'])
d = cw.get_metric_data(StartTime=now, EndTime=now + datetime.timedelta(minutes=1), MetricDataQueries=[{'Id': 't', 'MetricStat': {'Metric': {'Namespace': ns, 'MetricName': 'Temp'}, 'Period': 60, 'Stat': 'p50'}}])
cw.put_metric_alarm(AlarmName=ns + '-hot', Namespace=ns, MetricName='Temp', Statistic='Average', Period=60, EvaluationPeriods=1, Threshold=30, ComparisonOperator='GreaterThanThreshold')
a = cw.describe_alarms(AlarmNamePrefix=ns)
m = cw.describe_alarms_for_metric(Namespace=ns, MetricName='Temp')
errors = []
for call in (lambda: cw.put_metric_alarm(AlarmName='x', Namespace=ns, MetricName='Temp', Statistic='Average', Period=45, EvaluationPeriods=1, Threshold=1, ComparisonOperator='GreaterThanThreshold'),
             lambda: cw.delete_alarms(AlarmNames=['nope'])):
    try:
        call()
        errors.append(None)
    except botocore.exceptions.ClientError as e:
        errors.append([e.response['Error']['Code'], e.response['Error']['Message'], e.response['ResponseMetadata']['HTTPStatusCode']])
print(json.dumps({
  'stats': [[p['Average'], p['SampleCount']] for p in s['Datapoints']],
  'p50': d['MetricDataResults'][0]['Values'],
  'alarms': [[x['AlarmName'], x['StateValue']] for x in a['MetricAlarms']],
  'forMetric': [x['AlarmName'] for x in m['MetricAlarms']],
  'errors': errors,
}))
`;

/** Runs a boto3 script with the server's URL, credentials and `ns` as its arguments (no AWS_ settings of this environment): what it prints, parsed. */
async function boto3(script: string, ns: string): Promise<unknown> {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('AWS_')) env[k] = v;
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('python3', ['-c', script, srv.url, srv.credentials.accessKeyId, srv.credentials.secretAccessKey, ns], { env: { ...env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`boto3 script failed (${String(code)}):\n${stderr}`))));
  });
  return JSON.parse(out);
}

test('metrics and alarms through boto3', async () => {
  const ns = `Boto${run}`;
  const r = (await boto3(BOTO3, ns)) as { stats: number[][]; p50: number[]; alarms: string[][]; forMetric: string[]; errors: unknown[] };
  assert.deepEqual(r.stats, [[21.25, 4]]);
  assert.equal(r.p50.length, 1);
  assert.ok(Math.abs(r.p50[0]! - 21) <= 0.21, `p50 ${r.p50[0]}`);
  assert.deepEqual(r.alarms, [[`${ns}-hot`, 'INSUFFICIENT_DATA']]);
  assert.deepEqual(r.forMetric, [`${ns}-hot`]);
  assert.deepEqual(r.errors, [
    ['ValidationError', 'Period must be 10, 30 or a multiple of 60.', 400],
    ['ResourceNotFound', '1 of the specified alarms were not found: nope', 404],
  ]);
});

/**
 * boto3 in Smithy RPC v2 CBOR: botocore supports the protocol but prefers awsJson1_0 for this service; a
 * copy of its model that lists CBOR alone makes it speak CBOR, as a future botocore may by default.
 */
const BOTO3_CBOR = `
import json, sys, datetime, boto3, botocore, botocore.session
from botocore.config import Config
url, key, secret, ns = sys.argv[1:5]
session = botocore.session.get_session()
model = session.get_component('data_loader').load_service_model('cloudwatch', 'service-2')
model['metadata']['protocol'] = 'smithy-rpc-v2-cbor'
model['metadata']['protocols'] = ['smithy-rpc-v2-cbor']
cw = boto3.Session(botocore_session=session).client('cloudwatch', endpoint_url=url, region_name='${TEST_REGION}', aws_access_key_id=key, aws_secret_access_key=secret, config=Config(retries={'max_attempts': 1}))
sent = []
text = lambda v: v.decode() if isinstance(v, bytes) else v
cw.meta.events.register('before-send.cloudwatch', lambda request, **kw: sent.append([request.url.split('/', 3)[3], text(request.headers.get('Content-Type')), text(request.headers.get('smithy-protocol'))]))
now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0) - datetime.timedelta(minutes=5)
cw.put_metric_data(Namespace=ns, MetricData=[{'MetricName': 'Temp', 'Value': 20.0, 'Timestamp': now, 'Unit': 'None'}, {'MetricName': 'Temp', 'Value': 22.0, 'Timestamp': now + datetime.timedelta(seconds=1), 'Unit': 'None'}])
s = cw.get_metric_statistics(Namespace=ns, MetricName='Temp', StartTime=now, EndTime=now + datetime.timedelta(minutes=1), Period=60, Statistics=['Average', 'SampleCount'])
cw.put_metric_alarm(AlarmName=ns + '-hot', Namespace=ns, MetricName='Temp', Statistic='Average', Period=60, EvaluationPeriods=1, Threshold=30, ComparisonOperator='GreaterThanThreshold')
a = cw.describe_alarms(AlarmNamePrefix=ns)
try:
    cw.put_metric_alarm(AlarmName='x', Namespace=ns, MetricName='Temp', Statistic='Average', Period=45, EvaluationPeriods=1, Threshold=1, ComparisonOperator='GreaterThanThreshold')
    error = None
except botocore.exceptions.ClientError as e:
    error = [e.response['Error']['Code'], e.response['Error']['Message'], e.response['ResponseMetadata']['HTTPStatusCode']]
print(json.dumps({
  'protocol': cw.meta.service_model.protocol,
  'sent': sent[0],
  'stats': [[p['Timestamp'] == now, p['Average'], p['SampleCount']] for p in s['Datapoints']],
  'alarms': [[x['AlarmName'], x['StateValue'], isinstance(x['StateUpdatedTimestamp'], datetime.datetime)] for x in a['MetricAlarms']],
  'error': error,
}))
`;

test('metrics and alarms through boto3 in Smithy RPC v2 CBOR', async () => {
  const ns = `BotoCbor${run}`;
  const r = (await boto3(BOTO3_CBOR, ns)) as { protocol: string; sent: string[]; stats: unknown[][]; alarms: unknown[][]; error: unknown };
  assert.equal(r.protocol, 'smithy-rpc-v2-cbor');
  assert.deepEqual(r.sent, ['service/GraniteServiceVersion20100801/operation/PutMetricData', 'application/cbor', 'rpc-v2-cbor']);
  assert.deepEqual(r.stats, [[true, 21, 2]]);
  assert.deepEqual(r.alarms, [[`${ns}-hot`, 'INSUFFICIENT_DATA', true]]);
  assert.deepEqual(r.error, ['ValidationError', 'Period must be 10, 30 or a multiple of 60.', 400]);
});
