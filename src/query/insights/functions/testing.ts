/**
 * Test support for the function library: a real in-memory DuckDB (through the project's Db, so
 * parameters bind as they do in production) with FUNCTION_SETUP_SQL run, and a small SqlContext.
 * A call is compiled over a VALUES table of typed columns and evaluated row by row or as one group.
 */
import type { Expr, PeriodLiteral, PeriodUnit, Span, ValueType } from '../ast.js';
import { QueryError } from '../ast.js';
import { Db, type SqlParam } from '../../../store/db.js';
import { formatResultValue, periodMs } from './coerce.js';
import { FUNCTION_SETUP_SQL, lookupFunction } from './index.js';
import type { CompiledArg, SqlContext, SqlValue } from './types.js';

const SPAN: Span = { start: 0, end: 0 };

/** An argument: a column of the input rows, a literal, a period or a regex, or a raw compiled value. */
export type TestArg =
  | { col: number }
  | { str: string }
  | { num: number }
  | { period: string }
  | { regex: string }
  | { field: string }
  | { raw: SqlValue; expr?: Expr };

export const col = (i: number): TestArg => ({ col: i });
export const lit = (v: string | number): TestArg => (typeof v === 'string' ? { str: v } : { num: v });
export const period = (text: string): TestArg => ({ period: text });
export const regex = (pattern: string): TestArg => ({ regex: pattern });
/** A bare word such as `true`, which the grammar reads as a field name. */
export const word = (name: string): TestArg => ({ field: name });

const UNITS: Record<string, PeriodUnit> = { ms: 'ms', s: 's', m: 'm', h: 'h', d: 'd', w: 'w', mo: 'mo', q: 'q', y: 'y' };

const SQL_TYPE: Record<ValueType, string> = {
  string: 'VARCHAR',
  dynamic: 'VARCHAR',
  number: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
};

export class FakeContext implements SqlContext {
  readonly params: SqlParam[] = [];
  nowMs = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  startMs: number | undefined = Date.UTC(2024, 0, 1);
  endMs: number | undefined = Date.UTC(2024, 0, 2);
  /** The SQL of @timestamp in the test relation (the `ts` column). */
  timestampSql = 'ts';

  param(value: string | number | boolean | null): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  error(message: string, span: Span): never {
    throw new QueryError(message, span);
  }

  field(name: string, span: Span): SqlValue {
    if (name === '@timestamp') return { sql: this.timestampSql, type: 'timestamp' };
    return this.error(`no field ${name}`, span);
  }
}

export interface Table {
  /** Column types; columns are c0, c1, ... */
  types: ValueType[];
  /** Row values: timestamps as epoch ms; null for a missing field. */
  rows: Array<Array<string | number | boolean | null>>;
  /** Per-row @timestamp in epoch ms (the `ts` column), for bin, earliest, latest and rate. */
  ts?: number[];
}

export class Harness {
  private constructor(private readonly db: Db) {}

  static async open(): Promise<Harness> {
    const db = await Db.open(':memory:', { memoryLimit: '512MB', threads: 1, tempDir: '/tmp' });
    for (const sql of FUNCTION_SETUP_SQL) await db.run(sql);
    return new Harness(db);
  }

  close(): void {
    this.db.close();
  }

  /** Compiles `name(args)` as the compiler would hand it the arguments. */
  compile(name: string, args: TestArg[], table: Table, ctx: FakeContext): SqlValue {
    const def = lookupFunction(name);
    if (!def) throw new Error(`no function ${name}`);
    const compiled = args.map((a): CompiledArg => compileArg(a, table, ctx));
    return def.compile(compiled, ctx);
  }

  /** The result for each row, as GetQueryResults shows it (null stays null). */
  async rows(name: string, args: TestArg[], table: Table, ctx = new FakeContext()): Promise<Array<string | null>> {
    const v = this.compile(name, args, table, ctx);
    const out = await this.db.all(`SELECT ${v.sql} AS r FROM ${relation(table, ctx)} ORDER BY i`, ctx.params);
    return out.map((r) => (r.r === null ? null : formatResultValue(r.r, v.type)));
  }

  /** The result over all rows as one group (an aggregate), or per group of the given column. */
  async agg(name: string, args: TestArg[], table: Table, ctx = new FakeContext(), groupCol?: number): Promise<Array<string | null>> {
    const v = this.compile(name, args, table, ctx);
    const by = groupCol === undefined ? '' : ` GROUP BY c${groupCol} ORDER BY c${groupCol}`;
    const out = await this.db.all(`SELECT ${v.sql} AS r FROM ${relation(table, ctx)}${by}`, ctx.params);
    return out.map((r) => (r.r === null ? null : formatResultValue(r.r, v.type)));
  }

