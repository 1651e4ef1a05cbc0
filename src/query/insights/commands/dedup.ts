/** `dedup a, b`: keeps the first row, in the current order, of each distinct combination of the fields. */
import type { DedupCommand } from '../ast.js';
import { compileField, rejectStructure } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';

export function compileDedup(state: CompileState, cmd: DedupCommand): void {
  state.prunable = false; // a later filter would change which rows this command sees
  for (const f of cmd.fields) rejectStructure(state, f, 'dedup');
  const keys = cmd.fields.map((f) => compileField(state, f).sql);
  state.addStage('*', `QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${state.orderSql()}) = 1`);
  state.filtered = true;
}
