/**
 * A query's commands to one DuckDB statement: a chain of CTEs (one per command that changes rows or
 * fields) over the source relation, then the final projection, order and limit. A `pattern` or `diff`
 * command ends the SQL part: the engine runs it in JavaScript over the rows so far and compiles the
 * commands after it over those rows (compileContinuation).
 */
import type { Command, Query, ValueType } from '../ast.js';
import { QueryError } from '../ast.js';
import { compileCommand, isJsCommand, type JsCommand } from '../commands/index.js';
import type { SqlParam } from '../../../store/db.js';
import type { BitmapRequirement } from '../../filter-pattern/prune.js';
import { compileExpr, compileField, rejectStructure } from './expr.js';
import { asString } from '../functions/coerce.js';
import { CompileState, fieldColumn, quoteIdent, type FieldIndexLookup, type LookupLoad, type LookupTableResolver, type SourceColumns } from './state.js';
import type { GroupLineFormat } from './line-fields.js';
import type { MessageTest } from '../../../store/message-tests.js';
import { nestedOutput, resolveNested, type NestedQuery, type NestedTable } from './nested.js';

export interface OutputField {
  name: string;
  /** The result column holding it. */
  column: string;
  type: ValueType;
}

export interface CompiledQuery {
  /** SET VARIABLE statements to run on the connection first. */
  variables: Array<{ name: string; value: string }>;
  sql: string;
  params: SqlParam[];
  output: OutputField[];
  /** Rows are events: each carries `__g` and `__seq`, from which the engine makes `@ptr`. */
  eventRows: boolean;
  /** How recordsMatched is known: all scanned events, the `__matched` result column, or a count query. */
  matched: { kind: 'scanned' } | { kind: 'column' } | { kind: 'count'; sql: string };
  /** The source must provide `__stream` and `__log` (a join with the names table). */
  needsNames: boolean;
  /** Tests on the raw message the source computes as __mt1, __mt2, ... (store/message-tests.ts). */
  messageTests: MessageTest[];
  /** Text every event in the results contains (trigram pruning of the source), if known. */
  prune: BitmapRequirement | null;
  /** Only the first `limit` events by time matter (see CompileState.topByTime). */
  topByTime: { descending: boolean; limit: number } | null;
  /** The command run in JavaScript after this SQL, and the commands after it. */
  next: { command: JsCommand; rest: Command[] } | null;
  /** Lookup tables to load into the session before the SQL runs (`lookup`). */
  lookups: LookupLoad[];
  /** The nested queries (join, `in (...)`) compiled here, over the same source (CompileOptions.nestedTables). */
  nested: Array<{ nq: NestedQuery; compiled: CompiledQuery }>;
  /** The results carry `__pos`, their position (CompileOptions.position). */
  positioned?: true;
}

/**
 * The relation of events to query, with columns __g, __sid, __ts, __ingest, __seq, __msg, __joff, the
 * JSON fields { paths: state.jsonPaths, prefilters: state.prefilters } (store/shred.ts JsonFields), and
 * the message tests state.messageTests as __mt1, __mt2, ...; of __sid, __ts, __ingest, __seq and
 * __msg (with __joff), it may leave out those state.sourceColumns says the query does not read.
 */
export interface EventSource {
  /** SQL for the relation (binds what it needs with state.param). */
  relation(state: CompileState): string;
  /** A table of (g, sid, stream, log) to join for @logStream and @log. */
  namesTable: string;
}

export interface CompileOptions {
  nowMs: number;
  /** The query window (queryStartTime() and friends). */
  startMs?: number;
  endMs?: number;
  /** At most this many result rows. */
  limit: number;
  /** The line format of each selected group, when any has one (compile/line-fields.ts). */
  lineFormats?: readonly GroupLineFormat[];
  /** The lookup tables `lookup` may name; absent: none. */
  lookupTables?: LookupTableResolver;
  /**
   * The materialized results of the query's nested queries, by key (compile/nested.ts). Without them,
   * the nested queries are compiled over the same source, for checks and planning (CompiledQuery.nested).
   */
  nestedTables?: ReadonlyMap<number, NestedTable>;
  /** A nested query's fields, from what it shows (compile/nested.ts nestedOutput). */
  output?: (explicit: string[] | null, events: boolean, defined: string[]) => string[];
  /** Where `filterIndex` fields are indexed (commands/filter-index.ts); absent: nowhere. */
  fieldIndexes?: FieldIndexLookup;
  /** Number the results in their order, in a column `__pos` from 1 (appendcols' nested query). */
  position?: boolean;
}

const PATTERN_INPUT = '@patternInput';
/** Characters of each value, and newest events, that a pattern stage reads. */
export const PATTERN_VALUE_CHARS = 1500;
export const PATTERN_MAX_EVENTS = 100_000;
const DEFAULT_EVENT_FIELDS = ['@timestamp', '@message', '@logStream', '@log'];

