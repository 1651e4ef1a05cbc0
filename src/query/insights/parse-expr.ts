/**
 * Expressions of Logs Insights QL, by precedence from loosest to tightest (AWS documents the operators
 * but not their precedence; where it is silent we follow SQL):
 *   or < and < not < comparisons (= != < <= > >= like, not like, =~, in, not in)
 *      < + - < * / % < ^ < unary minus < primaries
 * Binary operators are left-associative (`2 ^ 3 ^ 2` is `(2 ^ 3) ^ 2`, as in PostgreSQL). A minus
 * directly before a number is part of the literal (`-5`, `-1.5e3`): unary minus binds tightest, so
 * this changes no meaning and keeps negative numbers literals.
 *
 * Also the Cursor that the command and SOURCE parsers share: it asks the lexer for one token at a
 * time, saying whether an operand may start there (see lexer.ts).
 */
import type { BinaryOp, Expr, FieldRef, Projection, Query, Span } from './ast.js';
import { QueryError } from './ast.js';
import { describe, isBareName, nextToken, periodUnit, syntaxError, type Token } from './lexer.js';

/** Words that cannot be bare field names (write them in backquotes); case-insensitive. */
export const KEYWORDS = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by', 'asc', 'desc']);

/** Deeper nesting than this is refused rather than overflowing the stack. */
const MAX_DEPTH = 200;

export class Cursor {
  pos = 0;
  /** The last token taken, for "after 'x'" in messages. */
  last: Token | null = null;
  depth = 0;
  /**
   * Parses `( <query> )` at the cursor (parse.ts sets it), or returns null, taking nothing, when what
   * follows `(` does not start a query. Inside a nested query it throws: nesting stops at one level.
   */
  nestedQuery: ((c: Cursor, always?: boolean) => { query: Query; span: Span } | null) | null = null;
  private cache: { pos: number; operand: boolean; token: Token } | null = null;

  constructor(readonly src: string) {}

  peek(operand = false): Token {
    const c = this.cache;
    if (c !== null && c.pos === this.pos && c.operand === operand) return c.token;
    const token = nextToken(this.src, this.pos, operand);
    this.cache = { pos: this.pos, operand, token };
    return token;
  }

  /** The token after the next one (operator context), for two-word operators like `not like`. */
  peekSecond(): Token {
    return nextToken(this.src, this.peek().span.end, false);
  }

  take(operand = false): Token {
    const t = this.peek(operand);
    this.pos = t.span.end;
    this.last = t;
    return t;
  }

  /** "after 'fields'": the context for an error at the next token. */
  after(): string {
    return this.last === null ? 'at the start of the query' : `after '${describe(this.src, this.last.span)}'`;
  }

  error(t: Token, expected: string): QueryError {
    return syntaxError(this.src, t.span, expected);
  }

  /** Takes the operator `op` or throws, saying what was expected. */
  expectOp(op: string, what = `'${op}'`): Token {
    const t = this.peek();
    if (!isOp(t, op)) throw this.error(t, `expected ${what} ${this.after()}`);
    return this.take();
  }
}

export const isOp = (t: Token, op: string): boolean => t.kind === 'op' && t.text === op;
export const isWord = (t: Token, word: string): boolean => t.kind === 'ident' && t.text.toLowerCase() === word;
export const isKeyword = (t: Token): boolean => t.kind === 'ident' && KEYWORDS.has(t.text.toLowerCase());
/** A name that is a field reference, not a keyword. */
const isFieldToken = (t: Token): boolean => t.kind === 'quoted' || (t.kind === 'ident' && !isKeyword(t));
/** Function names are plain words: `count_distinct`, `isValidIpV4`, `BIN`. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An expression with its outer extent, which includes any parentheses around it. */
interface Node {
  expr: Expr;
  start: number;
  end: number;
}

export function parseExpr(c: Cursor): Expr {
  return parseOr(c).expr;
}

/** A single operand (field, call, literal, parenthesized expression): no operator after it is read. */
export function parseOperand(c: Cursor): Expr {
  return parsePrimary(c).expr;
}

/** `expr` or `expr as alias`, as in fields, display and stats. */
export function parseProjection(c: Cursor): Projection {
  const node = parseOr(c);
  let alias: string | null = null;
  let end = node.end;
  if (isWord(c.peek(), 'as')) {
    c.take();
    const name = parseName(c, 'a name');
    alias = name.name;
    end = name.span.end;
  }
  return { expr: node.expr, alias, span: { start: node.start, end } };
}

