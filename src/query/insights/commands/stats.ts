/**
 * `stats agg(x) [as n], ... [by key [as k], ...]`: groups the rows and aggregates each group. After it,
 * only the fields it produces exist (a later `stats` aggregates its output), and rows are no longer events.
 */
import type { Expr, PeriodLiteral, StatsCommand } from '../ast.js';
import { UNIT_MS } from '../lexer.js';
import { compileExpr, hasAggregate, rejectStructure } from '../compile/expr.js';
import { fieldColumn, type CompileState } from '../compile/state.js';
import type { SqlValue } from '../functions/types.js';
import { projectionName } from './fields.js';
import { unwrapCall } from '../functions/coerce.js';
import { orderTerms } from './sort.js';

export function compileStats(state: CompileState, cmd: StatsCommand): void {
  state.prunable = false; // a later filter would change which rows this command sees
  const outputs: Array<{ name: string; value: SqlValue }> = [];
  const seen = new Set<string>();
  const add = (name: string, value: SqlValue, span: StatsCommand['span']): void => {
    if (seen.has(name)) state.error(`The stats output field '${name}' is defined twice: give one of them another name with 'as'`, span);
    seen.add(name);
    outputs.push({ name, value });
  };
  for (const p of cmd.by) {
    if (hasAggregate(p.expr)) state.error('An aggregate function cannot be a stats group key (after by)', p.expr.span);
    rejectStructure(state, p.expr, 'stats');
    add(projectionName(state, p), compileExpr(state, p.expr), p.span);
  }
  const keys = outputs.length;
  if (cmd.offset) shiftBins(state, cmd, outputs);
  for (const p of cmd.aggregations) {
    const value = compileExpr(state, p.expr, { aggregate: true }); // unknown functions first
    // count(js) only asks whether it is there; other aggregations would read the map or list.
    if (p.expr.kind === 'call' && p.expr.name.toLowerCase() !== 'count') for (const a of p.expr.args) rejectStructure(state, a, 'stats');
    if (!hasAggregate(p.expr)) state.error('Expected an aggregate function such as count(), sum() or avg() in stats', p.expr.span);
    add(projectionName(state, p), value, p.span);
  }
  // The first stats over events counts them (recordsMatched); later ones carry the count on.
  const matched = state.eventRows ? 'sum(count(*)) OVER ()' : state.matchedInColumn ? 'max(__matched)' : null;
  if (state.eventRows) state.matchedInColumn = true;
  const select = outputs.map((o) => `${o.value.sql} AS ${fieldColumn(o.name)}`);
  if (matched) select.push(`${matched} AS __matched`);
  // A timestamp key made from milliseconds (bin(5m)) groups on the milliseconds: converting ten
  // million events to timestamps costs more than grouping them; only the groups are converted.
  const groupBy = outputs.slice(0, keys).map((o) => (o.value.type === 'timestamp' ? (unwrapCall(o.value.sql, 'epoch_ms') ?? o.value.sql) : o.value.sql));
  state.addStage(select.join(', '), keys > 0 ? `GROUP BY ${groupBy.join(', ')}` : '');
  // For fillmissing: the first key that is bin(<period>), and the other keys.
  const binAt = cmd.by.findIndex((p) => p.expr.kind === 'call' && p.expr.name.toLowerCase() === 'bin' && p.expr.args[0]?.kind === 'period');
  const period = binAt < 0 ? null : (cmd.by[binAt]!.expr as { args: Expr[] }).args[0]!;
  state.timeBin =
    period?.kind === 'period' && outputs[binAt]!.value.type === 'timestamp'
      ? { name: outputs[binAt]!.name, period, keys: outputs.slice(0, keys).map((o) => o.name).filter((_, i) => i !== binAt) }
      : null;

  state.defined.clear();
  for (const o of outputs) state.defined.set(o.name, { column: fieldColumn(o.name), type: o.value.type });
  state.eventFields = false;
  state.eventRows = false;
  state.visible = outputs.map((o) => o.name);
  state.sortedByTime = null;
  state.order = keys > 0 ? outputs.slice(0, keys).flatMap((o) => orderTerms(o.value, fieldColumn(o.name), false)) : null;
}

/**
 * `by bin(5m) offset 1h` (AWS's time-series functions page: "shift time-series bins by a specified
 * duration ... comparing current metrics against the same period in the previous hour or day"). The
 * engine runs the query over the range that far back (statsOffsetMs), and the bins move forward by it,
 * so that they line up with the bins of the same query without offset, as PromQL's offset does.
 */
function shiftBins(state: CompileState, cmd: StatsCommand, outputs: Array<{ name: string; value: SqlValue }>): void {
  const offset = cmd.offset!;
  const ms = statsOffsetMs(offset);
  if (ms === null) state.error(`Expected an offset in ms, s, m, h, d or w (such as offset 1h), not ${offset.text}`, offset.span);
  let bins = 0;
  cmd.by.forEach((p, i) => {
    if (p.expr.kind !== 'call' || p.expr.name.toLowerCase() !== 'bin') return;
    const o = outputs[i]!;
    const inner = unwrapCall(o.value.sql, 'epoch_ms');
    o.value = { sql: inner !== null ? `epoch_ms((${inner}) + ${ms})` : `(${o.value.sql} + to_milliseconds(${ms}))`, type: 'timestamp' };
    bins++;
  });
  if (bins === 0) state.error("Expected 'by bin(<period>)' before offset: offset shifts the time bins", offset.span);
}

/** An offset's length in ms (whole units only: months and years have none); null for those. */
export function statsOffsetMs(p: PeriodLiteral): number | null {
  const unit = UNIT_MS[p.unit];
  return unit === undefined ? null : p.amount * unit;
}
