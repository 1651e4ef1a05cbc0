/**
 * Nested queries: the query of a `join`, of `appendcols` and the subquery of `in ( ... )` (AWS:
 * CWL_QuerySyntax-Join, -Appendcols, CWL_QuerySyntax-Subqueries). Each runs on its own, over its SOURCE's log groups (else the outer
 * query's) and the same time range, and its results are materialized into a temporary table before
 * the outer query reads them (AWS: "Results are materialized before being consumed by the outer
 * query"). This module finds them in a query, decides which fields each must provide, and resolves
 * the join aliases of the outer query:
 *
 * - after `join left=api right=lambda`, `api.x` is the row's own field x: the name is rewritten to `x`
 *   unless a command defined `api.x` itself (a projection keeps `api.x` as its shown name, so that
 *   `stats ... by api.x` gives a field `api.x`); `lambda.x` is the joined query's field x, a column the
 *   join defines;
 * - the joined query provides the fields it shows and, while its rows are events, every `lambda.x`
 *   the outer query names;
 * - a subquery provides one field: the only one it shows, else the one compared with it.
 */
import type { Binary, Command, Expr, FieldRef, JoinCommand, Projection, Query, Span, Subquery, ValueType } from '../ast.js';
import { QueryError } from '../ast.js';
import { asNumber, asString } from '../functions/coerce.js';
import type { SqlValue } from '../functions/types.js';
import { autoregressNames } from '../commands/autoregress.js';
import { APPROX_COUNT } from '../commands/count-frequent.js';
import { DEFAULT_SESSION_FIELD } from '../commands/sessionize.js';
import { RELEVANT_FIELDS } from '../commands/relevantfields.js';
import { fieldColumn } from './state.js';

export interface NestedQuery {
  /** The offset where it starts in the query text (the join command, the subquery's `(`): its key. */
  key: number;
  /** Its table: q_sub1, q_sub2, ... in the order they appear. */
  table: string;
  kind: 'join' | 'in' | 'appendcols';
  /** appendcols: at most this many of its rows, in its own order (max=, default 10,000). */
  max?: number;
  query: Query;
  span: Span;
  /** join: the joined query's fields the outer query names (`lambda.duration`), each with its first span. */
  needed: Map<string, Span>;
  /** in: the field compared with the subquery (`requestId in (...)`), when the left side is a field. */
  compared: string | null;
}

/** A nested query's materialized results: a column `"f:<name>"` per field. */
export interface NestedTable {
  table: string;
  fields: Array<{ name: string; type: ValueType }>;
}

const EVENT_DEFAULT = ['@timestamp', '@message', '@logStream', '@log'];
/** AWS: appendcols' max= defaults to 10000. */
export const APPENDCOLS_DEFAULT_MAX = 10_000;

