/**
 * Expressions to DuckDB SQL, with static types (functions/types.ts says how each type is held).
 * Operators coerce by type the way Logs Insights compares log data: a number on either side makes a
 * numeric comparison (a discovered field "200" equals 200), a timestamp a time comparison, otherwise
 * text; two discovered fields compare as numbers when both read as numbers.
 */
import type { Binary, Call, Expr, FieldRef, Span } from '../ast.js';
import type { CompiledArg, SqlValue } from '../functions/types.js';
import { lookupFunction } from '../functions/index.js';
import { asBoolean, asNumber, asString, asTimestamp, periodMs } from '../functions/coerce.js';
import type { CompileState } from './state.js';
import { jsonKeyStep } from '../../../store/shred.js';
import { lineFieldSql } from './line-fields.js';
import { inSubquerySql } from './nested.js';

/** Fields every event has, and how the source relation holds them. */
const SYSTEM_FIELDS: Record<string, SqlValue & { names?: true }> = {
  '@timestamp': { sql: 'epoch_ms(__ts)', type: 'timestamp' },
  '@ingestionTime': { sql: 'epoch_ms(__ingest)', type: 'timestamp' },
  '@message': { sql: '__msg', type: 'string' },
  '@logStream': { sql: '__stream', type: 'string', names: true },
  '@log': { sql: '__log', type: 'string', names: true },
  '@ptr': { sql: `(__g::VARCHAR || ':' || __seq::VARCHAR)`, type: 'string' },
};

export const isSystemField = (name: string): boolean => Object.hasOwn(SYSTEM_FIELDS, name);

/** A discovered field's name as a JSON path: `a.b.0.c` is `$."a"."b"[0]."c"`. */
export function jsonPath(name: string): string {
  return `$${name
    .split('.')
    .map((k) => (/^\d+$/.test(k) ? `[${k}]` : jsonKeyStep(k)))
    .join('')}`;
}

export interface ExprOptions {
  /** Inside a `stats` aggregation list: aggregate functions allowed (and not nested). */
  aggregate?: boolean;
}

export function compileField(state: CompileState, ref: FieldRef): SqlValue {
  const d = state.defined.get(ref.name);
  if (d) return { sql: d.column, type: d.type };
  const member = state.objectField(ref.name);
  if (member) {
    // A JSON field may hold text that is not JSON (an unnested string): that has no members.
    const doc = member.field.object ? member.field.column : `TRY_CAST(${member.field.column} AS JSON)`;
    return { sql: `json_extract_string(${doc}, CAST(${state.param(jsonPath(member.rest))} AS VARCHAR))`, type: 'dynamic' };
  }
  if (!state.eventFields) {
    return state.error(`Field '${ref.name}' is not available here: after ${state.producer}, only the fields ${state.producer} produces can be used`, ref.span);
  }
  const sys = SYSTEM_FIELDS[ref.name];
  if (sys) {
    if (sys.names) state.needsNames = true;
    return { sql: sys.sql, type: sys.type };
  }
  const line = lineFieldSql(state, ref.name, () => state.jsonField(jsonPath(ref.name)));
  if (line !== null) return { sql: line, type: 'dynamic' };
  return { sql: state.jsonField(jsonPath(ref.name)), type: 'dynamic' };
}

/**
 * Whether an expression's value may be a map or list whose members a dotted name reads (`js.a` after
 * `fields jsonParse(@message) as js`): a jsonParse call, a JSON or object field, or a member of one.
 * Fields defined from such an expression are marked `json` (DefinedField).
 */
export function isStructured(state: CompileState, e: Expr): boolean {
  if (e.kind === 'call') return e.name.toLowerCase() === 'jsonparse';
  if (e.kind !== 'field') return false;
  const d = state.defined.get(e.name);
  if (d) return d.object === true || d.json === true;
  return state.objectField(e.name) !== null;
}

/** Whether an expression's value is always a map or list (or nothing): a jsonParse call, or a field defined as one. */
export function holdsMap(state: CompileState, e: Expr): boolean {
  if (e.kind === 'call') return e.name.toLowerCase() === 'jsonparse';
  return e.kind === 'field' && state.defined.get(e.name)?.map === true;
}

/**
 * AWS (Structure types): "Using map and list in dedup, pattern, sort, and stats isn't supported." A
 * jsonParse call, or a field defined as one, used as such a key is an error at it; its members
 * (`js.status`) are keys like any field, and values that only may be maps (unnest elements, `json`
 * extractions) are taken as they are.
 */
export function rejectStructure(state: CompileState, e: Expr, command: string): void {
  if (holdsMap(state, e)) state.error(`A map or list cannot be used in ${command}: use one of its members, such as ${e.kind === 'field' ? e.name : 'js'}.key`, e.span);
}

