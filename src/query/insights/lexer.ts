/**
 * The Logs Insights QL lexer: one token at a time, on demand, because `/` means division after an
 * operand and starts a regular expression (`/ERROR/`) where an operand is expected, and only the
 * parser knows which. `nextToken(src, pos, operand)` skips blanks and `#` comments (to the end of the
 * line, as AWS documents) and returns the token at `pos`. Spans are UTF-16 offsets, end exclusive.
 *
 * Syntax errors use AWS's own wording, as MalformedQueryException reports it for StartQuery
 * ("unexpected symbol found limit at line 1 and position 207"), followed by what we expected:
 *   unexpected symbol found | at line 1 and position 7: expected a field name after 'fields'
 * Lines count from 1 and positions from 0 within the line (ANTLR's convention, which AWS's parser uses).
 */
import { QueryError, type PeriodUnit, type Span } from './ast.js';

export type TokenKind =
  /** A bare name: field, function, command or keyword (`@message`, `a.b.0`, `count_distinct`, `BY`). */
  | 'ident'
  /** A backquoted field name; `value` is the name without the backquotes. */
  | 'quoted'
  /** A string literal; `value` is decoded (`\"`, `\'` and `\\` unescaped, other `\x` kept as is). */
  | 'string'
  | 'number'
  /** A number immediately followed by a time unit: `5m`, `1hr`, `30secs`. */
  | 'period'
  /** `/.../`; `value` is the text between the slashes, escapes kept. */
  | 'regex'
  /** Punctuation and operators: `| , ( ) [ ] : = != < <= > >= =~ + - * / % ^`. */
  | 'op'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** The token as written. */
  text: string;
  /** Decoded value for `quoted`, `string` and `regex`. */
  value: string;
  /** The quote character of a `string`. */
  quote: '"' | "'";
  span: Span;
}

const OPS = ['!=', '<=', '>=', '=~', '|', ',', '(', ')', '[', ']', '{', '}', ':', '=', '<', '>', '+', '-', '*', '/', '%', '^'];

/**
 * Time units as AWS's stats page lists them for `bin()`: "For all units and abbreviations that include
 * more than one character, adding s to pluralize is supported."
 */
const UNIT_SPELLINGS: Record<PeriodUnit, string[]> = {
  ms: ['millisecond', 'ms', 'msec'],
  s: ['second', 's', 'sec'],
  m: ['minute', 'm', 'min'],
  h: ['hour', 'h', 'hr'],
  d: ['day', 'd'],
  w: ['week', 'w'],
  mo: ['month', 'mo', 'mon'],
  q: ['quarter', 'q', 'qtr'],
  y: ['year', 'y', 'yr'],
};

const UNITS = new Map<string, PeriodUnit>();
for (const [unit, spellings] of Object.entries(UNIT_SPELLINGS) as [PeriodUnit, string[]][]) {
  for (const s of spellings) {
    UNITS.set(s, unit);
    if (s.length > 1) UNITS.set(`${s}s`, unit);
  }
}

/** The unit a spelling stands for (case-insensitive), or undefined. */
export function periodUnit(spelling: string): PeriodUnit | undefined {
  return UNITS.get(spelling.toLowerCase());
}

/** Milliseconds in one unit, for units of fixed length (not months, quarters, years). */
export const UNIT_MS: Partial<Record<PeriodUnit, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isLetter = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
/** AWS: field names of letters, digits, `@` and `.` need no backquotes; we allow `_` too (`count_distinct`, `request_id`). */
export const isIdentStart = (c: string | undefined): boolean => isLetter(c) || c === '_' || c === '@';
export const isIdentPart = (c: string | undefined): boolean => isIdentStart(c) || isDigit(c) || c === '.';
const BARE = /^[A-Za-z_@][A-Za-z0-9_@.]*$/;
/** Whether `name` can be written without backquotes (keywords aside: see parse-expr.ts). */
export const isBareName = (name: string): boolean => BARE.test(name);

/** Offset of the first character at or after `pos` that is neither blank nor inside a `#` comment. */
export function skipTrivia(src: string, pos: number): number {
  let i = pos;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '#') {
      while (i < src.length && src[i] !== '\n' && src[i] !== '\r') i++;
    } else if (/\s/.test(c)) {
      i++;
    } else {
      break;
    }
  }
  return i;
}

/** 1-based line and 0-based position within the line of `offset`, counting \n, \r\n and \r as line breaks. */
export function lineAndPosition(src: string, offset: number): { line: number; position: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    const c = src[i];
    if (c === '\n' || (c === '\r' && src[i + 1] !== '\n')) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, position: offset - lineStart };
}

/** How a token reads in an error message: as written, cut at a line break or 40 characters; `<EOF>` at the end. */
export function describe(src: string, span: Span): string {
  if (span.start >= src.length) return '<EOF>';
  const text = src.slice(span.start, span.end);
  const line = /[\r\n]/.exec(text);
  const cut = Math.min(line === null ? text.length : line.index, 40);
  return cut < text.length ? `${text.slice(0, cut)}…` : text;
}

