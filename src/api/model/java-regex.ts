/**
 * Java regular expressions (the `pattern` traits of the AWS models) as JavaScript RegExps.
 *
 * AWS checks a pattern with java.util.regex `Matcher.matches()`: the whole value must match. The
 * translation keeps Java's meaning where JavaScript's differs:
 * - `\s`/`\S` are Java's ASCII whitespace ([ \t\n\x0B\f\r]), not JavaScript's Unicode one;
 * - `.` excludes Java's line terminators (\n \r \u0085 \u2028 \u2029), not just JavaScript's;
 * - `$` also matches before one final line terminator (\z is the strict end);
 * - inside a class, `-` next to a class escape is a literal (`[\w-_]`), a syntax error under the u flag;
 * - literal characters are re-escaped for the u flag, which rejects Java's permissive identity escapes.
 * `\w` and `\d` are ASCII in both (u flag, no i flag); `\p{L}`-style general categories map directly.
 * Constructs JavaScript cannot express (possessive quantifiers, atomic groups, inline flags, class
 * intersections, nested classes, `\G`, POSIX and Java-specific property names) and `\b`, whose meaning
 * changed between Java versions, are refused with
 * UnsupportedPatternError rather than approximated; the tests compile every pattern in the model.
 */

export class UnsupportedPatternError extends Error {
  override readonly name = 'UnsupportedPatternError';
}

const cache = new Map<string, RegExp>();

/** The RegExp for a Java pattern, anchored to the whole value; compiled once per pattern and cached. */
export function compileJavaPattern(java: string): RegExp {
  let re = cache.get(java);
  if (re === undefined) {
    re = new RegExp(`^(?:${translateJavaPattern(java)})$`, 'u');
    cache.set(java, re);
  }
  return re;
}

const JAVA_SPACE = '\\t\\n\\x0B\\f\\r ';
const JAVA_DOT = '[^\\n\\r\\u0085\\u2028\\u2029]';
const JAVA_DOLLAR = '(?=(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])?$)';
/** General categories, the only \p{..} names whose Java and JavaScript meanings agree. */
const CATEGORY = /^(?:[LMNPSZC]|L[ultmo]|M[nce]|N[dlo]|P[cdseifo]|S[mcko]|Z[slp]|C[cfosn])$/;
const SYNTAX = new Set('^$\\.*+?()[]{}|/');
/** Java's letter escapes for control characters, as code points. */
const CONTROL: Readonly<Record<string, number>> = { t: 9, n: 10, r: 13, f: 12, a: 7, e: 27 };
/** \xhh, \uhhhh, \x{h...}, \0ooo (octal), \cX. */
const NUMERIC_ESCAPE = /^\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|x\{([0-9A-Fa-f]+)\}|0([0-3]?[0-7]{1,2})|c([A-Za-z]))/;

/** The JavaScript (u flag) source for a Java pattern, not anchored. */
export function translateJavaPattern(java: string): string {
  return new Translator(java).run();
}

class Translator {
  private i = 0;
  constructor(private readonly src: string) {}

  run(): string {
    let out = '';
    while (this.i < this.src.length) out += this.atom();
    return out;
  }

  private fail(what: string): never {
    throw new UnsupportedPatternError(`${what} at offset ${this.i} of Java pattern ${this.src}`);
  }

  private atom(): string {
    const c = this.src[this.i]!;
    switch (c) {
      case '\\':
        return this.escape();
      case '[':
        return this.charClass();
      case '.':
        this.i++;
        return JAVA_DOT;
      case '$':
        this.i++;
        return JAVA_DOLLAR;
      case '(':
        return this.group();
      case '*':
      case '+':
      case '?':
        this.i++;
        return c + this.quantifierSuffix();
      case '{': {
        const m = /^\{\d+(?:,\d*)?\}/.exec(this.src.slice(this.i));
        if (m === null) this.fail('a { that starts no quantifier');
        this.i += m[0].length;
        return m[0] + this.quantifierSuffix();
      }
      case '^':
      case '|':
      case ')':
        this.i++;
        return c;
      case ']':
      case '}':
        this.i++;
        return `\\${c}`;
      default:
        return literal(this.codePoint());
    }
  }

  private codePoint(): number {
    const cp = this.src.codePointAt(this.i)!;
    this.i += cp > 0xffff ? 2 : 1;
    return cp;
  }

  /** Lazy `?` is shared; Java's possessive `+` has no JavaScript form. */
  private quantifierSuffix(): string {
    const next = this.src[this.i];
    if (next === '+') this.fail('a possessive quantifier');
    if (next === '?') {
      this.i++;
      return '?';
    }
    return '';
  }

