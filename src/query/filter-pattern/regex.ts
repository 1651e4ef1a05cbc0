/**
 * Regular expressions in filter patterns: `%...%`, in the restricted syntax AWS documents
 * ("Supported regular expressions (regex) syntax", regex-expressions.html):
 *   - alphanumeric characters and the symbols `: _ # = @ / ; , -`;
 *   - the operators `^ $ ? [ ] { } | \ * + .`; no `(` `)` (no subpatterns);
 *   - the escapes `\d \D \s \S \w \W`, `\xhh` (an ASCII character by its hex code: "%\x28% matches (")
 *     and a backslash before an operator;
 *   - `{m,n}`, where "Either m or n can be omitted";
 *   - no multi-byte characters; at most two regexes in one pattern (checked by the parser).
 * Space is not in AWS's list of symbols, but the page's own example `%^starting|^initializing|^shutting
 * down%` uses one, so a space is accepted as itself.
 *
 * The regex is checked here and translated into one canonical form that JavaScript (with the `u` flag,
 * so `.` and classes see code points as RE2 does) and DuckDB's RE2 (sql.ts) read the same
 * way: `.` becomes `[^\n]`, and `\d \w \s` (and their negations) become explicit ASCII classes, because
 * the engines disagree on which characters `\s` covers. Everything else is passed through unchanged.
 */
import { FilterPatternError, type FilterRegex } from './ast.js';

