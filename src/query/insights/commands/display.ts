/** `display a, b`: the results show exactly these fields (the last `display` wins). */
import type { DisplayCommand } from '../ast.js';
import { compileExpr, isStructured } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { markJson, projectionName } from './fields.js';

export function compileDisplay(state: CompileState, cmd: DisplayCommand): void {
  const defs: Array<[string, ReturnType<typeof compileExpr>]> = [];
  const structured: string[] = [];
  const names: string[] = [];
  for (const p of cmd.items) {
    const name = projectionName(state, p);
    if (p.alias === null && p.expr.kind === 'field' && state.objectField(p.expr.name) === null) compileExpr(state, p.expr);
    else {
      defs.push([name, compileExpr(state, p.expr)]);
      if (isStructured(state, p.expr)) structured.push(name);
    }
    names.push(name);
  }
  state.define(defs);
  markJson(state, structured);
  state.display = names;
}
