/**
 * `appendcols [override=true|false] [max=n] ( <query> )` (CWL_QuerySyntax-Appendcols): the nested
 * query's fields added to the rows by position: its first row's fields go to the first row, and so on.
 * The nested query runs first, on its own, like a joined query (compile/nested.ts): over its SOURCE's
 * log groups, else the query's; its first `max` rows (default 10,000), in the order its results would
 * show them, are materialized with their position.
 *
 * What AWS leaves unsaid, chosen as Splunk's `appendcols` does it:
 * - the rows are paired in the order the results would show them at this point (the current sort,
 *   else newest event first, else, after stats, by the fields shown, as the results are);
 * - a field both sides have keeps the row's value unless override=true, when the nested query's
 *   value wins; either way a side without a value takes the other's;
 * - when the nested query gives more rows than there are, the extra rows are added after the others,
 *   with its fields only (and no @ptr); rows beyond its results keep their fields alone.
 */
import type { AppendColsCommand } from '../ast.js';
import { compileField } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { fieldColumn, quoteIdent } from '../compile/state.js';
import { QueryError } from '../ast.js';
import { asString } from '../functions/coerce.js';
import type { SqlValue } from '../functions/types.js';

export function compileAppendCols(state: CompileState, cmd: AppendColsCommand): void {
  const nested = state.nested.get(cmd.span.start);
  // Nested queries run before the query's SQL; the commands after pattern or diff run over its rows.
  if (!nested) return state.error("'appendcols' cannot follow pattern, diff or logcompare", cmd.span);
  const { table } = nested;
  const pos = state.hidden('pos');
  state.addStage(`*, row_number() OVER (ORDER BY ${rowOrder(state)}) AS ${pos}`);

  // The nested query's columns under internal names, so that the row's own never clash with them.
  const alias = state.hidden('ac');
  const rcol = (i: number): string => `${alias}_${i}`;
  const inner = [...table.fields.map((f, i) => `${fieldColumn(f.name)} AS ${rcol(i)}`), `__pos AS ${alias}_pos`];
  const replaced: string[] = [];
  const cols: string[] = [];
  const defs: Array<{ name: string; type: SqlValue['type'] }> = [];
  table.fields.forEach((f, i) => {
    const theirs: SqlValue = { sql: `r.${rcol(i)}`, type: f.type };
    const ours = ownValue(state, f.name);
    let v = theirs;
    if (ours !== null) {
      const same = ours.type === theirs.type;
      const [a, b] = cmd.override === true ? [theirs, ours] : [ours, theirs];
      v = same ? { sql: `coalesce(${a.sql}, ${b.sql})`, type: a.type } : { sql: `coalesce(${asString(a).sql}, ${asString(b).sql})`, type: 'string' };
      if (state.defined.has(f.name)) replaced.push(state.defined.get(f.name)!.column);
    }
    cols.push(`${v.sql} AS ${fieldColumn(f.name)}`);
    defs.push({ name: f.name, type: v.type });
  });
  const own = replaced.length > 0 ? `l.* EXCLUDE (${replaced.join(', ')})` : 'l.*';
  const at = state.hidden('pos');
  const name = state.hidden('append');
  state.markMatched(); // rows added here are no matched events
  state.stages.push([
    name,
    `SELECT ${[own, ...cols, `coalesce(l.${pos}, r.${alias}_pos) AS ${at}`].join(', ')} FROM ${state.current} l FULL JOIN (SELECT ${inner.join(', ')} FROM ${quoteIdent(table.table)}) r ON l.${pos} = r.${alias}_pos`,
  ]);
  state.current = name;
  for (const d of defs) {
    state.defined.set(d.name, { column: fieldColumn(d.name), type: d.type });
    state.show(d.name);
    if (state.display !== null && !state.display.includes(d.name)) state.display.push(d.name);
  }
  state.order = [`${at} ASC`];
  state.sortedByTime = null;
  state.prunable = false; // a later filter may be about the appended fields
}

/** The row's own value of a field, if the rows can have it (after stats, only the fields stats made). */
function ownValue(state: CompileState, name: string): SqlValue | null {
  try {
    return compileField(state, { kind: 'field', name, quoted: false, span: { start: 0, end: 0 } });
  } catch (e) {
    if (e instanceof QueryError) return null;
    throw e;
  }
}

/** ORDER BY terms for the rows as the results would show them now (see compile/index.ts finish). */
function rowOrder(state: CompileState): string {
  const order = state.orderSql();
  if (order !== 'ALL') return order;
  // After stats, ORDER BY ALL orders by the fields shown, in order.
  const names = state.display ?? (state.visible.length > 0 ? state.visible : [...state.defined.keys()]);
  const terms = names.flatMap((n) => {
    const v = ownValue(state, n);
    return v === null ? [] : [`${v.sql} ASC NULLS LAST`];
  });
  return terms.length > 0 ? terms.join(', ') : '1';
}
