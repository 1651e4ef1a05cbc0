/**
 * The contract between the compiler (compile.ts) and the function library (one file per family in
 * this folder, collected by index.ts into FUNCTIONS). The compiler resolves a call's name
 * (case-insensitively), checks its argument count against minArgs/maxArgs and each argument against
 * `args`, compiles the arguments to SQL, then asks the function for its SQL. User values never enter
 * SQL text: literals are bound with `ctx.param`.
 */
import type { Expr, Span, ValueType } from '../ast.js';

/** A compiled expression: DuckDB SQL text and the static type of its value. */
export interface SqlValue {
  sql: string;
  type: ValueType;
}

/**
 * How values are represented in SQL, by static type:
 * - string: VARCHAR; number: DOUBLE (or an integer type; both compare and add as numbers);
 * - boolean: BOOLEAN; timestamp: TIMESTAMP (millisecond precision, UTC);
 * - dynamic: VARCHAR holding a JSON scalar as text (a discovered field: "200", "true", "abc"),
 *   or NULL when the event has no such field. Functions coerce it with the helpers in coerce.ts.
 */
export interface CompiledArg {
  value: SqlValue;
  /** The argument as written, for functions that need a literal (a period, a regex, a number). */
  expr: Expr;
}

export interface SqlContext {
  /** Binds a value as a query parameter and returns its placeholder (`$3`). */
  param(value: string | number | boolean | null): string;
  /** The query's end time, epoch ms (what `now()` means, so that results are reproducible). */
  readonly nowMs: number;
  /** Raises a positioned semantic error (wrong argument type or value). */
  error(message: string, span: Span): never;
}

/** What an argument position accepts. `period` and `regex` must be literals; `star` is `count(*)`. */
export type ArgKind = 'any' | 'number' | 'string' | 'timestamp' | 'period' | 'regex' | 'list';

export type FunctionFamily = 'string' | 'numeric' | 'datetime' | 'general' | 'json' | 'ip' | 'conversion' | 'aggregate';

export interface FunctionDef {
  /** As AWS documents it (`isValidIpV4`, `count_distinct`); lookups ignore case. */
  name: string;
  family: FunctionFamily;
  minArgs: number;
  /** Infinity for variadic functions (`concat`, `coalesce`). */
  maxArgs: number;
  /** The kind of each position; the last one repeats for variadic functions. */
  args: ArgKind[];
  /** Aggregations are only valid in `stats` (and may nest non-aggregate calls). */
  aggregate: boolean;
  /** `count(*)`. */
  acceptsStar?: boolean;
  /** One line, for error messages and the README. */
  doc: string;
  compile(args: CompiledArg[], ctx: SqlContext): SqlValue;
}
