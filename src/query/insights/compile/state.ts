/**
 * The compiler's state while it walks a query's commands: the SQL stages (CTEs) so far, the fields in
 * scope with their SQL and types, the current row order, the fields the results will show, and the
 * bound parameters. Commands (commands/*.ts) read and extend it; compile/index.ts assembles the SQL.
 *
 * Column naming: a field the query defines (`fields x as y`, `parse`, `stats`) is the column
 * `"f:<name>"`, so that no user name can collide with the internal columns (`__ts`, `__msg`, ...).
 */
import { QueryError, type PeriodLiteral, type Span, type ValueType } from '../ast.js';
import type { SqlContext, SqlValue } from '../functions/types.js';
import type { SqlParam } from '../../../store/db.js';
import type { JsonFields } from '../../../store/shred.js';
import { sameTest, type MessageTest } from '../../../store/message-tests.js';
import type { BitmapRequirement } from '../../filter-pattern/prune.js';
import { compileField } from './expr.js';
import type { GroupLineFormat } from './line-fields.js';
import type { NestedQuery, NestedTable } from './nested.js';

/** Where a field is indexed: per selected group, the ingestion times [fromMs, toMs) of the events indexed. */
export type FieldIndexLookup = (field: string) => ReadonlyArray<{ groupId: number; fromMs: number; toMs: number | null }>;

/** A field defined by the query: its column in the current relation and its type. */
export interface DefinedField {
  column: string;
  type: ValueType;
  /** The column holds a JSON object (`parse ... logfmt as lf`): `lf.key` reads its members. */
  object?: true;
  /**
   * The column holds a value that may be a map or list as JSON text (jsonParse, unnest): `js.key`
   * reads its members when it is one (compile/expr.ts isStructured says which fields).
   */
  json?: true;
  /** The column holds a map or list, or nothing: a jsonParse call's value (`fields jsonParse(x) as js`). */
  map?: true;
}

/** What the compiler knows of a lookup table (its columns), by name; undefined: no such table. */
export type LookupTableResolver = (name: string) => { fields: readonly string[] } | undefined;

/**
 * A lookup table a compiled query joins: the engine loads `name`'s rows into the session's temporary
 * table `table` (columns `"f:k0"`, ... for the match fields `keys`, `"f:v0"`, ... for `outputs`), one
 * row per distinct match (the first in the table's order) before it runs the SQL.
 */
export interface LookupLoad {
  table: string;
  name: string;
  keys: string[];
  outputs: string[];
  /**
   * `cidrlookup`: `keys` is the one column of CIDR ranges, loaded instead as `"f:p"` (the range's
   * prefix, lw_ip_tagged_bits form) and `"f:n"` (its length), one row per table row with a valid range.
   */
  cidr?: true;
}

export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
export const fieldColumn = (name: string): string => quoteIdent(`f:${name}`);

/** Which of the source's event columns (beyond __g) a query reads; __msg goes with __joff. */
export interface SourceColumns {
  sid: boolean;
  ts: boolean;
  ingest: boolean;
  seq: boolean;
  msg: boolean;
}

export const ALL_SOURCE_COLUMNS: Readonly<SourceColumns> = { sid: true, ts: true, ingest: true, seq: true, msg: true };

