/**
 * `join type=inner|left left=a right=b where a.k=b.k (<query>)`: pairs each row with the rows of the
 * joined query's results (a table the engine materialized, compile/nested.ts) whose keys are equal,
 * compared as text unless both sides are numbers. `inner` drops rows without a match, `left` keeps
 * them with the joined fields empty. The joined query's field x becomes the field `b.x`; the rows keep
 * their own fields (and @ptr, when they are events), named as before or as `a.x`.
 */
import type { JoinCommand } from '../ast.js';
import { compileField } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { fieldColumn } from '../compile/state.js';
import { asNumber, asString } from '../functions/coerce.js';
import type { SqlValue } from '../functions/types.js';

export function compileJoin(state: CompileState, cmd: JoinCommand): void {
  const nested = state.nested.get(cmd.span.start);
  // Nested queries run before the query's SQL; the commands after pattern or diff run over its rows.
  if (!nested) return state.error("'join' cannot follow pattern or diff", cmd.span);
  const { nq, table } = nested;
  const fields = new Map(table.fields.map((f) => [f.name, f]));
  for (const [name, span] of nq.needed) {
    if (!fields.has(name)) state.error(`Field '${cmd.right}.${name}' is not in the results of the joined query: it shows only ${table.fields.map((f) => f.name).join(', ') || 'no fields'}`, span);
  }
  // Keys as hidden columns on both sides: the join then compares plain columns (a hash join).
  const leftKeys: string[] = [];
  const rightKeys: string[] = [];
  const conds: string[] = [];
  for (const k of cmd.on) {
    const l = compileField(state, k.left);
    const f = fields.get(k.right.name.slice(cmd.right.length + 1))!;
    const r: SqlValue = { sql: fieldColumn(f.name), type: f.type };
    const conv = l.type === 'number' && r.type === 'number' ? asNumber : asString;
    const lk = state.hidden('k');
    const rk = state.hidden('k');
    leftKeys.push(`${conv(l).sql} AS ${lk}`);
    rightKeys.push(`${conv(r).sql} AS ${rk}`);
    conds.push(`l.${lk} = r.${rk}`);
  }
  state.addStage(`*, ${leftKeys.join(', ')}`);
  const defined = table.fields.map((f) => ({ name: `${cmd.right}.${f.name}`, from: fieldColumn(f.name), type: f.type }));
  // A field of the rows with a joined field's name is replaced by it.
  const replaced = defined.filter((d) => state.defined.has(d.name)).map((d) => fieldColumn(d.name));
  const own = replaced.length > 0 ? `l.* EXCLUDE (${replaced.join(', ')})` : 'l.*';
  const select = [own, ...defined.map((d) => `r.${d.from} AS ${fieldColumn(d.name)}`)].join(', ');
  const name = state.hidden('join');
  state.stages.push([name, `SELECT ${select} FROM ${state.current} l ${cmd.type === 'left' ? 'LEFT JOIN' : 'JOIN'} (SELECT *, ${rightKeys.join(', ')} FROM ${table.table}) r ON ${conds.join(' AND ')}`]);
  state.current = name;
  for (const d of defined) state.defined.set(d.name, { column: fieldColumn(d.name), type: d.type });
  // recordsMatched is counted from now on: an inner join drops rows, either kind may repeat them.
  state.filtered = true;
}