/** The outer query with left aliases resolved (see above), and its nested queries in order. */
export function resolveNested(query: Query): { query: Query; nested: NestedQuery[] } {
  const nested: NestedQuery[] = [];
  const joins: Array<{ cmd: JoinCommand; nq: NestedQuery }> = [];
  /** Names the commands so far define (fields, display, parse, stats): they are read as written. */
  let defined = new Set<string>();
  const add = (kind: NestedQuery['kind'], q: Query, span: Span, compared: string | null): NestedQuery => {
    const nq: NestedQuery = { key: span.start, table: `q_sub${nested.length + 1}`, kind, query: q, span, needed: new Map(), compared };
    nested.push(nq);
    return nq;
  };
  /** A name as the compiler must read it: left aliases stripped, joined fields noted. */
  const resolve = (name: string, span: Span): string => {
    for (let i = joins.length - 1; i >= 0 && !defined.has(name); i--) {
      const { cmd, nq } = joins[i]!;
      if (name.startsWith(`${cmd.left}.`)) name = name.slice(cmd.left.length + 1);
      else if (name.startsWith(`${cmd.right}.`)) {
        const field = name.slice(cmd.right.length + 1);
        if (!nq.needed.has(field)) nq.needed.set(field, span);
        return name;
      }
    }
    return name;
  };
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (o.kind === 'field' && typeof o.name === 'string') {
      const ref = o as unknown as FieldRef;
      const name = resolve(ref.name, ref.span);
      return name === ref.name ? ref : { ...ref, name };
    }
    if (o.kind === 'subquery') {
      const sub = o as unknown as Subquery;
      add('in', sub.query, sub.span, null);
      return sub;
    }
    if (o.kind === 'binary' && (o.right as Expr).kind === 'subquery') {
      const b = o as unknown as Binary;
      const left = walk(b.left) as Expr;
      const sub = b.right as Subquery;
      add('in', sub.query, sub.span, left.kind === 'field' ? left.name : null);
      return { ...b, left };
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) out[k] = walk(x);
    // `fields api.x` still shows `api.x`.
    const expr = o.expr as Expr | undefined;
    if ('alias' in o && o.alias === null && expr?.kind === 'field' && (out.expr as FieldRef).name !== expr.name) out.alias = expr.name;
    return out;
  };
  const commands = query.commands.map((c): Command => {
    if (c.kind === 'appendcols') {
      // Its query is not the outer query's: no alias of an earlier join applies inside it.
      const nq = add('appendcols', c.query, c.span, null);
      nq.max = c.max ?? APPENDCOLS_DEFAULT_MAX;
      return c;
    }
    if (c.kind !== 'join') {
      const out = walk(c) as Command;
      const names = (items: Projection[]): string[] => items.flatMap((p) => p.alias ?? (p.expr.kind === 'field' ? [p.expr.name] : []));
      if (out.kind === 'stats') defined = new Set(names([...out.aggregations, ...out.by]));
      if (out.kind === 'fields' || out.kind === 'display') names(out.items).forEach((n) => defined.add(n));
      if (out.kind === 'parse') out.names.forEach((n) => defined.add(n));
      if (out.kind === 'json') defined.add(out.alias);
      if (out.kind === 'relevantfields') defined = new Set(RELEVANT_FIELDS);
      if (out.kind === 'accum') defined.add(out.alias ?? out.field.name);
      if (out.kind === 'autoregress') autoregressNames(out).forEach((n) => defined.add(n));
      if (out.kind === 'sessionize') defined.add(out.alias ?? DEFAULT_SESSION_FIELD);
      if (out.kind === 'countFrequent') defined = new Set([...out.fields.map((f) => f.name), APPROX_COUNT]);
      if (out.kind === 'pattern' || out.kind === 'diff' || out.kind === 'logcompare') defined = new Set();
      return out;
    }
    const nq = add('join', c.query, c.span, null);
    // The where clause: the left field as the rows so far know it, the right one as the joined query does.
    const on = c.on.map((k) => {
      const own = { ...k.left, name: k.left.name.slice(c.left.length + 1) };
      const right = k.right.name.slice(c.right.length + 1);
      if (!nq.needed.has(right)) nq.needed.set(right, k.right.span);
      return { left: walk(own) as FieldRef, right: k.right };
    });
    joins.push({ cmd: c, nq });
    return { ...c, on };
  });
  return { query: { ...query, commands }, nested };
}

/**
 * The fields a nested query's results hold, given what it shows itself (`explicit`: its last
 * `display`, else its `fields`; null when it shows neither), whether its rows are still events, and
 * the fields it defines. Throws a positioned QueryError when a subquery cannot give one field.
 */
export function nestedOutput(nq: NestedQuery, explicit: string[] | null, events: boolean, defined: string[]): string[] {
  // appendcols: the fields its results would show.
  if (nq.kind === 'appendcols') return explicit ?? (events ? EVENT_DEFAULT : defined);
  if (nq.kind === 'join') {
    const names = [...(explicit ?? (events ? [] : defined))];
    if (events) for (const n of nq.needed.keys()) if (!names.includes(n)) names.push(n);
    return names;
  }
  // AWS: "Only fields explicitly selected in the subquery are available": `... | fields requestId`.
  const last = nq.query.commands.at(-1);
  if ((last?.kind === 'fields' || last?.kind === 'display') && last.items.length === 1) {
    const p = last.items[0]!;
    const name = p.alias ?? (p.expr.kind === 'field' ? p.expr.name : null);
    if (name !== null) return [name];
  }
  const shown = explicit ?? (events ? EVENT_DEFAULT : defined);
  if (shown.length === 1) return shown;
  // A subquery that shows no field of its own, over events, gives the field compared with it.
  if (nq.compared !== null && (shown.includes(nq.compared) || (explicit === null && events))) return [nq.compared];
  throw new QueryError(
    `The subquery shows ${shown.length} fields (${shown.join(', ')}): expected one, such as '| fields ${nq.compared ?? 'requestId'}' at its end`,
    nq.span,
  );
}

/** `x in (subquery)`: SQL of the test against the subquery's one field. */
export function inSubquerySql(left: SqlValue, t: NestedTable, negated: boolean): string {
  const f = t.fields[0]!;
  const col: SqlValue = { sql: fieldColumn(f.name), type: f.type };
  const conv = left.type === 'number' && f.type === 'number' ? asNumber : asString;
  // NULLs left out: `x not in (...)` would otherwise be NULL for every x once the results hold one.
  const m = `${conv(left).sql} IN (SELECT ${conv(col).sql} FROM ${t.table} WHERE ${col.sql} IS NOT NULL)`;
  return negated ? `(NOT (${m}))` : `(${m})`;
}
