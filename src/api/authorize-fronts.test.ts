/**
 * Every service on the port is governed by IAM and audited, not only CloudWatch Logs: a CloudWatch
 * (metrics and alarms) call is authorized as `cloudwatch:<Operation>` on its alarms' ARNs, refused as
 * CloudWatch refuses (AccessDenied, 403, awsQuery code AccessDenied) without doing anything, and
 * recorded in the audit trail under that action; topics calls as `sns:<Operation>` on the topic's ARN.
 * Real HTTP front, stores and trail, in-process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestApp } from './testing-app.js';
import { queryEvents } from '../store/query.js';
import { parseFilterPattern } from '../query/filter-pattern/parse.js';
import { AUDIT_GROUP } from './audit/trail.js';

const xmlValue = (xml: string, tag: string): string => {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  assert.ok(m, `no <${tag}> in ${xml}`);
  return m[1]!;
};

const policy = (actions: string[], resource = '*'): string => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: resource }] });

test('CloudWatch calls are authorized as cloudwatch:<Operation>, refused as CloudWatch does, and audited', async () => {
  const t = await openTestApp();
  try {
    assert.equal((await t.iam({ Action: 'CreateUser', UserName: 'metrics-writer' })).status, 200);
    const key = await t.iam({ Action: 'CreateAccessKey', UserName: 'metrics-writer' });
    const creds = { accessKeyId: xmlValue(key.body, 'AccessKeyId'), secretAccessKey: xmlValue(key.body, 'SecretAccessKey') };
    const put = (doc: string) => t.iam({ Action: 'PutUserPolicy', UserName: 'metrics-writer', PolicyName: 'p', PolicyDocument: doc });
    assert.equal((await put(policy(['logs:*']))).status, 200);

    const datum = { Namespace: 'App', MetricData: [{ MetricName: 'Errors', Value: 1 }] };
    const denied = await t.monitoring('PutMetricData', datum, creds);
    assert.equal(denied.status, 403);
    assert.equal(denied.body.__type, 'AccessDenied');
    assert.equal(denied.queryError, 'AccessDenied;Sender');
    assert.match(String(denied.body.message), /^User: arn:aws:iam::\d{12}:user\/metrics-writer is not authorized to perform: cloudwatch:PutMetricData on resource: \* because no identity-based policy allows the cloudwatch:PutMetricData action$/);
    const listed = await t.monitoring('ListMetrics', { Namespace: 'App' });
    assert.deepEqual(listed.body.Metrics ?? [], [], 'a refused PutMetricData stored nothing');

    // Alarms are resources of their own: an allow on one alarm's ARN does not cover another.
    assert.equal((await put(policy(['cloudwatch:PutMetricData', 'cloudwatch:PutMetricAlarm'], 'arn:aws:cloudwatch:*:*:alarm:app-*'))).status, 200);
    const alarm = (name: string) => ({ AlarmName: name, Namespace: 'App', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    assert.equal((await t.monitoring('PutMetricAlarm', alarm('app-errors'), creds)).status, 200);
    const other = await t.monitoring('PutMetricAlarm', alarm('db-errors'), creds);
    assert.equal(other.status, 403);
    assert.match(String(other.body.message), /cloudwatch:PutMetricAlarm on resource: arn:aws:cloudwatch:[a-z0-9-]+:\d{12}:alarm:db-errors /);
    // PutMetricData acts on no resource (`*`), which the alarm ARN pattern does not match.
    assert.equal((await t.monitoring('PutMetricData', datum, creds)).status, 403);

    // Topics are governed as sns:<Operation> on the topic's ARN.
    const topic = await t.topics('CreateTopic', { Name: 'oncall' }, creds);
    assert.equal(topic.status, 400);
    assert.equal(topic.body.__type, 'AccessDeniedException');
    assert.match(String(topic.body.message), /sns:CreateTopic on resource: arn:aws:sns:[a-z0-9-]+:\d{12}:oncall /);
    assert.deepEqual((await t.topics('ListTopics', {})).body.Topics, [], 'a refused CreateTopic created nothing');
    assert.equal((await put(policy(['sns:CreateTopic'], 'arn:aws:sns:*:*:oncall'))).status, 200);
    assert.equal((await t.topics('CreateTopic', { Name: 'oncall' }, creds)).status, 200);

    const audit = t.store.catalog.groups.get(AUDIT_GROUP)!;
    const records = await queryEvents(t.store, { group: audit, streamIds: null, startMs: 0, endMs: Number.MAX_SAFE_INTEGER, pattern: parseFilterPattern('cloudwatch'), descending: false, limit: 100 });
    const calls = records.map((e) => JSON.parse(e.message) as { action: string; httpStatus: number; errorCode: string | null; resources: string[] });
    assert.deepEqual(
      calls.filter((c) => c.action.startsWith('cloudwatch:')).map((c) => [c.action, c.httpStatus, c.errorCode]),
      [
        ['cloudwatch:PutMetricData', 403, 'AccessDenied'],
        ['cloudwatch:ListMetrics', 200, null],
        ['cloudwatch:PutMetricAlarm', 200, null],
        ['cloudwatch:PutMetricAlarm', 403, 'AccessDenied'],
        ['cloudwatch:PutMetricData', 403, 'AccessDenied'],
      ],
    );
  } finally {
    await t.close();
  }
});
