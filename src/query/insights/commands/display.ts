/** `display a, b`: the results show exactly these fields (the last `display` wins). */
import type { DisplayCommand } from '../ast.js';
import { compileExpr } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { projectionName } from './fields.js';

export function compileDisplay(state: CompileState, cmd: DisplayCommand): void {
  const defs: Array<[string, ReturnType<typeof compileExpr>]> = [];
  const names: string[] = [];
  for (const p of cmd.items) {
    const name = projectionName(state, p);
    if (p.alias === null && p.expr.kind === 'field' && state.objectField(p.expr.name) === null) compileExpr(state, p.expr);
    else defs.push([name, compileExpr(state, p.expr)]);
    names.push(name);
  }
  state.define(defs);
  state.display = names;
}
