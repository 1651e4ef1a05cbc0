/** `limit n`: the first n rows in the current order. */
import type { LimitCommand } from '../ast.js';
import type { CompileState } from '../compile/state.js';

export function compileLimit(state: CompileState, cmd: LimitCommand): void {
  if (!Number.isSafeInteger(cmd.count) || cmd.count < 1) state.error('Expected a positive whole number after limit', cmd.span);
  if (state.prunable && !state.filtered && state.sortedByTime) state.topByTime = { ...state.sortedByTime, limit: cmd.count };
  state.prunable = false; // a later filter would change which rows this command sees
  state.markMatched();
  state.addStage('*', `ORDER BY ${state.orderSql()} LIMIT ${state.param(cmd.count)}`);
}
