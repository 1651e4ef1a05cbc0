import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate, type AuthzRequest } from './evaluate.js';
import { parsePolicy, type Policy } from './policy.js';
import { globMatch } from './wildcard.js';

// Small alphabets so that generated patterns often match generated values.
const chunk = fc.stringMatching(/^[ab:*?]{0,6}$/);
const value = fc.stringMatching(/^[abAB:]{0,6}$/);
const actions = ['logs:GetLogEvents', 'logs:PutLogEvents', 'logs:DeleteLogGroup', 'logs:DescribeLogGroups'];
const resources = ['arn:aws:logs:us-east-1:0:log-group:a:log-stream:', 'arn:aws:logs:us-east-1:0:log-group:a:log-stream:s', 'arn:aws:logs:us-east-1:0:log-group:b:log-stream:', '*'];
const actionPattern = fc.constantFrom('*', 'logs:*', 'logs:Get*', 'logs:*LogEvents', 'LOGS:DESCRIBE*', 'logs:?utLogEvents', 's3:*');
const resourcePattern = fc.constantFrom('*', 'arn:aws:logs:*:*:*', 'arn:aws:logs:us-east-1:0:log-group:a:*', 'arn:aws:logs:*:*:log-group:b:*', 'arn:aws:logs:us-east-1:0:log-group:a');
const condition = fc.option(
  fc.constantFrom(
    { StringEquals: { 'aws:username': 'alice' } },
    { StringNotLike: { 'aws:username': 'a*' } },
    { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
    { BoolIfExists: { 'aws:SecureTransport': 'true' } },
    { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env'] } },
    { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } },
  ),
  { nil: undefined },
);
const statement = fc.record({
  Effect: fc.constantFrom('Allow', 'Deny'),
  action: fc.tuple(fc.boolean(), fc.array(actionPattern, { minLength: 1, maxLength: 3 })),
  resource: fc.tuple(fc.boolean(), fc.array(resourcePattern, { minLength: 1, maxLength: 2 })),
  Condition: condition,
}).map(({ Effect, action, resource, Condition }) => ({
  Effect,
  [action[0] ? 'NotAction' : 'Action']: action[1],
  [resource[0] ? 'NotResource' : 'Resource']: resource[1],
  ...(Condition ? { Condition } : {}),
}));
const policies = fc.array(fc.array(statement, { minLength: 1, maxLength: 4 }), { maxLength: 3 }).map((ps) => ps.map((s) => parsePolicy({ Version: '2012-10-17', Statement: s })));
const request: fc.Arbitrary<AuthzRequest> = fc.record({
  action: fc.constantFrom(...actions),
  resources: fc.uniqueArray(fc.constantFrom(...resources), { maxLength: 3 }),
  context: fc.record(
    { 'aws:username': fc.constantFrom('alice', 'bob'), 'aws:SourceIp': fc.constantFrom('10.1.2.3', '192.0.2.1'), 'aws:SecureTransport': fc.constantFrom('true', 'false'), 'aws:TagKeys': fc.array(fc.constantFrom('env', 'team'), { maxLength: 2 }) },
    { requiredKeys: [] },
  ),
});

const denyAll = (): Policy => parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: '*', Resource: '*' } });

test('property: an applicable explicit deny always wins', () => {
  fc.assert(
    fc.property(policies, request, fc.nat(), (ps, req, at) => {
      const withDeny = [...ps];
      withDeny.splice(at % (ps.length + 1), 0, denyAll());
      const r = evaluate(withDeny, req);
      assert.equal(r.decision, 'ExplicitDeny');
    }),
    { numRuns: 1000 },
  );
});

test('property: the decision is Allow only when every resource has an applicable Allow and none a Deny', () => {
  fc.assert(
    fc.property(policies, request, (ps, req) => {
      const r = evaluate(ps, req);
      const each = (req.resources.length ? req.resources : ['*']).map((res) => evaluate(ps, { ...req, resources: [res] }).decision);
      const expected = each.includes('ExplicitDeny') ? 'ExplicitDeny' : each.every((d) => d === 'Allow') ? 'Allow' : 'ImplicitDeny';
      assert.equal(r.decision, expected);
    }),
    { numRuns: 1000 },
  );
});

test('property: removing an Allow statement never turns a denial into Allow', () => {
  fc.assert(
    fc.property(policies, request, fc.nat(), fc.nat(), (ps, req, pi, si) => {
      if (ps.length === 0) return;
      const before = evaluate(ps, req).decision;
      const p = ps[pi % ps.length]!;
      const victim = si % p.statements.length;
      if (p.statements[victim]!.effect !== 'Allow') return;
      const smaller = ps.map((x) => (x === p ? { ...x, statements: x.statements.filter((_, k) => k !== victim) } : x));
      const after = evaluate(smaller, req).decision;
      if (before !== 'Allow') assert.notEqual(after, 'Allow');
      if (before === 'ExplicitDeny') assert.equal(after, 'ExplicitDeny');
    }),
    { numRuns: 1000 },
  );
});

test('property: removing a Deny statement never turns Allow into a denial', () => {
  fc.assert(
    fc.property(policies, request, fc.nat(), fc.nat(), (ps, req, pi, si) => {
      if (ps.length === 0) return;
      const p = ps[pi % ps.length]!;
      const victim = si % p.statements.length;
      if (p.statements[victim]!.effect !== 'Deny' || evaluate(ps, req).decision !== 'Allow') return;
      const smaller = ps.map((x) => (x === p ? { ...x, statements: x.statements.filter((_, k) => k !== victim) } : x));
      assert.equal(evaluate(smaller, req).decision, 'Allow');
    }),
    { numRuns: 500 },
  );
});

/** The reference: translate the pattern to an anchored regular expression. */
function reference(pattern: string, v: string, ignoreCase: boolean): boolean {
  const src = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${src}$`, ignoreCase ? 'i' : '').test(v);
}

test('property: wildcard matching agrees with a regular-expression reference', () => {
  fc.assert(
    fc.property(chunk, value, fc.boolean(), (p, v, ic) => {
      assert.equal(globMatch(p, v, ic), reference(p, v, ic), `${JSON.stringify(p)} vs ${JSON.stringify(v)}`);
    }),
    { numRuns: 5000 },
  );
  fc.assert(
    fc.property(fc.string(), fc.string(), (p, v) => assert.equal(globMatch(p, v), reference(p, v, false))),
    { numRuns: 2000 },
  );
});
