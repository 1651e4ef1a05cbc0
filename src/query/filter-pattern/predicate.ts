/** The in-memory back end: decides one message at a time (ingest path, hot data). */
import { isMatchAnything, type DelimitedExpr, type DelimitedField, type FilterPattern, type JsonExpr, type JsonPath, type ValueTest } from './ast.js';
import { NUMBER } from './parse-json.js';

export type Predicate = (message: string) => boolean;

export function compilePredicate(p: FilterPattern): Predicate {
  switch (p.kind) {
    case 'terms': {
      const { required, optional, excluded } = p;
      if (required.length === 0 && optional.length === 0 && excluded.length === 0) return () => true;
      return (m) => {
        for (const t of required) if (!m.includes(t)) return false;
        for (const t of excluded) if (m.includes(t)) return false;
        if (optional.length === 0) return true;
        for (const t of optional) if (m.includes(t)) return true;
        return false;
      };
    }
    case 'regex': {
      const re = new RegExp(p.regex.pattern, 'u');
      return (m) => re.test(m);
    }
    case 'delimited': {
      const fields = compileFields(p.fields);
      return (m) => fields(m) !== null;
    }
    case 'json': {
      const test = compileJson(p.expr);
      return (m) => {
        const doc = parseObject(m);
        return doc !== undefined && test(doc);
      };
    }
  }
}

/** The message as a JSON object, or undefined when it is not one (such a message never matches). */
export function parseObject(m: string): Record<string, unknown> | undefined {
  // Metric filters test one event against many JSON patterns in a row: parse it once for all of them.
  // Callers only read the object.
  if (m === lastParsed.message) return lastParsed.doc;
  // Cheap pre-check: most log lines are not JSON objects, and JSON.parse throwing is slow.
  const c = m.trimStart()[0];
  let doc: Record<string, unknown> | undefined;
  if (c === '{') {
    let v: unknown;
    try {
      v = JSON.parse(m);
    } catch {
      v = undefined; // not JSON: the pattern does not match, by definition
    }
    doc = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  }
  lastParsed.message = m;
  lastParsed.doc = doc;
  return doc;
}

/** The memo, updated in place (no object per message). */
const lastParsed: { message: string | undefined; doc: Record<string, unknown> | undefined } = { message: undefined, doc: undefined };

/**
 * The values `path` selects in `doc`, in document order: none or one without a wildcard, any number
 * with one. `.*` selects the fields of an object only and `[*]` the elements of an array only, as
 * DuckDB's JSON paths do.
 */
export function select(doc: unknown, path: JsonPath): unknown[] {
  let vs: unknown[] = [doc];
  for (const k of path) {
    const next: unknown[] = [];
    for (const v of vs) {
      const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
      if (typeof k === 'number') {
        if (Array.isArray(v) && k < v.length) next.push(v[k]);
      } else if (typeof k === 'string') {
        if (isObject && Object.hasOwn(v, k)) next.push((v as Record<string, unknown>)[k]);
      } else if (k.wildcard === 'element') {
        if (Array.isArray(v)) next.push(...(v as unknown[]));
      } else if (isObject) {
        next.push(...Object.values(v as Record<string, unknown>));
      }
    }
    vs = next;
  }
  return vs;
}

export const MISSING = Symbol('missing');

/** The value a selector without wildcards selects, or MISSING. */
export function resolve(doc: unknown, path: Array<string | number>): unknown {
  let v: unknown = doc;
  for (const k of path) {
    if (typeof k === 'number') {
      if (!Array.isArray(v) || k >= v.length) return MISSING;
      v = v[k];
    } else {
      if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.hasOwn(v, k)) return MISSING;
      v = (v as Record<string, unknown>)[k];
    }
  }
  return v;
}

