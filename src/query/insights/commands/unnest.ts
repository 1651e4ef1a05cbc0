/**
 * `unnest js.events into event`: one row for each element of the list the field holds, with the element
 * in `event` and every other field of the original row. AWS: "Any other types, such as MAP, String and
 * numbers, are treated as a list with one item"; a row whose list is empty has zero items and is
 * dropped, and so is one without the field (nothing to unnest). Elements are held as every map or list
 * is (functions/types.ts: a scalar as text, a map or list as its JSON text), and `event.key` reads the
 * members of a map element. Rows from one original keep the list's order.
 */
import type { UnnestCommand } from '../ast.js';
import { compileField } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asString } from '../functions/coerce.js';

export function compileUnnest(state: CompileState, cmd: UnnestCommand): void {
  const value = state.hidden('u');
  const list = state.hidden('u');
  const item = state.hidden('u');
  const index = state.hidden('u');
  state.addStage(`*, ${asString(compileField(state, cmd.field)).sql} AS ${value}`);
  // The elements as JSON text: a list's own, else the value alone (a map as it is, anything else as a
  // JSON string), so that one conversion below serves both.
  const doc = `TRY_CAST(${value} AS JSON)`;
  const elements =
    `CASE WHEN json_type(${doc}) = 'ARRAY' THEN CAST(json_extract(${doc}, '$[*]') AS VARCHAR[]) ` +
    `WHEN json_type(${doc}) = 'OBJECT' THEN [CAST(json(${doc}) AS VARCHAR)] ` +
    `WHEN ${value} IS NOT NULL THEN [CAST(to_json(${value}) AS VARCHAR)] END`;
  state.addStage(`* EXCLUDE (${value}), ${elements} AS ${list}`);
  state.addStage(`* EXCLUDE (${list}), unnest(${list}) AS ${item}, generate_subscripts(${list}, 1) AS ${index}`);
  state.define([[cmd.into, { sql: `(CASE WHEN json_type(${item}::JSON) IN ('OBJECT', 'ARRAY') THEN ${item} ELSE json_extract_string(${item}, '$') END)`, type: 'dynamic' }]]);
  state.defined.get(cmd.into)!.json = true;
  state.show(cmd.into);
  // Rows of one event tie on every sort key: they follow the list's order.
  if (state.order !== null || state.eventRows) state.order = [...(state.order ?? [state.orderSql()]), `${index} ASC`];
  state.filtered = true; // rows with an empty list are gone
}
