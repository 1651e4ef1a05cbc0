/**
 * A necessary condition of a JSON filter pattern on the event's top-level members, so that a log group's
 * JSON patterns can be indexed and most of them skipped per event without running (filter-eval.ts).
 *
 * A condition other than NOT EXISTS holds only when its selector reaches a value, so only when the
 * object has the selector's first key (`$.requestParameters.bucketName = *` needs a member
 * `requestParameters`); `$.eventName = "X"` or `$.userIdentity.type = "Root"`, a plain string equality
 * (or `$.user.id = 7`, a numeric one) on a selector of keys only, needs the value it selects to be the
 * string "X" (the number 7). `&&` needs what either side needs (the more selective is kept); `||` needs
 * one of what each side needs (`$.eventName = "A" || $.eventName = "B"` needs eventName in {A, B}). A
 * pattern whose guard is
 * null (a NOT EXISTS or wildcard at the top, an `||` with such a side) is tested on every JSON event.
 *
 * Contract: when an object fails a pattern's guard, the pattern does not match it (filter-eval.test.ts
 * checks it against the plain predicate on random patterns and events).
 */
import type { JsonExpr } from '../query/filter-pattern/ast.js';

export type JsonGuard =
  /**
   * The value the keys `path` select is one of `values` (a string or a number; a Map's SameValueZero
   * is the predicate's `===` here, JSON having no NaN). `key` names the path (joined with NUL).
   */
  | { kind: 'equals'; path: string[]; key: string; values: Set<string | number> }
  /** One of `keys` is a member. */
  | { kind: 'has'; keys: Set<string> };

export function jsonGuard(e: JsonExpr): JsonGuard | null {
  switch (e.kind) {
    case 'cond': {
      const k = e.path[0];
      if (typeof k !== 'string' || e.test.kind === 'not-exists') return null;
      const t = e.test;
      const path = e.path.every((x) => typeof x === 'string') ? (e.path as string[]) : null;
      const value = t.kind === 'string' && t.op === '=' && t.parts.length === 1 ? t.parts[0]! : t.kind === 'number' && t.op === '=' ? Number(t.text) : undefined;
      if (path !== null && value !== undefined) return { kind: 'equals', path, key: path.join('\u0000'), values: new Set([value]) };
      return { kind: 'has', keys: new Set([k]) };
    }
    case 'and': {
      const l = jsonGuard(e.left);
      const r = jsonGuard(e.right);
      if (l === null || r === null) return l ?? r;
      if (l.kind !== r.kind) return l.kind === 'equals' ? l : r;
      if (l.kind === 'equals') return l.values.size <= (r as typeof l).values.size ? l : r;
      return l.keys.size <= (r as typeof l).keys.size ? l : r;
    }
    case 'or': {
      const l = jsonGuard(e.left);
      const r = jsonGuard(e.right);
      if (l === null || r === null) return null;
      if (l.kind === 'equals' && r.kind === 'equals' && l.key === r.key) return { kind: 'equals', path: l.path, key: l.key, values: new Set([...l.values, ...r.values]) };
      return { kind: 'has', keys: new Set([...keysOf(l), ...keysOf(r)]) };
    }
  }
}

function keysOf(g: JsonGuard): string[] {
  return g.kind === 'equals' ? [g.path[0]!] : [...g.keys];
}

/**
 * Patterns (by index) indexed by their guards: `candidates(doc, marks, mark, out, n)` appends to `out`
 * every pattern p whose guard the object passes, once (`marks[p] = mark`), with a few member lookups
 * per event whatever the number of patterns. Patterns without a guard are not in the index: the caller
 * tests them on every object.
 */
export class JsonGuardIndex {
  private readonly equals = new Map<string, { path: string[]; byValue: Map<string | number, number[]> }>();
  private readonly has = new Map<string, number[]>();
  private equalsPaths: string[][] = [];
  private equalsMaps: Array<Map<string | number, number[]>> = [];
  private hasKeys: string[] = [];
  private hasLists: number[][] = [];

  add(pattern: number, g: JsonGuard): void {
    if (g.kind === 'equals') {
      let byValue = this.equals.get(g.key)?.byValue;
      if (byValue === undefined) this.equals.set(g.key, { path: g.path, byValue: (byValue = new Map()) });
      for (const v of g.values) {
        const list = byValue.get(v);
        if (list === undefined) byValue.set(v, [pattern]);
        else list.push(pattern);
      }
    } else {
      for (const k of g.keys) {
        const list = this.has.get(k);
        if (list === undefined) this.has.set(k, [pattern]);
        else list.push(pattern);
      }
    }
    this.equalsPaths = [...this.equals.values()].map((e) => e.path);
    this.equalsMaps = [...this.equals.values()].map((e) => e.byValue);
    this.hasKeys = [...this.has.keys()];
    this.hasLists = [...this.has.values()];
  }

  candidates(doc: Record<string, unknown>, marks: Int32Array, mark: number, out: Int32Array, n: number): number {
    const { equalsPaths, equalsMaps, hasKeys, hasLists } = this;
    // A plain read first: most keys are absent, and a read (cached per object shape and key) says so
    // for less than Object.hasOwn. A member is never undefined (JSON has no such value); a defined
    // read is checked to be the object's own (not Object.prototype's `constructor`, say).
    for (let i = 0; i < equalsPaths.length; i++) {
      const v = member(doc, equalsPaths[i]!);
      if (typeof v !== 'string' && typeof v !== 'number') continue;
      const list = equalsMaps[i]!.get(v);
      if (list !== undefined) n = take(list, marks, mark, out, n);
    }
    for (let i = 0; i < hasKeys.length; i++) {
      const k = hasKeys[i]!;
      if (doc[k] !== undefined && Object.hasOwn(doc, k)) n = take(hasLists[i]!, marks, mark, out, n);
    }
    return n;
  }
}

/** The value `path` selects (predicate.ts's resolve, for keys only), or undefined. */
function member(doc: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = doc;
  for (let i = 0; i < path.length; i++) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const k = path[i]!;
    const next = (v as Record<string, unknown>)[k];
    if (next === undefined || !Object.hasOwn(v, k)) return undefined;
    v = next;
  }
  return v;
}

/** Appends the patterns of `list` not marked yet to `out` (from `n` on), marking them. */
function take(list: readonly number[], marks: Int32Array, mark: number, out: Int32Array, n: number): number {
  for (let j = 0; j < list.length; j++) {
    const p = list[j]!;
    if (marks[p] === mark) continue;
    marks[p] = mark;
    out[n++] = p;
  }
  return n;
}
