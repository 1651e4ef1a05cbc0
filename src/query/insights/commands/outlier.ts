/**
 * `outlier [action=remove|transform] [param=n] [uselower=true|false] [mark=true|false] f1 f2 ...`
 * (CWL_QuerySyntax-Outlier): for each field, over the rows that reach the command, Q1 and Q3 (the 25th
 * and 75th percentiles) and the fences Q1 - param × IQR and Q3 + param × IQR (IQR = Q3 - Q1; param 2.5
 * by default). A value above the upper fence (or, with uselower=true, below the lower one) is an
 * outlier. `action=transform` (the default) clamps it to the fence it crossed; `action=remove` drops
 * each row with an outlier in any of the fields.
 *
 * What AWS leaves unsaid, chosen as Splunk's `outlier` (whose options these are) does it: percentiles
 * interpolate linearly between values (quantile_cont, Splunk's and numpy's default); a value that does
 * not read as a number, or a missing one, is never an outlier and does not count in the percentiles;
 * the comparisons are strict (a value on a fence stays). `mark=true` adds the boolean field `isOutlier`
 * to every row: whether one of its values was an outlier (so, with action=remove, false on every row
 * left). A transformed value is a number, printed as Logs Insights prints numbers.
 */
import type { OutlierCommand } from '../ast.js';
import { compileField } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asNumber, asString } from '../functions/coerce.js';
import type { SqlValue } from '../functions/types.js';

export const OUTLIER_DEFAULT_PARAM = 2.5;
/** The field mark=true adds (AWS names none). */
export const OUTLIER_MARK_FIELD = 'isOutlier';

export function compileOutlier(state: CompileState, cmd: OutlierCommand): void {
  const param = cmd.param?.value ?? OUTLIER_DEFAULT_PARAM;
  const lower = cmd.uselower ?? false;
  const fields = [...new Map(cmd.fields.map((f) => [f.name, f])).values()].map((ref) => {
    const value = compileField(state, ref);
    return { name: ref.name, value, num: asNumber(value).sql, q1: state.hidden('q'), q3: state.hidden('q') };
  });
  // Quartiles of each field over all the rows here (a window over the whole relation).
  state.addStage(['*', ...fields.flatMap((f) => [`quantile_cont(${f.num}, 0.25) OVER () AS ${f.q1}`, `quantile_cont(${f.num}, 0.75) OVER () AS ${f.q3}`])].join(', '));
  const p = state.param(param);
  const fence = (f: (typeof fields)[number], side: 'lo' | 'hi'): string =>
    side === 'hi' ? `(${f.q3} + ${p} * (${f.q3} - ${f.q1}))` : `(${f.q1} - ${p} * (${f.q3} - ${f.q1}))`;
  const above = (f: (typeof fields)[number]): string => `${f.num} > ${fence(f, 'hi')}`;
  const below = (f: (typeof fields)[number]): string => `${f.num} < ${fence(f, 'lo')}`;
  const isOutlier = (f: (typeof fields)[number]): string => (lower ? `(${above(f)} OR ${below(f)})` : `(${above(f)})`);
  const any = `coalesce(${fields.map(isOutlier).join(' OR ')}, false)`;
  const mark: Array<[string, SqlValue]> = cmd.mark === true ? [[OUTLIER_MARK_FIELD, { sql: any, type: 'boolean' }]] : [];

  state.prunable = false; // a later filter would change the quartiles
  if ((cmd.action ?? 'transform') === 'remove') {
    state.define(mark); // before the rows go: false on every row left
    state.addStage('*', `WHERE NOT ${any}`);
    if (state.eventRows) state.filtered = true;
  } else {
    const clamped = fields.map((f): [string, SqlValue] => {
      const hi: SqlValue = { sql: fence(f, 'hi'), type: 'number' };
      const lo: SqlValue = { sql: fence(f, 'lo'), type: 'number' };
      const asType = (v: SqlValue): string => (f.value.type === 'number' ? v.sql : asString(v).sql);
      const orig = f.value.type === 'number' ? f.value.sql : asString(f.value).sql;
      const sql = `CASE WHEN ${above(f)} THEN ${asType(hi)}${lower ? ` WHEN ${below(f)} THEN ${asType(lo)}` : ''} ELSE ${orig} END`;
      return [f.name, { sql, type: f.value.type === 'number' ? 'number' : f.value.type === 'dynamic' ? 'dynamic' : 'string' }];
    });
    state.define([...mark, ...clamped]);
  }
  if (cmd.mark === true) {
    state.show(OUTLIER_MARK_FIELD);
    if (state.display !== null && !state.display.includes(OUTLIER_MARK_FIELD)) state.display.push(OUTLIER_MARK_FIELD);
  }
}
