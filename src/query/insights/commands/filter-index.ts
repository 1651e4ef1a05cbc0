/**
 * `filterIndex field = value` / `filterIndex field in [...]`: the events `filter` with the same
 * condition keeps, but only from the log groups that index the field, and only those ingested while
 * the field was indexed (AWS: the query "skip[s] all log groups that are not indexed" for the field and
 * "returns only results from after the field index was created"; store/index-policies.ts). The windows
 * come from the caller (CompileOptions.fieldIndexes); group ids and times are integers we hold, written
 * as literals. Without a window anywhere the stage keeps nothing.
 */
import type { FilterIndexCommand } from '../ast.js';
import { compileExpr } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asBoolean } from '../functions/coerce.js';
import { allOf } from '../../filter-pattern/prune.js';
import { filterPrefilter, filterRequirement } from '../compile/prune.js';

export function compileFilterIndex(state: CompileState, cmd: FilterIndexCommand): void {
  if (!state.eventRows || !state.eventFields) state.error(`'filterIndex' reads the indexed fields of log events: it cannot follow ${state.producer}`, cmd.span);
  const name = cmd.field.name;
  if (state.defined.has(name) || state.objectField(name)) {
    state.error(`'filterIndex' reads indexed fields of the log events, and '${name}' is defined by the query: use filter for it`, cmd.field.span);
  }
  const cond = asBoolean(compileExpr(state, cmd.condition)).sql;
  const windows = state.fieldIndexes(name);
  const indexed = windows.length === 0
    ? 'FALSE'
    : `(${windows
        .map((w) => `(__g = ${Math.trunc(w.groupId)} AND __ingest >= ${Math.trunc(w.fromMs)}${w.toMs === null ? '' : ` AND __ingest < ${Math.trunc(w.toMs)}`})`)
        .join(' OR ')})`;
  if (state.prunable) state.prune = allOf([state.prune, filterRequirement(state, cmd.condition)]);
  const pre = filterPrefilter(state, cmd.condition);
  state.addStage('*', `WHERE ${indexed} AND ${pre ? `${pre} AND ` : ''}${cond}`);
  state.filtered = true;
}
