/**
 * `relevantfields [f1, f2, ...] where <condition>` (CWL_QuerySyntax-RelevantFields): "compares the
 * baseline logs against the subset matching your condition, and returns fields ranked by their relevance
 * score", one row per field with @fieldName, @relevanceScore (0 to 1), @topRelevanceContributors for a
 * categorical field, @conditionalMedian and @baselineMedian for a numerical one.
 *
 * AWS does not say how the score is computed. Logward's is the distance between the field's
 * distribution in the rows that meet the condition and in those that do not, on a 0 to 1 scale:
 * - numerical (every value it has reads as a number): the Kolmogorov–Smirnov statistic, the largest
 *   gap between the two cumulative distributions, a missing value counting as above every number (so
 *   a field present on one side only scores too);
 * - categorical: the total variation distance, half the sum over values (and "missing") of the gap
 *   between their shares on the two sides; @topRelevanceContributors lists the three values whose share
 *   moved most, as `value (share with the condition vs share without)`.
 * Without a field list, every field is analyzed: the leaves of each JSON message (`a.b`, `tags.0`) and
 * the fields the query defined, except those the condition names (they would only score themselves).
 * The condition must be met by some rows and not by others, or there is nothing to compare and no row.
 * After it, rows are those fields (like stats), best score first.
 */
import type { Expr, RelevantFieldsCommand } from '../ast.js';
import { compileExpr, compileField, isSystemField } from '../compile/expr.js';
import { fieldColumn, type CompileState } from '../compile/state.js';
import { asBoolean, asString } from '../functions/coerce.js';

export const RELEVANT_FIELDS = ['@fieldName', '@relevanceScore', '@topRelevanceContributors', '@conditionalMedian', '@baselineMedian'] as const;