const LITERAL = /^[A-Za-z0-9:_#=@/;, -]$/;
/** Characters JavaScript's `u` mode lets us escape (and RE2 accepts escaped). */
const SYNTAX = new Set('^$\\.*+?[]{}|/-');
const CLASS_OF: Record<string, string> = { d: '0-9', w: '0-9A-Za-z_', s: '\\t\\n\\f\\r ' };
const MAX_REPEAT = 1000; // RE2's limit on {n,m}

/**
 * Parses the regex whose opening `%` is at `start`; returns it and the offset after its closing `%`.
 * Offsets in errors are offsets in `source`.
 */
export function parseRegexAt(source: string, start: number): { regex: FilterRegex; end: number } {
  const close = source.indexOf('%', start + 1);
  if (close < 0) throw err('expected a closing % to end the regular expression', start, source.length);
  const body = source.slice(start + 1, close);
  if (body.length === 0) throw err('expected a regular expression between % and %', start, close + 1);
  let out = '';
  let i = 0;
  const at = (k: number): number => start + 1 + k;
  /** Whether the last item can take a quantifier (an atom, not an anchor or another quantifier). */
  let quantifiable = false;
  while (i < body.length) {
    const c = body[i]!;
    if (c.charCodeAt(0) > 0x7f) throw err('multi-byte characters are not supported in a regular expression', at(i), at(i + 1));
    if (c === '(' || c === ')') throw err(`'${c}' is not supported in a regular expression (no subpatterns)`, at(i), at(i + 1));
    if (c === '|') {
      out += '|';
      quantifiable = false;
      i++;
    } else if (c === '^' || c === '$') {
      out += c;
      quantifiable = false;
      i++;
      continue;
    } else if (c === '.') {
      out += '[^\\n]';
      quantifiable = true;
      i++;
    } else if (c === '*' || c === '+' || c === '?' || c === '{') {
      if (!quantifiable) throw err(`expected something to repeat before '${c}'`, at(i), at(i + 1));
      if (c === '{') {
        // `{,m}` is not RE2 syntax (RE2 reads it literally), so it is written out as `{0,m}`.
        const m = /^\{(\d{0,4})(, ?(\d{0,4}))?\}/.exec(body.slice(i));
        if (!m || (m[1] === '' && (m[3] ?? '') === '')) throw err("expected a repetition {n}, {n,}, {,m} or {n,m} after '{'", at(i), at(i + 1));
        const lo = m[1] === '' ? 0 : Number(m[1]);
        const hi = m[2] === undefined ? lo : m[3] === '' ? undefined : Number(m[3]);
        if (lo > MAX_REPEAT || (hi !== undefined && (hi > MAX_REPEAT || hi < lo))) {
          throw err(`expected a repetition with 0 <= n <= m <= ${MAX_REPEAT}`, at(i), at(i + m[0].length));
        }
        out += m[2] === undefined ? `{${lo}}` : `{${lo},${hi ?? ''}}`;
        i += m[0].length;
      } else {
        out += c;
        i++;
      }
      if (body[i] === '?') {
        out += '?'; // lazy: the same events match either way
        i++;
      }
      quantifiable = false;
    } else if (c === '\\') {
      const [text, len, canRepeat] = escape(body, i, false, at);
      out += text;
      i += len;
      quantifiable = canRepeat;
    } else if (c === '[') {
      const [text, len] = charClass(body, i, at);
      out += text;
      i += len;
      quantifiable = true;
    } else if (c === ']' || c === '}') {
      throw err(`unexpected '${c}' in a regular expression`, at(i), at(i + 1));
    } else if (LITERAL.test(c)) {
      out += c;
      i++;
      quantifiable = true;
    } else {
      throw err(`'${c}' is not supported in a regular expression`, at(i), at(i + 1));
    }
  }
  try {
    new RegExp(out, 'u');
  } catch (e) {
    throw new FilterPatternError(`Invalid filter pattern: invalid regular expression at character ${start}`, { start, end: close + 1 }, { cause: e });
  }
  return { regex: { source: body, pattern: out }, end: close + 1 };
}

/** `\x` at body[i]: [translation, length consumed, quantifiable]. */
function escape(body: string, i: number, inClass: boolean, at: (k: number) => number): [string, number, boolean] {
  const e = body[i + 1];
  if (e === undefined) throw err("expected a character after '\\'", at(i), at(i + 1));
  const lower = e.toLowerCase();
  if (lower in CLASS_OF) {
    const set = CLASS_OF[lower]!;
    if (inClass) {
      if (e !== lower) throw err(`'\\${e}' is not supported inside [...]`, at(i), at(i + 2));
      return [set, 2, true];
    }
    return [e === lower ? `[${set}]` : `[^${set}]`, 2, true];
  }
  if (!inClass && (e === 'b' || e === 'B')) return [`\\${e}`, 2, false];
  if (e === 'x') {
    // "the two hexadecimal digits ... point to a character in the ASCII table": 00 to 7F.
    const hex = /^[0-7][0-9A-Fa-f]/.exec(body.slice(i + 2));
    if (!hex) throw err("expected two hexadecimal digits of an ASCII character (00 to 7F) after '\\x'", at(i), at(i + 2));
    return [`\\x${hex[0]}`, 4, true];
  }
  if (SYNTAX.has(e) || e === '%') return [e === '%' ? '%' : `\\${e}`, 2, true];
  if (LITERAL.test(e) && !/[A-Za-z0-9]/.test(e)) return [e, 2, true];
  throw err(`unsupported escape '\\${e}' in a regular expression`, at(i), at(i + 2));
}

/** `[...]` at body[i]: [translation, length consumed]. */
function charClass(body: string, i: number, at: (k: number) => number): [string, number] {
  let j = i + 1;
  let out = '[';
  if (body[j] === '^') {
    out += '^';
    j++;
  }
  if (body[j] === ']') throw err('expected a character class to contain something', at(i), at(j + 1));
  while (j < body.length && body[j] !== ']') {
    const c = body[j]!;
    if (c.charCodeAt(0) > 0x7f) throw err('multi-byte characters are not supported in a regular expression', at(j), at(j + 1));
    if (c === '\\') {
      const [text, len] = escape(body, j, true, at);
      out += text;
      j += len;
    } else if (c === '[') {
      out += '\\['; // RE2 would read `[:` as a POSIX class
      j++;
    } else if (c === '(' || c === ')') {
      throw err(`'${c}' is not supported in a regular expression`, at(j), at(j + 1));
    } else if (LITERAL.test(c) || '^$.*+?{}|'.includes(c)) {
      out += c === '-' || c === '^' || c === '{' || c === '}' || c === '|' || c === '$' || c === '.' || c === '*' || c === '+' || c === '?' ? (c === '-' ? '-' : `\\${c}`) : c;
      j++;
    } else {
      throw err(`'${c}' is not supported in a regular expression`, at(j), at(j + 1));
    }
  }
  if (j >= body.length) throw err("expected ']' to close the character class", at(i), at(body.length));
  return [out + ']', j + 1 - i];
}

function err(what: string, start: number, end: number): FilterPatternError {
  return new FilterPatternError(`Invalid filter pattern: ${what} at character ${start}`, { start, end });
}
