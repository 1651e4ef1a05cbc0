/**
 * A validating JSON scanner that builds no objects: the JSON formats need, per record, only to know
 * that it is valid JSON, where it starts and ends, and the value of one or a few top-level members
 * (the time). JSON.parse would build every record's object graph only to throw it away, and it is
 * slower than the bar these parsers must meet (docs/formats.md). The scanner accepts exactly what
 * JSON.parse accepts (RFC 8259: whitespace is space, tab, CR and LF; strings have no raw control
 * characters and only the nine escapes; numbers have no leading zeros, `+`, or bare `.`); the
 * property tests in json-scan.test.ts hold it to JSON.parse on random and mutated text. Callers fall
 * back to JSON.parse for anything the scanner rejects (to report JSON.parse's own error message) or
 * finds unusual.
 */

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const COMMA = 44;
const COLON = 58;

/** The index of the first character at or after i that is not JSON whitespace. */
export function skipWs(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) {
      i++;
      sawSpace = true;
    } else return i;
  }
}

/** Whether skipWs skipped any whitespace since this was last reset. */
let sawSpace = false;

const isHex = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** Whether the last string skipString scanned holds an escape (its text then differs from its characters). */
let sawEscape = false;

/**
 * Where the next backslash or control character is in the text being scanned (at or after the
 * string skipString last looked at): a string that closes before it holds neither, so it is found
 * by indexOf instead of character by character. Reset by every scan that starts on a new text.
 */
let nextSpecial = -1;
/**
 * Ordinary characters from lastIndex on: after a test, lastIndex is where the next backslash or control
 * character is (or the text's end). An anchored repetition of a class runs as one tight loop in V8, where
 * a search for the class (/[\x00-\x1f\\]/g) restarts its match at every character.
 */
const ORDINARY = /[^\x00-\x1f\\]*/y;

function resetSpecial(end: number): void {
  nextSpecial = -1;
  scanEnd = end;
}

/**
 * Where the text being scanned ends (a line of a larger text: the scan of a valid value never looks past
 * it, and one that does is of an invalid line, which the caller tells by where the scan ends).
 */
let scanEnd = 0;

/** The index just past the string that opens at s[i] (a `"`), or -1 if it is not a valid JSON string. */
function skipString(s: string, i: number): number {
  if (nextSpecial <= i) {
    // A regular expression call costs more than reading a short text character by character.
    if (scanEnd - i < 256) return skipStringByChar(s, i);
    ORDINARY.lastIndex = i + 1;
    ORDINARY.test(s);
    nextSpecial = ORDINARY.lastIndex;
  }
  const q = s.indexOf('"', i + 1);
  if (q >= 0 && q < nextSpecial) {
    sawEscape = false;
    return q + 1;
  }
  return skipStringByChar(s, i);
}

function skipStringByChar(s: string, i: number): number {
  sawEscape = false;
  const n = s.length;
  for (let j = i + 1; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === QUOTE) return j + 1;
    if (c === BACKSLASH) {
      sawEscape = true;
      const e = s.charCodeAt(++j);
      if (e === 117 /* u */) {
        if (!(isHex(s.charCodeAt(j + 1)) && isHex(s.charCodeAt(j + 2)) && isHex(s.charCodeAt(j + 3)) && isHex(s.charCodeAt(j + 4)))) return -1;
        j += 4;
      } else if (!(e === QUOTE || e === BACKSLASH || e === 47 /* / */ || e === 98 /* b */ || e === 102 /* f */ || e === 110 /* n */ || e === 114 /* r */ || e === 116 /* t */)) return -1;
    } else if (c < 32) return -1;
  }
  return -1;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The index just past the number that starts at s[i], or -1 if it is not a valid JSON number. */
export function skipNumber(s: string, i: number): number {
  let c = s.charCodeAt(i);
  if (c === 45 /* - */) c = s.charCodeAt(++i);
  if (c === 48 /* 0 */) c = s.charCodeAt(++i);
  else if (c >= 49 && c <= 57) {
    do c = s.charCodeAt(++i);
    while (isDigit(c));
  } else return -1;
  if (c === 46 /* . */) {
    c = s.charCodeAt(++i);
    if (!isDigit(c)) return -1;
    do c = s.charCodeAt(++i);
    while (isDigit(c));
  }
  if (c === 101 || c === 69 /* e E */) {
    c = s.charCodeAt(++i);
    if (c === 43 || c === 45) c = s.charCodeAt(++i);
    if (!isDigit(c)) return -1;
    do c = s.charCodeAt(++i);
    while (isDigit(c));
  }
  return i;
}

/** Open containers of skipValue (1 object, 2 array), shared: the scanner is not reentrant. */
let stack = new Uint8Array(64);

