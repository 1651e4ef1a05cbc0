import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePolicy, PolicyError } from './policy.js';

const doc = (statement: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statement, ...extra });

test('a single statement object and an array both parse, normalising strings to lists', () => {
  const one = parsePolicy(doc({ Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: '*' }));
  assert.equal(one.version, '2012-10-17');
  assert.deepEqual(one.statements, [{ index: 0, effect: 'Allow', action: ['logs:GetLogEvents'], resource: ['*'], conditions: [] }]);
  const two = parsePolicy({
    Version: '2008-10-17',
    Statement: [
      { Sid: 'A', Effect: 'Allow', NotAction: ['logs:Delete*'], NotResource: 'arn:aws:logs:us-east-1:000000000000:log-group:secret:*' },
      { Effect: 'Deny', Action: ['logs:*'], Resource: ['*'], Condition: { 'ForAnyValue:StringLikeIfExists': { 'aws:TagKeys': ['a*', 'b'] }, Bool: { 'aws:SecureTransport': false } } },
    ],
  });
  assert.equal(two.statements[0]!.sid, 'A');
  assert.deepEqual(two.statements[0]!.notAction, ['logs:Delete*']);
  assert.deepEqual(two.statements[1]!.conditions, [
    { written: 'ForAnyValue:StringLikeIfExists', operator: 'StringLike', qualifier: 'ForAnyValue', ifExists: true, key: 'aws:TagKeys', values: ['a*', 'b'] },
    { written: 'Bool', operator: 'Bool', ifExists: false, key: 'aws:SecureTransport', values: ['false'] },
  ]);
});

test('a document without Version is a 2008-10-17 document', () => {
  assert.equal(parsePolicy({ Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }).version, '2008-10-17');
});

const cases: Array<[string, unknown, string, string]> = [
  ['not JSON', '{"Version":', 'Syntax errors in policy.', ''],
  ['not an object', '[]', 'Syntax errors in policy.', ''],
  ['unknown top-level element', { Version: '2012-10-17', Statement: { Effect: 'Allow', Action: '*', Resource: '*' }, Foo: 1 }, 'Syntax errors in policy.', ''],
  ['empty statement list', { Version: '2012-10-17', Statement: [] }, 'Syntax errors in policy.', 'Statement'],
  ['statement a string', { Version: '2012-10-17', Statement: 'x' }, 'Syntax errors in policy.', 'Statement'],
  ['unknown version', { Version: '2020-01-01', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }, 'Syntax errors in policy.', 'Version'],
  ['unknown statement element', doc([{ Effect: 'Allow', Action: '*', Resource: '*', Actions: 'x' }]), 'Syntax errors in policy.', 'Statement[0]'],
  ['Principal in an identity policy', doc({ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }), 'Policy document should not specify a principal.', 'Statement'],
  ['Action of the wrong type', doc([{ Effect: 'Allow', Action: { a: 1 }, Resource: '*' }]), 'Syntax errors in policy.', 'Statement[0].Action'],
  ['Effect in the wrong case', doc([{ Effect: 'allow', Action: '*', Resource: '*' }]), 'The policy failed legacy parsing', 'Statement[0].Effect'],
  ['Effect unknown', doc([{ Effect: 'Permit', Action: '*', Resource: '*' }]), 'Syntax errors in policy.', 'Statement[0].Effect'],
  ['both Action and NotAction', doc([{ Effect: 'Allow', Action: '*', NotAction: 'x:y', Resource: '*' }]), 'Syntax errors in policy.', 'Statement[0]'],
  ['duplicate Sid', doc([{ Sid: 'a', Effect: 'Allow', Action: '*', Resource: '*' }, { Sid: 'a', Effect: 'Deny', Action: '*', Resource: '*' }]), 'Statement IDs (SID) in a single policy must be unique.', 'Statement[1].Sid'],
  ['no actions', doc([{ Effect: 'Allow', Resource: '*' }]), 'Policy statement must contain actions.', 'Statement[0]'],
  ['empty action list', doc([{ Effect: 'Allow', Action: [], Resource: '*' }]), 'Policy statement must contain actions.', 'Statement[0]'],
  ['no resources', doc([{ Effect: 'Allow', Action: 'logs:*' }]), 'Policy statement must contain resources.', 'Statement[0]'],
  ['resource not an ARN', doc([{ Effect: 'Allow', Action: 'logs:*', Resource: 'my-group' }]), 'Resource my-group must be in ARN format or "*".', 'Statement[0].Resource[0]'],
  ['action without vendor', doc([{ Effect: 'Allow', Action: 'GetLogEvents', Resource: '*' }]), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.', 'Statement[0].Action[0]'],
  ['action with two colons', doc([{ Effect: 'Allow', Action: ['logs:a', 'logs:a:b'], Resource: '*' }]), 'Actions/Condition can contain only one colon.', 'Statement[0].Action[1]'],
  ['bad vendor', doc([{ Effect: 'Allow', Action: 'lo gs:a', Resource: '*' }]), 'Vendor lo gs is not valid', 'Statement[0].Action[0]'],
  ['unknown condition operator', doc([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEqualz: { 'aws:username': 'x' } } }]), 'Syntax errors in policy.', 'Statement[0].Condition.StringEqualz'],
  ['NullIfExists', doc([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { NullIfExists: { 'aws:username': 'true' } } }]), 'Syntax errors in policy.', 'Statement[0].Condition.NullIfExists'],
  ['bad date', doc([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }]), 'The policy failed legacy parsing', 'Statement[0].Condition.DateLessThan.aws:CurrentTime'],
  ['bad CIDR', doc([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }]), 'The policy failed legacy parsing', 'Statement[0].Condition.IpAddress.aws:SourceIp'],
  ['condition value an object', doc([{ Effect: 'Allow', Action: '*', Resource: '*', Condition: { StringEquals: { k: { a: 1 } } } }]), 'Syntax errors in policy.', 'Statement[0].Condition.StringEquals.k'],
];

