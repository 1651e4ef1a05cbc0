/**
 * The formatter: turns an AST back into pattern text that parses to the same AST
 * (`parseFilterPattern(format(p))` deep-equals `p`, checked by format.test.ts).
 */
import type { DelimitedExpr, DelimitedField, FilterPattern, JsonExpr, ValueTest } from './ast.js';

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;

export function format(p: FilterPattern): string {
  switch (p.kind) {
    case 'terms':
      return [...p.required.map(quote), ...p.optional.map((t) => `?${quote(t)}`), ...p.excluded.map((t) => `-${quote(t)}`)].join(' ');
    case 'regex':
      return `%${p.regex.source}%`;
    case 'json':
      return `{ ${json(p.expr, 0)} }`;
    case 'delimited':
      return `[${p.fields.map(field).join(', ')}]`;
  }
}

/** Precedence: 0 = ||, 1 = &&; parentheses only where the tree needs them. */
function json(e: JsonExpr, prec: number): string {
  if (e.kind === 'cond') return `${e.selector} ${test(e.test)}`;
  const mine = e.kind === 'or' ? 0 : 1;
  // Both operators parse left-associatively, so a right operand of the same kind needs parentheses.
  const s = `${json(e.left, mine)} ${e.kind === 'or' ? '||' : '&&'} ${json(e.right, mine + 1)}`;
  return mine < prec ? `(${s})` : s;
}

function test(t: ValueTest): string {
  switch (t.kind) {
    case 'string':
      return `${t.op} ${quote(t.parts.join('*'))}`;
    case 'number':
      return `${t.op} ${t.text}`;
    case 'regex':
      return `${t.op} %${t.regex.source}%`;
    case 'is':
      return `IS ${String(t.value).toUpperCase()}`;
    case 'not-exists':
      return 'NOT EXISTS';
  }
}

function field(f: DelimitedField): string {
  if (f.kind === 'ellipsis') return '...';
  return f.test ? fieldExpr(f.name, f.test, 0) : f.name;
}

function fieldExpr(name: string, e: DelimitedExpr, prec: number): string {
  if (e.kind === 'test') return `${name} ${test(e.test)}`;
  const mine = e.kind === 'or' ? 0 : 1;
  return `${fieldExpr(name, e.left, mine)} ${e.kind === 'or' ? '||' : '&&'} ${fieldExpr(name, e.right, mine + 1)}`;
}