  /** Evaluates an expression built from the table's columns (c0, c1... as typed SqlValues), row by row. */
  async expr(build: (cols: SqlValue[], ctx: FakeContext) => SqlValue, table: Table, ctx = new FakeContext()): Promise<Array<string | null>> {
    const v = build(
      table.types.map((type, k) => ({ sql: `c${k}`, type })),
      ctx,
    );
    const out = await this.db.all(`SELECT ${v.sql} AS r FROM ${relation(table, ctx)} ORDER BY i`, ctx.params);
    return out.map((r) => (r.r === null ? null : formatResultValue(r.r, v.type)));
  }

  /** Runs SQL directly (for checks of the setup macros). */
  all(sql: string, params: SqlParam[] = []): Promise<Array<Record<string, unknown>>> {
    return this.db.all(sql, params);
  }
}

/** A one-column table of the given type. */
export const column = (type: ValueType, values: Array<string | number | boolean | null>): Table => ({
  types: [type],
  rows: values.map((v) => [v]),
});

function compileArg(a: TestArg, table: Table, ctx: FakeContext): CompiledArg {
  if ('col' in a) {
    const type = table.types[a.col];
    if (!type) throw new Error(`no column ${a.col}`);
    return { value: { sql: `c${a.col}`, type }, expr: { kind: 'field', name: `c${a.col}`, quoted: false, span: SPAN } };
  }
  if ('str' in a) {
    return { value: { sql: `CAST(${ctx.param(a.str)} AS VARCHAR)`, type: 'string' }, expr: { kind: 'string', value: a.str, quote: '"', span: SPAN } };
  }
  if ('num' in a) {
    const expr: Expr =
      a.num < 0
        ? { kind: 'unary', op: '-', operand: { kind: 'number', value: -a.num, text: String(-a.num), span: SPAN }, span: SPAN }
        : { kind: 'number', value: a.num, text: String(a.num), span: SPAN };
    return { value: { sql: `CAST(${ctx.param(a.num)} AS DOUBLE)`, type: 'number' }, expr };
  }
  if ('period' in a) {
    const m = /^(\d+(?:\.\d+)?)([a-z]+)$/.exec(a.period);
    const unit = m ? UNITS[m[2]!] : undefined;
    if (!m || !unit) throw new Error(`bad period ${a.period}`);
    // As the compiler passes a period (types.ts): its length in ms after the cap, bound.
    const expr: PeriodLiteral = { kind: 'period', amount: Number(m[1]), unit, text: a.period, span: SPAN };
    return { value: { sql: `CAST(${ctx.param(periodMs(expr))} AS BIGINT)`, type: 'number' }, expr };
  }
  if ('regex' in a) {
    return { value: { sql: `CAST(${ctx.param(a.regex)} AS VARCHAR)`, type: 'string' }, expr: { kind: 'regex', pattern: a.regex, span: SPAN } };
  }
  if ('field' in a) {
    return { value: { sql: 'CAST(NULL AS VARCHAR)', type: 'dynamic' }, expr: { kind: 'field', name: a.field, quoted: false, span: SPAN } };
  }
  return { value: a.raw, expr: a.expr ?? { kind: 'field', name: 'raw', quoted: false, span: SPAN } };
}

/** `(VALUES ...) t(i, ts, c0, c1, ...)` with every value bound as a parameter. */
function relation(table: Table, ctx: FakeContext): string {
  if (table.rows.length === 0) {
    const cols = table.types.map((t, k) => `CAST(NULL AS ${SQL_TYPE[t]}) AS c${k}`).join(', ');
    return `(SELECT 0 AS i, CAST(NULL AS TIMESTAMP) AS ts${cols ? `, ${cols}` : ''} WHERE false) t`;
  }
  const rows = table.rows.map((row, i) => {
    const ts = table.ts?.[i];
    const cells = table.types.map((t, k) => cell(row[k] ?? null, t, ctx));
    const tsCell = ts === undefined ? 'CAST(NULL AS TIMESTAMP)' : `epoch_ms(CAST(${ctx.param(ts)} AS BIGINT))`;
    return `(${[String(i), tsCell, ...cells].join(', ')})`;
  });
  return `(VALUES ${rows.join(', ')}) t(i, ts${table.types.map((_, k) => `, c${k}`).join('')})`;
}

function cell(v: string | number | boolean | null, type: ValueType, ctx: FakeContext): string {
  if (v === null) return `CAST(NULL AS ${SQL_TYPE[type]})`;
  if (type === 'timestamp') return `epoch_ms(CAST(${ctx.param(v)} AS BIGINT))`;
  return `CAST(${ctx.param(v)} AS ${SQL_TYPE[type]})`;
}
