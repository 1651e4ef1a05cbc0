/**
 * Time-series functions for `stats` (AWS's "Time-series functions" page), usually grouped
 * `by bin(...)`. AWS describes rather than defines them; what they compute here:
 * - count_over_time and sum_over_time: count and sum within the group (AWS's page spells them
 *   countOverTime and sumOverTime in some of its versions, count_over_time and sum_over_time in
 *   others: both spellings are the same functions);
 * - rate(field, interval): the change of the field from the group's earliest to its latest event
 *   (by @timestamp), per interval: (last - first) / (t_last - t_first) * interval; 0 for a constant
 *   field, null with fewer than two distinct times;
 * - histogram(field, buckets): the group's numeric values in `buckets` equal-width ranges from their
 *   minimum to their maximum, as a map (JSON text) from "[lo,hi)" to a count, the last range closed.
 */
import { asNumber, asString, periodMonths } from './coerce.js';
import { eventTimestamp } from './datetime.js';
import { countSql } from './aggregate.js';
import { arg, dyn, family, literalNumber, literalPeriod, num, val, type FunctionSpec } from './define.js';

const MAX_BUCKETS = 1000;

const countOverTime: Omit<FunctionSpec, 'doc'> = {
  args: ['any'],
  minArgs: 0,
  aggregate: true,
  acceptsStar: true,
  compile: (args) => countSql(args),
};

const sumOverTime: Omit<FunctionSpec, 'doc'> = {
  args: ['number'],
  aggregate: true,
  compile: (args) => num(`sum(${asNumber(val(args, 0)).sql})`),
};

export const TIMESERIES_FUNCTIONS = family('timeseries', {
  count_over_time: { ...countOverTime, doc: 'count_over_time(field) or count_over_time(*): the number of events (that have the field) in each time bin.' },
  countOverTime: { ...countOverTime, doc: 'countOverTime(field) or countOverTime(*): count_over_time as spelled in some versions of AWS\'s page.' },
  sum_over_time: { ...sumOverTime, doc: 'sum_over_time(field): the sum of the numeric values in each time bin.' },
  sumOverTime: { ...sumOverTime, doc: 'sumOverTime(field): sum_over_time as spelled in some versions of AWS\'s page.' },
  rate: {
    args: ['number', 'period'],
    aggregate: true,
    doc: 'rate(field, interval): the change of the field per interval, from the earliest to the latest event of the group.',
    compile: (args, ctx) => {
      const p = literalPeriod(arg(args, 1), ctx);
      if (periodMonths(p) !== null) return ctx.error(`rate's interval must have a fixed length (ms to weeks), not '${p.text}'`, p.span);
      const x = asNumber(val(args, 0)).sql;
      const t = `epoch_ms(${eventTimestamp(ctx, arg(args, 0), 'rate').sql})`;
      const has = `FILTER (WHERE ${x} IS NOT NULL)`;
      const interval = `CAST(${val(args, 1).sql} AS BIGINT)`;
      return num(`((arg_max(${x}, ${t}) - arg_min(${x}, ${t})) / nullif(max(${t}) ${has} - min(${t}) ${has}, 0) * ${interval})`);
    },
  },
  histogram: {
    args: ['number', 'number'],
    aggregate: true,
    doc: 'histogram(field, buckets): how many values fall in each of `buckets` equal-width ranges between the minimum and the maximum.',
    compile: (args, ctx) => {
      const k = literalNumber(arg(args, 1), ctx, "histogram's number of buckets");
      if (!(Number.isInteger(k) && k >= 1 && k <= MAX_BUCKETS)) {
        return ctx.error(`histogram's number of buckets must be a whole number from 1 to ${MAX_BUCKETS}, not ${k}`, arg(args, 1).expr.span);
      }
      const x = `CAST(${asNumber(val(args, 0)).sql} AS DOUBLE)`;
      const kp = `CAST(${asNumber(val(args, 1)).sql} AS INTEGER)`;
      const lo = `min(${x})`;
      const hi = `max(${x})`;
      // All values equal: one range, [v,v].
      const nb = `(CASE WHEN ${hi} = ${lo} THEN 1 ELSE ${kp} END)`;
      const width = `((${hi} - ${lo}) / ${nb})`;
      const index = (v: string): string => `(CASE WHEN ${hi} = ${lo} THEN 0 ELSE least(CAST(floor((${v} - ${lo}) / ${width}) AS INTEGER), ${nb} - 1) END)`;
      const values = `list(${x}) FILTER (WHERE ${x} IS NOT NULL)`;
      const counts = `list_transform(range(${nb}), lambda i: len(list_filter(${values}, lambda v: ${index('v')} = i)))`;
      const bound = (i: string): string => asString(num(`(${lo} + ${i} * ${width})`)).sql;
      const keys = `list_transform(range(${nb}), lambda i: '[' || ${bound('i')} || ',' || ${bound('(i + 1)')} || CASE WHEN i = ${nb} - 1 THEN ']' ELSE ')' END)`;
      return dyn(`(CASE WHEN count(${x}) > 0 THEN CAST(to_json(map(${keys}, ${counts})) AS VARCHAR) END)`);
    },
  },
});
