/**
 * What accum, autoregress, filldown and sessionize share: "the previous row" is the previous one in
 * the rows' current order, the order the results would show them in (newest event first unless a
 * `sort` or `stats` set another), as Splunk's accum, autoregress and filldown read their results.
 */
import type { CompileState } from '../compile/state.js';

/** ORDER BY terms for a window over the current relation (DuckDB refuses ORDER BY ALL there). */
export function windowOrder(state: CompileState): string {
  const order = state.orderSql();
  if (order !== 'ALL') return order;
  // Rows that are groups without an order (stats without by: one row): order them by their fields.
  const columns = [...new Set([...state.defined.values()].map((d) => d.column))];
  return columns.length > 0 ? columns.map((c) => `${c} ASC NULLS LAST`).join(', ') : '1';
}

/** `<fn> OVER (ORDER BY <order> ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`: up to this row. */
export function runningWindow(state: CompileState, fn: string, partition = ''): string {
  return `${fn} OVER (${partition ? `PARTITION BY ${partition} ` : ''}ORDER BY ${windowOrder(state)} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
}