export function compileQuery(original: Query, text: string, source: EventSource, opts: CompileOptions): CompiledQuery {
  const state = new CompileState(text, opts.nowMs, 's0', opts.startMs, opts.endMs);
  if (opts.lineFormats) state.lineFormats = opts.lineFormats;
  state.lookupTables = opts.lookupTables ?? null;
  const { query, nested } = resolveNested(original);
  const compiledNested: CompiledQuery['nested'] = [];
  for (const nq of nested) {
    let table = opts.nestedTables?.get(nq.key);
    if (!table) {
      const compiled = compileNested(nq, text, source, opts);
      compiledNested.push({ nq, compiled });
      table = nestedTable(nq, compiled);
    }
    state.nested.set(nq.key, { nq, table });
  }
  if (opts.fieldIndexes) state.fieldIndexes = opts.fieldIndexes;
  const next = compileCommands(state, query.commands);
  if (next) {
    // A pattern stage (and diff, which compares patterns of @message when no pattern precedes it)
    // reads one value and the time of each event.
    const cmd = next.command;
    if (!state.eventRows) state.error(`'${cmd.kind}' works on log events: it cannot follow stats`, cmd.span);
    const field = cmd.kind === 'pattern' ? cmd.field : ({ kind: 'field', name: '@message', quoted: false, span: cmd.span } as const);
    if (cmd.kind === 'pattern') rejectStructure(state, field, 'pattern');
    // Drain reads the first 1,500 characters of a value (as AWS's pattern analysis does).
    state.define([[PATTERN_INPUT, { sql: `left(${asString(compileExpr(state, field)).sql}, ${PATTERN_VALUE_CHARS})`, type: 'string' }]]);
    state.display = [PATTERN_INPUT, '@timestamp'];
  }
  const out = resolveOutput(state, opts.output); // before the source: it may need the names join
  // Everything after the source names the columns it reads: the source provides only those (a wrong
  // guess fails to bind, loudly, rather than reading what was not provided).
  const later = [...state.stages.map(([, body]) => body), ...out[1], ...out[2], state.orderSql()].join('\n');
  const reads = (column: string): boolean => new RegExp(`\\b${column}\\b`).test(later);
  state.sourceColumns = { sid: state.needsNames || reads('__sid'), ts: reads('__ts'), ingest: reads('__ingest'), seq: reads('__seq'), msg: reads('__msg') };
  const s0 = sourceStage(state, source);
  return { ...finish(state, out, [['s0', s0], ...state.stages], next, opts), nested: compiledNested };
}

/**
 * A nested query over `source` (the groups of its SOURCE): all its rows (no ORDER BY, no LIMIT), with
 * the fields nestedOutput gives. It runs in SQL only: a JavaScript stage (pattern, diff) is refused.
 */
export function compileNested(nq: NestedQuery, text: string, source: EventSource, opts: CompileOptions): CompiledQuery {
  const { nestedTables: _, ...rest } = opts;
  // appendcols pairs rows by position: its query's rows keep their order, the first `max` of them.
  const order = nq.kind === 'appendcols' ? { limit: nq.max!, position: true } : { limit: Infinity };
  const c = compileQuery(nq.query, text, source, { ...rest, ...order, output: (explicit, events, defined) => nestedOutput(nq, explicit, events, defined) });
  if (c.next) throw new QueryError(`'${c.next.command.kind}' cannot be used in a nested query (join, subquery)`, c.next.command.span);
  return c;
}

/** The table a nested query's results are materialized into: a column `"f:<name>"` per output field. */
export function nestedTable(nq: NestedQuery, c: CompiledQuery): NestedTable {
  return { table: nq.table, fields: c.output.map((f) => ({ name: f.name, type: f.type })) };
}

/** SQL that materializes a compiled nested query's results as the temporary table `table`. */
export function materializeSql(table: string, c: CompiledQuery): string {
  const cols = [...c.output.map((f) => `${quoteIdent(f.column)} AS ${fieldColumn(f.name)}`), ...(c.positioned ? ['__pos'] : [])].join(', ');
  return `CREATE OR REPLACE TEMP TABLE ${quoteIdent(table)} AS SELECT ${cols} FROM (${c.sql})`;
}

/**
 * The commands after a JavaScript stage, over its rows: `table` has one column per field
 * (`"f:<name>"`, of the given types), and the rows are no longer events.
 */
export function compileContinuation(
  commands: Command[],
  text: string,
  table: string,
  fields: Array<{ name: string; type: ValueType }>,
  opts: CompileOptions,
  producer: 'pattern' | 'diff' = 'pattern',
): CompiledQuery {
  const state = new CompileState(text, opts.nowMs, table, opts.startMs, opts.endMs);
  state.producer = producer;
  state.lookupTables = opts.lookupTables ?? null;
  for (const f of fields) state.defined.set(f.name, { column: fieldColumn(f.name), type: f.type });
  state.eventFields = false;
  state.eventRows = false;
  state.visible = fields.map((f) => f.name);
  // The stage's rows keep the order it gave them (its column __row, store/sql-session.ts loadStage).
  state.order = ['__row'];
  const next = compileCommands(state, commands);
  if (next) state.error(`'${next.command.kind}' can be used once in a query (diff right after pattern)`, next.command.span);
  return { ...finish(state, resolveOutput(state), state.stages, next, opts), nested: [] };
}

