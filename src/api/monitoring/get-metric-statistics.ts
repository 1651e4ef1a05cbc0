/** GetMetricStatistics: one series, per period, the requested statistics and percentiles. */
import { canonicalDimensions } from '../../metrics/metric-store.js';
import { isPercentile, periodSketch, simpleValue, statValue, type SimpleStatistic } from '../../metrics/statistics.js';
import { validPeriod } from '../../metrics/metric-data.js';
import type { Datapoint } from '../model/generated/monitoring-types.js';
import type { MonitoringAction } from './context.js';
import { invalidCombination, invalidValue, missingParameter, mutuallyExclusive } from './errors.js';

export const MAX_DATAPOINTS = 1440;

export const getMetricStatistics: MonitoringAction<'GetMetricStatistics'> = async (ctx, input) => {
  const stats = input.Statistics ?? [];
  const ext = input.ExtendedStatistics ?? [];
  if (stats.length === 0 && ext.length === 0) throw missingParameter('Either the parameter Statistics or ExtendedStatistics is required.');
  if (stats.length > 0 && ext.length > 0) throw mutuallyExclusive('Statistics', 'ExtendedStatistics');
  for (const e of ext) if (!isPercentile(e)) throw invalidValue(`The value ${e} for parameter ExtendedStatistics is not a valid percentile.`);
  const { from, to, period } = range(input.StartTime, input.EndTime, input.Period);
  await ctx.metrics.settle();
  const series = ctx.metrics.find(input.Namespace, input.MetricName, canonicalDimensions(input.Dimensions ?? []));
  const label = input.MetricName;
  if (!series) return { Label: label, Datapoints: [] };
  const rows = await ctx.metrics.periods(series, from, to, period, { ...(input.Unit !== undefined ? { unit: input.Unit } : {}), sketches: ext.length > 0 });
  const Datapoints: Datapoint[] = rows.map((r) => {
    const dp: Datapoint = { Timestamp: r.bucket, Unit: r.unit as Datapoint['Unit'] };
    for (const s of stats) dp[s as SimpleStatistic] = simpleValue(r, s as SimpleStatistic);
    if (ext.length > 0) {
      const sketch = periodSketch(r);
      const values: Record<string, number> = {};
      for (const e of ext) {
        const v = sketch && statValue(r, { kind: 'percentile', name: e, p: Number(e.slice(1)) }, sketch);
        if (v !== undefined) values[e] = v;
      }
      dp.ExtendedStatistics = values;
    }
    return dp;
  });
  return { Label: label, Datapoints };
};

/** Checks and aligns a request's time range (epoch seconds) to its period. */
export function range(start: number, end: number, period: number): { from: number; to: number; period: number } {
  if (!validPeriod(period)) throw invalidValue('The parameter Period must be 1, 5, 10, 30 or a multiple of 60.');
  if (!(start < end)) throw invalidValue('The parameter StartTime must be less than the parameter EndTime.');
  const from = Math.floor(start / period) * period;
  const to = Math.ceil(end / period) * period;
  const n = Math.round((to - from) / period);
  if (n > MAX_DATAPOINTS) {
    throw invalidCombination(
      `You have requested up to ${n.toLocaleString('en-US')} datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
  return { from, to, period };
}
