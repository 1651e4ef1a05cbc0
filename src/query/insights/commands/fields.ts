/** `fields a, b as c, f(x) as y`: defines fields (expressions with `as`) and shows them in the results. */
import type { FieldsCommand, Projection } from '../ast.js';
import { compileExpr } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';

/** The name a projection shows as: its alias, its field name, or the expression as written. */
export function projectionName(state: CompileState, p: Projection): string {
  return p.alias ?? (p.expr.kind === 'field' ? p.expr.name : state.text(p.expr.span));
}

export function compileFields(state: CompileState, cmd: FieldsCommand): void {
  const defs: Array<[string, ReturnType<typeof compileExpr>]> = [];
  for (const p of cmd.items) {
    const name = projectionName(state, p);
    // A plain field keeps its own column or system expression; only new names need a column.
    if (p.alias === null && p.expr.kind === 'field' && state.objectField(p.expr.name) === null) compileExpr(state, p.expr);
    else defs.push([name, compileExpr(state, p.expr)]);
    state.show(name);
  }
  state.define(defs);
}
