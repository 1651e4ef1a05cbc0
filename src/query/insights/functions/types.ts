/**
 * The contract between the compiler (compile.ts) and the function library (one file per family in
 * this folder, collected by index.ts into FUNCTIONS). The compiler resolves a call's name
 * (case-insensitively), checks its argument count against minArgs/maxArgs and each argument against
 * `args`, compiles the arguments to SQL, then asks the function for its SQL. User values never enter
 * SQL text: literals are bound with `ctx.param`.
 *
 * Some functions (the IP family) call SQL macros: every connection that runs compiled Insights SQL
 * first runs index.ts's FUNCTION_SETUP_SQL (idempotent `CREATE OR REPLACE TEMP MACRO`s).
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
 *   A map or list (jsonParse, split) is also `dynamic`: the minified JSON text of the object or array.
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
  /**
   * Resolves a field by name in the relation the call is evaluated over, exactly as a FieldRef with
   * that name would compile, or raises the positioned error a FieldRef would (after `stats`, only
   * what stats produced). Functions that implicitly read the event time ask for `@timestamp`:
   * `bin`, `earliest`, `latest`, `rate`. Optional only so that a context without it still compiles;
   * those functions report its absence as our bug.
   */
  field?(name: string, span: Span): SqlValue;
  /** The query window, epoch ms inclusive (queryStartTime(), queryEndTime(), queryTimeRange()). */
  readonly startMs?: number;
  readonly endMs?: number;
}

/**
 * What an argument position accepts. `period` and `regex` must be literals: the function reads the
 * literal from `CompiledArg.expr`, and the compiler passes as `value` the period's length in ms after
 * AWS's cap (coerce.ts's periodMs, as a BIGINT) or the pattern (a VARCHAR).
 * `number` and `string` positions take any expression (a discovered field included) and the function
 * coerces it with coerce.ts; functions that need a constant (pct's percentile, parseDate's format)
 * check `expr` themselves. A function's SQL uses every argument's `value`, since it may hold bound
 * parameters, and DuckDB refuses a statement with parameters it does not reference.
 */
export type ArgKind = 'any' | 'number' | 'string' | 'timestamp' | 'period' | 'regex' | 'list';

export type FunctionFamily =
  | 'string'
  | 'numeric'
  | 'datetime'
  | 'general'
  | 'json'
  | 'ip'
  | 'conversion'
  | 'aggregate'
  | 'hash'
  | 'timeseries';

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
