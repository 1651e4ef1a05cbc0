/**
 * `cidrlookup <table> <ipField> [AS <cidrColumn>] OUTPUT|OUTPUTNEW <column> [AS <field>], ...`
 * (CWL_QuerySyntax-Cidrlookup): adds the columns of the lookup table's row whose CIDR range holds the
 * address in `ipField`. `OUTPUT` sets the fields (overwriting); `OUTPUTNEW` only fills those the row
 * does not have.
 *
 * What AWS leaves unsaid, chosen as a network engineer (and Splunk's CIDR lookups) would expect:
 * - without `AS`, the ranges are in the column named `cidr`, else in the table's first column;
 * - when several ranges hold the address, the most specific (longest prefix) wins, then the first in
 *   the table; an address matches only ranges of its own family (IPv4 or IPv6), with the parsing rules
 *   of the IP functions (functions/ip.ts); a range's host bits may be set, and a bare address is a
 *   range of one (/32, /128); a cell that is no range matches nothing;
 * - as with `lookup`, a row without a match keeps going, without the OUTPUT fields (OUTPUTNEW keeps
 *   what it had), and an empty cell is no value.
 *
 * The SQL joins a temporary table the engine loads (the ranges as tagged bit-string prefixes, made in
 * JavaScript here, and the OUTPUT columns), through a correlated subquery that picks the best match.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { CidrLookupCommand, FieldRef } from '../ast.js';
import { compileField } from '../compile/expr.js';
import type { CompileState, LookupLoad } from '../compile/state.js';
import { quoteIdent } from '../compile/state.js';
import { asString } from '../functions/coerce.js';
import type { SqlValue } from '../functions/types.js';
import { resolveLookupTable } from './lookup.js';

export function compileCidrLookup(state: CompileState, cmd: CidrLookupCommand): void {
  const { name, table, column } = resolveLookupTable(state, cmd.table);
  const cidr = cmd.cidrColumn ? column(cmd.cidrColumn) : table.fields.includes('cidr') ? 'cidr' : table.fields[0]!;
  const outputs = cmd.outputs.map((o) => column(o.tableField));
  const n = state.lookups.length + 1;
  const load: LookupLoad = { table: `lookup_${n}`, name, keys: [cidr], outputs, cidr: true };
  state.lookups.push(load);

  // The best row for the address: longest prefix, then first in the table (__row).
  const bits = state.hidden('ip');
  state.addStage(`*, lw_ip_tagged_bits(${asString(compileField(state, cmd.ipField)).sql}) AS ${bits}`);
  const match = state.hidden('cm');
  const struct = outputs.map((_, j) => `'v${j}': r.${quoteIdent(`f:v${j}`)}`).join(', ');
  const best = `(SELECT arg_max({${struct}}, r."f:n" * 100000000 - r.__row) FROM ${quoteIdent(load.table)} r WHERE starts_with(${bits}, r."f:p"))`;
  state.addStage(`*, ${best} AS ${match}`);
  state.prunable = false; // a later filter on an OUTPUT field says nothing of the events' text
  const defs = new Map<string, SqlValue>();
  cmd.outputs.forEach((o, j) => {
    const target = (o.eventField ?? o.tableField).name;
    const found = `${match}.v${j}`;
    let sql = found;
    if (cmd.outputNew) {
      let had: SqlValue | null = null;
      try {
        had = compileField(state, { ...(o.eventField ?? o.tableField) });
      } catch {
        had = null; // after stats, a field stats did not make: nothing to keep
      }
      if (had !== null) sql = `coalesce(${asString(had).sql}, ${found})`;
    }
    defs.set(target, { sql, type: 'dynamic' });
  });
  state.define([...defs]);
  for (const o of defs.keys()) state.show(o);
}

/**
 * The rows to load for a cidrlookup from a table's records (header first): `p` the range as the tagged
 * bits of its prefix, `n` its length, `v0...` the OUTPUT columns; rows whose cell is no range are left
 * out. Null when a column the query names is gone (the table was replaced since the query started).
 */
export function cidrRows(records: readonly string[][], load: LookupLoad): Array<Record<string, string | number | null>> | null {
  const header = records[0] ?? [];
  const at = header.indexOf(load.keys[0]!);
  const outAt = load.outputs.map((o) => header.indexOf(o));
  if (at < 0 || outAt.includes(-1)) return null;
  const rows: Array<Record<string, string | number | null>> = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r]!;
    const range = cidrPrefix(rec[at] ?? '');
    if (range === null) continue;
    const row: Record<string, string | number | null> = { p: range.prefix, n: range.length };
    outAt.forEach((i, j) => (row[`v${j}`] = rec[i] || null));
    rows.push(row);
  }
  return rows;
}

/** `10.0.0.0/8` as '4' and its first 8 bits (lw_ip_tagged_bits' form), with its length; null if it is no range. */
export function cidrPrefix(text: string): { prefix: string; length: number } | null {
  const m = /^([^/]+)(?:\/(0|[1-9][0-9]{0,2}))?$/.exec(text.trim());
  if (!m) return null;
  const bits = ipBits(m[1]!);
  if (bits === null) return null;
  const max = bits.length - 1;
  const length = m[2] === undefined ? max : Number(m[2]);
  if (length > max) return null;
  return { prefix: bits.slice(0, 1 + length), length };
}

/** An address as lw_ip_tagged_bits gives it: '4' and 32 bits, or '6' and 128 bits; null if invalid. */
export function ipBits(addr: string): string | null {
  const octets = (s: string): string | null => {
    if (!isIPv4(s) || s.split('.').some((o) => o.length > 1 && o.startsWith('0'))) return null;
    return s.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  };
  const v4 = octets(addr);
  if (v4 !== null) return `4${v4}`;
  if (!isIPv6(addr) || addr.includes('%')) return null;
  // An IPv4 tail is the last two groups: `::ffff:1.2.3.4` is `::ffff:102:304`.
  const text = addr.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => `${(Number(a) * 256 + Number(b)).toString(16)}:${(Number(c) * 256 + Number(d)).toString(16)}`);
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const [head, tail] = text.includes('::') ? [groups(text.split('::')[0]!), groups(text.split('::')[1]!)] : [groups(text), null];
  const all = tail === null ? head : [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail];
  return `6${all.map((g) => parseInt(g, 16).toString(2).padStart(16, '0')).join('')}`;
}