/** A field name or alias: a bare name that is not a keyword, or a backquoted one. */
export function parseName(c: Cursor, what: string): { name: string; span: Span; quoted: boolean } {
  const t = c.peek();
  if (!isFieldToken(t)) {
    const hint = isKeyword(t) ? ` ('${t.text}' is a keyword: write \`${t.text}\` for a field of that name)` : '';
    throw c.error(t, `expected ${what} ${c.after()}${hint}`);
  }
  c.take();
  // An ident's value is set when it held `[index]` steps: the name they spell.
  return t.kind === 'quoted' ? { name: t.value, span: t.span, quoted: true } : { name: t.value || t.text, span: t.span, quoted: false };
}

/** A field reference (for dedup, sort and parse). */
export function parseFieldRef(c: Cursor, what = 'a field name'): FieldRef {
  const { name, span, quoted } = parseName(c, what);
  return { kind: 'field', name, quoted, span };
}

function binary(op: BinaryOp, left: Node, right: Node, opSpan: Span): Node {
  return { expr: { kind: 'binary', op, left: left.expr, right: right.expr, opSpan, span: { start: left.start, end: right.end } }, start: left.start, end: right.end };
}

function parseOr(c: Cursor): Node {
  let left = parseAnd(c);
  while (isWord(c.peek(), 'or')) {
    const op = c.take();
    left = binary('or', left, parseAnd(c), op.span);
  }
  return left;
}

function parseAnd(c: Cursor): Node {
  let left = parseNot(c);
  while (isWord(c.peek(), 'and')) {
    const op = c.take();
    left = binary('and', left, parseNot(c), op.span);
  }
  return left;
}

function enter(c: Cursor, t: Token): void {
  if (++c.depth > MAX_DEPTH) throw c.error(t, `expected at most ${MAX_DEPTH} levels of nesting`);
}

function parseNot(c: Cursor): Node {
  const t = c.peek(true);
  if (!isWord(t, 'not')) return parseComparison(c);
  c.take(true);
  enter(c, t);
  const operand = parseNot(c);
  c.depth--;
  return { expr: { kind: 'unary', op: 'not', operand: operand.expr, span: { start: t.span.start, end: operand.end } }, start: t.span.start, end: operand.end };
}

const COMPARISONS = new Set(['=', '!=', '<', '<=', '>', '>=', '=~']);

/** The comparison operator at the cursor and its span, without taking it; null if there is none. */
function comparisonAhead(c: Cursor): { op: BinaryOp; span: Span; tokens: number } | null {
  const t = c.peek();
  if (t.kind === 'op' && COMPARISONS.has(t.text)) return { op: t.text as BinaryOp, span: t.span, tokens: 1 };
  if (isWord(t, 'like')) return { op: 'like', span: t.span, tokens: 1 };
  if (isWord(t, 'in')) return { op: 'in', span: t.span, tokens: 1 };
  if (isWord(t, 'not')) {
    const u = c.peekSecond();
    if (isWord(u, 'like')) return { op: 'not like', span: { start: t.span.start, end: u.span.end }, tokens: 2 };
    if (isWord(u, 'in')) return { op: 'not in', span: { start: t.span.start, end: u.span.end }, tokens: 2 };
    // After an operand, `not` can only begin `not like` or `not in`.
    throw c.error(u, "expected 'like' or 'in' after 'not'");
  }
  return null;
}

function parseComparison(c: Cursor): Node {
  let left = parseAdditive(c);
  for (let op = comparisonAhead(c); op !== null; op = comparisonAhead(c)) {
    for (let i = 0; i < op.tokens; i++) c.take();
    // `in ( <query> )`: a subquery.
    const sub = (op.op === 'in' || op.op === 'not in') && c.nestedQuery !== null && isOp(c.peek(true), '(') ? c.nestedQuery(c) : null;
    const right = sub === null ? parseAdditive(c) : single({ kind: 'subquery', query: sub.query, span: sub.span });
    left = binary(op.op, left, right, op.span);
  }
  return left;
}

function parseLeftAssoc(c: Cursor, ops: string[], next: (c: Cursor) => Node): Node {
  let left = next(c);
  for (;;) {
    const t = c.peek();
    if (t.kind !== 'op' || !ops.includes(t.text)) return left;
    c.take();
    left = binary(t.text as BinaryOp, left, next(c), t.span);
  }
}

const parseAdditive = (c: Cursor): Node => parseLeftAssoc(c, ['+', '-'], parseMultiplicative);
const parseMultiplicative = (c: Cursor): Node => parseLeftAssoc(c, ['*', '/', '%'], parsePower);
const parsePower = (c: Cursor): Node => parseLeftAssoc(c, ['^'], parseUnary);