/**
 * The index just past the JSON value that starts at s[i] (not whitespace), or -1 if there is no valid
 * value there. Nesting is tracked in an explicit stack, so depth is limited only by memory.
 */
function skipValue(s: string, i: number): number {
  let depth = 0;
  for (;;) {
    // A value at i.
    const c = s.charCodeAt(i);
    if (c === QUOTE) {
      i = skipString(s, i);
      if (i < 0) return -1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      i = skipWs(s, i + 1);
      const d = s.charCodeAt(i);
      if (c === OPEN_OBJECT ? d === CLOSE_OBJECT : d === CLOSE_ARRAY) i++;
      else {
        if (depth === stack.length) {
          const bigger = new Uint8Array(depth * 2);
          bigger.set(stack);
          stack = bigger;
        }
        stack[depth++] = c === OPEN_OBJECT ? 1 : 2;
        if (c === OPEN_OBJECT) {
          i = memberKey(s, i);
          if (i < 0) return -1;
        }
        continue;
      }
    } else if (c === 116 /* t */) {
      if (!s.startsWith('true', i)) return -1;
      i += 4;
    } else if (c === 102 /* f */) {
      if (!s.startsWith('false', i)) return -1;
      i += 5;
    } else if (c === 110 /* n */) {
      if (!s.startsWith('null', i)) return -1;
      i += 4;
    } else {
      i = skipNumber(s, i);
      if (i < 0) return -1;
    }
    // After a value: a comma goes on to the next value, closing brackets end containers.
    for (;;) {
      if (depth === 0) return i;
      i = skipWs(s, i);
      const d = s.charCodeAt(i);
      const inObject = stack[depth - 1] === 1;
      if (d === COMMA) {
        i = skipWs(s, i + 1);
        if (inObject) {
          i = memberKey(s, i);
          if (i < 0) return -1;
        }
        break;
      }
      if (d !== (inObject ? CLOSE_OBJECT : CLOSE_ARRAY)) return -1;
      depth--;
      i++;
    }
  }
}

/** At a member's key (s[i] must be `"`): the index of its value (after the colon and whitespace), or -1. */
function memberKey(s: string, i: number): number {
  if (s.charCodeAt(i) !== QUOTE) return -1;
  i = skipWs(s, skipString(s, i));
  if (i < 0 || s.charCodeAt(i) !== COLON) return -1;
  return skipWs(s, i + 1);
}

/**
 * Whether the key string s[from, to) (with its quotes, just scanned by skipString) is `name`. A key
 * with escapes is decoded (`"time\u0073tamp"` is `timestamp`, as JSON.parse reads it).
 */
function keyIs(s: string, from: number, to: number, name: string, escaped: boolean): boolean {
  if (escaped) return JSON.parse(s.slice(from, to)) === name;
  return to - from === name.length + 2 && s.startsWith(name, from + 1);
}

/** Whether s[from, to) holds a backslash. */
function hasBackslash(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === BACKSLASH) return true;
  return false;
}

/**
 * Scans the JSON object at s[i] (a `{`): for each name in `names`, found[2k] and found[2k+1] get
 * the span of the value of the last member so named (as JSON.parse keeps the last of duplicate
 * keys), or -1 for both if there is none. Returns the index just past the object, or -1 if it is
 * not valid JSON. `end`: where the text to scan ends, when s holds more (a line of an object's text);
 * the object is valid in s[i, end) if and only if the index returned is at most `end` (past a newline
 * the scan goes on only as whitespace, never inside a string).
 */
export function scanObject(s: string, i: number, names: readonly string[], found: Int32Array, end = s.length): number {
  resetSpecial(end);
  return members(s, i, names, found);
}

function members(s: string, i: number, names: readonly string[], found: Int32Array): number {
  for (let k = 0; k < found.length; k++) found[k] = -1;
  // The lengths of the names (mod 32), to pass over most other keys with one test.
  let lengths = 0;
  for (const name of names) lengths |= 1 << (name.length & 31);
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === CLOSE_OBJECT) return i + 1;
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) return -1;
    const keyEnd = skipString(s, i);
    if (keyEnd < 0) return -1;
    const escaped = sawEscape;
    let v = skipWs(s, keyEnd);
    if (s.charCodeAt(v) !== COLON) return -1;
    v = skipWs(s, v + 1);
    const end = s.charCodeAt(v) === QUOTE ? skipString(s, v) : skipValue(s, v);
    if (end < 0) return -1;
    const candidate = escaped || ((lengths >>> ((keyEnd - i - 2) & 31)) & 1) === 1;
    for (let k = 0; candidate && k < names.length; k++) {
      if (keyIs(s, i, keyEnd, names[k]!, escaped)) {
        found[2 * k] = v;
        found[2 * k + 1] = end;
        break;
      }
    }
    i = skipWs(s, end);
    const d = s.charCodeAt(i);
    if (d === CLOSE_OBJECT) return i + 1;
    if (d !== COMMA) return -1;
    i = skipWs(s, i + 1);
  }
}

