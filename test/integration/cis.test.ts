/**
 * The CIS CloudTrail pack end to end against a real server: `logward cis install` (twice: the second run
 * changes nothing), then
 *  - exactness: the 2,900 real CloudTrail records of test/fixtures/cloudtrail-stratus-red-team and crafted
 *    records (a match and near misses for every control) are ingested, each at its own second, hours ago;
 *    per control, the seconds where its metric has a value are exactly the records that an independent
 *    check (ORACLE, plain JavaScript, not the filter-pattern engine) says the control's pattern matches;
 *  - firing: one fresh record per control, one at a time; each makes exactly its own alarm go to ALARM and
 *    notify the topic's webhook, and no other alarm.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { CreateLogGroupCommand, CreateLogStreamCommand, DescribeMetricFiltersCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { runLogward, startLogward, stopAndClean, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { CIS_CONTROLS } from '../../src/cli/cis-pack.js';

type Rec = Record<string, unknown>;
const FIXTURE = fileURLToPath(new URL('../../../test/fixtures/cloudtrail-stratus-red-team/records.jsonl.gz', import.meta.url));

const get = (r: Rec, path: string): unknown => path.split('.').reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Rec)[k] : undefined), r);
const is = (r: Rec, path: string, ...values: string[]): boolean => values.includes(get(r, path) as string);
/** A CloudWatch `!=` matches only a field that exists. */
const isNot = (r: Rec, path: string, value: string): boolean => get(r, path) !== undefined && get(r, path) !== value;

/** What each control's pattern should match, written from the Security Hub text, independently of Logward. */
const ORACLE: Record<string, (r: Rec) => boolean> = {
  RootAccountUsage: (r) => is(r, 'userIdentity.type', 'Root') && get(r, 'userIdentity.invokedBy') === undefined && isNot(r, 'eventType', 'AwsServiceEvent'),
  UnauthorizedAPICalls: (r) => typeof r.errorCode === 'string' && (r.errorCode.endsWith('UnauthorizedOperation') || r.errorCode.startsWith('AccessDenied')),
  ConsoleSigninWithoutMFA: (r) =>
    is(r, 'eventName', 'ConsoleLogin') && isNot(r, 'additionalEventData.MFAUsed', 'Yes') && is(r, 'userIdentity.type', 'IAMUser') && is(r, 'responseElements.ConsoleLogin', 'Success'),
  IAMPolicyChanges: (r) =>
    is(r, 'eventName', 'DeleteGroupPolicy', 'DeleteRolePolicy', 'DeleteUserPolicy', 'PutGroupPolicy', 'PutRolePolicy', 'PutUserPolicy', 'CreatePolicy', 'DeletePolicy', 'CreatePolicyVersion', 'DeletePolicyVersion', 'AttachRolePolicy', 'DetachRolePolicy', 'AttachUserPolicy', 'DetachUserPolicy', 'AttachGroupPolicy', 'DetachGroupPolicy'),
  CloudTrailChanges: (r) => is(r, 'eventName', 'CreateTrail', 'UpdateTrail', 'DeleteTrail', 'StartLogging', 'StopLogging'),
  ConsoleAuthenticationFailure: (r) => is(r, 'eventName', 'ConsoleLogin') && is(r, 'errorMessage', 'Failed authentication'),
  DisableOrDeleteCMK: (r) => is(r, 'eventSource', 'kms.amazonaws.com') && is(r, 'eventName', 'DisableKey', 'ScheduleKeyDeletion'),
  S3BucketPolicyChanges: (r) =>
    is(r, 'eventSource', 's3.amazonaws.com') &&
    is(r, 'eventName', 'PutBucketAcl', 'PutBucketPolicy', 'PutBucketCors', 'PutBucketLifecycle', 'PutBucketReplication', 'DeleteBucketPolicy', 'DeleteBucketCors', 'DeleteBucketLifecycle', 'DeleteBucketReplication'),
  AWSConfigChanges: (r) => is(r, 'eventSource', 'config.amazonaws.com') && is(r, 'eventName', 'StopConfigurationRecorder', 'DeleteDeliveryChannel', 'PutDeliveryChannel', 'PutConfigurationRecorder'),
  SecurityGroupChanges: (r) => is(r, 'eventName', 'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress', 'CreateSecurityGroup', 'DeleteSecurityGroup'),
  NetworkACLChanges: (r) => is(r, 'eventName', 'CreateNetworkAcl', 'CreateNetworkAclEntry', 'DeleteNetworkAcl', 'DeleteNetworkAclEntry', 'ReplaceNetworkAclEntry', 'ReplaceNetworkAclAssociation'),
  NetworkGatewayChanges: (r) => is(r, 'eventName', 'CreateCustomerGateway', 'DeleteCustomerGateway', 'AttachInternetGateway', 'CreateInternetGateway', 'DeleteInternetGateway', 'DetachInternetGateway'),
  RouteTableChanges: (r) => is(r, 'eventName', 'CreateRoute', 'CreateRouteTable', 'ReplaceRoute', 'ReplaceRouteTableAssociation', 'DeleteRouteTable', 'DeleteRoute', 'DisassociateRouteTable'),
  VPCChanges: (r) =>
    is(r, 'eventName', 'CreateVpc', 'DeleteVpc', 'ModifyVpcAttribute', 'AcceptVpcPeeringConnection', 'CreateVpcPeeringConnection', 'DeleteVpcPeeringConnection', 'RejectVpcPeeringConnection', 'AttachClassicLinkVpc', 'DetachClassicLinkVpc', 'DisableVpcClassicLink', 'EnableVpcClassicLink'),
  OrganizationsChanges: (r) =>
    is(r, 'eventSource', 'organizations.amazonaws.com') &&
    is(r, 'eventName', 'AcceptHandshake', 'AttachPolicy', 'CreateAccount', 'CreateOrganizationalUnit', 'CreatePolicy', 'DeclineHandshake', 'DeleteOrganization', 'DeleteOrganizationalUnit', 'DeletePolicy', 'DetachPolicy', 'DisablePolicyType', 'EnablePolicyType', 'InviteAccountToOrganization', 'LeaveOrganization', 'MoveAccount', 'RemoveAccountFromOrganization', 'UpdatePolicy', 'UpdateOrganizationalUnit'),
};