function parseUnary(c: Cursor): Node {
  const t = c.peek(true);
  if (!isOp(t, '-')) return parsePrimary(c);
  c.take(true);
  const u = c.peek(true);
  if (u.kind === 'number') {
    c.take(true);
    const text = `-${u.text}`;
    return { expr: { kind: 'number', value: -Number(u.text), text, span: { start: t.span.start, end: u.span.end } }, start: t.span.start, end: u.span.end };
  }
  enter(c, t);
  const operand = parseUnary(c);
  c.depth--;
  return { expr: { kind: 'unary', op: '-', operand: operand.expr, span: { start: t.span.start, end: operand.end } }, start: t.span.start, end: operand.end };
}

function single(expr: Expr): Node {
  return { expr, start: expr.span.start, end: expr.span.end };
}

function parsePrimary(c: Cursor): Node {
  const t = c.peek(true);
  switch (t.kind) {
    case 'number':
      c.take(true);
      return single({ kind: 'number', value: Number(t.text), text: t.text, span: t.span });
    case 'period': {
      c.take(true);
      const digits = /^\d+/.exec(t.text)![0];
      return single({ kind: 'period', amount: Number(digits), unit: periodUnit(t.text.slice(digits.length))!, text: t.text, span: t.span });
    }
    case 'string':
      c.take(true);
      return single({ kind: 'string', value: t.value, quote: t.quote, span: t.span });
    case 'regex':
      c.take(true);
      return single({ kind: 'regex', pattern: t.value, span: t.span });
    case 'quoted':
      c.take(true);
      return single({ kind: 'field', name: t.value, quoted: true, span: t.span });
    case 'ident': {
      if (isKeyword(t)) break;
      c.take(true);
      if (isOp(c.peek(), '(') && FUNCTION_NAME.test(t.text)) return parseCall(c, t);
      const next = c.peek();
      if (t.text.endsWith('.') && next.kind === 'quoted' && next.span.start === t.span.end) {
        // AWS's `map.\`special.char\``: a key holding a dot is no step of a dotted path here.
        throw c.error(next, `Logward does not support a backquoted key after '${t.text}': write the whole name in backquotes (\`${t.text}${next.value}\`), which reads the key as dotted steps`);
      }
      return single({ kind: 'field', name: t.value || t.text, quoted: false, span: t.span });
    }
    case 'op':
      if (t.text === '(') {
        c.take(true);
        enter(c, t);
        const inner = parseOr(c);
        c.depth--;
        const close = c.expectOp(')', `')' to close the '(' at position ${t.span.start}`);
        return { expr: inner.expr, start: t.span.start, end: close.span.end };
      }
      if (t.text === '[') return parseList(c, t);
      break;
    default:
      break;
  }
  const hint = isKeyword(t) ? ` ('${t.text}' is a keyword: write \`${t.text}\` for a field of that name)` : '';
  throw c.error(t, `expected an expression ${c.after()}${hint}`);
}

function parseCall(c: Cursor, name: Token): Node {
  const open = c.take();
  enter(c, open);
  const args: Expr[] = [];
  let star = false;
  const first = c.peek(true);
  if (isOp(first, '*') && isOp(nextToken(c.src, first.span.end, false), ')')) {
    c.take(true);
    star = true;
  } else if (!isOp(first, ')')) {
    for (;;) {
      args.push(parseOr(c).expr);
      if (!isOp(c.peek(), ',')) break;
      c.take();
    }
  }
  const close = c.expectOp(')', `',' or ')' in the arguments of ${name.text}()`);
  c.depth--;
  const span = { start: name.span.start, end: close.span.end };
  return single({ kind: 'call', name: name.text, args, star, nameSpan: name.span, span });
}

function parseList(c: Cursor, open: Token): Node {
  c.take(true);
  enter(c, open);
  const items: Expr[] = [];
  if (!isOp(c.peek(true), ']')) {
    for (;;) {
      items.push(parseOr(c).expr);
      if (!isOp(c.peek(), ',')) break;
      c.take();
    }
  }
  const close = c.expectOp(']', `',' or ']' in the list opened at position ${open.span.start}`);
  c.depth--;
  return single({ kind: 'list', items, span: { start: open.span.start, end: close.span.end } });
}

/** Whether `name` can be printed bare: a valid bare name that is not a keyword. */
export function isPlainName(name: string): boolean {
  return isBareName(name) && !KEYWORDS.has(name.toLowerCase());
}