function compileCommands(state: CompileState, commands: Command[]): CompiledQuery['next'] {
  for (let i = 0; i < commands.length; i++) {
    const c = commands[i]!;
    if (isJsCommand(c)) return { command: c, rest: commands.slice(i + 1) };
    compileCommand(state, c);
  }
  return null;
}

/** The source's event columns in `c` beyond __g, in the source's order (__joff is never read after it). */
export function sourceColumnNames(c: SourceColumns): string[] {
  return [c.sid && '__sid', c.ts && '__ts', c.ingest && '__ingest', c.seq && '__seq', c.msg && '__msg'].filter((n): n is string => n !== false);
}

function sourceStage(state: CompileState, source: EventSource): string {
  const c = state.sourceColumns;
  const cols = ['src.__g', ...sourceColumnNames(c).map((name) => `src.${name}`)];
  let join = '';
  if (state.needsNames) {
    cols.push('n.stream AS __stream', 'n.log AS __log');
    join = ` LEFT JOIN ${source.namesTable} n ON n.g = src.__g AND n.sid = src.__sid`;
  }
  // The source provides the fields discovered in the events' JSON (state.jsonPaths) as __j1, __j2, ...
  // and the prefilters of conditions on them as __pf1, __pf2, ...
  state.jsonPaths.forEach((_, k) => cols.push(`src.__j${k + 1}`));
  state.prefilters.forEach((_, n) => cols.push(`src.__pf${n + 1}`));
  state.messageTests.forEach((_, n) => cols.push(`src.__mt${n + 1}`));
  return `SELECT ${cols.join(', ')} FROM (${source.relation(state)}) src${join}`;
}

/** The fields the results show, compiled over the last relation: [output, select list]. */
function resolveOutput(state: CompileState, nested?: CompileOptions['output']): [OutputField[], string[], string[]] {
  const explicit = state.display ?? (state.visible.length > 0 ? state.visible : null);
  const names = nested ? nested(explicit, state.eventRows && state.eventFields, [...state.defined.keys()]) : (explicit ?? (state.eventRows ? DEFAULT_EVENT_FIELDS : [...state.defined.keys()]));
  const output: OutputField[] = [];
  const select: string[] = [];
  const exprs: string[] = [];
  names.forEach((name, i) => {
    let v;
    try {
      v = compileField(state, { kind: 'field', name, quoted: false, span: { start: 0, end: 0 } });
    } catch (e) {
      if (!(e instanceof QueryError)) throw e;
      throw new QueryError(`Field '${name}' cannot be shown: it does not exist after stats`, { start: 0, end: state.queryText.length });
    }
    const column = `o${i}`;
    select.push(`${v.sql} AS ${quoteIdent(column)}`);
    exprs.push(v.sql);
    output.push({ name, column, type: v.type });
  });
  if (state.eventRows) select.push('__g', '__seq');
  if (state.matchedInColumn) select.push('__matched');
  return [output, select, exprs];
}

function finish(state: CompileState, [output, select, exprs]: [OutputField[], string[], string[]], stages: Array<[string, string]>, next: CompiledQuery['next'], opts: CompileOptions): Omit<CompiledQuery, 'nested'> {
  // A JavaScript stage next reads the newest PATTERN_MAX_EVENTS rows; otherwise the caller's limit
  // applies. Written as a literal (an integer we validated), so that the count query below binds the
  // same parameters.
  const limit = ` LIMIT ${next ? PATTERN_MAX_EVENTS : Math.max(0, Math.trunc(opts.limit))}`;
  const withClause = stages.length > 0 ? `WITH ${stages.map(([n, body]) => `${n} AS (${body})`).join(',\n')}\n` : '';
  // A nested query's results are a set (limit Infinity): no order to keep, no limit.
  const tail = next || Number.isFinite(opts.limit) ? ` ORDER BY ${state.orderSql()}${limit}` : '';
  if (opts.position) {
    // ORDER BY ALL orders by the selected columns: the window orders by their expressions.
    const order = state.orderSql() === 'ALL' ? (exprs.length > 0 ? exprs.map((e) => `${e} ASC NULLS LAST`).join(', ') : '1') : state.orderSql();
    select = [...select, `row_number() OVER (ORDER BY ${order}) AS __pos`];
  }
  const sql = `${withClause}SELECT ${select.join(', ')} FROM ${state.current}${tail}`;

  let matched: CompiledQuery['matched'];
  if (state.matchedInColumn) matched = { kind: 'column' };
  else {
    const stage = state.matchedStage ?? state.current;
    const filtered = state.matchedStage !== null ? state.filteredAtMatched : state.filtered;
    matched = filtered ? { kind: 'count', sql: `${withClause}SELECT count(*) AS n FROM ${stage}` } : { kind: 'scanned' };
  }
  return { variables: state.variables, sql, params: state.params, output, eventRows: state.eventRows, matched, needsNames: state.needsNames, messageTests: state.messageTests, prune: state.prune, topByTime: state.topByTime, next, lookups: state.lookups, ...(opts.position ? { positioned: true as const } : {}) };
}