/** A CloudTrail management event by an IAM user, changed by `o` (a null value removes the field). */
function record(o: Rec): Rec {
  const r: Rec = {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', principalId: 'AIDAEXAMPLE', arn: 'arn:aws:iam::111122223333:user/alice', accountId: '111122223333', userName: 'alice' },
    eventTime: '2026-11-27T00:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.7',
    userAgent: 'aws-cli/2.15.0',
    requestParameters: null,
    responseElements: null,
    eventID: 'crafted',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: '111122223333',
  };
  for (const [k, v] of Object.entries(o)) {
    if (v === null) delete r[k];
    else r[k] = v;
  }
  return r;
}
const root = { type: 'Root', principalId: '111122223333', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' };
const login = (extra: Rec): Rec => record({ eventSource: 'signin.amazonaws.com', eventName: 'ConsoleLogin', eventType: 'AwsConsoleSignIn', ...extra });

/** For each control: a record it must match (the first) and near misses that it must not. */
const CRAFTED: Record<string, Rec[]> = {
  RootAccountUsage: [
    login({ userIdentity: root, responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'No' } }),
    record({ userIdentity: { ...root, invokedBy: 'cloudtrail.amazonaws.com' } }),
    record({ userIdentity: root, eventType: 'AwsServiceEvent' }),
  ],
  UnauthorizedAPICalls: [record({ errorCode: 'Client.UnauthorizedOperation' }), record({ errorCode: 'accessdenied' }), record({ errorCode: 'UnauthorizedOperationX' }), record({ errorCode: 'NotAccessDenied' })],
  ConsoleSigninWithoutMFA: [
    login({ responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'No' } }),
    login({ responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'Yes' } }),
    login({ responseElements: { ConsoleLogin: 'Success' } }),
    login({ userIdentity: { type: 'AssumedRole' }, responseElements: { ConsoleLogin: 'Success' }, additionalEventData: { MFAUsed: 'No' } }),
  ],
  IAMPolicyChanges: [record({ eventSource: 'iam.amazonaws.com', eventName: 'AttachRolePolicy' }), record({ eventSource: 'iam.amazonaws.com', eventName: 'ListAttachedRolePolicies' }), record({ eventName: 'attachrolepolicy' })],
  CloudTrailChanges: [record({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'StopLogging' }), record({ eventSource: 'cloudtrail.amazonaws.com', eventName: 'GetTrailStatus' })],
  ConsoleAuthenticationFailure: [
    login({ errorMessage: 'Failed authentication', responseElements: { ConsoleLogin: 'Failure' } }),
    login({ errorMessage: 'Failed authentication ', responseElements: { ConsoleLogin: 'Failure' } }),
  ],
  DisableOrDeleteCMK: [record({ eventSource: 'kms.amazonaws.com', eventName: 'ScheduleKeyDeletion' }), record({ eventSource: 'kms.amazonaws.com', eventName: 'EnableKey' }), record({ eventSource: 'ec2.amazonaws.com', eventName: 'DisableKey' })],
  S3BucketPolicyChanges: [record({ eventSource: 's3.amazonaws.com', eventName: 'PutBucketPolicy' }), record({ eventSource: 's3.amazonaws.com', eventName: 'GetBucketPolicy' }), record({ eventSource: 'ec2.amazonaws.com', eventName: 'PutBucketAcl' })],
  AWSConfigChanges: [record({ eventSource: 'config.amazonaws.com', eventName: 'StopConfigurationRecorder' }), record({ eventSource: 'config.amazonaws.com', eventName: 'StartConfigurationRecorder' })],
  SecurityGroupChanges: [record({ eventName: 'AuthorizeSecurityGroupIngress' }), record({ eventName: 'DescribeSecurityGroups' })],
  NetworkACLChanges: [record({ eventName: 'ReplaceNetworkAclEntry' }), record({ eventName: 'DescribeNetworkAcls' })],
  NetworkGatewayChanges: [record({ eventName: 'AttachInternetGateway' }), record({ eventName: 'DescribeInternetGateways' })],
  RouteTableChanges: [record({ eventName: 'CreateRoute' }), record({ eventName: 'DescribeRouteTables' })],
  VPCChanges: [record({ eventName: 'CreateVpcPeeringConnection' }), record({ eventName: 'DescribeVpcs' })],
  OrganizationsChanges: [record({ eventSource: 'organizations.amazonaws.com', eventName: 'LeaveOrganization' }), record({ eventSource: 'organizations.amazonaws.com', eventName: 'DescribeOrganization' }), record({ eventName: 'LeaveOrganization' })],
};