  private group(): string {
    const m = /^\((?:\?(?::|=|!|<=|<!|<[A-Za-z][A-Za-z0-9]*>))?/.exec(this.src.slice(this.i))!;
    if (m[0] === '(' && this.src[this.i + 1] === '?') this.fail('an inline flag or atomic group');
    this.i += m[0].length;
    return m[0];
  }

  /** An escape outside a class. */
  private escape(): string {
    const e = this.src[this.i + 1];
    if (e === undefined) this.fail('a trailing backslash');
    const set = this.setEscape(false);
    if (set !== undefined) return set;
    const cp = this.charEscape();
    if (cp !== undefined) return literal(cp);
    this.i += 2;
    switch (e) {
      case 'A':
        return '^';
      case 'z':
        return '$';
      case 'Z':
        return JAVA_DOLLAR;
      case 'Q': {
        const end = this.src.indexOf('\\E', this.i);
        const quoted = this.src.slice(this.i, end < 0 ? undefined : end);
        this.i = end < 0 ? this.src.length : end + 2;
        return [...quoted].map((ch) => literal(ch.codePointAt(0)!)).join('');
      }
      case 'k': {
        const m = /^<[A-Za-z][A-Za-z0-9]*>/.exec(this.src.slice(this.i));
        if (m === null) this.fail('a malformed \\k');
        this.i += m[0].length;
        return `\\k${m[0]}`;
      }
      default:
        if (/[1-9]/.test(e)) return `\\${e}`;
        return this.fail(`the escape \\${e}`);
    }
  }

  /** \d \D \w \W \s \S \p{..} \P{..}, translated; undefined (consuming nothing) for other escapes. */
  private setEscape(inClass: boolean): string | undefined {
    const rest = this.src.slice(this.i);
    const e = rest[1]!;
    if ('dDwW'.includes(e)) {
      this.i += 2;
      return `\\${e}`;
    }
    if (e === 's' || e === 'S') {
      if (inClass && e === 'S') this.fail('\\S inside a class');
      this.i += 2;
      return inClass ? JAVA_SPACE : `[${e === 's' ? '' : '^'}${JAVA_SPACE}]`;
    }
    const m = /^\\([pP])(?:\{(?:Is)?([A-Za-z]+)\}|([A-Za-z]))/.exec(rest);
    if (m === null) return undefined;
    const name = m[2] ?? m[3]!;
    if (!CATEGORY.test(name)) this.fail(`the property \\${m[1]}{${name}}`);
    this.i += m[0].length;
    return `\\${m[1]}{${name}}`;
  }

  /** An escape that denotes one character, as its code point; undefined (consuming nothing) otherwise. */
  private charEscape(): number | undefined {
    const rest = this.src.slice(this.i);
    const e = rest[1]!;
    const control = Object.hasOwn(CONTROL, e) ? CONTROL[e] : undefined;
    if (control !== undefined) {
      this.i += 2;
      return control;
    }
    const m = NUMERIC_ESCAPE.exec(rest);
    if (m !== null) {
      this.i += m[0].length;
      if (m[5] !== undefined) return m[5].toUpperCase().charCodeAt(0) ^ 64;
      return m[4] !== undefined ? parseInt(m[4], 8) : parseInt(m[1] ?? m[2] ?? m[3]!, 16);
    }
    if (/[A-Za-z0-9]/.test(e)) return undefined;
    // Java reads a backslash before any other character as that character.
    this.i += 1;
    return this.codePoint();
  }

  private charClass(): string {
    this.i++;
    let out = '[';
    if (this.src[this.i] === '^') {
      out += '^';
      this.i++;
    }
    if (this.src[this.i] === ']') this.fail('a class that starts with ]');
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) this.fail('an unclosed class');
      if (c === ']') {
        this.i++;
        return `${out}]`;
      }
      if (c === '[') this.fail('a nested class');
      if (c === '&' && this.src[this.i + 1] === '&') this.fail('a class intersection');
      const start = this.classAtom();
      // A set (\w, \p{L}, ...) cannot start a range: a `-` after it is read next, as a literal.
      if (typeof start === 'string') {
        out += start;
        continue;
      }
      const end = this.src[this.i + 1];
      if (this.src[this.i] === '-' && end !== ']' && end !== undefined) {
        this.i++;
        const to = this.classAtom();
        if (typeof to === 'string') this.fail('a range that ends in a set');
        if (to < start) this.fail('a reversed range');
        out += `${classLiteral(start)}-${classLiteral(to)}`;
      } else {
        out += classLiteral(start);
      }
    }
  }

  /** One class member: a code point, or (as a string) a translated set escape. */
  private classAtom(): number | string {
    if (this.src[this.i] !== '\\') return this.codePoint();
    const e = this.src[this.i + 1];
    if (e === undefined) this.fail('a trailing backslash');
    const atom = this.setEscape(true) ?? this.charEscape();
    if (atom === undefined) this.fail(`the escape \\${e} in a class`);
    return atom;
  }
}

/** A literal code point outside a class, escaped only where the u flag needs it. */
function literal(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (SYNTAX.has(ch)) return `\\${ch}`;
  return cp < 0x20 || cp === 0x7f ? `\\u{${cp.toString(16)}}` : ch;
}

/** A literal code point inside a class: backslash before the few characters a u-flag class reserves. */
function classLiteral(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if ('\\]-^['.includes(ch)) return `\\${ch}`;
  return cp < 0x20 || cp === 0x7f ? `\\u{${cp.toString(16)}}` : ch;
}