export function compileJson(e: JsonExpr): (doc: unknown) => boolean {
  switch (e.kind) {
    case 'and': {
      const l = compileJson(e.left);
      const r = compileJson(e.right);
      return (d) => l(d) && r(d);
    }
    case 'or': {
      const l = compileJson(e.left);
      const r = compileJson(e.right);
      return (d) => l(d) || r(d);
    }
    case 'cond': {
      const path = e.path;
      // Without a wildcard a selector selects at most one value: no list to build per message.
      const one = path.every((k) => typeof k !== 'object') ? (path as Array<string | number>) : null;
      if (e.test.kind === 'not-exists') return one ? (d) => resolve(d, one) === MISSING : (d) => select(d, path).length === 0;
      const t = compileTest(e.test);
      if (!one) return (d) => select(d, path).some(t);
      if (one.length === 1 && typeof one[0] === 'string') {
        // The most common selector, `$.key`: one read (cached per object shape and key), no loop. A
        // member is never undefined (JSON has no such value); a defined read is checked to be the
        // object's own (not Object.prototype's `constructor`, say).
        const k = one[0];
        return (d) => {
          if (typeof d !== 'object' || d === null || Array.isArray(d)) return false;
          const v = (d as Record<string, unknown>)[k];
          return v !== undefined && Object.hasOwn(d, k) && t(v);
        };
      }
      return (d) => {
        const v = resolve(d, one);
        return v !== MISSING && t(v);
      };
    }
  }
}

/** Wildcard `*` pattern to an anchored regex over the whole string. */
export function wildcardRegex(parts: string[]): RegExp {
  return new RegExp(`^${parts.map((s) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')).join('[^]*')}$`, 'u');
}

/**
 * What wildcardRegex(parts).test(v) says, without a regex: the first part starts `v`, the last ends it,
 * and the others occur in order between them (the leftmost occurrence of each is as good as any). A
 * regex's `[^]*` backtracks over the whole text for each of its parts; metric filters test such
 * patterns on the fields of every event, long ones included. With the regex's `u` flag `[^]*` takes
 * whole code points: a part with a surrogate (which could match half of a pair) keeps the regex.
 */
export function wildcardTest(parts: string[]): (v: string) => boolean {
  if (parts.some((p) => /[\uD800-\uDFFF]/.test(p))) {
    const re = wildcardRegex(parts);
    return (v) => re.test(v);
  }
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  const middle = parts.slice(1, -1).filter((p) => p !== '');
  const outer = first.length + last.length;
  return (v) => {
    if (v.length < outer || !v.startsWith(first) || !v.endsWith(last)) return false;
    let at = first.length;
    const end = v.length - last.length;
    for (let i = 0; i < middle.length; i++) {
      const p = middle[i]!;
      const found = v.indexOf(p, at);
      if (found < 0 || found + p.length > end) return false;
      at = found + p.length;
    }
    return true;
  };
}

export function compileTest(t: Exclude<ValueTest, { kind: 'not-exists' }>): (v: unknown) => boolean {
  switch (t.kind) {
    case 'string': {
      const eq = t.op === '=';
      if (isMatchAnything(t.parts)) return (v) => eq && (typeof v === 'string' || typeof v === 'number');
      if (t.parts.length === 1) {
        const s = t.parts[0]!;
        return (v) => typeof v === 'string' && (v === s) === eq;
      }
      const matches = wildcardTest(t.parts);
      return (v) => typeof v === 'string' && matches(v) === eq;
    }
    case 'regex': {
      const re = new RegExp(t.regex.pattern, 'u');
      const eq = t.op === '=';
      return (v) => typeof v === 'string' && re.test(v) === eq;
    }
    case 'number': {
      return numberTest(t.op, Number(t.text));
    }
    case 'is':
      return (v) => v === t.value;
  }
}

