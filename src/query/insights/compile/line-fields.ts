/**
 * Fields of log groups with a known line format (VPC flow logs, load balancer and S3 access logs,
 * CloudFront, Route 53 DNS queries, syslog, combined access logs): a name the group's format defines
 * resolves to an extraction over @message with the very pattern the format's JavaScript parser uses
 * (src/formats, LineExtraction), instead of a JSON path. The group records its format in its tag
 * `logward:format` (docs/formats.md).
 *
 * Over several groups, each group extracts with its own format: `CASE __g WHEN <id> THEN ... END`;
 * groups without a format that defines the name fall back to the JSON field of that name, and
 * groups whose format lacks it give no value.
 */
import type { LineExtraction } from '../../../formats/index.js';
import type { CompileState } from './state.js';

/** The format of each selected group (null: no line format; its fields are discovered in JSON). */
export interface GroupLineFormat {
  groupId: number;
  extraction: LineExtraction | null;
}

function extract(state: CompileState, ex: LineExtraction, index: number): string {
  // regexp_extract wants a constant pattern: a session variable, one per distinct pattern.
  let v = state.lineVariables.get(ex.pattern);
  if (v === undefined) {
    v = state.variable(ex.pattern);
    state.lineVariables.set(ex.pattern, v);
  }
  // DuckDB numbers groups only up to 9 in regexp_extract(s, p, k); the list form names them all.
  const names = ex.fields.map((_, k) => `'g${k + 1}'`).join(', ');
  return `nullif(struct_extract(regexp_extract(__msg, ${v}, [${names}]), 'g${index + 1}'), '')`;
}

/** Whether `name` is a field of some selected group's line format. */
export function isLineField(state: CompileState, name: string): boolean {
  return state.lineFormats.some((g) => g.extraction?.fields.includes(name));
}

/** SQL for the line-format field `name`, or null when no selected group's format defines it. */
export function lineFieldSql(state: CompileState, name: string, jsonFallback: () => string): string | null {
  const groups = state.lineFormats;
  const hits = groups.filter((g) => g.extraction?.fields.includes(name));
  if (hits.length === 0) return null;
  const first = hits[0]!.extraction!;
  if (hits.length === groups.length && hits.every((g) => g.extraction!.pattern === first.pattern)) {
    return extract(state, first, first.fields.indexOf(name));
  }
  const whens = hits.map((g) => `WHEN ${Math.trunc(g.groupId)} THEN ${extract(state, g.extraction!, g.extraction!.fields.indexOf(name))}`);
  const orElse = groups.some((g) => g.extraction === null) ? jsonFallback() : 'NULL';
  return `(CASE __g ${whens.join(' ')} ELSE ${orElse} END)`;
}