export function compileRelevantFields(state: CompileState, cmd: RelevantFieldsCommand): void {
  state.prunable = false; // every row counts, those that fail the condition too
  state.markMatched(); // recordsMatched: the events compared, not the fields that come out
  const met = asBoolean(compileExpr(state, cmd.condition)).sql;
  const fields: Array<{ name: string; sql: string }> = [];
  for (const f of cmd.fields) fields.push({ name: f.name, sql: asString(compileField(state, f)).sql });
  if (cmd.fields.length === 0) {
    const named = new Set(fieldsOf(cmd.condition));
    for (const name of state.defined.keys()) if (!named.has(name) && !isSystemField(name)) fields.push({ name, sql: state.defined.get(name)!.column });
  }
  const fromJson = cmd.fields.length === 0 && state.eventFields;
  const [c, n, nc, kv, k, v] = ['c', 'n', 'nc', 'kv', 'k', 'v'].map((p) => state.hidden(`rf${p}`)) as [string, string, string, string, string, string];
  // The condition per row, and the number of rows on each side.
  state.addStage(`*, coalesce(${met}, false) AS ${c}`);
  state.addStage(`*, count(*) OVER () AS ${n}, count(*) FILTER (WHERE ${c}) OVER () AS ${nc}`);
  const counted = state.current;
  // One row per (row, field) with a value: the listed or defined fields, and the JSON leaves.
  let json = '';
  if (fromJson) {
    const leaf = state.hidden('rft');
    // `$.a.b[0]` is the field a.b.0; a key that needs quotes keeps them (a rare name, still readable).
    const key = `regexp_replace(regexp_replace(${leaf}.fullkey, '^\\$\\.?', ''), '\\[(\\d+)\\]', '.\\1', 'g')`;
    const skip = [...new Set([...fieldsOf(cmd.condition), ...fields.map((f) => f.name)])];
    const notNamed = skip.length === 0 ? '' : ` AND ${key} NOT IN (${skip.map((s) => `CAST(${state.param(s)} AS VARCHAR)`).join(', ')})`;
    json =
      ` UNION ALL BY NAME (SELECT ${c}, ${n}, ${nc}, ${key} AS ${k}, json_extract_string(${leaf}.atom, '$') AS ${v} ` +
      `FROM ${counted}, json_tree(CASE WHEN json_valid(__msg) THEN __msg ELSE '{}' END) AS ${leaf} ` +
      `WHERE ${leaf}.type NOT IN ('OBJECT', 'ARRAY')${notNamed})`;
  }
  if (fields.length > 0) {
    const pairs = fields.map((f) => `{k: CAST(${state.param(f.name)} AS VARCHAR), v: CAST(${f.sql} AS VARCHAR)}`).join(', ');
    state.addStage(`${c}, ${n}, ${nc}, unnest([${pairs}]) AS ${kv}`);
    state.addStage(`${c}, ${n}, ${nc}, ${kv}.k AS ${k}, ${kv}.v AS ${v}`, json);
  } else {
    state.addStage(`${c}, ${n}, ${nc}, NULL::VARCHAR AS ${k}, NULL::VARCHAR AS ${v}`, `WHERE false${json}`);
  }
  const pairs = state.current;
  // Per field: whether it is numerical, its medians, the rows that have it on each side.
  const perField =
    `(SELECT ${k}, bool_and(TRY_CAST(${v} AS DOUBLE) IS NOT NULL) AS isnum, ` +
    `median(TRY_CAST(${v} AS DOUBLE)) FILTER (WHERE ${c}) AS cmed, median(TRY_CAST(${v} AS DOUBLE)) FILTER (WHERE NOT ${c}) AS bmed, ` +
    `count(*) FILTER (WHERE ${c}) AS pc, count(*) FILTER (WHERE NOT ${c}) AS pb FROM ${pairs} WHERE ${v} IS NOT NULL GROUP BY ${k}) AS __rf_f`;
  // Per (field, value): its count on each side.
  state.addStage(
    `${k}, ${v}, count(*) FILTER (WHERE ${c}) AS cc, count(*) FILTER (WHERE NOT ${c}) AS cb, any_value(${nc}) AS nc, any_value(${n}) - any_value(${nc}) AS nb`,
    `WHERE ${v} IS NOT NULL GROUP BY ${k}, ${v}`,
  );
  // The shares, their gap, and the gap of the cumulative shares in the order of the numbers.
  state.addStage(
    `*, abs(cc / nc - cb / nb) AS shift, ` +
      `abs(sum(cc) OVER (PARTITION BY ${k} ORDER BY TRY_CAST(${v} AS DOUBLE)) / nc - sum(cb) OVER (PARTITION BY ${k} ORDER BY TRY_CAST(${v} AS DOUBLE)) / nb) AS cgap`,
    'WHERE nc > 0 AND nb > 0',
  );
  const label = `printf('%s (%.1f%% vs %.1f%%)', ${v}, 100 * cc / nc, 100 * cb / nb)`;
  const score =
    `round(CASE WHEN any_value(__rf_f.isnum) THEN max(cgap) ` +
    `ELSE (sum(shift) + abs((any_value(nc) - any_value(__rf_f.pc)) / any_value(nc) - (any_value(nb) - any_value(__rf_f.pb)) / any_value(nb))) / 2 END, 3)`;
  const [fName, fScore, fTop, fCond, fBase] = RELEVANT_FIELDS.map((f) => fieldColumn(f)) as [string, string, string, string, string];
  state.addStage(
    `${k} AS ${fName}, ${score} AS ${fScore}, ` +
      `CASE WHEN NOT any_value(__rf_f.isnum) THEN NULLIF(array_to_string(list(${label} ORDER BY shift DESC, ${v}) FILTER (WHERE shift > 0)[1:3], ', '), '') END AS ${fTop}, ` +
      `CASE WHEN any_value(__rf_f.isnum) THEN any_value(__rf_f.cmed) END AS ${fCond}, CASE WHEN any_value(__rf_f.isnum) THEN any_value(__rf_f.bmed) END AS ${fBase}`,
    `JOIN ${perField} USING (${k}) GROUP BY ${k}`,
  );
  state.defined.clear();
  state.defined.set('@fieldName', { column: fName, type: 'string' });
  state.defined.set('@relevanceScore', { column: fScore, type: 'number' });
  state.defined.set('@topRelevanceContributors', { column: fTop, type: 'string' });
  state.defined.set('@conditionalMedian', { column: fCond, type: 'number' });
  state.defined.set('@baselineMedian', { column: fBase, type: 'number' });
  state.eventFields = false;
  state.eventRows = false;
  state.visible = [...RELEVANT_FIELDS];
  state.sortedByTime = null;
  state.order = [`${fScore} DESC`, `${fName} ASC`];
  state.producer = 'relevantfields';
}

/** The field names an expression reads. */
function fieldsOf(e: Expr): string[] {
  const out: string[] = [];
  const walk = (x: unknown): void => {
    if (x === null || typeof x !== 'object') return;
    const o = x as { kind?: string; name?: string };
    if (o.kind === 'field' && typeof o.name === 'string') out.push(o.name);
    for (const v of Object.values(o)) if (typeof v === 'object') walk(v);
  };
  walk(e);
  return out;
}
