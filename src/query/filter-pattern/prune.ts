/**
 * What a pattern requires of a block's trigram bitmap (store/trigram.ts): text that every matching
 * message must contain, as a boolean formula over trigram bit sets. A block whose bitmap fails the
 * formula holds no match and is never read. The formula must be a necessary condition of a match,
 * for every kind of pattern (prune.test.ts checks this property against the predicate back end):
 *
 * - terms: each term is a substring of a matching message;
 * - space-delimited: a field is a substring of the message (its brackets or quotes dropped, nothing
 *   unescaped), so the literal parts of `field = "a*b"` are substrings too;
 * - regular expressions: the literal runs that every match of the regex must contain;
 * - JSON: the keys a condition needs present and the literal parts of string values and regexes. JSON
 *   text may write any character as `\uXXXX` (and `/` as `\/`), so a literal is split where a JSON
 *   writer must escape (`"`, `\`, control characters) or may (`/`), and a block holding a `\u` escape
 *   anywhere (its bitmap's ESCAPE_BIT) is never skipped for JSON literals.
 *
 * `null` means "cannot prune": the pattern may match events containing none of its text.
 */
import type { DelimitedExpr, FilterPattern, FilterRegex, JsonExpr, JsonPath, ValueTest } from './ast.js';
import { ESCAPE_BIT, mayContain, termBits } from '../../store/trigram.js';

/**
 * `text`: the substring whose trigrams `bits` are; for ESCAPE_BIT, `\u`, the escape the flag stands for.
 * So the formula is also a test of one message: every matching message contains the texts it requires
 * (textMayMatch, requirementSql).
 */
export type BitmapRequirement = { kind: 'bits'; bits: number[]; text?: string } | { kind: 'all' | 'any'; of: BitmapRequirement[] };
type Req = BitmapRequirement | null;

export function bitmapRequirement(p: FilterPattern): Req {
  switch (p.kind) {
    case 'terms':
      return all([...p.required.map(text), p.optional.length > 0 ? any(p.optional.map(text)) : null]);
    case 'regex':
      return regexReq(p.regex, text);
    case 'delimited':
      return all(p.fields.map((f) => (f.kind === 'field' && f.test ? delimitedReq(f.test) : null)));
    case 'json':
      return jsonReq(p.expr);
  }
}

export function bitmapMayMatch(bitmap: Uint8Array, req: BitmapRequirement): boolean {
  switch (req.kind) {
    case 'bits':
      return mayContain(bitmap, req.bits);
    case 'all':
      return req.of.every((r) => bitmapMayMatch(bitmap, r));
    case 'any':
      return req.of.some((r) => bitmapMayMatch(bitmap, r));
  }
}

/** Whether one message contains the text `req` requires (case-sensitive substrings; a leaf without text requires nothing). */
export function textMayMatch(message: string, req: BitmapRequirement): boolean {
  switch (req.kind) {
    case 'bits':
      return req.text === undefined || message.includes(req.text);
    case 'all':
      return req.of.every((r) => textMayMatch(message, r));
    case 'any':
      return req.of.some((r) => textMayMatch(message, r));
  }
}

/**
 * textMayMatch as SQL over `column` (`contains`, each text a bound parameter through `bind`), or null
 * when the requirement names no text. A cheap guard that a scan evaluates before the pattern's own SQL:
 * a JSON pattern's parses, a regex or a field split then run only on messages that hold its literals.
 */
export function requirementSql(req: BitmapRequirement, column: string, bind: (v: string) => string): string | null {
  const known = textual(req); // first, so that no parameter is bound for a part left out
  return known === null ? null : renderSql(known, column, bind);
}

/** The part of `req` that names texts: leaves without text dropped as all() and any() drop unknowns. */
function textual(req: BitmapRequirement): Req {
  if (req.kind === 'bits') return req.text === undefined ? null : req;
  return (req.kind === 'all' ? all : any)(req.of.map(textual));
}

