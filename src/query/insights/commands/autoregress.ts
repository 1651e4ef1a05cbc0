/**
 * `autoregress bytes [AS prev] [p=N[-M]]` (CWL_QuerySyntax-Autoregress): for each lag k (default 1),
 * the field's value in the row k rows before this one, in the current order (commands/window.ts), as
 * `bytes_p<k>` ("four lag fields (bytes_p1 through bytes_p4)"), or as the AS name for a single lag.
 * The first k rows have no row k before them: the field is left out of them, as from a row where the
 * earlier row had no value.
 */
import type { AutoregressCommand } from '../ast.js';
import { compileField } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { windowOrder } from './window.js';

/** The names of the fields a command makes (compile/nested.ts reads them too). */
export function autoregressNames(cmd: AutoregressCommand): string[] {
  const from = cmd.lags?.from ?? 1;
  const to = cmd.lags?.to ?? from;
  if (cmd.alias !== null) return [cmd.alias];
  return Array.from({ length: to - from + 1 }, (_, i) => `${cmd.field.name}_p${from + i}`);
}

export function compileAutoregress(state: CompileState, cmd: AutoregressCommand): void {
  state.prunable = false; // a later filter would change which row is the previous one
  const value = compileField(state, cmd.field);
  const from = cmd.lags?.from ?? 1;
  const order = windowOrder(state);
  // Lags are integers the parser checked (1 to MAX_LAG), written as literals: lag's offset must be constant.
  const names = autoregressNames(cmd);
  state.define(names.map((name, i) => [name, { sql: `lag(${value.sql}, ${from + i}) OVER (ORDER BY ${order})`, type: value.type }]));
  for (const name of names) {
    if (value.type === 'dynamic' && state.defined.get(cmd.field.name)?.json) state.defined.get(name)!.json = true;
    state.show(name);
  }
}