for (const [name, input, awsMessage, path] of cases) {
  test(`refused: ${name}`, () => {
    assert.throws(
      () => parsePolicy(input),
      (e: unknown) => {
        assert.ok(e instanceof PolicyError, String(e));
        assert.equal(e.code, 'MalformedPolicyDocument');
        assert.equal(e.awsMessage, awsMessage);
        assert.equal(e.path, path);
        assert.ok(e.message.startsWith(awsMessage));
        if (path) assert.ok(e.message.includes(`at ${path}`), e.message);
        return true;
      },
    );
  });
}

test('an unknown operator with an empty block is accepted and means nothing, as in IAM', () => {
  const p = parsePolicy(doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: { Whatever: {} } }));
  assert.deepEqual(p.statements[0]!.conditions, []);
});

test('fuzz: the parser throws nothing but PolicyError on arbitrary JSON values and text', () => {
  const check = (input: unknown): void => {
    try {
      parsePolicy(input);
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
    }
  };
  fc.assert(fc.property(fc.jsonValue(), check), { numRuns: 2000 });
  fc.assert(fc.property(fc.string(), check), { numRuns: 500 });
  // Near-valid documents reach the deeper checks.
  const strOrList = fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue());
  const statement = fc.record(
    {
      Sid: fc.oneof(fc.string(), fc.jsonValue()),
      Effect: fc.constantFrom('Allow', 'Deny', 'allow', 'x', 1),
      Action: strOrList,
      NotAction: strOrList,
      Resource: strOrList,
      NotResource: strOrList,
      Condition: fc.oneof(
        fc.dictionary(fc.constantFrom('StringEquals', 'DateLessThan', 'IpAddress', 'ForAllValues:NumericLessThanIfExists', 'Nope', 'Null'), fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.array(fc.string()), fc.jsonValue()))),
        fc.jsonValue(),
      ),
      Principal: fc.string(),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(fc.constantFrom('2012-10-17', '2008-10-17', 'x', undefined), fc.oneof(statement, fc.array(statement, { maxLength: 3 })), (Version, Statement) =>
      check({ Version, Statement }),
    ),
    { numRuns: 3000 },
  );
});
