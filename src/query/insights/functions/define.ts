/**
 * The vocabulary the family files share: how a family declares its functions (keyed by the name AWS
 * documents), SqlValue constructors, literal arguments, and the common type of alternative values.
 */
import type { PeriodLiteral, ValueType } from '../ast.js';
import { asString } from './coerce.js';
import type { ArgKind, CompiledArg, FunctionDef, FunctionFamily, SqlContext, SqlValue } from './types.js';

export interface FunctionSpec {
  args: ArgKind[];
  /** Defaults to args.length. */
  minArgs?: number;
  /** Defaults to args.length. */
  maxArgs?: number;
  aggregate?: boolean;
  acceptsStar?: boolean;
  doc: string;
  compile(args: CompiledArg[], ctx: SqlContext): SqlValue;
}

/** A family's functions, keyed and named as AWS documents them. */
export function family<K extends string>(fam: FunctionFamily, specs: Record<K, FunctionSpec>): Record<K, FunctionDef> {
  const out = {} as Record<K, FunctionDef>;
  for (const name of Object.keys(specs) as K[]) {
    const s = specs[name];
    const def: FunctionDef = {
      name,
      family: fam,
      minArgs: s.minArgs ?? s.args.length,
      maxArgs: s.maxArgs ?? s.args.length,
      args: s.args,
      aggregate: s.aggregate ?? false,
      doc: s.doc,
      compile: s.compile,
    };
    if (s.acceptsStar) def.acceptsStar = true;
    out[name] = def;
  }
  return out;
}

export const num = (sql: string): SqlValue => ({ sql, type: 'number' });
export const str = (sql: string): SqlValue => ({ sql, type: 'string' });
export const bool = (sql: string): SqlValue => ({ sql, type: 'boolean' });
export const ts = (sql: string): SqlValue => ({ sql, type: 'timestamp' });
export const dyn = (sql: string): SqlValue => ({ sql, type: 'dynamic' });

/** The i-th argument; the compiler has already checked the count against minArgs and maxArgs. */
export function arg(args: readonly CompiledArg[], i: number): CompiledArg {
  const a = args[i];
  if (!a) throw new Error(`internal: function compiled without its argument ${i + 1}`);
  return a;
}

/** The i-th argument's compiled value. */
export const val = (args: readonly CompiledArg[], i: number): SqlValue => arg(args, i).value;

/** A number written in the query (`95`, `-1`), for arguments that must be constant. */
export function literalNumber(a: CompiledArg, ctx: SqlContext, what: string): number {
  const e = a.expr;
  if (e.kind === 'number') return e.value;
  if (e.kind === 'unary' && e.op === '-' && e.operand.kind === 'number') return -e.operand.value;
  return ctx.error(`${what} must be a number written in the query`, e.span);
}

/** A string written in the query, for arguments that must be constant (a date format). */
export function literalString(a: CompiledArg, ctx: SqlContext, what: string): string {
  const e = a.expr;
  if (e.kind === 'string') return e.value;
  return ctx.error(`${what} must be a string written in the query, in quotes`, e.span);
}

/** A time period written in the query (`5m`), checked to be positive. */
export function literalPeriod(a: CompiledArg, ctx: SqlContext): PeriodLiteral {
  const e = a.expr;
  if (e.kind !== 'period') return ctx.error('Expected a time period such as 5m or 1h', e.span);
  if (!(e.amount > 0)) return ctx.error(`A time period must be longer than zero, not '${e.text}'`, e.span);
  return e;
}

/**
 * Values a function returns one of (coalesce, if, case), converted to one type: theirs when they
 * share it, else text typed `dynamic`, which still compares and computes as a number when it reads
 * as one (the way a discovered field does).
 */
export function unify(values: readonly SqlValue[]): { sqls: string[]; type: ValueType } {
  const first = values[0]?.type ?? 'dynamic';
  if (values.every((v) => v.type === first)) return { sqls: values.map((v) => v.sql), type: first };
  return { sqls: values.map((v) => asString(v).sql), type: 'dynamic' };
}
