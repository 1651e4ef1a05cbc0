/**
 * A JSON object message reduced to what a set of selectors reads: `projector(paths)` gives a function
 * that returns, for a message, an object with the same members as `JSON.parse(message)` along those
 * paths (the values they reach, whole), and without the others; undefined when it is not sure, and then
 * the caller parses the message (parseObject). Metric filters read a few members of each event
 * (`$.eventName`, `$.userIdentity.type`) and JSON.parse builds all of a CloudTrail record's (about 60
 * strings, keys and values, for 1.2 KB).
 *
 * Contract (json-project.test.ts checks it against JSON.parse with fast-check): when the projection
 * returns an object, either the message has a control character (hasControlCharacter) and JSON.parse
 * throws, or JSON.parse returns an object and every path of `paths` selects the same values from both
 * (the same members present, deeply equal values). The check for control characters is the caller's,
 * so that it is made only when the object matters (most events match no pattern; an invalid text and
 * an object no pattern matches have the same outcome).
 *
 * How: one pass over the text, checking all of it with JSON's grammar, but for what is inside strings
 * (strings are found by `indexOf` of the next quote, backslashes looked up once per message and their
 * escapes checked): members no path reads are skipped, those on a path are read, objects on the way to a
 * deeper member are projected in turn, and the value at a path's end is taken whole (JSON.parse of its
 * text when it is an array or object). Only spaces are taken for whitespace, so a control character can
 * only be inside a string, where JSON forbids it. Duplicate keys: the last one wins, as in JSON.parse.
 * Not sure, so left to JSON.parse: whitespace other than spaces, nesting deeper than 64, and paths a
 * projection cannot serve (a wildcard or index at the top, a `__proto__` key, which assignment would not
 * make a member).
 */
import type { JsonPath } from './ast.js';
import { skipNumber } from '../../formats/json-scan.js';

/** What the paths read of a value: all of it, or some members when it is an object (else all of it). */
interface Need {
  /** Keys read, by length then key (so a key in the text is compared with few of them). */
  byLength: Array<Array<{ key: string; need: Need | null; at: number; code: number }> | undefined>;
  /** Keys read, for a key written with escapes. */
  byKey: Map<string, Need | null>;
}

/**
 * The projection of `paths` (JSON selectors, `$.a.b` as `['a', 'b']`), or null when it cannot serve
 * them (the caller parses every message).
 */
export function projector(paths: readonly JsonPath[]): ((message: string) => Record<string, unknown> | undefined) | null {
  // A tree of keys: null where a path ends or reaches an index or wildcard (the value is taken whole).
  type Tree = Map<string, Tree | null>;
  const root: Tree = new Map();
  for (const path of paths) {
    const first = path[0];
    if (typeof first !== 'string') return null;
    let node = root;
    for (let i = 0; i < path.length; i++) {
      const k = path[i]!;
      if (k === '__proto__') return null;
      const whole = i === path.length - 1 || typeof path[i + 1] !== 'string';
      const known = node.get(k as string);
      if (whole || known === null) {
        node.set(k as string, null);
        break;
      }
      if (known === undefined) node.set(k as string, new Map());
      node = node.get(k as string)!;
    }
  }
  const toNeed = (t: Tree): Need => {
    const need: Need = { byLength: [], byKey: new Map() };
    for (const [key, sub] of t) {
      const n = sub === null ? null : toNeed(sub);
      need.byKey.set(key, n);
      // One character compared before the whole key: its first capital (camelCase keys of one length
      // often share a prefix, eventName and eventTime), else its last.
      const capital = key.search(/[A-Z]/);
      const at = capital >= 0 ? capital : Math.max(0, key.length - 1);
      (need.byLength[key.length] ??= []).push({ key, need: n, at, code: key.length === 0 ? -1 : key.charCodeAt(at) });
    }
    return need;
  };
  const need = toNeed(root);
  return (m) => project(m, need);
}

/**
 * Text without a control character, whole: for a 1.2 KB CloudTrail record 0.39 µs a record against 0.71
 * for a search of `[\u0000-\u001f]` (a class repeated from an anchor compiles to one tight loop; a search
 * tries the class at each position in turn).
 */
const NO_CONTROL = /^[^\u0000-\u001f]*$/;

/** Whether a projected message is not JSON after all (see the contract above). */
export function hasControlCharacter(m: string): boolean {
  return !NO_CONTROL.test(m);
}
const MAX_DEPTH = 64;

// The pass's state, module-wide (one pass at a time; no object per message).
let text = '';
/** The next backslash at or after where strings are being read (text.length: none). */
let backslash = -1;
/** Whether the last string read had an escape. */
let escaped = false;
/** The object projectObject built. */
let built: Record<string, unknown> = {};
const stack = new Uint8Array(MAX_DEPTH);

function project(m: string, need: Need): Record<string, unknown> | undefined {
  text = m;
  backslash = -1;
  let i = spaces(0);
  if (m.charCodeAt(i) !== 0x7b) return done(undefined);
  try {
    i = projectObject(i, need, 0);
  } catch {
    // JSON.parse of a value read whole met a control character in a string: not JSON, which the
    // caller's JSON.parse will say.
    return done(undefined);
  }
  if (i < 0 || spaces(i) !== m.length) return done(undefined);
  return done(built);
}

function done<T>(v: T): T {
  text = '';
  built = EMPTY;
  return v;
}

const EMPTY: Record<string, unknown> = {};

