/**
 * Functions for `stats` (AWS's "Functions to use with stats": the aggregation functions and the
 * "non-aggregation" ones, earliest/latest/sortsFirst/sortsLast, which also reduce a group to one
 * value and so are aggregates here). Events without the field are skipped by all of them.
 *
 * Choices where AWS is not specific:
 * - count_distinct is exact (AWS may approximate at high cardinality; an exact count is within that).
 * - pct(x, p) is the discrete percentile: the smallest value with at least p% of the values at or
 *   below it (DuckDB's quantile_disc), so it is always a value of the field.
 * - stddev is the sample standard deviation (n - 1); it is null for a single value.
 * - min, max, sortsFirst and sortsLast order numbers numerically, strings as text, timestamps in time;
 *   a discovered field orders its numeric values numerically and before its other values.
 * - earliest and latest take the value from the event with the smallest or largest @timestamp
 *   (SqlContext.field), among the events that have the field.
 */
import { asNumber } from './coerce.js';
import { eventTimestamp } from './datetime.js';
import { arg, family, literalNumber, num, val } from './define.js';
import type { CompiledArg, SqlValue } from './types.js';

const n = (args: readonly CompiledArg[], i: number): string => asNumber(val(args, i)).sql;

/** `count(*)`, `count()` or `count(field)` (events that have the field). */
export const countSql = (args: readonly CompiledArg[]): SqlValue => num(args.length === 0 ? 'count(*)' : `count(${val(args, 0).sql})`);

/** The value that sorts first (or last) in a group; see the module header for the order. */
function extreme(v: SqlValue, last: boolean): SqlValue {
  if (v.type !== 'dynamic') return { sql: `${last ? 'max' : 'min'}(${v.sql})`, type: v.type };
  const x = v.sql;
  const asNum = `TRY_CAST(${x} AS DOUBLE)`;
  const sql = last
    ? `(CASE WHEN count(${x}) > count(${asNum}) THEN max(${x}) FILTER (WHERE ${asNum} IS NULL) ELSE arg_max(${x}, ${asNum}) END)`
    : `(CASE WHEN count(${asNum}) > 0 THEN arg_min(${x}, ${asNum}) ELSE min(${x}) END)`;
  return { sql, type: 'dynamic' };
}

export const AGGREGATE_FUNCTIONS = family('aggregate', {
  avg: {
    args: ['number'],
    aggregate: true,
    doc: 'avg(field): the mean of the numeric values.',
    compile: (args) => num(`avg(${n(args, 0)})`),
  },
  count: {
    args: ['any'],
    minArgs: 0,
    aggregate: true,
    acceptsStar: true,
    doc: 'count(*) or count(): the number of events; count(field): the number of events that have the field.',
    compile: (args) => countSql(args),
  },
  count_distinct: {
    args: ['any'],
    aggregate: true,
    doc: 'count_distinct(field): the number of distinct values (exact).',
    compile: (args) => num(`count(DISTINCT ${val(args, 0).sql})`),
  },
  max: {
    args: ['any'],
    aggregate: true,
    doc: 'max(field): the largest value.',
    compile: (args) => extreme(val(args, 0), true),
  },
  min: {
    args: ['any'],
    aggregate: true,
    doc: 'min(field): the smallest value.',
    compile: (args) => extreme(val(args, 0), false),
  },
  pct: {
    args: ['any', 'number'],
    aggregate: true,
    doc: 'pct(field, p): the p-th percentile (0-100), a value of the field.',
    compile: (args, ctx) => {
      const p = literalNumber(arg(args, 1), ctx, "pct's percentile");
      if (!(p >= 0 && p <= 100)) return ctx.error(`pct's percentile must be between 0 and 100, not ${p}`, arg(args, 1).expr.span);
      const v = val(args, 0);
      const x = v.type === 'timestamp' ? v : asNumber(v);
      return { sql: `quantile_disc(${x.sql}, ${asNumber(val(args, 1)).sql} / 100)`, type: x.type };
    },
  },
  stddev: {
    args: ['number'],
    aggregate: true,
    doc: 'stddev(field): the sample standard deviation of the numeric values.',
    compile: (args) => num(`stddev_samp(${n(args, 0)})`),
  },
  sum: {
    args: ['number'],
    aggregate: true,
    doc: 'sum(field): the sum of the numeric values.',
    compile: (args) => num(`sum(${n(args, 0)})`),
  },
  earliest: {
    args: ['any'],
    aggregate: true,
    doc: 'earliest(field): the value from the event with the earliest @timestamp.',
    compile: (args, ctx) => {
      const v = val(args, 0);
      return { sql: `arg_min(${v.sql}, ${eventTimestamp(ctx, arg(args, 0), 'earliest').sql})`, type: v.type };
    },
  },
  latest: {
    args: ['any'],
    aggregate: true,
    doc: 'latest(field): the value from the event with the latest @timestamp.',
    compile: (args, ctx) => {
      const v = val(args, 0);
      return { sql: `arg_max(${v.sql}, ${eventTimestamp(ctx, arg(args, 0), 'latest').sql})`, type: v.type };
    },
  },
  sortsFirst: {
    args: ['any'],
    aggregate: true,
    doc: 'sortsFirst(field): the value that sorts first.',
    compile: (args) => extreme(val(args, 0), false),
  },
  sortsLast: {
    args: ['any'],
    aggregate: true,
    doc: 'sortsLast(field): the value that sorts last.',
    compile: (args) => extreme(val(args, 0), true),
  },
});
