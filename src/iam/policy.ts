/**
 * IAM identity policy documents: parsing and validation as IAM's PutUserPolicy does it.
 *
 * `parsePolicy` takes the JSON text (or an already parsed value) and returns a normalised Policy, or
 * throws PolicyError. The error's `awsMessage` is IAM's MalformedPolicyDocument wording (IAM's texts,
 * as moto's validator reproduces them from real IAM: "Syntax errors in policy.", "The policy failed
 * legacy parsing", "Policy statement must contain actions.", ...); `path` says where
 * (`Statement[1].Condition.StringEqualz`) and `message` carries both.
 */
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';

export const POLICY_VERSIONS = ['2012-10-17', '2008-10-17'] as const;

/** Condition operators IAM knows (reference_policies_elements_condition_operators), before IfExists / set qualifiers. */
export const CONDITION_OPERATORS = [
  'StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike',
  'NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
  'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals',
  'Bool', 'BinaryEquals', 'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals', 'ArnNotLike', 'Null',
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export type Effect = 'Allow' | 'Deny';

/** One key test of a Condition block: `"ForAnyValue:StringLikeIfExists": { "aws:TagKeys": ["a*"] }`. */
export interface ConditionTest {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  written: string;
  operator: ConditionOperator;
  qualifier?: 'ForAnyValue' | 'ForAllValues';
  ifExists: boolean;
  /** The condition key as written; keys are matched case-insensitively. */
  key: string;
  values: string[];
}

export interface Statement {
  /** Position in the Statement array (0 when Statement is a single object). */
  index: number;
  sid?: string;
  effect: Effect;
  /** Exactly one of action / notAction is set. */
  action?: string[];
  notAction?: string[];
  /** Exactly one of resource / notResource is set. */
  resource?: string[];
  notResource?: string[];
  conditions: ConditionTest[];
}

export interface Policy {
  version: (typeof POLICY_VERSIONS)[number];
  id?: string;
  statements: Statement[];
}

export const MALFORMED = {
  syntax: 'Syntax errors in policy.',
  legacy: 'The policy failed legacy parsing',
  sidUnique: 'Statement IDs (SID) in a single policy must be unique.',
  noActions: 'Policy statement must contain actions.',
  noResources: 'Policy statement must contain resources.',
  principal: 'Policy document should not specify a principal.',
  vendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  colons: 'Actions/Condition can contain only one colon.',
  badVendor: (v: string) => `Vendor ${v} is not valid`,
  resourceFormat: (r: string) => `Resource ${r} must be in ARN format or "*".`,
} as const;

/** A policy document IAM would refuse (AWS error code MalformedPolicyDocument). */
export class PolicyError extends Error {
  override readonly name = 'PolicyError';
  readonly code = 'MalformedPolicyDocument';
  constructor(
    /** IAM's own wording, for the MalformedPolicyDocument error body. */
    readonly awsMessage: string,
    /** Where in the document, e.g. `Statement[0].Action[2]`; '' for the document itself. */
    readonly path: string,
    readonly detail?: string,
    options?: ErrorOptions,
  ) {
    super(`${awsMessage}${path || detail ? ` (${[path && `at ${path}`, detail].filter(Boolean).join(': ')})` : ''}`, options);
  }
}

const stringOrList = z.union([z.string(), z.array(z.string())]);
const conditionValue = z.union([z.string(), z.number(), z.boolean()]);
const statementSchema = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.string(),
  Action: stringOrList.optional(),
  NotAction: stringOrList.optional(),
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  Condition: z.record(z.string(), z.record(z.string(), z.union([conditionValue, z.array(conditionValue)]))).optional(),
});
const documentSchema = z.strictObject({
  Version: z.string().optional(),
  Id: z.string().optional(),
  // Checked statement by statement below, so that an error names the statement.
  Statement: z.union([z.array(z.unknown()).min(1), z.record(z.string(), z.unknown())]),
});
type RawStatement = z.infer<typeof statementSchema>;