export class CompileState implements SqlContext {
  readonly params: SqlParam[] = [];
  /** CTEs in order: [name, body]. */
  readonly stages: Array<[string, string]> = [];
  /** The relation the next stage reads. */
  current: string;
  /** Fields defined by the query, by name. */
  readonly defined = new Map<string, DefinedField>();
  /** Before the first `stats`, names not defined resolve to fields discovered in the event's JSON. */
  eventFields = true;
  /** The command whose output the rows are once they are no longer events (for error messages). */
  producer: 'stats' | 'pattern' | 'diff' | 'relevantfields' = 'stats';
  /** JSON paths of discovered fields: path k (from 0) is the source's column `__j<k+1>`. */
  readonly jsonPaths: string[] = [];
  /** Prefilters of conditions on discovered fields: prefilter n (from 0) is the column `__pf<n+1>`. */
  readonly prefilters: Array<{ path: number; sql: string }> = [];
  /** Tests on the raw message of the source's events: test n (from 0) is the column `__mt<n+1>`. */
  readonly messageTests: MessageTest[] = [];
  /** Whether a stage needs the stream and group names (a join). */
  needsNames = false;
  /**
   * The source's event columns the query reads after its source (set once every command compiled):
   * the source leaves the others out, and the store need not decode or decrypt them
   * (store/partial-plaintext.ts). __g is always there.
   */
  sourceColumns: SourceColumns = ALL_SOURCE_COLUMNS;
  /** ORDER BY terms valid over `current`, or null for the default order. */
  order: string[] | null = null;
  /** Field names the results show, in order ([] = the default set). */
  visible: string[] = [];
  /** Set by `display`: exactly these fields. */
  display: string[] | null = null;
  /** Rows are events (they carry @ptr) until a `stats` turns them into groups. */
  eventRows = true;

  /** A filter (or dedup) has dropped events: recordsMatched must be counted, not taken from recordsScanned. */
  filtered = false;
  /** recordsMatched is the `__matched` column that the first `stats` computes. */
  matchedInColumn = false;
  /** The stage whose rows are the matched events (before the first `limit`), when not in a column. */
  matchedStage: string | null = null;
  filteredAtMatched = false;
  /**
   * Text every event that reaches the results contains (from filters before any limit, dedup or
   * stats), for trigram pruning; `prunable` turns false once a command makes later filters unsafe.
   */
  prune: BitmapRequirement | null = null;
  prunable = true;
  /** The current order is by @timestamp first (set by `sort`, cleared by anything that reorders). */
  sortedByTime: { descending: boolean } | null = null;
  /**
   * The results are the first `limit` events by time and no filter came before: only the newest (or
   * oldest) `limit` events in range can matter, so the engine may narrow the time range.
   */
  topByTime: { descending: boolean; limit: number } | null = null;
  /** The line format of each selected group (compile/line-fields.ts); empty: none has one. */
  lineFormats: readonly GroupLineFormat[] = [];
  /** Session variables holding line-format patterns, by pattern. */
  readonly lineVariables = new Map<string, string>();
  /** The nested queries (join, `in (...)`) by key (compile/nested.ts), with their results' tables. */
  readonly nested = new Map<number, { nq: NestedQuery; table: NestedTable }>();
  /** The windows in which each selected group indexes a field (CompileOptions.fieldIndexes); none by default. */
  fieldIndexes: FieldIndexLookup = () => [];
  /** Session variables to set before the query runs (SET VARIABLE name = value). */
  readonly variables: Array<{ name: string; value: string }> = [];

  /**
   * The last `stats` grouped by `bin(period)`: the bin's field, the period, and its other group keys
   * (fillmissing inserts the empty bins). Null before any such stats.
   */
  timeBin: { name: string; period: PeriodLiteral; keys: string[] } | null = null;

  /** The lookup tables the query may name (`lookup`); null: none exist. */
  lookupTables: LookupTableResolver | null = null;
  /** The lookup tables the SQL joins, to load before it runs. */
  readonly lookups: LookupLoad[] = [];

  private stageCount = 0;
  private hiddenCount = 0;

  constructor(
    readonly queryText: string,
    readonly nowMs: number,
    source: string,
    readonly startMs?: number,
    readonly endMs?: number,
  ) {
    this.current = source;
  }

  field(name: string, span: Span): SqlValue {
    return compileField(this, { kind: 'field', name, quoted: false, span });
  }

  param(value: SqlParam): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  error(message: string, span: Span): never {
    throw new QueryError(message, span);
  }

  /** The query text an expression was written as (stats' default column names). */
  text(span: Span): string {
    return this.queryText.slice(span.start, span.end);
  }