/** `v` is a number and `v op n`: one closure per operator, no call through COMPARE per value. */
function numberTest(op: keyof typeof COMPARE, n: number): (v: unknown) => boolean {
  switch (op) {
    case '=':
      return (v) => typeof v === 'number' && v === n;
    case '!=':
      return (v) => typeof v === 'number' && v !== n;
    case '<':
      return (v) => typeof v === 'number' && v < n;
    case '<=':
      return (v) => typeof v === 'number' && v <= n;
    case '>':
      return (v) => typeof v === 'number' && v > n;
    case '>=':
      return (v) => typeof v === 'number' && v >= n;
  }
}

export const COMPARE: Record<'=' | '!=' | '<' | '<=' | '>' | '>=', (a: number, b: number) => boolean> = {
  '=': (a, b) => a === b,
  '!=': (a, b) => a !== b,
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
};

/** One field of a message (see FIELD_REGEX): its value, and where its text starts and ends. */
export interface Token {
  value: string;
  start: number;
  end: number;
}

/**
 * Where the fields of a message are, as offsets in typed arrays (no object per field): what
 * splitFields finds, for the last message asked about. Metric filters count every event's fields and
 * test a field or two of most of them (a CloudTrail record has a dozen fields, and no access log pattern
 * matches them), so fields are only made into Tokens for a match.
 */
const bounds = {
  message: undefined as string | undefined,
  count: 0,
  start: new Int32Array(64),
  end: new Int32Array(64),
  grouped: new Uint8Array(64),
  /**
   * Field texts sliced for the current message, a new array per message: a long-lived one would be an
   * old-generation object pointing to young strings, which costs a write barrier per field and work in
   * every scavenge.
   */
  texts: new Array<string | undefined>(0),
};

/**
 * The number of fields of a message (see splitFields), and where they are (`bounds`, read by
 * fieldText until the next message).
 *
 * What FIELD_REGEX (`\[[^\]]*\]|"[^"]*"|[^ ]+`, global) finds, without a regex match object per field:
 * spaces separate; a field starting with `[` runs to the next `]` and one starting with `"` to the next
 * `"` when there is one, else, like any other field, to the next space. predicate.test.ts checks it
 * against the regex.
 */
export function fieldCount(m: string): number {
  // Many delimited patterns in a row split the same event once.
  if (m === bounds.message) return bounds.count;
  const n = m.length;
  let count = 0;
  let i = 0;
  while (i < n) {
    const c = m.charCodeAt(i);
    if (c === 0x20) {
      i++;
      continue;
    }
    let end = c === 0x5b ? m.indexOf(']', i + 1) : c === 0x22 ? m.indexOf('"', i + 1) : -1;
    let grouped = 1;
    if (end >= 0) end++;
    else {
      grouped = 0;
      end = m.indexOf(' ', i + 1);
      if (end < 0) end = n;
    }
    if (count === bounds.start.length) grow();
    bounds.start[count] = i;
    bounds.end[count] = end;
    bounds.grouped[count] = grouped;
    count++;
    i = end;
  }
  bounds.message = m;
  bounds.count = count;
  bounds.texts = new Array<string | undefined>(count);
  return count;
}

function grow(): void {
  const size = bounds.start.length * 2;
  const start = new Int32Array(size);
  const end = new Int32Array(size);
  const grouped = new Uint8Array(size);
  start.set(bounds.start);
  end.set(bounds.end);
  grouped.set(bounds.grouped);
  bounds.start = start;
  bounds.end = end;
  bounds.grouped = grouped;
}

/** Field `i` of `m`, which fieldCount(m) was the last call of (a group without its brackets or quotes). */
function fieldText(m: string, i: number): string {
  // Several patterns test and read the same fields of an event: sliced once.
  const known = bounds.texts[i];
  if (known !== undefined) return known;
  const t = bounds.grouped[i] === 1 ? m.slice(bounds.start[i]! + 1, bounds.end[i]! - 1) : m.slice(bounds.start[i]!, bounds.end[i]!);
  bounds.texts[i] = t;
  return t;
}

