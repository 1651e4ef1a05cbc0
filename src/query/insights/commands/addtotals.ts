/**
 * `addtotals [fieldname=Name] [row=bool] [col=bool] [f1, f2, ...]` (AWS's CWL_QuerySyntax-Addtotals):
 *
 * - row totals (unless row=false): a field, `Total` unless fieldname= says otherwise, holding the sum of
 *   the row's summed fields; values that are not numbers are left out of the sum, and a row with no
 *   number among them has no total (the field is left out of that row, as every empty field is);
 * - column totals (col=true): one more row, after the others, holding the sum of each summed field
 *   (and of the row totals) over all the rows that reach the command (none when no row does, or
 *   when no field is summed); its other fields are empty, and it has no @ptr. Later commands see
 *   it as a row like the others (a `filter` may drop it, a `sort` move it), and the query's result
 *   limit can cut it off like any last row.
 *
 * The summed fields are the ones listed, else every field the rows show at this point except system
 * fields (@timestamp, @message, ...), timestamps and booleans: "If omitted, all numeric fields are
 * summed", and a field of log data is numeric where its value reads as a number.
 */
import type { AddTotalsCommand, FieldRef } from '../ast.js';
import { compileField, isSystemField } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asNumber, asString } from '../functions/coerce.js';
import type { SqlValue } from '../functions/types.js';

const DEFAULT_NAME = 'Total';

export function compileAddTotals(state: CompileState, cmd: AddTotalsCommand): void {
  const total = cmd.fieldName ?? DEFAULT_NAME;
  const row = cmd.row ?? true;
  const refs = cmd.fields.length > 0 ? cmd.fields : shownFields(state, cmd, total);
  const summed = refs.map((ref) => ({ name: ref.name, value: compileField(state, ref) })).filter((f) => f.value.type !== 'timestamp' && f.value.type !== 'boolean');
  const numbers = summed.map((f) => asNumber(f.value).sql);

  // Fields a summary row fills must be columns of their own (a discovered field is read from the
  // event's JSON until now): defined again with the same value, which changes nothing else.
  if (cmd.col === true) {
    state.define(summed.filter((f) => state.defined.get(f.name)?.column !== f.value.sql).map((f) => [f.name, f.value]));
  }
  if (row) {
    const sum = numbers.length === 0 ? 'CAST(NULL AS DOUBLE)' : `list_sum([${numbers.join(', ')}])`;
    state.define([[total, { sql: sum, type: 'number' }]]);
    state.show(total);
    if (state.display !== null && !state.display.includes(total)) state.display.push(total);
  }
  if (cmd.col === true && summed.length > 0) addSummaryRow(state, [...new Set([...summed.map((f) => f.name), ...(row ? [total] : [])])]);
}

/** The fields the results would show now, without the system fields and the total itself. */
function shownFields(state: CompileState, cmd: AddTotalsCommand, total: string): FieldRef[] {
  const names = state.display ?? (state.visible.length > 0 || state.eventRows ? state.visible : [...state.defined.keys()]);
  return names.filter((n) => n !== total && !isSystemField(n)).map((name) => ({ kind: 'field', name, quoted: false, span: cmd.span }));
}

/** The rows so far, then one row with the sum of each named field (every one a defined column). */
function addSummaryRow(state: CompileState, names: string[]): void {
  state.prunable = false; // a later filter would change the sums
  state.markMatched(); // the summary row is not a matched event
  const marker = state.hidden('t');
  const sums = names.map((n) => {
    const d = state.defined.get(n)!;
    const sum: SqlValue = { sql: `sum(${asNumber({ sql: d.column, type: d.type }).sql})`, type: 'number' };
    // A text column gets the sum as Logs Insights prints a number.
    return `${d.type === 'number' ? sum.sql : asString(sum).sql} AS ${d.column}`;
  });
  if (state.matchedInColumn) sums.push('max(__matched) AS __matched');
  const before = state.current;
  const order = state.order ?? (state.eventRows ? [state.orderSql()] : names.map((n) => `${state.defined.get(n)!.column} ASC NULLS LAST`));
  state.addStage(`*, 0 AS ${marker}`, `UNION ALL BY NAME SELECT ${[...sums, `1 AS ${marker}`].join(', ')} FROM ${before} HAVING count(*) > 0`);
  state.order = [`${marker} ASC`, ...order];
  state.sortedByTime = null;
}
