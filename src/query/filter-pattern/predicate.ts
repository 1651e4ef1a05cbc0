/** The in-memory back end: decides one message at a time (ingest path, hot data). */
import type { DelimitedExpr, DelimitedField, FilterPattern, JsonExpr, JsonPath, ValueTest } from './ast.js';
import { FIELD_REGEX } from './parse-delimited.js';
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
      return (m) => fields(splitFields(m)) !== null;
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
  // Cheap pre-check: most log lines are not JSON objects, and JSON.parse throwing is slow.
  const c = m.trimStart()[0];
  if (c !== '{') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(m);
  } catch {
    return undefined; // not JSON: the pattern does not match, by definition
  }
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

const MISSING = Symbol('missing');

/** The value `path` reaches in `doc`, or MISSING. */
export function resolve(doc: unknown, path: JsonPath): unknown {
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

export const isMissing = (v: unknown): boolean => v === MISSING;

function compileJson(e: JsonExpr): (doc: unknown) => boolean {
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
      const t = compileTest(e.test);
      const path = e.path;
      return (d) => t(resolve(d, path));
    }
  }
}

/** Wildcard `*` pattern to an anchored regex over the whole string. */
export function wildcardRegex(parts: string[]): RegExp {
  return new RegExp(`^${parts.map((s) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')).join('[^]*')}$`, 'u');
}

function compileTest(t: ValueTest): (v: unknown) => boolean {
  switch (t.kind) {
    case 'string': {
      const eq = t.op === '=';
      if (t.parts.length === 1) {
        const s = t.parts[0]!;
        return (v) => typeof v === 'string' && (v === s) === eq;
      }
      const re = wildcardRegex(t.parts);
      return (v) => typeof v === 'string' && re.test(v) === eq;
    }
    case 'regex': {
      const re = new RegExp(t.regex.pattern, 'u');
      const eq = t.op === '=';
      return (v) => typeof v === 'string' && re.test(v) === eq;
    }
    case 'number': {
      const n = Number(t.text);
      const cmp = COMPARE[t.op];
      return (v) => typeof v === 'number' && cmp(v, n);
    }
    case 'is':
      return (v) => v === t.value;
    case 'not-exists':
      return (v) => v === MISSING;
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

/** A message's fields (see FIELD_REGEX): `[...]` and `"..."` groups lose their brackets or quotes. */
const FIELDS = new RegExp(FIELD_REGEX, 'gu'); // matchAll copies it, so sharing it is safe

export function splitFields(m: string): string[] {
  const out: string[] = [];
  for (const x of m.matchAll(FIELDS)) {
    const f = x[0];
    const grouped = f.length >= 2 && ((f[0] === '[' && f.endsWith(']')) || (f[0] === '"' && f.endsWith('"')));
    out.push(grouped ? f.slice(1, -1) : f);
  }
  return out;
}

/**
 * Matches fields against the pattern's positions; returns the named fields' values (for extraction)
 * or null. Without `...` the counts must be equal; with it, the fields before it match the first
 * fields of the message and those after it the last ones.
 */
export function compileFields(pattern: DelimitedField[]): (fs: string[]) => Map<string, string> | null {
  const e = pattern.findIndex((f) => f.kind === 'ellipsis');
  const before = e < 0 ? pattern : pattern.slice(0, e);
  const after = e < 0 ? [] : pattern.slice(e + 1);
  const tests = [...before, ...after].map((f) => (f.kind === 'field' && f.test ? compileFieldExpr(f.test) : () => true));
  const names = [...before, ...after].map((f) => (f.kind === 'field' ? f.name : ''));
  const want = before.length + after.length;
  return (fs) => {
    if (e < 0 ? fs.length !== want : fs.length < want) return null;
    const got = new Map<string, string>();
    for (let k = 0; k < want; k++) {
      const v = k < before.length ? fs[k]! : fs[fs.length - want + k]!;
      if (!tests[k]!(v)) return null;
      got.set(names[k]!, v);
    }
    return got;
  };
}

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