function renderSql(req: BitmapRequirement, column: string, bind: (v: string) => string): string {
  if (req.kind === 'bits') return `contains(${column}, ${bind(req.text!)})`;
  return `(${req.of.map((r) => renderSql(r, column, bind)).join(req.kind === 'all' ? ' AND ' : ' OR ')})`;
}

/** A conjunction; unknown conjuncts are dropped (they constrain nothing we can check). */
function all(xs: Req[]): Req {
  const of = xs.filter((x): x is BitmapRequirement => x !== null);
  return of.length === 0 ? null : of.length === 1 ? of[0]! : { kind: 'all', of };
}

/** A disjunction; one unknown alternative makes the whole unknown. */
function any(xs: Req[]): Req {
  if (xs.length === 0 || xs.some((x) => x === null)) return null;
  const of = xs as BitmapRequirement[];
  return of.length === 1 ? of[0]! : { kind: 'any', of };
}

/** A substring every match contains (null when shorter than a trigram). */
function text(s: string): Req {
  const bits = termBits(s);
  return bits ? { kind: 'bits', bits, text: s } : null;
}

function delimitedReq(e: DelimitedExpr): Req {
  switch (e.kind) {
    case 'and':
      return all([delimitedReq(e.left), delimitedReq(e.right)]);
    case 'or':
      return any([delimitedReq(e.left), delimitedReq(e.right)]);
    case 'test':
      return valueReq(e.test, text);
  }
}

/** What a field or JSON value test needs of the text the value is written in. */
function valueReq(t: ValueTest, literal: (s: string) => Req): Req {
  if (t.kind === 'string' && t.op === '=') return all(t.parts.map(literal));
  if (t.kind === 'regex' && t.op === '=') return regexReq(t.regex, literal);
  return null; // `!=`, numbers (written many ways), IS and NOT EXISTS
}

function jsonReq(e: JsonExpr): Req {
  switch (e.kind) {
    case 'and':
      return all([jsonReq(e.left), jsonReq(e.right)]);
    case 'or':
      return any([jsonReq(e.left), jsonReq(e.right)]);
    case 'cond': {
      if (e.test.kind === 'not-exists') return null;
      // Every other test needs the value present (of the right type), so its keys are in the text.
      const keys = jsonPathKeys(e.path);
      const t = e.test;
      const value =
        t.kind === 'is'
          ? text(String(t.value)) // the literals true, false and null cannot be escaped
          : t.kind === 'string' && t.op === '=' && t.parts.length === 1
            ? jsonLiteral(t.parts[0]!, true, true)
            : t.kind === 'string' && t.op === '='
              ? all(t.parts.map((part, i) => jsonLiteral(part, i === 0, i === t.parts.length - 1)))
              : valueReq(t, (s) => jsonLiteral(s, false, false));
      return all([keys, value]);
    }
  }
}

function jsonPathKeys(path: JsonPath): Req {
  return all(path.map((k) => (typeof k === 'string' ? jsonLiteral(k, true, true) : null)));
}