  /** Adds `SELECT <select> FROM current <tail>` as a new stage and makes it current. */
  addStage(select: string, tail = ''): void {
    const name = `s${++this.stageCount}`;
    this.stages.push([name, `SELECT ${select} FROM ${this.current}${tail ? ` ${tail}` : ''}`]);
    this.current = name;
  }

  /** Defines (or redefines) a field as a new column computed from `value` over the current relation. */
  define(names: Array<[string, SqlValue]>, tail = ''): void {
    if (names.length === 0) return;
    // A redefined name gets a fresh column: `SELECT * REPLACE` keeps columns in place.
    const replaced = names.filter(([n]) => this.defined.has(n));
    const added = names.filter(([n]) => !this.defined.has(n));
    const replace = replaced.length > 0 ? ` REPLACE (${replaced.map(([n, v]) => `${v.sql} AS ${fieldColumn(n)}`).join(', ')})` : '';
    const extra = added.map(([n, v]) => `, ${v.sql} AS ${fieldColumn(n)}`).join('');
    this.addStage(`*${replace}${extra}`, tail);
    for (const [n, v] of names) this.defined.set(n, { column: fieldColumn(n), type: v.type });
  }

  /** A fresh internal column name (`__o1`, `__p2`). */
  hidden(prefix: string): string {
    return `__${prefix}${++this.hiddenCount}`;
  }

  /** A value DuckDB must see as a constant (regexp_extract's pattern): a session variable. */
  variable(value: string): string {
    const name = `lw_v${this.variables.length + 1}`;
    this.variables.push({ name, value });
    return `getvariable('${name}')`;
  }

  /** ORDER BY terms for the current relation: the sorted order, else newest event first. */
  orderSql(): string {
    if (this.order) return this.order.join(', ');
    return this.eventRows ? '__ts DESC, __g DESC, __seq DESC' : 'ALL';
  }

  /** Remembers the current relation as the matched events, the first time (a `limit` cuts them next). */
  markMatched(): void {
    if (this.eventRows && this.matchedStage === null) {
      this.matchedStage = this.current;
      this.filteredAtMatched = this.filtered;
    }
  }

  /** For `lf.a.b` where `lf` is an object (or JSON) field: that field and the rest of the name (`a.b`). */
  objectField(name: string): { field: DefinedField; rest: string } | null {
    for (let i = name.indexOf('.'); i > 0; i = name.indexOf('.', i + 1)) {
      const field = this.defined.get(name.slice(0, i));
      if (field?.object || field?.json) return { field, rest: name.slice(i + 1) };
    }
    return null;
  }

  show(name: string): void {
    if (!this.visible.includes(name)) this.visible.push(name);
  }

  jsonField(path: string): string {
    return `__j${this.jsonIndex(path)}`;
  }

  /**
   * A column that is true for every event that may satisfy a condition on the JSON field at `path`:
   * the source computes `sql` (over __msg) where it extracts that field from the message, and gives
   * true where it reads a shredded column (store/shred.ts JsonFields).
   */
  prefilter(path: string, sql: string): string {
    const n = this.prefilters.push({ path: this.jsonIndex(path) - 1, sql });
    return `__pf${n}`;
  }

  /**
   * A column that holds `test` of the event's raw message (`__msg`), computed by the source, which may
   * answer it from cached results (store/message-tests.ts) instead of reading the message. Only while
   * the rows are the source's events.
   */
  messageTest(test: MessageTest): string | null {
    if (!this.eventRows || !this.eventFields) return null;
    let n = this.messageTests.findIndex((t) => sameTest(t, test));
    if (n < 0) n = this.messageTests.push(test) - 1;
    return `__mt${n + 1}`;
  }

  /** The JSON fields the source must provide (store/shred.ts). */
  jsonFields(): JsonFields {
    return { paths: this.jsonPaths, prefilters: this.prefilters };
  }

  private jsonIndex(path: string): number {
    let k = this.jsonPaths.indexOf(path);
    if (k < 0) k = this.jsonPaths.push(path) - 1;
    return k + 1;
  }
}
