/**
 * Running a parsed Logs Insights query over the store: the contract the API (StartQuery's query
 * manager) and the CLI code against.
 *
 * The query compiles (compile/) to SQL over a relation of events that the store provides
 * (store/sql-session.ts: the selected groups' segments, pruned, and their hot events), on a connection
 * of its own. `pattern` and `diff` run in JavaScript over the rows before them, and the commands after
 * them run as SQL again over those rows.
 */
import type { LogGroup } from '../../store/catalog.js';
import type { Row } from '../../store/db.js';
import type { LogStore } from '../../store/store.js';
import { retentionCutoff } from '../../store/store.js';
import { candidateRanges, hotBatchFilter } from '../../store/query.js';
import { readEventBySeq, SqlSession, type SelectedGroup as Selected, type SourcePart } from '../../store/sql-session.js';
import { QueryError, type Command, type DiffCommand, type LogCompareCommand, type PeriodLiteral, type Query, type ValueType } from './ast.js';
import { UNIT_MS } from './lexer.js';
import { periodMonths } from './functions/coerce.js';
import { cidrRows } from './commands/cidrlookup.js';
import { statsOffsetMs } from './commands/stats.js';
import type { FieldIndexLookup, LookupTableResolver } from './compile/state.js';
import { lookupRows } from './commands/lookup.js';
import { parseCsv } from '../../formats/csv.js';
import { compileContinuation, compileNested, compileQuery, materializeSql, nestedTable, type CompiledQuery, type EventSource } from './compile/index.js';
import { resolveNested, type NestedTable } from './compile/nested.js';
import type { JsCommand } from './commands/index.js';
import { ANOMALY_FIELDS, anomalyStage } from './pattern/anomaly.js';
import type { GroupLineFormat } from './compile/line-fields.js';
import { capture, FORMAT_TAG, groupExtraction } from '../../formats/index.js';
import { formatResultValue } from './functions/coerce.js';
import { setupSqlFor } from './functions/index.js';
import { DIFF_FIELDS, PATTERN_FIELDS, patternDiffStage, patternStage, type PeriodInput, type Row as StageRow } from './pattern/stage.js';

/** One cell of a result row, as GetQueryResults returns it. */
export interface ResultField {
  field: string;
  value: string;
}

