/**
 * Fuzz: the policy parser and evaluator on arbitrary input. parsePolicy only ever throws PolicyError;
 * evaluate never throws, whatever the action, resources and context values (malformed IPs, dates and
 * numbers included); and with a Deny-all policy beside any others it never allows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { evaluate } from './evaluate.js';
import { CONDITION_OPERATORS, parsePolicy, PolicyError, type Policy } from './policy.js';

const text = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 8 }), fc.stringMatching(/^[a-z*?:/.-]{0,12}$/));
const operator = fc.tuple(fc.constantFrom('', 'ForAnyValue:', 'ForAllValues:'), fc.constantFrom(...CONDITION_OPERATORS), fc.constantFrom('', 'IfExists')).map(([q, o, e]) => q + o + e);
const conditionValue = fc.oneof(text, fc.integer(), fc.boolean(), fc.constantFrom('10.0.0.0/8', '::1/128', '2024-01-01T00:00:00Z', '1e3', 'true', 'not-an-ip/99'));
const statement = fc.record(
  {
    Sid: fc.stringMatching(/^[A-Za-z0-9]{0,4}$/),
    Effect: fc.constantFrom('Allow', 'Deny', 'allow', 'Maybe'),
    Action: fc.oneof(text, fc.array(text, { maxLength: 3 })),
    NotAction: fc.oneof(text, fc.array(text, { maxLength: 3 })),
    Resource: fc.oneof(text, fc.array(text, { maxLength: 3 })),
    NotResource: fc.oneof(text, fc.array(text, { maxLength: 3 })),
    Condition: fc.dictionary(operator, fc.dictionary(text, fc.oneof(conditionValue, fc.array(conditionValue, { maxLength: 3 })), { maxKeys: 2 }), { maxKeys: 2 }),
  },
  { requiredKeys: [] },
);
const document = fc.oneof(
  fc.anything(),
  fc.record({ Version: fc.constantFrom('2012-10-17', '2008-10-17', 'x'), Statement: fc.oneof(statement, fc.array(statement, { maxLength: 3 })) }, { requiredKeys: [] }),
);

function parsed(doc: unknown): Policy | undefined {
  try {
    return parsePolicy(doc);
  } catch (e) {
    assert.ok(e instanceof PolicyError, `parsePolicy threw ${String(e)}`);
    return undefined;
  }
}

test('fuzz: parsePolicy accepts or throws PolicyError, for any value and any JSON text', () => {
  fc.assert(fc.property(document, (doc) => void parsed(doc)), { numRuns: 1000 });
  fc.assert(fc.property(fc.oneof(fc.string(), fc.json(), document.map((d) => JSON.stringify(d) ?? '')), (t) => void parsed(t)), { numRuns: 500 });
});

const DENY_ALL = parsePolicy({ Version: '2012-10-17', Statement: { Effect: 'Deny', Action: '*', Resource: '*' } });
const requestArb = fc.record({
  action: text,
  resources: fc.array(text, { maxLength: 3 }),
  context: fc.dictionary(fc.oneof(text, fc.constantFrom('aws:SourceIp', 'aws:CurrentTime', 'aws:username', 'aws:EpochTime')), fc.oneof(conditionValue.map(String), fc.array(text, { maxLength: 3 })), { maxKeys: 4 }),
});

test('fuzz: evaluate never throws; beside a Deny-all policy it never allows', () => {
  fc.assert(
    fc.property(fc.array(document, { maxLength: 3 }), requestArb, (docs, request) => {
      const policies = docs.map(parsed).filter((p): p is Policy => p !== undefined);
      const r = evaluate(policies, request);
      assert.ok(['Allow', 'ExplicitDeny', 'ImplicitDeny'].includes(r.decision));
      assert.equal(evaluate([...policies, DENY_ALL], request).decision, 'ExplicitDeny');
      assert.equal(evaluate([DENY_ALL, ...policies], request).decision, 'ExplicitDeny');
      if (policies.length === 0) assert.equal(r.decision, 'ImplicitDeny');
    }),
    { numRuns: 1000 },
  );
});