export function compileExpr(state: CompileState, e: Expr, opts: ExprOptions = {}): SqlValue {
  switch (e.kind) {
    case 'field':
      return compileField(state, e);
    case 'string':
      return { sql: `CAST(${state.param(e.value)} AS VARCHAR)`, type: 'string' };
    case 'number':
      return { sql: `CAST(${state.param(e.value)} AS DOUBLE)`, type: 'number' };
    case 'period':
      return state.error(`A time period such as '${e.text}' can only be an argument of bin, datefloor or dateceil`, e.span);
    case 'regex':
      return state.error('A regular expression can only follow like, not like or =~, or be a function argument', e.span);
    case 'list':
      return state.error("A list can only follow 'in' or 'not in'", e.span);
    case 'subquery':
      return state.error("A subquery can only follow 'in' or 'not in'", e.span);
    case 'unary': {
      const v = compileExpr(state, e.operand, opts);
      return e.op === '-' ? { sql: `(-${asNumber(v).sql})`, type: 'number' } : { sql: `(NOT ${asBoolean(v).sql})`, type: 'boolean' };
    }
    case 'binary':
      return compileBinary(state, e, opts);
    case 'call':
      return compileCall(state, e, opts);
  }
}

const ARITHMETIC: Record<string, (a: string, b: string) => string> = {
  '+': (a, b) => `(${a} + ${b})`,
  '-': (a, b) => `(${a} - ${b})`,
  '*': (a, b) => `(${a} * ${b})`,
  '/': (a, b) => `(${a} / ${b})`,
  '%': (a, b) => `fmod(${a}, ${b})`,
  '^': (a, b) => `pow(${a}, ${b})`,
};

const bool = (sql: string): SqlValue => ({ sql, type: 'boolean' });

function compileBinary(state: CompileState, e: Binary, opts: ExprOptions): SqlValue {
  switch (e.op) {
    case 'and':
    case 'or': {
      const l = asBoolean(compileExpr(state, e.left, opts)).sql;
      const r = asBoolean(compileExpr(state, e.right, opts)).sql;
      return bool(`(${l} ${e.op.toUpperCase()} ${r})`);
    }
    case 'like':
    case 'not like':
    case '=~': {
      const m = matchSql(state, compileExpr(state, e.left, opts), e.right, e.op === '=~', opts);
      return bool(e.op === 'not like' ? `(NOT ${m})` : m);
    }
    case 'in':
    case 'not in': {
      const sub = e.right.kind === 'subquery' ? state.nested.get(e.right.span.start) : undefined;
      if (sub) return bool(inSubquerySql(compileExpr(state, e.left, opts), sub.table, e.op === 'not in'));
      if (e.right.kind === 'subquery') return state.error('A subquery cannot follow pattern or diff', e.right.span);
      if (e.right.kind !== 'list') return state.error(`Expected a list such as [1, 2] after '${e.op}'`, e.right.span);
      if (e.right.items.length === 0) return bool(e.op === 'in' ? 'false' : 'true');
      const l = compileExpr(state, e.left, opts);
      const items = e.right.items.map((x) => compileExpr(state, x, opts));
      const numeric = items.every((v) => v.type === 'number');
      const conv = numeric ? asNumber : asString;
      const m = `${conv(l).sql} IN (${items.map((v) => conv(v).sql).join(', ')})`;
      return bool(e.op === 'in' ? `(${m})` : `(NOT (${m}))`);
    }
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case '^': {
      const l = asNumber(compileExpr(state, e.left, opts)).sql;
      const r = asNumber(compileExpr(state, e.right, opts)).sql;
      return { sql: ARITHMETIC[e.op]!(l, r), type: 'number' };
    }
    default: {
      const l = compileExpr(state, e.left, opts);
      const r = compileExpr(state, e.right, opts);
      const c = compare(e.op, l, r);
      // AWS (Structure types): "Comparing map and list to any other fields result in false."
      const maps = [[e.left, l] as const, [e.right, r] as const].filter(([x]) => isStructured(state, x)).map(([, v]) => isMapOrList(v.sql));
      return maps.length === 0 ? c : bool(`(CASE WHEN ${maps.join(' OR ')} THEN false ELSE ${c.sql} END)`);
    }
  }
}

/** SQL: whether a value that may hold JSON text holds a map (object) or a list (array). */
const isMapOrList = (sql: string): string => `coalesce(json_type(TRY_CAST(${sql} AS JSON)) IN ('OBJECT', 'ARRAY'), false)`;

/**
 * AWS (Structure types): "Maps and lists are treated as null for string, number, and datetime
 * functions". The families whose arguments are read as such values; general, JSON and aggregate
 * functions take a map or list as it is.
 */
const SCALAR_FAMILIES: ReadonlySet<string> = new Set(['string', 'numeric', 'conversion', 'datetime', 'ip', 'hash']);

function compare(op: '=' | '!=' | '<' | '<=' | '>' | '>=', l: SqlValue, r: SqlValue): SqlValue {
  const o = op === '!=' ? '<>' : op;
  const has = (t: SqlValue['type']): boolean => l.type === t || r.type === t;
  if (has('number')) return bool(`(${asNumber(l).sql} ${o} ${asNumber(r).sql})`);
  if (has('timestamp')) return bool(`(${asTimestamp(l).sql} ${o} ${asTimestamp(r).sql})`);
  if (has('boolean')) return bool(`(${asBoolean(l).sql} ${o} ${asBoolean(r).sql})`);
  if (l.type === 'dynamic' && r.type === 'dynamic') {
    const ln = `TRY_CAST(${l.sql} AS DOUBLE)`;
    const rn = `TRY_CAST(${r.sql} AS DOUBLE)`;
    return bool(`(CASE WHEN ${ln} IS NOT NULL AND ${rn} IS NOT NULL THEN ${ln} ${o} ${rn} ELSE ${l.sql} ${o} ${r.sql} END)`);
  }
  return bool(`(${asString(l).sql} ${o} ${asString(r).sql})`);
}