export interface InsightsStatistics {
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

export interface InsightsRun {
  /** The log groups to search (already resolved from logGroupName(s)/identifiers and SOURCE). */
  groups: LogGroup[];
  /** Inclusive, epoch ms. */
  startMs: number;
  endMs: number;
  query: Query;
  /** The query as written (stats names unaliased columns by their text). */
  queryString?: string;
  /** At most this many rows (StartQuery's limit, else the query's own `limit`, else 10,000). */
  limit: number;
  /** Aborted by StopQuery or the query timeout: the run stops and rejects with signal.reason. */
  signal: AbortSignal;
  /** Called as the run progresses (GetQueryResults shows partial statistics while Running). */
  onProgress?: (stats: InsightsStatistics) => void;
  /** For `@log` (`<account>:<group>`); default 000000000000. */
  accountId?: string;
  /** What one statement's rows may take in memory (default 96 MiB); past it the query fails. */
  maxResultBytes?: number;
  /**
   * The log groups of each nested query (join, `in (...)`) with a SOURCE clause, by key (nestedQueries),
   * selected and authorized by the caller; a nested query without SOURCE reads `groups`.
   */
  nested?: ReadonlyMap<number, NestedSelection>;
}

/** What a nested query's SOURCE selected: its groups, and its START= and END= (epoch ms), if any. */
export interface NestedSelection {
  groups: LogGroup[];
  startMs?: number;
  endMs?: number;
}

/** The nested queries of a query (join, `in (...)`): their keys and SOURCE clauses, for the caller to resolve. */
export function nestedQueries(query: Query): Array<{ key: number; source: Query['source']; span: { start: number; end: number } }> {
  return resolveNested(query).nested.map((nq) => ({ key: nq.key, source: nq.query.source, span: nq.span }));
}

export interface InsightsOutput {
  /** Each row lists its fields in display order; non-aggregating queries end each row with `@ptr`. */
  rows: ResultField[][];
  statistics: InsightsStatistics;
}

/**
 * Semantic checks without running: unknown functions, wrong argument counts or types, fields used
 * after `stats` that it does not produce. Throws QueryError with the span to blame.
 */
export function checkQuery(query: Query, queryString = '', lookupTables?: LookupTableResolver): void {
  const opts = { nowMs: 0, limit: 1, ...(lookupTables ? { lookupTables } : {}) };
  const c = compileQuery(query, queryString, NOWHERE, opts);
  if (!c.next) return;
  // The commands after pattern (or diff, or anomaly) see the stage's fields.
  const { fields, rest, producer } = jsStage(c.next.command, c.next.rest);
  compileContinuation(rest, queryString, 'js_rows_check', fields, opts, producer);
}

/**
 * The JavaScript stage a command starts: `diff` and `anomaly` right after `pattern` belong to its stage
 * (they read the pattern field; alone they read @message). Its fields and the commands after it.
 */
function jsStage(command: JsCommand, rest: Command[]): { kind: 'pattern' | 'diff' | 'anomaly'; fields: Array<{ name: string; type: ValueType }>; rest: Command[]; producer: 'pattern' | 'diff' } {
  // logcompare is diff with a baseline of its own: the same stage, the same fields.
  const kindOf = (k: JsCommand['kind']): 'pattern' | 'diff' | 'anomaly' => (k === 'logcompare' ? 'diff' : k);
  const next = rest[0]?.kind;
  const joined = command.kind === 'pattern' && (next === 'diff' || next === 'logcompare' || next === 'anomaly') ? kindOf(next) : null;
  const kind = joined ?? kindOf(command.kind);
  const after = joined ? rest.slice(1) : rest;
  const fields = kind === 'diff' ? DIFF_FIELDS : kind === 'anomaly' ? ANOMALY_FIELDS : PATTERN_FIELDS;
  return { kind, fields: [...fields], rest: after, producer: kind === 'diff' ? 'diff' : 'pattern' };
}

/** How far back a `stats ... offset` moves the range the query reads (the first one's; 0 without). */
function queryOffsetMs(query: Query): number {
  const stats = query.commands.find((c) => c.kind === 'stats' && c.offset !== undefined);
  return stats?.kind === 'stats' && stats.offset ? (statsOffsetMs(stats.offset) ?? 0) : 0;
}

/** An opaque pointer to one event (GetLogRecord reads it back). */
export function encodePtr(groupId: number, seq: number): string {
  return Buffer.from(`lw1:${groupId}:${seq}`).toString('base64url');
}

export function decodePtr(ptr: string): { groupId: number; seq: number } | null {
  const m = /^lw1:(\d{1,15}):(\d{1,15})$/.exec(Buffer.from(ptr, 'base64url').toString('latin1'));
  return m ? { groupId: Number(m[1]), seq: Number(m[2]) } : null;
}

/** A source for compiling without running (checks, planning). */
const NOWHERE: EventSource = { namesTable: 'q_names', relation: () => 'SELECT 1' };

/**
 * For `sort @timestamp desc | limit N` with no filter before: the N newest events in range are all at
 * or after some time T, found from the catalog (segments wholly in range, newest first, until they
 * hold N events) and the hot tier; the range shrinks to start at T. Symmetric for ascending.
 */
function narrowToTop(store: LogStore, selected: Selected[], top: CompiledQuery['topByTime']): void {
  if (!top || selected.some((s) => s.group.deletedStreams.size > 0)) return;
  // (edge time, events) of every source wholly inside its group's range.
  const chunks: Array<{ edge: number; far: number; rows: number }> = [];
  for (const s of selected) {
    for (const x of s.group.segments) {
      if (x.minTs >= s.startMs && x.maxTs <= s.endMs) chunks.push({ edge: top.descending ? x.maxTs : x.minTs, far: top.descending ? x.minTs : x.maxTs, rows: x.rows });
    }
    for (const e of store.hot.events(s.group.id, (_sid, ts) => ts >= s.startMs && ts <= s.endMs)) {
      chunks.push({ edge: e.timestamp, far: e.timestamp, rows: 1 });
    }
  }
  chunks.sort((a, b) => (top.descending ? b.edge - a.edge : a.edge - b.edge));
  let rows = 0;
  let bound = top.descending ? Infinity : -Infinity;
  for (const c of chunks) {
    rows += c.rows;
    bound = top.descending ? Math.min(bound, c.far) : Math.max(bound, c.far);
    if (rows >= top.limit) break;
  }
  if (rows < top.limit) return;
  for (const s of selected) {
    if (top.descending) s.startMs = Math.max(s.startMs, bound);
    else s.endMs = Math.min(s.endMs, bound);
  }
}

function selectGroups(store: LogStore, groups: LogGroup[], startMs: number, endMs: number, query: Query): Selected[] {
  // filterIndex: "skip all log groups that are not indexed" for its field (nothing is read from them).
  const indexed = query.commands.filter((c) => c.kind === 'filterIndex').map((c) => fieldIndexLookup(store, groups)(c.field.name));
  return groups
    .filter((g) => indexed.every((windows) => windows.some((w) => w.groupId === g.id)))
    .map((group) => ({ group, startMs: Math.max(startMs, retentionCutoff(group, store.opts.clock.now())), endMs }))
    .filter((s) => s.startMs <= s.endMs);
}

/** Where each of `groups` indexes a field, for filterIndex (store/index-policies.ts). */
export function fieldIndexLookup(store: LogStore, groups: readonly LogGroup[]): FieldIndexLookup {
  const now = store.opts.clock.now();
  const policies = store.catalog.indexPolicies;
  return (field) =>
    groups.flatMap((g) => policies.windowsOf(g.id, g.logGroupClass, field, now).map((w) => ({ groupId: g.id, fromMs: w.fromMs, toMs: w.toMs })));
}

export async function runInsightsQuery(store: LogStore, given: InsightsRun): Promise<InsightsOutput> {
  given.signal.throwIfAborted();
  // `stats ... by bin(5m) offset 1h`: the query reads the range an hour back (its bins move forward).
  const shift = queryOffsetMs(given.query);
  const run = shift === 0 ? given : { ...given, startMs: given.startMs - shift, endMs: given.endMs - shift };
  const text = run.queryString ?? '';
  const selected = selectGroups(store, run.groups, run.startMs, run.endMs, run.query);
  const session = await SqlSession.open(store);
  const onAbort = (): void => session.interrupt();
  run.signal.addEventListener('abort', onAbort);
  try {
    const hot = hotStatistics(store, selected);
    const cold = await session.sealedStatistics(selected);
    const statistics: InsightsStatistics = { recordsMatched: 0, recordsScanned: hot.records + cold.records, bytesScanned: hot.bytes + cold.bytes };
    run.onProgress?.({ ...statistics });

    const opts = { nowMs: run.endMs, startMs: run.startMs, endMs: run.endMs, limit: run.limit, lookupTables: lookupResolver(store) };
    let { compiled, rows } = await runOverEvents(store, session, run, selected, run.query.commands, text, statistics);
    statistics.recordsMatched = await matchedCount(session, compiled, rows, statistics.recordsScanned);
    run.onProgress?.({ ...statistics });

    // JavaScript stages, each followed by the SQL of the commands after it.
    let stage = 0;
    while (compiled.next) {
      run.signal.throwIfAborted();
      const { command } = compiled.next;
      const { kind, fields, rest, producer } = jsStage(command, compiled.next.rest);
      let out: StageRow[];
      const current = patternInput(compiled, rows, run.startMs, run.endMs);
      const diff = kind === 'diff' ? (command.kind === 'diff' || command.kind === 'logcompare' ? command : (compiled.next.rest[0] as DiffCommand | LogCompareCommand)) : null;
      if (kind === 'anomaly') {
        out = anomalyStage(current);
      } else if (diff) {
        // Patterns of this period against the same query's over the earlier one, mined together.
        const shift = diff.kind === 'logcompare' ? timeshiftMs(diff.shift, run.startMs) : diffShiftMs(diff.period, run.startMs, run.endMs);
        // The commands up to this one (compiled.next holds a copy of it: found by its place in the text).
        const at = run.query.commands.findIndex((c) => c.span.start === command.span.start);
        const before = run.query.commands.slice(0, at + 1);
        const prevRun = { ...run, startMs: run.startMs - shift, endMs: run.endMs - shift };
        const prevSelected = selectGroups(store, run.groups, prevRun.startMs, prevRun.endMs, run.query);
        const prev = await runOverEvents(store, session, prevRun, prevSelected, before, text, null);
        out = patternDiffStage(current, patternInput(prev.compiled, prev.rows, prevRun.startMs, prevRun.endMs));
      } else {
        out = patternStage(current.values, current);
      }
      const table = `js_rows_${++stage}`;
      await session.loadStage(table, { fields, rows: out });
      compiled = compileContinuation(rest, text, table, fields, opts, producer);
      await loadLookups(store, session, compiled);
      rows = await execute(session, compiled, run.maxResultBytes);
    }
    return { rows: outputRows(compiled, rows), statistics };
  } catch (e) {
    if (run.signal.aborted) throw run.signal.reason;
    throw e;
  } finally {
    run.signal.removeEventListener('abort', onAbort);
    session.close();
  }
}

/**
 * Compiles `commands` (up to the first JavaScript stage) over the selected groups' events, prunes what
 * the query lets us skip (blocks without its text, events out of its top N), and runs the SQL.
 */
async function runOverEvents(
  store: LogStore,
  session: SqlSession,
  run: InsightsRun,
  selected: Selected[],
  commands: Query['commands'],
  text: string,
  statistics: InsightsStatistics | null,
): Promise<{ compiled: CompiledQuery; rows: Row[] }> {
  const query = { ...run.query, commands };
  const groups = selected.map((s) => s.group);
  const opts = { nowMs: run.endMs, startMs: run.startMs, endMs: run.endMs, limit: run.limit, lineFormats: lineFormatsOf(groups), fieldIndexes: fieldIndexLookup(store, groups), lookupTables: lookupResolver(store) };
  const plan = compileQuery(query, text, NOWHERE, opts);
  // Nested queries first, each over its own groups, materialized into its table (compile/nested.ts).
  const nestedTables = new Map<number, NestedTable>();
  for (const { nq, compiled: innerPlan } of plan.nested) {
    run.signal.throwIfAborted();
    const sel = run.nested?.get(nq.key);
    if (nq.query.source !== null && sel === undefined) throw new Error(`internal: no log groups selected for the nested query at ${nq.key}`);
    const innerSelected = selectGroups(store, sel?.groups ?? run.groups, Math.max(run.startMs, sel?.startMs ?? -Infinity), Math.min(run.endMs, sel?.endMs ?? Infinity), nq.query);
    const innerGroups = innerSelected.map((s) => s.group);
    const innerOpts = { ...opts, lineFormats: lineFormatsOf(innerGroups), fieldIndexes: fieldIndexLookup(store, innerGroups) };
    const source = await prepareSource(store, session, innerSelected, innerPlan);
    const compiled = compileNested(nq, text, source, innerOpts);
    if (compiled.needsNames) await session.loadNames('q_names', innerSelected.map((s) => s.group), run.accountId ?? '000000000000');
    await loadLookups(store, session, compiled);
    await session.run(materializeSql(nq.table, compiled), compiled.params, compiled.variables, setupSqlFor(compiled.sql));
    nestedTables.set(nq.key, nestedTable(nq, compiled));
    if (statistics) {
      // The nested query's events were scanned too.
      const hot = hotStatistics(store, innerSelected);
      const cold = await session.sealedStatistics(innerSelected);
      statistics.recordsScanned += hot.records + cold.records;
      statistics.bytesScanned += hot.bytes + cold.bytes;
    }
  }
  const source = await prepareSource(store, session, selected, plan);
  const compiled = compileQuery(query, text, source, { ...opts, nestedTables });
  if (compiled.needsNames) await session.loadNames('q_names', selected.map((s) => s.group), run.accountId ?? '000000000000');
  await loadLookups(store, session, compiled);
  return { compiled, rows: await execute(session, compiled, run.maxResultBytes) };
}

/**
 * The relation of the selected groups' events for a query planned as `plan`: what its text and top N
 * let us skip pruned, hot events loaded, message tests cached.
 */
async function prepareSource(store: LogStore, session: SqlSession, selected: Selected[], plan: CompiledQuery): Promise<EventSource> {
  const narrowed = selected.map((s) => ({ ...s }));
  narrowToTop(store, narrowed, plan.topByTime);
  const parts: SourcePart[] = [];
  // Each group's segments and hot batches, taken in one turn of the event loop (HotTier.snapshot): a seal
  // that commits while the query prunes or loads moves events from one to the other.
  const taken = narrowed.map((s) => ({ s, segments: s.group.segments.filter((x) => x.maxTs >= s.startMs && x.minTs <= s.endMs), hotBatches: store.hot.snapshot(s.group.id) }));
  for (const { s, segments, hotBatches } of taken) {
    parts.push({ ...s, ranges: await candidateRanges(store, s.group, segments, plan.prune), hotBatches, keepBatch: await hotBatchFilter(store, s.group, plan.prune, hotBatches) });
  }
  await session.loadHot(parts);
  await session.prepareMessageTests(parts, plan.messageTests);
  return { namesTable: 'q_names', relation: (state) => session.eventRelation(parts, (v) => state.param(v), state.jsonFields(), state.messageTests, state.sourceColumns) };
}

/** The line format each group records in its `logward:format` tag (docs/formats.md), if any has one. */
function lineFormatsOf(groups: LogGroup[]): GroupLineFormat[] | undefined {
  const formats = groups.map((g) => ({ groupId: g.id, extraction: groupExtraction(g.tags.get(FORMAT_TAG)) }));
  return formats.some((f) => f.extraction !== null) ? formats : undefined;
}

/** The values (and times) a pattern stage clusters: the compiled query's first two output columns. */
function patternInput(c: CompiledQuery, rows: Row[], startMs: number, endMs: number): PeriodInput {
  const [value, time] = c.output;
  return {
    values: rows.map((r) => toText(r[value!.column], value!.type)),
    timestamps: rows.map((r) => (r[time!.column] instanceof Date ? (r[time!.column] as Date).getTime() : Number(r[time!.column]))),
    startMs,
    endMs,
  };
}

/**
 * `logcompare timeshift <d>`: the baseline is the range shifted back by d. Months, quarters and years
 * shift on the calendar, as `diff previousMonth` does (the same day of the month before).
 */
function timeshiftMs(p: PeriodLiteral, startMs: number): number {
  const months = periodMonths(p);
  if (months === null) return p.amount * UNIT_MS[p.unit]!;
  const d = new Date(startMs);
  return startMs - Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - months, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
}

function diffShiftMs(period: 'previous' | 'previousDay' | 'previousWeek' | 'previousMonth', startMs: number, endMs: number): number {
  switch (period) {
    case 'previous':
      return endMs - startMs + 1;
    case 'previousDay':
      return 86_400_000;
    case 'previousWeek':
      return 7 * 86_400_000;
    case 'previousMonth': {
      const d = new Date(startMs);
      const before = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
      return startMs - before;
    }
  }
}

/** The store's lookup tables as the compiler sees them (their columns). */
export function lookupResolver(store: LogStore): LookupTableResolver {
  return (name) => store.lookupTables.tables.get(name);
}

/**
 * Loads the lookup tables a compiled query joins into the session (temporary tables, in the session's
 * memory and spill space, never the data dir). A table deleted or changed since the query was checked
 * fails the query, pointing at nothing in particular.
 */
async function loadLookups(store: LogStore, session: SqlSession, c: CompiledQuery): Promise<void> {
  for (const load of c.lookups) {
    const t = store.lookupTables.tables.get(load.name);
    let rows = null;
    try {
      const records = t === undefined ? null : await store.lookupTables.parsedContent(t, parseCsv);
      rows = records === null ? null : load.cidr ? cidrRows(records, load) : lookupRows(records, load);
    } catch (e) {
      // Replaced or deleted between the metadata read and the file read: its old file is gone.
      if (store.lookupTables.tables.get(load.name)?.file === t?.file) throw e;
    }
    if (rows === null) throw new QueryError(`Lookup table '${load.name}' was deleted or changed while the query ran`, { start: 0, end: 0 });
    const keys = load.cidr ? [{ name: 'p', type: 'string' }, { name: 'n', type: 'number' }] : load.keys.map((_, i) => ({ name: `k${i}`, type: 'string' }));
    const fields = [...keys, ...load.outputs.map((_, j) => ({ name: `v${j}`, type: 'string' }))];
    await session.loadStage(load.table, { fields, rows });
  }
}

function execute(session: SqlSession, c: CompiledQuery, maxBytes?: number): Promise<Row[]> {
  return session.run(c.sql, c.params, c.variables, setupSqlFor(c.sql), maxBytes);
}

async function matchedCount(session: SqlSession, c: CompiledQuery, rows: Row[], scanned: number): Promise<number> {
  switch (c.matched.kind) {
    case 'scanned':
      return scanned;
    case 'column':
      return Number(rows[0]?.__matched ?? 0);
    case 'count': {
      const counted = await session.run(c.matched.sql, c.params, c.variables, setupSqlFor(c.matched.sql));
      return Number(counted[0]?.n ?? 0);
    }
  }
}

/** recordsScanned and bytesScanned of the hot events in range. */
function hotStatistics(store: LogStore, selected: Selected[]): { records: number; bytes: number } {
  let records = 0;
  let bytes = 0;
  for (const s of selected) {
    for (const e of store.hot.events(s.group.id, (sid, ts) => ts >= s.startMs && ts <= s.endMs && !s.group.deletedStreams.has(sid))) {
      records++;
      bytes += Buffer.byteLength(e.message);
    }
  }
  return { records, bytes };
}

function toText(v: unknown, type: ValueType): string | null {
  return v === null || v === undefined ? null : formatResultValue(v, type);
}

/** Result rows as GetQueryResults gives them: fields without a value are left out; events end with @ptr. */
function outputRows(c: CompiledQuery, rows: Row[]): ResultField[][] {
  return rows.map((r) => {
    const out: ResultField[] = [];
    for (const f of c.output) {
      if (f.name === '@ptr' && c.eventRows) continue;
      const value = toText(r[f.column], f.type);
      if (value !== null) out.push({ field: f.name, value });
    }
    // A row that is no event (addtotals' summary row) has no @ptr.
    if (c.eventRows && r.__g !== null && r.__g !== undefined) out.push({ field: '@ptr', value: encodePtr(Number(r.__g), Number(r.__seq)) });
    return out;
  });
}

/** GetLogRecord: every field of the event a `@ptr` value points at, or null when there is none. */
export async function getLogRecord(store: LogStore, ptr: string, accountId = '000000000000'): Promise<Record<string, string> | null> {
  const p = decodePtr(ptr);
  if (!p) return null;
  const g = store.catalog.groupsById.get(p.groupId);
  if (!g) return null;
  const event = await readEventBySeq(store, g, p.seq);
  if (!event || g.deletedStreams.has(event.streamId)) return null;
  const stream = g.streamsById.get(event.streamId);
  if (!stream) return null;
  const record: Record<string, string> = {
    '@timestamp': String(event.timestamp),
    '@ingestionTime': String(event.ingestMs),
    '@message': event.message,
    '@logStream': stream.name,
    '@log': `${accountId}:${g.name}`,
  };
  // A group with a line format gives that format's fields (the pattern Insights extracts them with).
  const ex = groupExtraction(g.tags.get(FORMAT_TAG));
  const fields = ex ? (capture(new RegExp(ex.pattern), ex.fields, event.message) ?? {}) : discoveredFields(event.message);
  for (const [k, v] of Object.entries(fields)) if (!(k in record)) record[k] = String(v);
  return record;
}

/** The JSON fields of a message, flattened with dots (`a.b.0.c`), as Logs Insights discovers them. */
export function discoveredFields(message: string): Record<string, string> {
  const at = message.trimStart().startsWith('{') ? 0 : message.indexOf('{');
  if (at < 0) return {};
  let doc: unknown;
  try {
    doc = JSON.parse(at === 0 ? message : message.slice(at));
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  const walk = (v: unknown, prefix: string): void => {
    if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, prefix ? `${prefix}.${k}` : k);
    } else if (prefix) out[prefix] = v === null ? 'null' : String(v);
  };
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) walk(doc, '');
  return out;
}