function spaces(i: number): number {
  while (text.charCodeAt(i) === 0x20) i++;
  return i;
}

/** At an object's `{`: builds the projection into `built`; returns where the object ends, or -1. */
function projectObject(i: number, need: Need, depth: number): number {
  const o: Record<string, unknown> = {};
  i = spaces(i + 1);
  if (text.charCodeAt(i) === 0x7d) {
    built = o;
    return i + 1;
  }
  for (;;) {
    if (text.charCodeAt(i) !== 0x22) return -1;
    const start = i;
    escaped = false;
    i = stringEnd(i);
    if (i < 0) return -1;
    // The key, when one is read: compared in place, decoded only when written with escapes.
    let key: string | undefined;
    let sub: Need | null = null;
    if (escaped) {
      const k = JSON.parse(text.slice(start, i)) as string;
      const n = need.byKey.get(k);
      if (n !== undefined) {
        key = k;
        sub = n;
      }
    } else {
      const list = need.byLength[i - start - 2];
      if (list !== undefined) {
        for (let j = 0; j < list.length; j++) {
          const e = list[j]!;
          if ((e.code < 0 || text.charCodeAt(start + 1 + e.at) === e.code) && text.startsWith(e.key, start + 1)) {
            key = e.key;
            sub = e.need;
            break;
          }
        }
      }
    }
    i = spaces(i);
    if (text.charCodeAt(i) !== 0x3a) return -1;
    i = spaces(i + 1);
    if (key === undefined) {
      i = skipValue(i, depth);
      if (i < 0) return -1;
    } else if (sub !== null && text.charCodeAt(i) === 0x7b) {
      if (depth + 1 >= MAX_DEPTH) return -1;
      i = projectObject(i, sub, depth + 1);
      if (i < 0) return -1;
      o[key] = built;
    } else {
      const s = i;
      escaped = false;
      i = skipValue(i, depth);
      if (i < 0) return -1;
      o[key] = valueOf(s, i);
    }
    i = spaces(i);
    const c = text.charCodeAt(i);
    if (c === 0x2c) {
      i = spaces(i + 1);
      continue;
    }
    if (c !== 0x7d) return -1;
    built = o;
    return i + 1;
  }
}

/** The value whose text is from `s` to `e` (checked; `escaped` says whether a string had escapes). */
function valueOf(s: number, e: number): unknown {
  switch (text.charCodeAt(s)) {
    case 0x22:
      return escaped ? JSON.parse(text.slice(s, e)) : text.slice(s + 1, e - 1);
    case 0x7b:
    case 0x5b:
      return JSON.parse(text.slice(s, e));
    case 0x74:
      return true;
    case 0x66:
      return false;
    case 0x6e:
      return null;
    default:
      // A number in JSON's grammar: Number reads it as JSON.parse does.
      return Number(text.slice(s, e));
  }
}

/** At a string's quote: where it ends (after the closing quote), or -1; sets `escaped` when it has escapes. */
function stringEnd(i: number): number {
  let j = i + 1;
  for (;;) {
    const q = text.indexOf('"', j);
    if (q < 0) return -1;
    if (backslash < j) {
      backslash = text.indexOf('\\', j);
      if (backslash < 0) backslash = text.length;
    }
    if (backslash > q) return q + 1;
    escaped = true;
    const at = backslash;
    const c = text.charCodeAt(at + 1);
    if (c === 0x75) {
      if (!(hex(at + 2) && hex(at + 3) && hex(at + 4) && hex(at + 5))) return -1;
      j = at + 6;
    } else if (c === 0x22 || c === 0x5c || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) {
      j = at + 2;
    } else return -1;
  }
}

function hex(i: number): boolean {
  const c = text.charCodeAt(i);
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** At a member's key: where its value starts, or -1. */
function memberValue(i: number): number {
  if (text.charCodeAt(i) !== 0x22) return -1;
  i = stringEnd(i);
  if (i < 0) return -1;
  i = spaces(i);
  if (text.charCodeAt(i) !== 0x3a) return -1;
  return spaces(i + 1);
}

/** At a value (inside `depth` containers): checks it and returns where it ends, or -1. */
function skipValue(i: number, depth: number): number {
  const base = depth;
  for (;;) {
    let c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(i);
      if (i < 0) return -1;
    } else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      i = spaces(i + 1);
      if (text.charCodeAt(i) === close) i++;
      else {
        if (depth >= MAX_DEPTH) return -1;
        stack[depth++] = close;
        if (close === 0x7d) {
          i = memberValue(i);
          if (i < 0) return -1;
        }
        continue;
      }
    } else if (c === 0x74) {
      if (!text.startsWith('true', i)) return -1;
      i += 4;
    } else if (c === 0x66) {
      if (!text.startsWith('false', i)) return -1;
      i += 5;
    } else if (c === 0x6e) {
      if (!text.startsWith('null', i)) return -1;
      i += 4;
    } else {
      i = skipNumber(text, i);
      if (i < 0) return -1;
    }
    // After a value: close what ends here, up to the next value.
    for (;;) {
      if (depth === base) return i;
      i = spaces(i);
      c = text.charCodeAt(i);
      const close = stack[depth - 1]!;
      if (c === 0x2c) {
        i = spaces(i + 1);
        if (close === 0x7d) {
          i = memberValue(i);
          if (i < 0) return -1;
        }
        break;
      }
      if (c !== close) return -1;
      depth--;
      i++;
    }
  }
}
