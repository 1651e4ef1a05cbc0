/** `fields a, b as c, f(x) as y`: defines fields (expressions with `as`) and shows them in the results. */
import type { FieldsCommand, Projection } from '../ast.js';
import { compileExpr, holdsMap, isStructured } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';

/** The name a projection shows as: its alias, its field name, or the expression as written. */
export function projectionName(state: CompileState, p: Projection): string {
  return p.alias ?? (p.expr.kind === 'field' ? p.expr.name : state.text(p.expr.span));
}

/** Marks fields just defined from a map or list (jsonParse...) so that `name.key` reads their members. */
export function markJson(state: CompileState, names: string[]): void {
  for (const n of names) state.defined.get(n)!.json = true;
}

export function compileFields(state: CompileState, cmd: FieldsCommand): void {
  const defs: Array<[string, ReturnType<typeof compileExpr>]> = [];
  const structured: string[] = [];
  const maps: string[] = [];
  for (const p of cmd.items) {
    const name = projectionName(state, p);
    // A plain field keeps its own column or system expression; only new names need a column.
    if (p.alias === null && p.expr.kind === 'field' && state.objectField(p.expr.name) === null) compileExpr(state, p.expr);
    else {
      defs.push([name, compileExpr(state, p.expr)]);
      if (isStructured(state, p.expr)) structured.push(name);
      if (holdsMap(state, p.expr)) maps.push(name);
    }
    state.show(name);
  }
  state.define(defs);
  markJson(state, structured);
  for (const n of maps) state.defined.get(n)!.map = true;
}
