/** `sort a desc, b`: orders the rows; the order holds through later commands until `stats`. */
import type { SortCommand } from '../ast.js';
import { compileExpr, rejectStructure } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import type { SqlValue } from '../functions/types.js';

/** ORDER BY terms for a value: discovered fields sort as numbers when they are numbers, then as text. */
export function orderTerms(v: SqlValue, column: string, descending: boolean): string[] {
  const dir = descending ? 'DESC' : 'ASC';
  if (v.type !== 'dynamic') return [`${column} ${dir} NULLS LAST`];
  return [`TRY_CAST(${column} AS DOUBLE) ${dir} NULLS LAST`, `${column} ${dir} NULLS LAST`];
}

export function compileSort(state: CompileState, cmd: SortCommand): void {
  // Keys are computed into columns of their own, so later redefinitions of a field leave the order alone.
  for (const k of cmd.keys) rejectStructure(state, k.expr, 'sort');
  const keys = cmd.keys.map((k) => ({ value: compileExpr(state, k.expr), descending: k.descending }));
  const cols = keys.map(() => state.hidden('o'));
  state.addStage(`*, ${keys.map((k, i) => `${k.value.sql} AS ${cols[i]}`).join(', ')}`);
  // Events that tie keep a fixed order (group, then arrival, in the first key's direction), so that
  // results do not depend on the tier the events are in.
  const dir = cmd.keys[0]!.descending ? 'DESC' : 'ASC';
  const ties = state.eventRows ? [`__g ${dir}`, `__seq ${dir}`] : [];
  const first = cmd.keys[0]!.expr;
  const byTime = first.kind === 'field' && first.name === '@timestamp' && !state.defined.has('@timestamp');
  state.sortedByTime = byTime && state.eventRows ? { descending: cmd.keys[0]!.descending } : null;
  state.order = [...keys.flatMap((k, i) => orderTerms(k.value, cols[i]!, k.descending)), ...ties];
}