/** The source's raw message column (`@message` not redefined by the query). */
const MESSAGE_SQL = '__msg';

/** Whether a regex is plain text (no operator, no flag): then a substring test does the same work faster. */
const PLAIN_REGEX = /^[^\\^$.|?*+()[\]{}]+$/;

/** `like` (substring for a string, regex for /.../) and `=~` (always a regex). */
function matchSql(state: CompileState, subject: SqlValue, right: Expr, regexOnly: boolean, opts: ExprOptions): string {
  const s = asString(subject).sql;
  const literal = (kind: 'contains' | 'regexp', pattern: string): string =>
    (s === MESSAGE_SQL ? state.messageTest({ kind, pattern }) : null) ?? `${kind === 'contains' ? 'contains' : 'regexp_matches'}(${s}, ${state.param(pattern)})`;
  if (right.kind === 'regex') return literal(PLAIN_REGEX.test(right.pattern) ? 'contains' : 'regexp', right.pattern);
  if (right.kind === 'string') return literal(regexOnly ? 'regexp' : 'contains', right.value);
  const r = asString(compileExpr(state, right, opts)).sql;
  return regexOnly ? `regexp_matches(${s}, ${r})` : `contains(${s}, ${r})`;
}

function compileCall(state: CompileState, call: Call, opts: ExprOptions): SqlValue {
  const def = lookupFunction(call.name);
  if (!def) return state.error(`Unknown function '${call.name}'`, call.nameSpan);
  if (def.aggregate && !opts.aggregate) {
    return state.error(`'${def.name}' is an aggregate function: it can only be used in stats`, call.nameSpan);
  }
  if (call.star && !def.acceptsStar) return state.error(`'${def.name}' does not take '*'`, call.span);
  const n = call.args.length;
  if (!call.star && (n < def.minArgs || n > def.maxArgs)) {
    const want = def.minArgs === def.maxArgs ? `${def.minArgs}` : def.maxArgs === Infinity ? `at least ${def.minArgs}` : `${def.minArgs} to ${def.maxArgs}`;
    return state.error(`'${def.name}' takes ${want} argument${want === '1' ? '' : 's'} but was given ${n}`, call.span);
  }
  // Arguments of an aggregate are per-event expressions: no aggregate inside an aggregate.
  const inner: ExprOptions = def.aggregate ? {} : opts;
  const args: CompiledArg[] = call.args.map((a, i) => {
    const kind = def.args[Math.min(i, def.args.length - 1)] ?? 'any';
    const value = compileArg(state, def.name, kind, a, inner);
    const scalar = SCALAR_FAMILIES.has(def.family) && isStructured(state, a);
    return { expr: a, value: scalar ? { sql: `(CASE WHEN ${isMapOrList(value.sql)} THEN NULL ELSE ${value.sql} END)`, type: value.type } : value };
  });
  return def.compile(args, state);
}

function compileArg(state: CompileState, fn: string, kind: string, a: Expr, opts: ExprOptions): SqlValue {
  const wrong = (what: string, span: Span): never => state.error(`'${fn}' expects ${what} here`, span);
  switch (kind) {
    case 'period':
      if (a.kind !== 'period') return wrong('a time period such as 5m or 1h', a.span);
      // Functions read the literal itself; the value is there for those that want milliseconds.
      return { sql: `${Math.trunc(periodMs(a))}::BIGINT`, type: 'number' };
    case 'regex':
      if (a.kind !== 'regex') return wrong('a regular expression such as /abc/', a.span);
      return { sql: 'NULL', type: 'string' }; // functions bind the pattern themselves (CompiledArg.expr)
    case 'list':
      if (a.kind !== 'list') return wrong('a list such as [1, 2]', a.span);
      return { sql: 'NULL', type: 'dynamic' };
    default: {
      if (a.kind === 'period' || a.kind === 'regex' || a.kind === 'list') {
        return wrong(kind === 'any' ? 'a field or a value' : `a ${kind}`, a.span);
      }
      const v = compileExpr(state, a, opts);
      if (kind === 'number' && (a.kind === 'string' || v.type === 'boolean')) return wrong('a number', a.span);
      return v;
    }
  }
}

/** Whether an expression contains an aggregate call (what `stats` needs in each aggregation). */
export function hasAggregate(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return lookupFunction(e.name)?.aggregate === true || e.args.some(hasAggregate);
    case 'unary':
      return hasAggregate(e.operand);
    case 'binary':
      return hasAggregate(e.left) || hasAggregate(e.right);
    case 'list':
      return e.items.some(hasAggregate);
    default:
      return false;
  }
}