/** The syntax error for the token at `span`: AWS's wording, then what we expected there. */
export function syntaxError(src: string, span: Span, expected: string): QueryError {
  const { line, position } = lineAndPosition(src, span.start);
  return new QueryError(`unexpected symbol found ${describe(src, span)} at line ${line} and position ${position}: ${expected}`, span);
}

function token(src: string, kind: TokenKind, start: number, end: number, value = '', quote: '"' | "'" = '"'): Token {
  return { kind, text: src.slice(start, end), value, quote, span: { start, end } };
}

/**
 * The token at `pos` (after blanks and comments). `operand` says whether an operand may start here,
 * which decides whether `/` opens a regular expression.
 */
export function nextToken(src: string, pos: number, operand: boolean): Token {
  const start = skipTrivia(src, pos);
  if (start >= src.length) return token(src, 'eof', src.length, src.length);
  const c = src[start]!;
  if (c === '"' || c === "'") return lexString(src, start, c);
  if (c === '`') return lexQuoted(src, start);
  if (c === '/' && operand) return lexRegex(src, start);
  if (isDigit(c)) return lexNumber(src, start);
  if (isIdentStart(c)) {
    let i = start + 1;
    while (isIdentPart(src[i])) i++;
    // AWS's list access `list[index]` (Structure types): `a.b[1].c` is the field `a.b.1.c`, the index
    // being a step of the path as in a discovered field's name. The token's value is that name.
    let name = '';
    // Not after an operator word: `x in[1, 2]` is a list.
    const word = /^(in|not|like|and|or)$/i.test(src.slice(start, i));
    for (let m = word ? null : /^\[(\d+)\]/.exec(src.slice(i, i + 24)); m !== null; m = /^\[(\d+)\]/.exec(src.slice(i, i + 24))) {
      name = `${name || src.slice(start, i)}.${m[1]}`;
      i += m[0].length;
      const from = i;
      while (isIdentPart(src[i])) i++;
      name += src.slice(from, i);
    }
    return token(src, 'ident', start, i, name);
  }
  for (const op of OPS) {
    if (src.startsWith(op, start)) return token(src, 'op', start, start + op.length);
  }
  // One UTF-16 code unit, or a whole surrogate pair, so the message shows the character.
  const width = (src.codePointAt(start) ?? 0) > 0xffff ? 2 : 1;
  throw syntaxError(src, { start, end: start + width }, 'expected a field name, a literal, an operator or a command');
}

function lexString(src: string, start: number, quote: '"' | "'"): Token {
  let value = '';
  let i = start + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === quote) return token(src, 'string', start, i + 1, value, quote);
    if (c === '\\' && i + 1 < src.length) {
      const next = src[i + 1]!;
      // Only the quotes and the backslash are escapes, so `"\d+"` keeps its backslash.
      value += next === '"' || next === "'" || next === '\\' ? next : c + next;
      i += 2;
    } else {
      value += c;
      i++;
    }
  }
  throw syntaxError(src, { start, end: src.length }, `expected a closing ${quote} to end the string`);
}

function lexQuoted(src: string, start: number): Token {
  const close = src.indexOf('`', start + 1);
  if (close < 0) throw syntaxError(src, { start, end: src.length }, 'expected a closing ` to end the field name');
  if (close === start + 1) throw syntaxError(src, { start, end: close + 1 }, 'expected a field name between the backquotes');
  return token(src, 'quoted', start, close + 1, src.slice(start + 1, close));
}

function lexRegex(src: string, start: number): Token {
  let i = start + 1;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\') i += 2;
    else if (c === '/') return token(src, 'regex', start, i + 1, src.slice(start + 1, i));
    else i++;
  }
  throw syntaxError(src, { start, end: src.length }, 'expected a closing / to end the regular expression');
}

function lexNumber(src: string, start: number): Token {
  let i = start;
  while (isDigit(src[i])) i++;
  let integer = true;
  if (src[i] === '.' && isDigit(src[i + 1])) {
    integer = false;
    i++;
    while (isDigit(src[i])) i++;
  }
  if ((src[i] === 'e' || src[i] === 'E') && (isDigit(src[i + 1]) || ((src[i + 1] === '+' || src[i + 1] === '-') && isDigit(src[i + 2])))) {
    integer = false;
    i += 2;
    while (isDigit(src[i])) i++;
  }
  if (isLetter(src[i])) {
    let j = i;
    while (isLetter(src[j])) j++;
    const unit = periodUnit(src.slice(i, j));
    if (integer && unit !== undefined && !isIdentPart(src[j])) return token(src, 'period', start, j);
    while (isIdentPart(src[j])) j++;
    throw syntaxError(
      src,
      { start, end: j },
      integer ? 'expected a number, or a time period such as 5m, 1h or 30s (units: ms, s, m, h, d, w, mo, q, y)' : 'expected a number',
    );
  }
  if (isIdentPart(src[i])) {
    let j = i;
    while (isIdentPart(src[j])) j++;
    throw syntaxError(src, { start, end: j }, 'expected a number; field names cannot start with a digit unless in backquotes');
  }
  const value = Number(src.slice(start, i));
  if (!Number.isFinite(value)) throw syntaxError(src, { start, end: i }, 'expected a number within the range of a double');
  return token(src, 'number', start, i);
}