/** A message's fields: `[...]` and `"..."` groups lose their brackets or quotes (see fieldCount). */
export function splitFields(m: string): readonly Token[] {
  // As parseObject: many delimited patterns in a row split the same event once. Callers only read.
  if (m === lastSplit.message) return lastSplit.tokens;
  const count = fieldCount(m);
  const out: Token[] = new Array(count);
  for (let i = 0; i < count; i++) out[i] = { value: fieldText(m, i), start: bounds.start[i]!, end: bounds.end[i]! };
  lastSplit.message = m;
  lastSplit.tokens = out;
  return out;
}

const lastSplit: { message: string | undefined; tokens: readonly Token[] } = { message: undefined, tokens: [] };

/**
 * What a space-delimited pattern sees of a message: the value at each of its positions (in pattern
 * order, `...` left out) and the message's fields. `covered` is the range of fields `...` stands for.
 */
export interface FieldsMatch {
  values: string[];
  tokens: readonly Token[];
  covered: { from: number; to: number };
}

/**
 * Matches fields against the pattern's positions; returns what extraction needs, or null. With
 * `...`, the fields before it match the first fields of the message and those after it the last ones.
 * Without it, the message needs at least as many fields as the pattern has positions, and the last
 * position takes the rest of the message (its field's value when there is just one field left).
 */
export function compileFields(pattern: DelimitedField[]): (m: string) => FieldsMatch | null {
  const e = pattern.findIndex((f) => f.kind === 'ellipsis');
  const before = e < 0 ? pattern : pattern.slice(0, e);
  const after = e < 0 ? [] : pattern.slice(e + 1);
  const positions = [...before, ...after];
  const want = positions.length;
  // The positions with a test, checked before any value is collected: most messages fail one (metric
  // filters try every event), and then nothing is built for them.
  const tested = positions.flatMap((f, k) => (f.kind === 'field' && f.test ? [{ k, test: compileFieldExpr(f.test) }] : []));
  const n = before.length;
  // The value at position k of a message with `count` fields, for a test (fieldCount(m) was the last
  // call) and for a match (from its tokens).
  const testValue = (m: string, count: number, k: number): string => {
    const at = k < n ? k : count - want + k;
    // Without `...`, the last position takes the rest of the message.
    return e < 0 && k === want - 1 && count > want ? m.slice(bounds.start[at]!, bounds.end[count - 1]!) : fieldText(m, at);
  };
  const value = (m: string, fs: readonly Token[], k: number): string => {
    const at = k < n ? k : fs.length - want + k;
    return e < 0 && k === want - 1 && fs.length > want ? m.slice(fs[at]!.start, fs[fs.length - 1]!.end) : fs[at]!.value;
  };
  return (m) => {
    const count = fieldCount(m);
    if (count < want) return null;
    for (let t = 0; t < tested.length; t++) if (!tested[t]!.test(testValue(m, count, tested[t]!.k))) return null;
    const fs = splitFields(m);
    const values = new Array<string>(want);
    for (let k = 0; k < want; k++) values[k] = value(m, fs, k);
    return { values, tokens: fs, covered: e < 0 ? NOTHING_COVERED : { from: n, to: count - after.length } };
  };
}

/** `covered` without `...` (shared: callers only read it). */
const NOTHING_COVERED: FieldsMatch['covered'] = Object.freeze({ from: 0, to: 0 });

function compileFieldExpr(e: DelimitedExpr): (v: string) => boolean {
  switch (e.kind) {
    case 'and': {
      const l = compileFieldExpr(e.left);
      const r = compileFieldExpr(e.right);
      return (v) => l(v) && r(v);
    }
    case 'or': {
      const l = compileFieldExpr(e.left);
      const r = compileFieldExpr(e.right);
      return (v) => l(v) || r(v);
    }
    case 'test': {
      const t = e.test;
      if (t.kind !== 'number') return compileTest(t);
      // A field is text: a numeric test reads it as a number when it is written as one.
      const n = Number(t.text);
      const cmp = COMPARE[t.op];
      return (v) => NUMBER.test(v) && cmp(Number(v), n);
    }
  }
}
