/**
 * `sessionize userId, deviceId [maxspan 1h] [AS my_session]` (CWL_QuerySyntax-Sessionize): the rows of
 * each identity (combination of the fields' values), taken in @timestamp order, form sessions; a
 * session ends when more than maxspan (default 30m) passes without a row. AWS says the command "emits a
 * session identifier" but not its form; Logward's is a number, 1, 2, 3..., one per session over all
 * identities, in order of the sessions' first @timestamp (ties by the identity's values), so equal
 * numbers mean the same session. A row without every identity field belongs to no session: it keeps
 * going without the field (as Splunk's transaction leaves such events out of transactions). The rows
 * keep their order.
 */
import type { SessionizeCommand } from '../ast.js';
import { compileField } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { epochMsOf } from '../functions/coerce.js';
import { UNIT_MS } from '../lexer.js';

export const DEFAULT_SESSION_FIELD = 'session_id';
export const DEFAULT_MAXSPAN_MS = 30 * 60_000;

export function compileSessionize(state: CompileState, cmd: SessionizeCommand): void {
  state.prunable = false; // a later filter would change the sessions
  const ts = compileField(state, { kind: 'field', name: '@timestamp', quoted: false, span: cmd.span });
  if (ts.type !== 'timestamp') state.error("sessionize needs the rows' @timestamp (a time)", cmd.span);
  const keys = cmd.fields.map((f) => compileField(state, f).sql);
  const partition = keys.join(', ');
  const gapMs = cmd.maxspan === null ? DEFAULT_MAXSPAN_MS : cmd.maxspan.amount * UNIT_MS[cmd.maxspan.unit]!;
  const t = state.hidden('s');
  const fresh = state.hidden('s');
  const n = state.hidden('s');
  const start = state.hidden('s');
  // Rows at the same time of one identity: events by arrival, so that numbering does not depend on the tier.
  const order = `${t}${state.eventRows ? ', __g, __seq' : ''}`;
  state.addStage(`*, ${epochMsOf(ts)} AS ${t}`);
  state.addStage(`*, (coalesce(${t} - lag(${t}) OVER (PARTITION BY ${partition} ORDER BY ${order}) > ${state.param(gapMs)}, true))::INTEGER AS ${fresh}`);
  state.addStage(`*, sum(${fresh}) OVER (PARTITION BY ${partition} ORDER BY ${order} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS ${n}`);
  state.addStage(`*, min(${t}) OVER (PARTITION BY ${partition}, ${n}) AS ${start}`);
  const missing = keys.map((k) => `${k} IS NULL`).join(' OR ');
  const id = `CASE WHEN NOT (${missing}) THEN dense_rank() OVER (PARTITION BY (${missing}) ORDER BY ${start}, ${keys.map((k) => `${k} ASC NULLS LAST`).join(', ')}, ${n}) END`;
  const name = cmd.alias ?? DEFAULT_SESSION_FIELD;
  state.define([[name, { sql: id, type: 'number' }]]);
  state.show(name);
}
