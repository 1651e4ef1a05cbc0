import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { LogsOperation } from '../api/model/generated/logs-types.js';
import { accessDeniedMessage, actionFor, OPERATIONS_WITH_RULES, resourcesFor, userArn } from './actions.js';
import { evaluate } from './evaluate.js';
import { parsePolicy } from './policy.js';

const scope = { region: 'us-east-1', account: '000000000000' };
const A = 'arn:aws:logs:us-east-1:000000000000';

test('every operation of the service model has an action and a resource rule', () => {
  const model = JSON.parse(readFileSync('model/logs-2014-03-28.service-2.json', 'utf8')) as { operations: Record<string, unknown> };
  assert.deepEqual([...OPERATIONS_WITH_RULES].sort(), Object.keys(model.operations).sort());
  for (const op of OPERATIONS_WITH_RULES) {
    assert.equal(actionFor(op), `logs:${op}`);
    const r = resourcesFor(op, {}, scope);
    assert.ok(r.length > 0 && r.every((x) => x === '*' || x.startsWith('arn:aws:logs:')), `${op}: ${r}`);
  }
});

const cases: Array<[LogsOperation, unknown, string[]]> = [
  ['PutLogEvents', { logGroupName: '/app/web', logStreamName: 'i-1', logEvents: [] }, [`${A}:log-group:/app/web:log-stream:i-1`]],
  ['GetLogEvents', { logGroupIdentifier: `${A}:log-group:app:*`, logStreamName: 's' }, [`${A}:log-group:app:log-stream:s`]],
  ['GetLogEvents', { logGroupName: 'app', logStreamName: 's' }, [`${A}:log-group:app:log-stream:s`]],
  ['CreateLogStream', { logGroupName: 'app', logStreamName: 's' }, [`${A}:log-group:app:log-stream:s`]],
  ['DeleteLogStream', { logGroupName: 'app', logStreamName: 's' }, [`${A}:log-group:app:log-stream:s`]],
  ['CreateLogGroup', { logGroupName: 'app' }, [`${A}:log-group:app:log-stream:`]],
  ['FilterLogEvents', { logGroupIdentifier: 'app' }, [`${A}:log-group:app:log-stream:`]],
  ['DescribeLogStreams', { logGroupIdentifier: `${A}:log-group:app` }, [`${A}:log-group:app:log-stream:`]],
  ['DescribeLogGroups', { logGroupNamePrefix: 'a' }, [`${A}:log-group::log-stream:`]],
  ['DescribeMetricFilters', {}, ['*']],
  ['DescribeQueries', { logGroupName: 'app' }, [`${A}:log-group:app:log-stream:`]],
  ['StartQuery', { logGroupNames: ['a', 'b', 'a'], queryString: 'x', startTime: 0, endTime: 1 }, [`${A}:log-group:a:log-stream:`, `${A}:log-group:b:log-stream:`]],
  ['StartQuery', { logGroupName: 'a' }, [`${A}:log-group:a:log-stream:`]],
  ['StartLiveTail', { logGroupIdentifiers: [`${A}:log-group:a`, `arn:aws:logs:eu-west-1:111111111111:log-group:b`] }, [`${A}:log-group:a:log-stream:`, 'arn:aws:logs:eu-west-1:111111111111:log-group:b:log-stream:']],
  ['TagResource', { resourceArn: `${A}:log-group:app`, tags: {} }, [`${A}:log-group:app:log-stream:`]],
  ['TagResource', { resourceArn: `${A}:destination:d`, tags: {} }, [`${A}:destination:d`]],
  ['PutDestination', { destinationName: 'd' }, [`${A}:destination:d`]],
  ['CreateDelivery', { deliverySourceName: 'src', deliveryDestinationArn: `${A}:delivery-destination:dst` }, [`${A}:delivery-source:src`, `${A}:delivery-destination:dst`]],
  ['GetDelivery', { id: 'abc' }, [`${A}:delivery:abc`]],
  ['GetQueryResults', { queryId: 'q' }, ['*']],
  ['TestMetricFilter', { filterPattern: '', logEventMessages: ['x'] }, ['*']],
  ['AssociateKmsKey', { resourceIdentifier: `${A}:query-result:*`, kmsKeyId: 'k' }, [`${A}:query-result`]],
];

for (const [op, input, expected] of cases) {
  test(`resourcesFor ${op} ${JSON.stringify(input)}`, () => assert.deepEqual(resourcesFor(op, input, scope), expected));
}

test('AccessDeniedException messages in AWS wording', () => {
  const principalArn = userArn('000000000000', 'alice');
  assert.equal(principalArn, 'arn:aws:iam::000000000000:user/alice');
  assert.equal(
    accessDeniedMessage({ principalArn, action: 'logs:PutLogEvents', resource: `${A}:log-group:app:log-stream:i-1`, decision: 'ImplicitDeny' }),
    'User: arn:aws:iam::000000000000:user/alice is not authorized to perform: logs:PutLogEvents on resource: arn:aws:logs:us-east-1:000000000000:log-group:app:log-stream:i-1 because no identity-based policy allows the logs:PutLogEvents action',
  );
  assert.equal(
    accessDeniedMessage({ principalArn, action: 'logs:DescribeLogGroups', resource: `${A}:log-group::log-stream:`, decision: 'ExplicitDeny' }),
    'User: arn:aws:iam::000000000000:user/alice is not authorized to perform: logs:DescribeLogGroups on resource: arn:aws:logs:us-east-1:000000000000:log-group::log-stream: with an explicit deny in an identity-based policy',
  );
});

test('end to end: the usual agent policy allows writing to its group and nothing else', () => {
  const policy = parsePolicy(
    JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'], Resource: `${A}:log-group:/app/web:*` },
        { Effect: 'Allow', Action: 'logs:DescribeLogGroups', Resource: '*' },
      ],
    }),
  );
  const decide = (op: LogsOperation, input: unknown): string => evaluate([policy], { action: actionFor(op), resources: resourcesFor(op, input, scope), context: {} }).decision;
  assert.equal(decide('PutLogEvents', { logGroupName: '/app/web', logStreamName: 'i-1' }), 'Allow');
  assert.equal(decide('CreateLogStream', { logGroupName: '/app/web', logStreamName: 'i-2' }), 'Allow');
  assert.equal(decide('DescribeLogStreams', { logGroupName: '/app/web' }), 'Allow');
  assert.equal(decide('DescribeLogGroups', {}), 'Allow');
  assert.equal(decide('PutLogEvents', { logGroupName: '/app/db', logStreamName: 'i-1' }), 'ImplicitDeny');
  assert.equal(decide('GetLogEvents', { logGroupName: '/app/web', logStreamName: 'i-1' }), 'ImplicitDeny');
  assert.equal(decide('DeleteLogGroup', { logGroupName: '/app/web' }), 'ImplicitDeny');
});
