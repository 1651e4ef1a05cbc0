import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, type AuthzRequest, type Decision } from './evaluate.js';
import { parsePolicy } from './policy.js';

const ACCT = '000000000000';
const G = (name: string): string => `arn:aws:logs:us-east-1:${ACCT}:log-group:${name}:log-stream:`;
const S = (group: string, stream: string): string => `arn:aws:logs:us-east-1:${ACCT}:log-group:${group}:log-stream:${stream}`;
const allow = (Action: unknown, Resource: unknown, Condition?: unknown): unknown => ({ Effect: 'Allow', Action, Resource, ...(Condition ? { Condition } : {}) });
const deny = (Action: unknown, Resource: unknown, Condition?: unknown): unknown => ({ Effect: 'Deny', Action, Resource, ...(Condition ? { Condition } : {}) });

interface Case {
  name: string;
  policies: unknown[][];
  action: string;
  resources?: string[];
  context?: AuthzRequest['context'];
  decision: Decision;
  statement?: [number, number];
}

// From the IAM User Guide, "The difference between explicit and implicit denies": AllowGetList allows
// iam:Get* and iam:List*, DenyReports denies *Report* even where another policy allows it.
const awsExplicitImplicit = [
  { Sid: 'AllowGetList', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
  { Sid: 'DenyReports', Effect: 'Deny', Action: 'iam:*Report', Resource: '*' },
];
// From the Lambda developer guide's CloudWatch Logs example statement.
const awsLambdaLogs = [
  { Sid: 'CloudWatchLogsPerms', Effect: 'Allow', Action: ['logs:DescribeLogGroups', 'logs:DescribeLogStreams', 'logs:GetLogEvents'], Resource: `arn:aws:logs:us-east-1:${ACCT}:log-group:/aws/lambda/*` },
];
// The AWS "allow by source IP, deny otherwise" pattern (reference_policies_examples_aws_deny-ip).
const awsDenyIp = [
  allow('logs:*', '*'),
  { Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] }, Bool: { 'aws:ViaAWSService': 'false' } } },
];

