/**
 * The Condition element, decided against a request context (reference_policies_elements_condition_operators
 * and reference_policies_condition-single-vs-multi-valued-context-keys):
 * - operators in a block, and keys under an operator, must all hold (AND); the values listed for one key
 *   are alternatives (OR);
 * - a key absent from the context makes a positive operator false and a negated one (StringNotEquals,
 *   ArnNotLike, NotIpAddress, ...) true, except `...IfExists` (absent → true) and `Null`;
 * - `ForAnyValue:` holds when some context value satisfies the operator (false when the key is absent
 *   or empty), `ForAllValues:` when every one does (true when absent or empty);
 * - condition key names are case-insensitive; values are case-sensitive unless the operator says otherwise.
 */
import { isIP } from 'node:net';
import { parseCidr, parseDate, parseNumber, type ConditionOperator, type ConditionTest } from './policy.js';
import { arnMatch, globMatch } from './wildcard.js';

export type RequestContext = Readonly<Record<string, string | readonly string[]>>;

const NEGATED: ReadonlySet<ConditionOperator> = new Set<ConditionOperator>([
  'StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress', 'ArnNotEquals', 'ArnNotLike',
]);

/** Whether every test of a statement's Condition element holds. */
export function conditionsHold(tests: readonly ConditionTest[], context: RequestContext): boolean {
  if (tests.length === 0) return true;
  const lower = lowerKeys(context);
  return tests.every((t) => testHolds(t, lower.get(t.key.toLowerCase())));
}

function lowerKeys(context: RequestContext): Map<string, readonly string[]> {
  const m = new Map<string, readonly string[]>();
  for (const [k, v] of Object.entries(context)) m.set(k.toLowerCase(), typeof v === 'string' ? [v] : v);
  return m;
}

function testHolds(t: ConditionTest, present: readonly string[] | undefined): boolean {
  if (t.operator === 'Null') {
    const absent = present === undefined || present.length === 0;
    return t.values.some((v) => (v.toLowerCase() === 'true') === absent);
  }
  const negated = NEGATED.has(t.operator);
  if (t.qualifier === 'ForAllValues') return present === undefined || present.every((v) => one(t, v, negated));
  if (t.qualifier === 'ForAnyValue') return present !== undefined && present.some((v) => one(t, v, negated));
  if (present === undefined || present.length === 0) return t.ifExists || negated;
  // A single-valued test of a multivalued key: positive holds when any value matches, negated when none does.
  return negated ? present.every((v) => one(t, v, true)) : present.some((v) => one(t, v, false));
}

/** The operator applied to one context value: for a negated operator, that no policy value matches. */
function one(t: ConditionTest, value: string, negated: boolean): boolean {
  const matches = t.values.some((p) => positive(t.operator, p, value));
  return negated ? !matches : matches;
}

function positive(op: ConditionOperator, policy: string, value: string): boolean {
  switch (op) {
    case 'StringEquals':
    case 'StringNotEquals':
    case 'BinaryEquals':
      return policy === value;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return policy.toLowerCase() === value.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return globMatch(policy, value);
    case 'ArnEquals':
    case 'ArnNotEquals':
    case 'ArnLike':
    case 'ArnNotLike':
      // IAM treats ArnEquals like ArnLike: both take wildcards, part by part.
      return arnMatch(policy, value);
    case 'Bool':
      return policy.toLowerCase() === value.toLowerCase();
    case 'IpAddress':
    case 'NotIpAddress': {
      const cidr = parseCidr(policy);
      const v = isIP(value);
      if (cidr === undefined || v === 0) return false;
      return cidr.list.check(value, v === 4 ? 'ipv4' : 'ipv6');
    }
    case 'NumericEquals':
    case 'NumericNotEquals':
    case 'NumericLessThan':
    case 'NumericLessThanEquals':
    case 'NumericGreaterThan':
    case 'NumericGreaterThanEquals':
      return compare(op, parseNumber(value), parseNumber(policy));
    case 'DateEquals':
    case 'DateNotEquals':
    case 'DateLessThan':
    case 'DateLessThanEquals':
    case 'DateGreaterThan':
    case 'DateGreaterThanEquals':
      return compare(op, parseDate(value), parseDate(policy));
    case 'Null':
      return false;
  }
}

/** `value <op> policy`; an unparseable context value matches nothing. */
function compare(op: ConditionOperator, value: number | undefined, policy: number | undefined): boolean {
  if (value === undefined || policy === undefined) return false;
  if (op.endsWith('GreaterThanEquals')) return value >= policy;
  if (op.endsWith('GreaterThan')) return value > policy;
  if (op.endsWith('LessThanEquals')) return value <= policy;
  if (op.endsWith('LessThan')) return value < policy;
  return value === policy;
}
