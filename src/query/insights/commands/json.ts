/**
 * `json field=payload "user.name" as username`: AWS's "explicit chained JSON extraction from a
 * previously parsed object field". The key path is dotted (a number indexes a list, as in discovered
 * field names) and reaches DuckDB as a bound JSON path. A field the query defined as plain text (a
 * parse capture, say) is read as JSON text; a discovered field of the event, or one that already holds
 * a map, is read as the dotted name `payload.user.name` would be, which lets the source extract just
 * that member. A value that is not JSON, or has no such member, gives no field.
 */
import type { JsonCommand } from '../ast.js';
import { compileField, isSystemField, jsonPath } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asString } from '../functions/coerce.js';

export function compileJson(state: CompileState, cmd: JsonCommand): void {
  const name = cmd.field.name;
  const defined = state.defined.get(name);
  let sql: string;
  if ((defined !== undefined && defined.object !== true && defined.json !== true) || isSystemField(name)) {
    const doc = `TRY_CAST(${asString(compileField(state, cmd.field)).sql} AS JSON)`;
    sql = `json_extract_string(${doc}, CAST(${state.param(jsonPath(cmd.path))} AS VARCHAR))`;
  } else {
    // After stats, a field stats did not produce: the error names the field as written.
    if (defined === undefined && !state.eventFields && state.objectField(name) === null) compileField(state, cmd.field);
    sql = compileField(state, { ...cmd.field, name: `${name}.${cmd.path}` }).sql;
  }
  state.define([[cmd.alias, { sql, type: 'dynamic' }]]);
  // The member may itself be a map or a list: `username.first` reads into it.
  state.defined.get(cmd.alias)!.json = true;
  state.show(cmd.alias);
}