let srv: LogwardServer;
let cw: CloudWatchClient;
let hook: Server;
let hookUrl: string;
const notified: string[] = [];
let onNotified: (() => void) | undefined;

before(async () => {
  srv = await startLogward({ args: ['--allow-private-destinations'] });
  cw = new CloudWatchClient({ endpoint: srv.url, region: TEST_REGION, credentials: { ...srv.credentials }, maxAttempts: 1 });
  hook = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      res.end();
      notified.push((JSON.parse(JSON.parse(body).Message as string) as { AlarmName: string }).AlarmName);
      onNotified?.();
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/security`;
});

after(async () => {
  cw?.destroy();
  await new Promise<void>((r) => (hook ? hook.close(() => r()) : r()));
  await stopAndClean(srv);
});

const logward = (args: string[]) => runLogward(srv, args, { isolated: true });

async function put(messages: Array<{ timestamp: number; message: string }>): Promise<void> {
  for (let i = 0; i < messages.length; i += 400) {
    await srv.client.send(new PutLogEventsCommand({ logGroupName: 'cloudtrail', logStreamName: 'trail', logEvents: messages.slice(i, i + 400) }));
  }
}

test('the crafted records say what they should', () => {
  assert.deepEqual(Object.keys(CRAFTED).sort(), CIS_CONTROLS.map((c) => c.name).sort());
  for (const [name, [hit, ...misses]] of Object.entries(CRAFTED)) {
    assert.deepEqual(CIS_CONTROLS.filter((c) => ORACLE[c.name]!(hit!)).map((c) => c.name), [name], `${name}: its match matches it alone`);
    for (const m of misses) assert.equal(ORACLE[name]!(m), false, `${name}: near miss ${JSON.stringify(m)}`);
  }
});

test('cis install, twice; every filter matches exactly its records; every alarm fires on its own events only', async () => {
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: 'cloudtrail' }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: 'cloudtrail', logStreamName: 'trail' }));
  assert.equal((await logward(['topics', 'subscribe', 'security', '--webhook', hookUrl])).code, 0);

  const first = await logward(['cis', 'install', '--log-group', 'cloudtrail', '--topic', 'security', '--output', 'json']);
  assert.equal(first.code, 0, first.stderr);
  const rows = JSON.parse(first.stdout) as Array<{ control: string; filterName: string; alarmName: string; filter: string; alarm: string }>;
  assert.equal(rows.length, 15);
  assert.deepEqual(rows.map((r) => r.control).slice(0, 14), Array.from({ length: 14 }, (_, i) => `CloudWatch.${i + 1}`));
  assert.ok(rows.every((r) => r.filter === 'created' && r.alarm === 'created'));
  const second = await logward(['cis', 'install', '--log-group', 'cloudtrail', '--topic', 'security', '--json']);
  assert.equal(second.code, 0, second.stderr);
  assert.ok((JSON.parse(second.stdout) as typeof rows).every((r) => r.filter === 'unchanged' && r.alarm === 'unchanged'), second.stdout);
  const table = await logward(['cis', 'install', '--log-group', 'cloudtrail', '--topic', 'security']);
  assert.match(table.stdout, /^CONTROL\s+NAME\s+FILTER\s+ALARM\s+WATCHES$/m);
  assert.match(table.stdout, /^CloudWatch\.1\s+CIS-RootAccountUsage\s+unchanged\s+unchanged\s+usage of the "root" user$/m);

  const filters = await srv.client.send(new DescribeMetricFiltersCommand({ logGroupName: 'cloudtrail' }));
  assert.equal(filters.metricFilters?.length, 15);
  for (const c of CIS_CONTROLS) assert.equal(filters.metricFilters!.find((f) => f.filterName === `CIS-${c.name}`)?.filterPattern, c.pattern);
  const alarms = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'CIS-' }));
  assert.equal(alarms.MetricAlarms?.length, 15);
  assert.ok(alarms.MetricAlarms!.every((a) => a.AlarmActions?.[0] === 'arn:aws:sns:us-east-1:000000000000:security' && a.Statistic === 'Sum' && a.Threshold === 1));

  // Exactness: every record at its own second, three hours ago (far from the alarms' current periods).
  const real = gunzipSync(readFileSync(FIXTURE)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
  assert.equal(real.length, 2900);
  const all = [...real, ...Object.values(CRAFTED).flat()];
  const base = (Math.floor(Date.now() / 1000) - 3 * 3600) * 1000;
  await put(all.map((r, i) => ({ timestamp: base + i * 1000, message: JSON.stringify(r) })));
  const fromReal: Record<string, number> = {};
  for (const c of CIS_CONTROLS) {
    const expected = all.flatMap((r, i) => (ORACLE[c.name]!(r) ? [i] : []));
    fromReal[c.name] = expected.filter((i) => i < real.length).length;
    const seen: number[] = [];
    for (let from = 0; from < all.length; from += 1440) {
      const r = await cw.send(
        new GetMetricStatisticsCommand({ Namespace: 'LogMetrics', MetricName: c.name, StartTime: new Date(base + from * 1000), EndTime: new Date(base + (from + 1440) * 1000), Period: 1, Statistics: ['Sum'] }),
      );
      for (const d of r.Datapoints ?? []) {
        assert.equal(d.Sum, 1);
        seen.push((d.Timestamp!.getTime() - base) / 1000);
      }
    }
    assert.deepEqual(seen.sort((a, b) => a - b), expected, `${c.id} ${c.name}`);
  }
  // The real records exercise some controls (unauthorized calls, IAM policy and VPC changes...), not all.
  assert.ok(fromReal.UnauthorizedAPICalls! > 0 && fromReal.IAMPolicyChanges! > 0, JSON.stringify(fromReal));

  // Firing: now, one control at a time.
  for (const [k, c] of CIS_CONTROLS.entries()) {
    const arrived = new Promise<void>((r) => (onNotified = r));
    await put([{ timestamp: Date.now(), message: JSON.stringify(CRAFTED[c.name]![0]) }]);
    await arrived; // the test runner's timeout bounds the wait
    assert.deepEqual(notified, CIS_CONTROLS.slice(0, k + 1).map((x) => `CIS-${x.name}`));
    const firing = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'CIS-', StateValue: 'ALARM' }));
    assert.deepEqual(firing.MetricAlarms!.map((a) => a.AlarmName).sort(), CIS_CONTROLS.slice(0, k + 1).map((x) => `CIS-${x.name}`).sort());
  }
});
