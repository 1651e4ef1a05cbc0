/**
 * `accum bytes [AS totalBytes]` (CWL_QuerySyntax-Accum): the running sum of a numeric field over the
 * rows in their current order (commands/window.ts). AWS does not say what happens to a row whose value
 * is not a number; as Splunk's accum ("for each event where field is a number"), such a row adds
 * nothing and gets no running total: the AS field is left out of it, and without AS the field keeps
 * its value there. Without AS the field itself holds the running total.
 */
import type { AccumCommand } from '../ast.js';
import { compileField } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asNumber, asString } from '../functions/coerce.js';
import type { SqlValue } from '../functions/types.js';
import { runningWindow } from './window.js';

export function compileAccum(state: CompileState, cmd: AccumCommand): void {
  state.prunable = false; // a later filter would change the running sums
  const value = compileField(state, cmd.field);
  const num = state.hidden('a');
  state.addStage(`*, ${asNumber(value).sql} AS ${num}`);
  const running: SqlValue = { sql: runningWindow(state, `sum(${num})`), type: 'number' };
  if (cmd.alias !== null) {
    state.define([[cmd.alias, { sql: `CASE WHEN ${num} IS NOT NULL THEN ${running.sql} END`, type: 'number' }]]);
    state.show(cmd.alias);
    return;
  }
  const replaced: SqlValue =
    value.type === 'number'
      ? { sql: `CASE WHEN ${num} IS NOT NULL THEN ${running.sql} ELSE ${value.sql} END`, type: 'number' }
      : { sql: `CASE WHEN ${num} IS NOT NULL THEN ${asString(running).sql} ELSE ${asString(value).sql} END`, type: value.type === 'dynamic' ? 'dynamic' : 'string' };
  state.define([[cmd.field.name, replaced]]);
  state.show(cmd.field.name);
}