/**
 * The JSON value at s[from, to) (found by scanObject) as JSON.parse reads it, for the kinds a time
 * can be: a string (its text), a number, or undefined for anything else (object, array, true,
 * false, null), which no time reader accepts.
 */
export function scalarAt(s: string, from: number, to: number): string | number | undefined {
  const c = s.charCodeAt(from);
  if (c === QUOTE) return hasBackslash(s, from, to) ? (JSON.parse(s.slice(from, to)) as string) : s.slice(from + 1, to - 1);
  if (c === 45 || isDigit(c)) return Number(s.slice(from, to));
  return undefined;
}

/** Whether all of `s` is one valid JSON value (with whitespace around it), as JSON.parse accepts. */
export function isJson(s: string): boolean {
  resetSpecial(s.length);
  const i = skipWs(s, 0);
  const end = skipValue(s, i);
  return end >= 0 && skipWs(s, end) === s.length;
}

/**
 * What scanRecords found in a document: `records` holds, per element of the array, [from, to,
 * timeFrom, timeTo, flags] (the element's span; the span of its time member's value, -1 if it has
 * none; flags: 1 the element is not an object, 2 it holds whitespace outside strings).
 */
export type RecordsScan = { records: number[] } | 'not-records' | 'unsure';

/**
 * Scans the JSON document s, an object whose member `key` is an array (CloudTrail's `Records`,
 * Config's `configurationItems`), validating all of it: each element's span and, for objects, the
 * span of the value of their member `timeKey`. `not-records` when s is valid JSON (or does not start
 * with an object) but not such a document; `unsure` when it is not valid JSON or holds something the
 * caller should leave to JSON.parse (`key` twice, or written with escapes).
 */
export function scanRecords(s: string, key: string, timeKey: string): RecordsScan {
  resetSpecial(s.length);
  let i = skipWs(s, 0);
  if (s.charCodeAt(i) !== OPEN_OBJECT) return 'not-records';
  const names = [timeKey];
  const found = new Int32Array(2);
  let records: number[] | null = null;
  let seen = false;
  i = skipWs(s, i + 1);
  if (s.charCodeAt(i) === CLOSE_OBJECT) i++;
  else {
    for (;;) {
      if (s.charCodeAt(i) !== QUOTE) return 'unsure';
      const keyEnd = skipString(s, i);
      if (keyEnd < 0) return 'unsure';
      const isKey = keyIs(s, i, keyEnd, key, sawEscape);
      if (isKey && (seen || sawEscape)) return 'unsure';
      seen ||= isKey;
      i = skipWs(s, keyEnd);
      if (s.charCodeAt(i) !== COLON) return 'unsure';
      i = skipWs(s, i + 1);
      if (isKey && s.charCodeAt(i) === OPEN_ARRAY) {
        records = [];
        i = skipWs(s, i + 1);
        if (s.charCodeAt(i) === CLOSE_ARRAY) i++;
        else {
          for (;;) {
            sawSpace = false;
            const isObject = s.charCodeAt(i) === OPEN_OBJECT;
            const end = isObject ? members(s, i, names, found) : skipValue(s, i);
            if (end < 0) return 'unsure';
            records.push(i, end, isObject ? found[0]! : -1, isObject ? found[1]! : -1, (isObject ? 0 : 1) | (sawSpace ? 2 : 0));
            i = skipWs(s, end);
            const d = s.charCodeAt(i);
            if (d === CLOSE_ARRAY) {
              i++;
              break;
            }
            if (d !== COMMA) return 'unsure';
            i = skipWs(s, i + 1);
          }
        }
      } else {
        i = skipValue(s, i);
        if (i < 0) return 'unsure';
      }
      i = skipWs(s, i);
      const d = s.charCodeAt(i);
      if (d === CLOSE_OBJECT) {
        i++;
        break;
      }
      if (d !== COMMA) return 'unsure';
      i = skipWs(s, i + 1);
    }
  }
  if (skipWs(s, i) !== s.length) return 'unsure';
  return records === null ? 'not-records' : { records };
}

/** The JSON text s[from, to) (valid) without whitespace outside strings. */
export function minify(s: string, from: number, to: number): string {
  resetSpecial(s.length);
  let out = '';
  let kept = from;
  for (let i = from; i < to; ) {
    const c = s.charCodeAt(i);
    if (c === QUOTE) i = skipString(s, i);
    else if (c === 32 || c === 10 || c === 13 || c === 9) {
      out += s.slice(kept, i);
      i = skipWs(s, i);
      kept = i;
    } else i++;
  }
  return out + s.slice(kept, to);
}