/** Parses and validates a policy document given as JSON text or as a parsed value. */
export function parsePolicy(document: unknown): Policy {
  let raw = document;
  if (typeof document === 'string') {
    try {
      raw = JSON.parse(document);
    } catch (e) {
      throw new PolicyError(MALFORMED.syntax, '', `not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  const parsed = documentSchema.safeParse(raw);
  if (!parsed.success) throw fromZod(raw, parsed.error, []);
  const doc = { ...parsed.data, Statement: parseStatements(raw, parsed.data.Statement) };
  if (doc.Version !== undefined && !(POLICY_VERSIONS as readonly string[]).includes(doc.Version)) {
    throw new PolicyError(MALFORMED.syntax, 'Version', `expected one of ${POLICY_VERSIONS.join(', ')}, got ${JSON.stringify(doc.Version)}`);
  }
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  const at = (i: number, field?: string): string => `${Array.isArray(doc.Statement) ? `Statement[${i}]` : 'Statement'}${field ? `.${field}` : ''}`;

  // The checks run in IAM's order, so a document with several faults gets IAM's first message.
  const statements = list.map((s, i) => legacyParse(s, i, at));
  const sids = new Set<string>();
  list.forEach((s, i) => {
    if (s.Sid === undefined || s.Sid === '') return;
    if (sids.has(s.Sid)) throw new PolicyError(MALFORMED.sidUnique, at(i, 'Sid'), `duplicate Sid ${JSON.stringify(s.Sid)}`);
    sids.add(s.Sid);
  });
  list.forEach((s, i) => {
    const v = s.Action ?? s.NotAction;
    if (v === undefined || (Array.isArray(v) && v.length === 0)) throw new PolicyError(MALFORMED.noActions, at(i), 'no Action or NotAction');
  });
  list.forEach((s, i) => {
    const v = s.Resource ?? s.NotResource;
    if (v === undefined || (Array.isArray(v) && v.length === 0)) throw new PolicyError(MALFORMED.noResources, at(i), 'no Resource or NotResource');
  });
  list.forEach((s, i) => {
    const field = s.Resource !== undefined ? 'Resource' : 'NotResource';
    toList(s.Resource ?? s.NotResource).forEach((r, j) => checkResource(r, `${at(i, field)}[${j}]`));
  });
  list.forEach((s, i) => {
    const field = s.Action !== undefined ? 'Action' : 'NotAction';
    toList(s.Action ?? s.NotAction).forEach((a, j) => checkAction(a, `${at(i, field)}[${j}]`));
  });
  return { version: (doc.Version ?? '2008-10-17') as Policy['version'], ...(doc.Id !== undefined ? { id: doc.Id } : {}), statements };
}

function parseStatements(raw: unknown, st: unknown[] | Record<string, unknown>): RawStatement | RawStatement[] {
  const one = (s: unknown, prefix: PropertyKey[]): RawStatement => {
    const r = statementSchema.safeParse(s);
    if (!r.success) throw fromZod(raw, r.error, prefix);
    return r.data;
  };
  return Array.isArray(st) ? st.map((s, i) => one(s, ['Statement', i])) : one(st, ['Statement']);
}

function fromZod(raw: unknown, error: z.ZodError, prefix: PropertyKey[]): PolicyError {
  const issue = error.issues[0]!;
  const path = [...prefix, ...issue.path].map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  const statementHasPrincipal = (s: unknown): boolean => typeof s === 'object' && s !== null && ('Principal' in s || 'NotPrincipal' in s);
  const st = typeof raw === 'object' && raw !== null ? (raw as { Statement?: unknown }).Statement : undefined;
  if (Array.isArray(st) ? st.some(statementHasPrincipal) : statementHasPrincipal(st)) {
    return new PolicyError(MALFORMED.principal, 'Statement', 'identity policies name no Principal');
  }
  return new PolicyError(MALFORMED.syntax, path, issue.code === 'invalid_union' ? unionExpectation(issue.path) : issue.message);
}

function unionExpectation(path: readonly PropertyKey[]): string {
  const last = path[path.length - 1];
  if (last === 'Statement') return 'expected a statement object or a non-empty array of statements';
  if (path[0] === 'Condition') return 'expected a string, number or boolean, or an array of them';
  return `expected a string or an array of strings`;
}

function legacyParse(s: RawStatement, i: number, at: (i: number, field?: string) => string): Statement {
  if (s.Action !== undefined && s.NotAction !== undefined) throw new PolicyError(MALFORMED.syntax, at(i), 'both Action and NotAction');
  if (s.Resource !== undefined && s.NotResource !== undefined) throw new PolicyError(MALFORMED.syntax, at(i), 'both Resource and NotResource');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
    // IAM accepts the effect's syntax case-insensitively but its legacy parser wants the exact case.
    const msg = s.Effect.toLowerCase() === 'allow' || s.Effect.toLowerCase() === 'deny' ? MALFORMED.legacy : MALFORMED.syntax;
    throw new PolicyError(msg, at(i, 'Effect'), `expected "Allow" or "Deny", got ${JSON.stringify(s.Effect)}`);
  }
  const conditions: ConditionTest[] = [];
  for (const [written, block] of Object.entries(s.Condition ?? {})) {
    const where = at(i, `Condition.${written}`);
    const op = parseOperator(written);
    if (op === undefined) {
      // IAM accepts an unknown operator only with an empty block (it then means nothing).
      if (Object.keys(block).length === 0) continue;
      throw new PolicyError(MALFORMED.syntax, where, `unknown condition operator ${JSON.stringify(written)}`);
    }
    for (const [key, v] of Object.entries(block)) {
      const values = (Array.isArray(v) ? v : [v]).map(String);
      for (const value of values) checkConditionValue(op.operator, value, `${where}.${key}`);
      conditions.push({ written, ...op, key, values });
    }
  }
  return {
    index: i,
    ...(s.Sid !== undefined ? { sid: s.Sid } : {}),
    effect: s.Effect,
    ...(s.Action !== undefined ? { action: toList(s.Action) } : {}),
    ...(s.NotAction !== undefined ? { notAction: toList(s.NotAction) } : {}),
    ...(s.Resource !== undefined ? { resource: toList(s.Resource) } : {}),
    ...(s.NotResource !== undefined ? { notResource: toList(s.NotResource) } : {}),
    conditions,
  };
}

/** `ForAnyValue:StringLikeIfExists` → its parts; undefined when IAM does not know the operator. */
export function parseOperator(written: string): Pick<ConditionTest, 'operator' | 'qualifier' | 'ifExists'> | undefined {
  let rest = written;
  let qualifier: ConditionTest['qualifier'];
  for (const q of ['ForAnyValue', 'ForAllValues'] as const) {
    if (rest.startsWith(`${q}:`)) {
      qualifier = q;
      rest = rest.slice(q.length + 1);
    }
  }
  const ifExists = rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (!(CONDITION_OPERATORS as readonly string[]).includes(rest)) return undefined;
  if (rest === 'Null' && ifExists) return undefined;
  return { operator: rest as ConditionOperator, ...(qualifier ? { qualifier } : {}), ifExists };
}

function checkConditionValue(op: ConditionOperator, value: string, where: string): void {
  const bad = (what: string): never => {
    throw new PolicyError(MALFORMED.legacy, where, `${JSON.stringify(value)} is not ${what}`);
  };
  if (op.startsWith('Date') && parseDate(value) === undefined) bad('a date (ISO 8601 or epoch seconds)');
  if (op.startsWith('Numeric') && parseNumber(value) === undefined) bad('a number');
  if ((op === 'IpAddress' || op === 'NotIpAddress') && parseCidr(value) === undefined) bad('an IP address or CIDR block');
}

function checkResource(r: string, where: string): void {
  if (r === '*') return;
  const parts = r.split(':');
  if (parts.length < 2) throw new PolicyError(MALFORMED.resourceFormat(r), where);
  // IAM's legacy parser: an ARN with an empty part needs all six parts, and the service is never empty.
  if ((parts.length < 6 && r.includes('::')) || (parts.length > 2 && parts[2] === '')) throw new PolicyError(MALFORMED.legacy, where, `malformed ARN ${JSON.stringify(r)}`);
}

function checkAction(a: string, where: string): void {
  if (a === '*') return;
  const parts = a.split(':');
  if (parts.length === 1) throw new PolicyError(MALFORMED.vendor, where, `action ${JSON.stringify(a)}`);
  if (parts.length > 2) throw new PolicyError(MALFORMED.colons, where, `action ${JSON.stringify(a)}`);
  if (/[^a-zA-Z0-9\-.]/.test(parts[0]!)) throw new PolicyError(MALFORMED.badVendor(parts[0]!), where);
}

const toList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Milliseconds since the epoch for an IAM date value: ISO 8601 (`2026-01-01T00:00:00Z`) or epoch seconds. */
export function parseDate(s: string): number | undefined {
  if (/^\d{1,12}$/.test(s)) return Number(s) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(s)) return undefined;
  const ms = Date.parse(s.length === 10 ? `${s}T00:00:00Z` : /(Z|[+-]\d{2}:?\d{2})$/i.test(s) ? s : `${s}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}

export function parseNumber(s: string): number | undefined {
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(s.trim())) return undefined;
  return Number(s);
}

/** A CIDR block or a single address, as a BlockList that `check`s membership; undefined when malformed. */
export function parseCidr(s: string): { list: BlockList; family: 'ipv4' | 'ipv6' } | undefined {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const v = isIP(addr);
  if (v === 0) return undefined;
  const family = v === 4 ? 'ipv4' : 'ipv6';
  const max = v === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  const list = new BlockList();
  list.addSubnet(addr, Number(prefixText), family);
  return { list, family };
}
