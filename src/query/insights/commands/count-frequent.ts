/**
 * `countFrequent method, status` (or `count_frequent`; CWL_QuerySyntax-CountFrequent): one row per
 * combination of the fields' values, with the number of rows that hold it in `_approxcount`, sorted in
 * descending order of that count (ties by the fields' values, ascending). The counts are exact, which
 * an approximate count may be. As Splunk's `top` does, only rows that hold every field are counted
 * (a missing value is no value to count). Like stats, the rows after it are these groups, with only
 * the fields and `_approxcount`.
 */
import type { CountFrequentCommand, Expr, StatsCommand } from '../ast.js';
import { compileField } from '../compile/expr.js';
import { fieldColumn, type CompileState } from '../compile/state.js';
import { compileStats } from './stats.js';
import { orderTerms } from './sort.js';

export const APPROX_COUNT = '_approxcount';

export function compileCountFrequent(state: CompileState, cmd: CountFrequentCommand): void {
  const present = cmd.fields.map((f) => `${compileField(state, f).sql} IS NOT NULL`);
  state.addStage('*', `WHERE ${present.join(' AND ')}`);
  state.filtered = true;
  const count: Expr = { kind: 'call', name: 'count', args: [], star: true, nameSpan: cmd.span, span: cmd.span };
  const stats: StatsCommand = {
    kind: 'stats',
    aggregations: [{ expr: count, alias: APPROX_COUNT, span: cmd.span }],
    by: cmd.fields.map((f) => ({ expr: f, alias: null, span: f.span })),
    span: cmd.span,
  };
  compileStats(state, stats);
  const keys = cmd.fields.flatMap((f) => {
    const d = state.defined.get(f.name)!;
    return orderTerms({ sql: d.column, type: d.type }, d.column, false);
  });
  state.order = [`${fieldColumn(APPROX_COUNT)} DESC`, ...keys];
}
