/**
 * `lookup <table> <field> [as <log field>], ... OUTPUT <field>, ...` (CWL_QuerySyntax-Lookup): adds the
 * OUTPUT columns of the lookup table's row whose match columns equal the event's fields, compared as
 * text, exactly and case-sensitively; an OUTPUT field the event already has is overwritten.
 *
 * AWS documents neither what an event without a matching row gets nor what several matching rows do.
 * Here: an event without a match keeps going, without the OUTPUT fields (a field of the same name it
 * had is gone too: the command sets those fields, to nothing); several rows with the same match values
 * count as one, the first in the table. So `lookup` never adds or drops events.
 *
 * The SQL is a LEFT JOIN against a temporary table the engine loads with the table's rows through
 * DuckDB's appender (values never enter SQL text); its columns get internal names, so no user name
 * reaches SQL either.
 */
import type { FieldRef, LookupCommand } from '../ast.js';
import { compileField } from '../compile/expr.js';
import type { CompileState, LookupLoad } from '../compile/state.js';
import { quoteIdent } from '../compile/state.js';
import { asString } from '../functions/coerce.js';

/** The lookup table a command names, and a check of its fields (a positioned error for either missing). */
export function resolveLookupTable(state: CompileState, ref: FieldRef): { name: string; table: { fields: readonly string[] }; column: (f: FieldRef) => string } {
  const name = ref.name;
  const table = state.lookupTables?.(name);
  if (table === undefined) state.error(`Lookup table '${name}' does not exist`, ref.span);
  const column = (f: FieldRef): string => {
    if (!table.fields.includes(f.name)) state.error(`Lookup table '${name}' has no field '${f.name}' (its fields: ${table.fields.join(', ')})`, f.span);
    return f.name;
  };
  return { name, table, column };
}

export function compileLookup(state: CompileState, cmd: LookupCommand): void {
  const { name, table, column } = resolveLookupTable(state, cmd.table);
  const keys = cmd.keys.map((k) => column(k.tableField));
  const outputs = cmd.outputs.map(column);
  const n = state.lookups.length + 1;
  const load = { table: `lookup_${n}`, name, keys, outputs };
  state.lookups.push(load);
  // Internal column names (`__lk1_k0`), so that nothing the query or the table names can collide.
  const alias = `__lk${n}`;
  const col = (kind: 'k' | 'v', i: number): string => `${alias}_${kind}${i}`;
  const inner = [...keys.map((_, i) => `${quoteIdent(`f:k${i}`)} AS ${col('k', i)}`), ...outputs.map((_, j) => `${quoteIdent(`f:v${j}`)} AS ${col('v', j)}`)];
  const on = cmd.keys.map((k, i) => {
    const logField = k.logField ?? k.tableField;
    return `${alias}.${col('k', i)} = ${asString(compileField(state, logField)).sql}`;
  });
  state.prunable = false; // a later filter on an OUTPUT field says nothing of the events' text
  // An OUTPUT field named twice takes the last column named so.
  const defs = new Map(outputs.map((o, j) => [o, { sql: `${alias}.${col('v', j)}`, type: 'dynamic' as const }]));
  state.define([...defs], `LEFT JOIN (SELECT ${inner.join(', ')} FROM ${quoteIdent(load.table)}) ${alias} ON ${on.join(' AND ')}`);
  for (const o of defs.keys()) state.show(o);
}

/**
 * The rows to load for `load` from a table's records (header first): its match and OUTPUT columns as
 * `k0...` and `v0...`, the first row of each distinct match; rows with an empty match value are left out
 * (an empty cell is no value, and no value matches nothing), and an empty OUTPUT cell is no value.
 * Null when the table no longer has a column the query names (it was replaced since the query started).
 */
export function lookupRows(records: readonly string[][], load: LookupLoad): Array<Record<string, string | null>> | null {
  const header = records[0] ?? [];
  const keyAt = load.keys.map((k) => header.indexOf(k));
  const outAt = load.outputs.map((o) => header.indexOf(o));
  if (keyAt.includes(-1) || outAt.includes(-1)) return null;
  const seen = new Set<string>();
  const rows: Array<Record<string, string | null>> = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
    const key = keyAt.map((i) => rec[i] ?? '');
    if (key.includes('')) continue;
    const id = JSON.stringify(key);
    if (seen.has(id)) continue;
    seen.add(id);
    const row: Record<string, string | null> = {};
    key.forEach((v, i) => (row[`k${i}`] = v));
    outAt.forEach((i, j) => (row[`v${j}`] = rec[i] || null));
    rows.push(row);
  }
  return rows;
}
