/** `filter <condition>`: keeps the rows for which the condition is true. */
import type { FilterCommand } from '../ast.js';
import { compileExpr } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asBoolean } from '../functions/coerce.js';
import { allOf } from '../../filter-pattern/prune.js';
import { filterRequirement } from '../compile/prune.js';

export function compileFilter(state: CompileState, cmd: FilterCommand): void {
  const cond = asBoolean(compileExpr(state, cmd.expr)).sql;
  if (state.prunable) state.prune = allOf([state.prune, filterRequirement(state, cmd.expr)]);
  state.addStage('*', `WHERE ${cond}`);
  state.filtered = true;
}
