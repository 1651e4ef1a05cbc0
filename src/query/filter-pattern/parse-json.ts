/**
 * JSON filter patterns: `{ $.a.b = "x" && ($.n > 1e3 || $.f IS TRUE) }`.
 *
 *   pattern   := '{' or '}'
 *   or        := and ('||' and)*          (&& binds tighter than ||)
 *   and       := primary ('&&' primary)*
 *   primary   := '(' or ')' | condition
 *   condition := selector ('=' | '!=') value | selector ('<' | '<=' | '>' | '>=') number
 *              | selector 'IS' ('TRUE' | 'FALSE' | 'NULL') | selector 'NOT' 'EXISTS'
 *   selector  := '$' step+
 *   step      := '.' key | '.*' | '[' index ']' | '[*]' | '.'? "['" quoted key "']"
 *   value     := number | "quoted string" | unquoted string | %regex%    (`*` is a wildcard in strings)
 *   number    := [+-]? digits ('.' digits)? ([eE] [+-]? digits)?
 *
 * AWS's quotas on wildcards: at most one in a selector, at most three in a pattern. `IS NOT` and
 * `EXISTS` are not supported (AWS: "The variables IS NOT and EXISTS currently aren't supported").
 *
 * The scanner below is the lexer: it reads one token at a time, because what a token is depends on
 * where it stands (after `=` a run like `123.123.*` is one value, elsewhere `.` starts a key).
 */
import { FilterPatternError, type FilterRegex, type JsonExpr, type JsonPath, type NumericOp, type ValueTest } from './ast.js';
import { parseRegexAt } from './regex.js';

/** The number syntax both back ends parse identically (JavaScript's Number, DuckDB's CAST AS DOUBLE). */
export const NUMBER = /^[+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const KEY = /[A-Za-z0-9_@:-]/;
/**
 * A key in `['...']`: anything but quotes, backslashes and control characters (sql.ts quotes keys in
 * DuckDB's JSON paths, which have no escapes), and not `*`, which DuckDB reads as a wildcard.
 */
const BRACKET_KEY = /^\['([^'"\\\u0000-\u001f]+)'\]/;
const MAX_WILDCARDS = 3;

export class Scanner {
  i: number;
  regexes = 0;
  wildcards = 0;
  /** Characters that end an unquoted value. */
  stops = /[\s)}]/;
  constructor(
    readonly src: string,
    start: number,
  ) {
    this.i = start;
  }
  skip(): void {
    while (this.i < this.src.length && /\s/.test(this.src[this.i]!)) this.i++;
  }
  peek(s: string): boolean {
    this.skip();
    return this.src.startsWith(s, this.i);
  }
  eat(s: string): boolean {
    if (!this.peek(s)) return false;
    this.i += s.length;
    return true;
  }
  expect(s: string, what: string): void {
    if (!this.eat(s)) throw this.error(`expected ${what}`);
  }
  word(): string {
    this.skip();
    const m = /^[A-Za-z]+/.exec(this.src.slice(this.i));
    return m ? m[0].toUpperCase() : '';
  }
  error(what: string, start = this.i, end = Math.min(this.src.length, start + 1)): FilterPatternError {
    const found = start >= this.src.length ? 'the end of the pattern' : `'${this.src[start]}'`;
    return new FilterPatternError(`Invalid filter pattern: ${what} at character ${start}, found ${found}`, { start, end: Math.max(end, start) });
  }
  regex(): FilterRegex {
    const start = this.i;
    if (++this.regexes > 2) throw new FilterPatternError(`Invalid filter pattern: at most 2 regular expressions are allowed in a pattern, found a third at character ${start}`, { start, end: start + 1 });
    const { regex, end } = parseRegexAt(this.src, start);
    this.i = end;
    return regex;
  }
  /** A quoted string at `"`, with `\"` and `\\` escapes; returns its text. */
  quoted(): string {
    const open = this.i++;
    let s = '';
    while (this.i < this.src.length) {
      const c = this.src[this.i]!;
      if (c === '\\' && this.i + 1 < this.src.length) {
        s += this.src[this.i + 1];
        this.i += 2;
      } else if (c === '"') {
        this.i++;
        return s;
      } else {
        s += c;
        this.i++;
      }
    }
    throw new FilterPatternError(`Invalid filter pattern: expected a closing " for the string opened at character ${open}`, { start: open, end: this.src.length });
  }
}

export function parseJsonPattern(src: string, start: number): JsonExpr {
  const s = new Scanner(src, start);
  s.expect('{', "'{'");
  const expr = or(s);
  s.expect('}', "'}' or an operator && or ||");
  s.skip();
  if (s.i < src.length) throw s.error('expected the end of the pattern after }');
  return expr;
}

function or(s: Scanner): JsonExpr {
  let left = and(s);
  while (s.eat('||')) left = { kind: 'or', left, right: and(s) };
  return left;
}

