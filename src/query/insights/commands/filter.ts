/** `filter <condition>`: keeps the rows for which the condition is true. */
import type { FilterCommand } from '../ast.js';
import { compileExpr } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asBoolean } from '../functions/coerce.js';
import { allOf } from '../../filter-pattern/prune.js';
import { filterPrefilter, filterRequirement } from '../compile/prune.js';

export function compileFilter(state: CompileState, cmd: FilterCommand): void {
  const cond = asBoolean(compileExpr(state, cmd.expr)).sql;
  if (state.prunable) state.prune = allOf([state.prune, filterRequirement(state, cmd.expr)]);
  // A substring test first spares most events the JSON parse the condition would do.
  const pre = state.eventRows ? filterPrefilter(state, cmd.expr) : null;
  state.addStage('*', `WHERE ${pre ? `${pre} AND ` : ''}${cond}`);
  state.filtered = true;
}
