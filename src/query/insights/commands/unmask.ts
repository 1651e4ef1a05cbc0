/**
 * `unmask @message`: shows content that a data protection policy masked. Logward does not mask yet
 * (the PII masking issue), so the field is shown as stored; the command is accepted so that queries
 * written for CloudWatch run unchanged.
 */
import type { UnmaskCommand } from '../ast.js';
import { compileExpr } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';

export function compileUnmask(state: CompileState, cmd: UnmaskCommand): void {
  compileExpr(state, cmd.field);
}