function and(s: Scanner): JsonExpr {
  let left = primary(s);
  while (s.eat('&&')) left = { kind: 'and', left, right: primary(s) };
  return left;
}

function primary(s: Scanner): JsonExpr {
  if (s.eat('(')) {
    const e = or(s);
    s.expect(')', "')' or an operator && or ||");
    return e;
  }
  if (!s.peek('$')) throw s.error("expected a selector starting with '$.' or '('");
  const selStart = s.i;
  const path = selector(s);
  const sel = s.src.slice(selStart, s.i);
  return { kind: 'cond', path, selector: sel, test: value(s) };
}

function selector(s: Scanner): JsonPath {
  s.i++; // '$'
  const path: JsonPath = [];
  let wildcardAt = -1;
  const wildcard = (kind: 'field' | 'element', at: number): void => {
    if (wildcardAt >= 0) throw s.error('only one wildcard is allowed in a selector', at, at + 1);
    if (++s.wildcards > MAX_WILDCARDS) throw s.error(`at most ${MAX_WILDCARDS} wildcard selectors are allowed in a pattern`, at, at + 1);
    wildcardAt = at;
    path.push({ wildcard: kind });
  };
  for (;;) {
    const c = s.src[s.i];
    const bracketKey = BRACKET_KEY.exec(s.src.slice(c === '.' ? s.i + 1 : s.i));
    if (bracketKey) {
      if (bracketKey[1] === '*') throw s.error("expected a key other than '*' in ['...']");
      s.i += (c === '.' ? 1 : 0) + bracketKey[0].length;
      path.push(bracketKey[1]!);
    } else if (c === '.') {
      s.i++;
      if (s.src[s.i] === '*') {
        wildcard('field', s.i);
        s.i++;
        continue;
      }
      const k0 = s.i;
      while (s.i < s.src.length && KEY.test(s.src[s.i]!)) s.i++;
      if (s.i === k0) throw s.error("expected a key (letters, digits, _ @ : -), * or ['key'] after '.'");
      path.push(s.src.slice(k0, s.i));
    } else if (c === '[') {
      if (s.src.startsWith('[*]', s.i)) {
        wildcard('element', s.i + 1);
        s.i += 3;
        continue;
      }
      const m = /^\[(\d{1,9})\]/.exec(s.src.slice(s.i));
      if (!m) throw s.error("expected an array index like [0], [*] or ['key']");
      path.push(Number(m[1]));
      s.i += m[0].length;
    } else break;
  }
  if (path.length === 0) throw s.error("expected '.key' or '[index]' after '$'");
  return path;
}

/** What follows a selector or a field name: an operator and a value, IS ..., or NOT EXISTS. */
export function value(s: Scanner): ValueTest {
  s.skip();
  const opStart = s.i;
  const w = s.word();
  if (w === 'IS') {
    s.i += 2;
    const v = s.word();
    const value = v === 'TRUE' ? true : v === 'FALSE' ? false : v === 'NULL' ? null : undefined;
    if (value === undefined) throw s.error('expected TRUE, FALSE or NULL after IS');
    s.i += v.length;
    return { kind: 'is', value };
  }
  if (w === 'NOT') {
    s.i += 3;
    if (s.word() !== 'EXISTS') throw s.error('expected EXISTS after NOT');
    s.i += 6;
    return { kind: 'not-exists' };
  }
  const op = (['!=', '<=', '>=', '=', '<', '>'] as const).find((o) => s.src.startsWith(o, s.i));
  if (!op) throw s.error('expected an operator (= != < <= > >=), IS or NOT EXISTS after the selector', opStart);
  s.i += op.length;
  s.skip();
  const vStart = s.i;
  const c = s.src[s.i];
  if (c === '%') {
    if (op !== '=' && op !== '!=') throw s.error(`expected a number after ${op}`);
    return { kind: 'regex', op, regex: s.regex() };
  }
  if (c === '"') {
    if (op !== '=' && op !== '!=') throw s.error(`expected a number after ${op}`);
    return { kind: 'string', op, parts: s.quoted().split('*') };
  }
  while (s.i < s.src.length && !s.stops.test(s.src[s.i]!) && !s.src.startsWith('&&', s.i) && !s.src.startsWith('||', s.i)) {
    if (s.src[s.i] === '"' || s.src[s.i] === '(') throw s.error('expected a value; quote values that contain " or (');
    s.i++;
  }
  const text = s.src.slice(vStart, s.i);
  if (text === '') throw s.error(`expected a value after ${op}`);
  if (NUMBER.test(text)) return { kind: 'number', op: op as NumericOp, text };
  if (op !== '=' && op !== '!=') throw s.error(`expected a number after ${op}`, vStart, s.i);
  return { kind: 'string', op, parts: text.split('*') };
}