/** Characters a JSON writer must or may escape other than as `\uXXXX`. */
export const JSON_ESCAPABLE = /["\\/\u0000-\u001f]/u;
/** A `\u` escape in the block (a flag bit of its own): any character of a JSON string may be written that way. */
const UNICODE_ESCAPE: BitmapRequirement = { kind: 'bits', bits: [ESCAPE_BIT], text: '\\u' };

/**
 * The text a JSON string (or key) containing `s` is written with: `s` split where it may be escaped,
 * with the string's opening or closing quote when `s` starts or ends it.
 */
function jsonLiteral(s: string, open: boolean, close: boolean): Req {
  const pieces = s.split(JSON_ESCAPABLE);
  if (open) pieces[0] = `"${pieces[0]!}`;
  if (close) pieces[pieces.length - 1] = `${pieces[pieces.length - 1]!}"`;
  const need = all(pieces.map(text));
  return need === null ? null : any([need, UNICODE_ESCAPE]);
}

/**
 * The literal runs every match of an AWS regex contains (the syntax has no groups: regex.ts). With
 * `|`, each alternative gives its own runs and any alternative will do.
 */
function regexReq(re: FilterRegex, literal: (s: string) => Req): Req {
  const alternatives: Req[] = [];
  let runs: string[] = [];
  let run = '';
  const flush = (): void => {
    if (run.length > 0) runs.push(run);
    run = '';
  };
  const src = re.source;
  let i = 0;
  while (i <= src.length) {
    const c = src[i];
    if (c === undefined || c === '|') {
      flush();
      alternatives.push(all(runs.map(literal)));
      runs = [];
      i++;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      // The atom before a quantifier: kept (ending the run) when it must occur, dropped when it may not.
      const min = c === '+' ? 1 : c === '{' ? Number(/^\{(\d+)/.exec(src.slice(i))?.[1] ?? 0) : 0;
      if (min === 0) run = run.slice(0, -1);
      flush();
      const close = c === '{' ? src.indexOf('}', i) : i;
      i = close + 1;
      if (src[i] === '?') i++;
    } else if (c === '\\') {
      const [literal, length] = escapeAt(src, i);
      if (literal === null) flush();
      else run += literal;
      i += length;
    } else if (c === '[') {
      flush();
      let j = i + 1;
      if (src[j] === '^') j++;
      if (src[j] === ']') j++;
      while (j < src.length && src[j] !== ']') j += src[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (c === '.' || c === '^' || c === '$') {
      flush();
      i++;
    } else {
      run += c;
      i++;
    }
  }
  return any(alternatives);
}

/**
 * The regex escape at src[i] (a backslash): the character it stands for, or null when it is not one
 * character (a class such as `\d`, an assertion such as `\b`, a back-reference), and its length. A
 * character written by its code (`\x2A`, `\u002A`, `\x{2A}`) is that character: reading its digits as
 * text would require text that matches do not hold.
 */
function escapeAt(src: string, i: number): [string | null, number] {
  const e = src[i + 1] ?? '';
  const rest = src.slice(i + 2);
  let m: RegExpExecArray | null;
  if (e === 'x' && (m = /^[0-9A-Fa-f]{2}/.exec(rest))) return [String.fromCharCode(parseInt(m[0], 16)), 4];
  if (e === 'u' && (m = /^[0-9A-Fa-f]{4}/.exec(rest))) return [String.fromCharCode(parseInt(m[0], 16)), 6];
  if ((e === 'x' || e === 'u') && (m = /^\{([0-9A-Fa-f]{1,6})\}/.exec(rest))) {
    const code = parseInt(m[1]!, 16);
    // Beyond the BMP a character is two code units, which the quantifier rule above would split.
    return [code <= 0xffff ? String.fromCharCode(code) : null, 2 + m[0].length];
  }
  // \p{L}, \k<name>, \cX: one escape, whatever follows is part of it; digits: a back-reference or octal.
  if ((e === 'p' || e === 'P') && (m = /^\{[^}]*\}/.exec(rest))) return [null, 2 + m[0].length];
  if (e === 'k' && (m = /^<[^>]*>/.exec(rest))) return [null, 2 + m[0].length];
  if (e === 'c') return [null, 3];
  if (/[0-9]/.test(e)) return [null, 2 + (/^[0-9]*/.exec(rest)?.[0].length ?? 0)];
  if (/[A-Za-z]/.test(e)) return [null, 2]; // \d \w \s \b \n \t and their kind: not the letter
  return [e === '' ? null : e, 2]; // an escaped symbol is itself
}

// Building blocks for other query languages (Logs Insights' filters prune with the same bitmaps).
export const allOf = all;
export const anyOf = any;
/** A substring every matching message contains. */
export const textRequirement = text;
/** A JSON value whose text is `s` (a string's content, or a number as written), in the message. */
export const jsonValueRequirement = (s: string): Req => jsonLiteral(s, false, false);
/** The literal text every match of an RE2 regex contains; null for a regex with groups or flags. */
export function regexRequirement(source: string): Req {
  if (source.includes('(')) return null;
  return regexReq({ source, pattern: source }, text);
}