const cases: Case[] = [
  { name: 'no policies: implicit deny', policies: [], action: 'logs:GetLogEvents', decision: 'ImplicitDeny' },
  { name: 'allow all', policies: [[allow('*', '*')]], action: 'logs:GetLogEvents', resources: [S('a', 'b')], decision: 'Allow', statement: [0, 0] },
  { name: 'action wildcard, case-insensitive', policies: [[allow('LOGS:get*', '*')]], action: 'logs:GetLogEvents', resources: [S('a', 'b')], decision: 'Allow' },
  { name: 'action ? wildcard', policies: [[allow('logs:?etLogEvents', '*')]], action: 'logs:GetLogEvents', decision: 'Allow' },
  { name: 'other service does not match', policies: [[allow('s3:*', '*')]], action: 'logs:GetLogEvents', decision: 'ImplicitDeny' },
  { name: 'AWS doc: Get* allowed', policies: [awsExplicitImplicit], action: 'iam:GetUser', decision: 'Allow', statement: [0, 0] },
  { name: 'AWS doc: CreatePolicy implicitly denied', policies: [awsExplicitImplicit], action: 'iam:CreatePolicy', decision: 'ImplicitDeny' },
  { name: 'AWS doc: report explicitly denied though allowed elsewhere', policies: [awsExplicitImplicit, [allow('iam:GenerateCredentialReport', '*')]], action: 'iam:GenerateCredentialReport', decision: 'ExplicitDeny', statement: [0, 1] },
  { name: 'AWS doc: Lambda log groups readable', policies: [[...awsLambdaLogs]], action: 'logs:GetLogEvents', resources: [S('/aws/lambda/fn', '2026/01/01/[$LATEST]abc')], decision: 'Allow' },
  { name: 'AWS doc: other log groups not', policies: [[...awsLambdaLogs]], action: 'logs:GetLogEvents', resources: [S('/app/web', 's')], decision: 'ImplicitDeny' },
  { name: 'resource match is case-sensitive', policies: [[allow('logs:*', `arn:aws:logs:us-east-1:${ACCT}:log-group:App:*`)]], action: 'logs:FilterLogEvents', resources: [G('app')], decision: 'ImplicitDeny' },
  { name: 'log-group ARN without :* does not cover the group-level resource (as in AWS)', policies: [[allow('logs:*', `arn:aws:logs:us-east-1:${ACCT}:log-group:app`)]], action: 'logs:FilterLogEvents', resources: [G('app')], decision: 'ImplicitDeny' },
  { name: 'log-group:name:* covers group and its streams', policies: [[allow('logs:*', `arn:aws:logs:us-east-1:${ACCT}:log-group:app:*`)]], action: 'logs:PutLogEvents', resources: [S('app', 'i-1')], decision: 'Allow' },
  { name: 'arn:aws:logs:*:*:* covers everything in logs', policies: [[allow('logs:*', 'arn:aws:logs:*:*:*')]], action: 'logs:DescribeLogGroups', resources: [G('')], decision: 'Allow' },
  { name: 'ARN wildcard does not cross the account part', policies: [[allow('logs:*', 'arn:aws:logs:us-east-1:*:log-group:app:*')]], action: 'logs:GetLogEvents', resources: [`arn:aws:logs:us-east-1:111:222:log-group:app:log-stream:s`], decision: 'ImplicitDeny' },
  { name: 'account-wide action needs Resource "*"', policies: [[allow('logs:*', 'arn:aws:logs:*:*:*')]], action: 'logs:DescribeQueries', resources: ['*'], decision: 'ImplicitDeny' },
  { name: 'Resource "*" covers "*"', policies: [[allow('logs:Describe*', '*')]], action: 'logs:DescribeQueries', resources: ['*'], decision: 'Allow' },
  { name: 'explicit deny beats allow in the same policy', policies: [[allow('logs:*', '*'), deny('logs:DeleteLogGroup', '*')]], action: 'logs:DeleteLogGroup', resources: [G('a')], decision: 'ExplicitDeny', statement: [0, 1] },
  { name: 'deny of another action leaves allow', policies: [[allow('logs:*', '*'), deny('logs:DeleteLogGroup', '*')]], action: 'logs:DeleteLogStream', resources: [S('a', 'b')], decision: 'Allow' },
  { name: 'NotAction allow: everything but deletes', policies: [[{ Effect: 'Allow', NotAction: 'logs:Delete*', Resource: '*' }]], action: 'logs:DeleteLogGroup', decision: 'ImplicitDeny' },
  { name: 'NotAction allow: a read', policies: [[{ Effect: 'Allow', NotAction: 'logs:Delete*', Resource: '*' }]], action: 'logs:GetLogEvents', decision: 'Allow' },
  { name: 'NotResource deny protects all but one group', policies: [[allow('logs:*', '*'), { Effect: 'Deny', Action: 'logs:*', NotResource: `arn:aws:logs:*:*:log-group:public:*` }]], action: 'logs:GetLogEvents', resources: [S('private', 's')], decision: 'ExplicitDeny' },
  { name: 'NotResource deny lets the named group through', policies: [[allow('logs:*', '*'), { Effect: 'Deny', Action: 'logs:*', NotResource: `arn:aws:logs:*:*:log-group:public:*` }]], action: 'logs:GetLogEvents', resources: [S('public', 's')], decision: 'Allow' },
  { name: 'several resources: all allowed', policies: [[allow('logs:StartQuery', [`arn:aws:logs:*:*:log-group:a:*`, `arn:aws:logs:*:*:log-group:b:*`])]], action: 'logs:StartQuery', resources: [G('a'), G('b')], decision: 'Allow' },
  { name: 'several resources: one not allowed', policies: [[allow('logs:StartQuery', `arn:aws:logs:*:*:log-group:a:*`)]], action: 'logs:StartQuery', resources: [G('a'), G('b')], decision: 'ImplicitDeny' },
  { name: 'several resources: one denied', policies: [[allow('logs:*', '*'), deny('logs:*', `arn:aws:logs:*:*:log-group:b:*`)]], action: 'logs:StartQuery', resources: [G('a'), G('b')], decision: 'ExplicitDeny' },
  { name: 'AWS doc deny-ip: inside the range', policies: [awsDenyIp], action: 'logs:GetLogEvents', context: { 'aws:SourceIp': '192.0.2.7', 'aws:ViaAWSService': 'false' }, decision: 'Allow' },
  { name: 'AWS doc deny-ip: outside the range', policies: [awsDenyIp], action: 'logs:GetLogEvents', context: { 'aws:SourceIp': '198.51.100.1', 'aws:ViaAWSService': 'false' }, decision: 'ExplicitDeny' },
  { name: 'IpAddress IPv6', policies: [[allow('*', '*', { IpAddress: { 'aws:SourceIp': '2001:db8::/32' } })]], action: 'logs:GetLogEvents', context: { 'aws:SourceIp': '2001:db8::1' }, decision: 'Allow' },
  { name: 'IpAddress: key absent → false', policies: [[allow('*', '*', { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })]], action: 'logs:GetLogEvents', decision: 'ImplicitDeny' },
  { name: 'NotIpAddress: key absent → true', policies: [[allow('*', '*', { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })]], action: 'logs:GetLogEvents', decision: 'Allow' },
  { name: 'DateLessThan before the date', policies: [[allow('*', '*', { DateGreaterThan: { 'aws:CurrentTime': '2026-01-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2026-12-31T23:59:59Z' } })]], action: 'logs:GetLogEvents', context: { 'aws:CurrentTime': '2026-06-01T12:00:00Z' }, decision: 'Allow' },
  { name: 'DateLessThan after the date', policies: [[allow('*', '*', { DateLessThan: { 'aws:CurrentTime': '2026-12-31T23:59:59Z' } })]], action: 'logs:GetLogEvents', context: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' }, decision: 'ImplicitDeny' },
  { name: 'Date in epoch seconds', policies: [[allow('*', '*', { DateGreaterThan: { 'aws:EpochTime': '1700000000' } })]], action: 'logs:GetLogEvents', context: { 'aws:EpochTime': '1800000000' }, decision: 'Allow' },
  { name: 'StringEquals: case-sensitive value, case-insensitive key', policies: [[allow('*', '*', { StringEquals: { 'AWS:UserName': 'alice' } })]], action: 'logs:GetLogEvents', context: { 'aws:username': 'Alice' }, decision: 'ImplicitDeny' },
  { name: 'StringEqualsIgnoreCase', policies: [[allow('*', '*', { StringEqualsIgnoreCase: { 'aws:username': 'alice' } })]], action: 'logs:GetLogEvents', context: { 'aws:username': 'Alice' }, decision: 'Allow' },
  { name: 'StringLike with values OR-ed', policies: [[allow('*', '*', { StringLike: { 'aws:UserAgent': ['aws-cli/*', 'aws-sdk-js/*'] } })]], action: 'logs:GetLogEvents', context: { 'aws:UserAgent': 'aws-sdk-js/3.1' }, decision: 'Allow' },
  { name: 'keys AND-ed', policies: [[allow('*', '*', { StringEquals: { 'aws:username': 'alice', 'aws:RequestedRegion': 'us-east-1' } })]], action: 'logs:GetLogEvents', context: { 'aws:username': 'alice', 'aws:RequestedRegion': 'eu-west-1' }, decision: 'ImplicitDeny' },
  { name: 'StringNotEquals: key absent → true', policies: [[deny('*', '*', { StringNotEquals: { 'aws:RequestedRegion': 'us-east-1' } })]], action: 'logs:GetLogEvents', decision: 'ExplicitDeny' },
  { name: 'StringNotEqualsIfExists: key absent → true', policies: [[allow('*', '*', { StringNotEqualsIfExists: { 'aws:RequestedRegion': 'eu-west-1' } })]], action: 'logs:GetLogEvents', decision: 'Allow' },
  { name: 'StringEqualsIfExists: key absent → true', policies: [[allow('*', '*', { StringEqualsIfExists: { 'aws:RequestedRegion': 'us-east-1' } })]], action: 'logs:GetLogEvents', decision: 'Allow' },
  { name: 'StringEqualsIfExists: key present and different', policies: [[allow('*', '*', { StringEqualsIfExists: { 'aws:RequestedRegion': 'us-east-1' } })]], action: 'logs:GetLogEvents', context: { 'aws:RequestedRegion': 'eu-west-1' }, decision: 'ImplicitDeny' },
  { name: 'Bool MFA present', policies: [[allow('*', '*', { Bool: { 'aws:MultiFactorAuthPresent': 'true' } })]], action: 'logs:GetLogEvents', context: { 'aws:MultiFactorAuthPresent': 'true' }, decision: 'Allow' },
  { name: 'AWS doc: deny without MFA using BoolIfExists', policies: [[allow('*', '*'), deny('*', '*', { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } })]], action: 'logs:GetLogEvents', decision: 'ExplicitDeny' },
  { name: 'Null true: key absent', policies: [[allow('*', '*', { Null: { 'aws:TokenIssueTime': 'true' } })]], action: 'logs:GetLogEvents', decision: 'Allow' },
  { name: 'Null false: key absent', policies: [[allow('*', '*', { Null: { 'aws:TokenIssueTime': 'false' } })]], action: 'logs:GetLogEvents', decision: 'ImplicitDeny' },
  { name: 'ForAllValues: every tag key listed', policies: [[allow('*', '*', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } })]], action: 'logs:TagResource', context: { 'aws:TagKeys': ['env'] }, decision: 'Allow' },
  { name: 'ForAllValues: a key not listed', policies: [[allow('*', '*', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team'] } })]], action: 'logs:TagResource', context: { 'aws:TagKeys': ['env', 'cost'] }, decision: 'ImplicitDeny' },
  { name: 'ForAllValues: key absent → true', policies: [[allow('*', '*', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } })]], action: 'logs:TagResource', decision: 'Allow' },
  { name: 'ForAnyValue: one listed', policies: [[allow('*', '*', { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['env*'] } })]], action: 'logs:TagResource', context: { 'aws:TagKeys': ['x', 'environment'] }, decision: 'Allow' },
  { name: 'ForAnyValue: key absent → false', policies: [[allow('*', '*', { 'ForAnyValue:StringLike': { 'aws:TagKeys': ['env*'] } })]], action: 'logs:TagResource', decision: 'ImplicitDeny' },
  { name: 'ArnLike on aws:SourceArn', policies: [[allow('*', '*', { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*:000000000000:*' } })]], action: 'logs:PutLogEvents', context: { 'aws:SourceArn': 'arn:aws:logs:us-east-1:000000000000:destination:d' }, decision: 'Allow' },
  { name: 'ArnLike: wildcard does not span the account part', policies: [[allow('*', '*', { ArnLike: { 'aws:SourceArn': 'arn:aws:logs:*:000000000000:*' } })]], action: 'logs:PutLogEvents', context: { 'aws:SourceArn': 'arn:aws:logs:us-east-1:1:000000000000:x' }, decision: 'ImplicitDeny' },
  { name: 'NumericLessThanEquals', policies: [[allow('*', '*', { NumericLessThanEquals: { 's3:max-keys': '10' } })]], action: 'logs:GetLogEvents', context: { 's3:max-keys': '10' }, decision: 'Allow' },
];

for (const c of cases) {
  test(`golden: ${c.name}`, () => {
    const policies = c.policies.map((statements) => parsePolicy({ Version: '2012-10-17', Statement: statements }));
    const r = evaluate(policies, { action: c.action, resources: c.resources ?? ['*'], context: c.context ?? {} });
    assert.equal(r.decision, c.decision);
    if (c.statement) assert.deepEqual([r.matched?.policy, r.matched?.statement], c.statement);
    if (r.decision === 'Allow') assert.equal(r.matched?.effect, 'Allow');
    if (r.decision === 'ExplicitDeny') assert.equal(r.matched?.effect, 'Deny');
    if (r.decision !== 'Allow') assert.ok(r.resource !== undefined);
  });
}

test('the denied resource is the one the error names', () => {
  const p = parsePolicy({ Version: '2012-10-17', Statement: [allow('logs:StartQuery', `arn:aws:logs:*:*:log-group:a:*`)] });
  assert.deepEqual(evaluate([p], { action: 'logs:StartQuery', resources: [G('a'), G('b')], context: {} }), { decision: 'ImplicitDeny', resource: G('b') });
});

test('an empty resource list is evaluated as "*"', () => {
  const p = parsePolicy({ Version: '2012-10-17', Statement: [allow('logs:*', 'arn:aws:logs:*:*:*')] });
  assert.equal(evaluate([p], { action: 'logs:DescribeQueries', resources: [], context: {} }).decision, 'ImplicitDeny');
});
