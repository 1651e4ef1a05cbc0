/**
 * PutMetricData: up to 1,000 values of custom metrics, each a single Value, a statistic set, or Values
 * with Counts. Every datum is checked before anything is recorded, so a bad request changes nothing.
 */
import { canonicalDimensions } from '../../metrics/metric-store.js';
import type { MetricDatum } from '../model/generated/monitoring-types.js';
import type { MonitoringAction } from './context.js';
import { invalidValue, missingParameter, mutuallyExclusive } from './errors.js';

const TWO_WEEKS_MS = 14 * 86_400_000;
const TWO_HOURS_MS = 2 * 3_600_000;
/** "Values must be in the range of -2^360 to 2^360" (PutMetricData's documentation). */
const MAX_MAGNITUDE = 2 ** 360;
/** Counts beyond 2^53 would lose exactness (and could overflow a sum). */
const MAX_COUNT = Number.MAX_SAFE_INTEGER;

const inRange = (v: number): boolean => Math.abs(v) <= MAX_MAGNITUDE;

export const putMetricData: MonitoringAction<'PutMetricData'> = async (ctx, input) => {
  if (input.Namespace.startsWith('AWS/')) throw invalidValue(`The value ${input.Namespace} for parameter Namespace is invalid.`);
  if (input.MetricData === undefined || input.MetricData.length === 0) {
    throw missingParameter('The parameter MetricData is required.');
  }
  const now = ctx.clock.now();
  input.MetricData.forEach((d, i) => check(d, `MetricData.member.${i + 1}`, now));
  for (const d of input.MetricData) {
    const series = ctx.metrics.seriesFor(input.Namespace, d.MetricName, canonicalDimensions(d.Dimensions ?? []));
    const ts = Math.floor((d.Timestamp === undefined ? now : d.Timestamp * 1000) / 1000);
    const unit = d.Unit ?? 'None';
    if (d.Value !== undefined) ctx.metrics.record(series, ts, unit, d.Value);
    else if (d.StatisticValues !== undefined) {
      const s = d.StatisticValues;
      ctx.metrics.recordStats(series, ts, unit, { n: s.SampleCount, sum: s.Sum, min: s.Minimum, max: s.Maximum });
    } else {
      d.Values!.forEach((v, k) => {
        const c = d.Counts?.[k] ?? 1;
        if (c > 0) ctx.metrics.record(series, ts, unit, v, c);
      });
    }
  }
  return {};
};

function check(d: MetricDatum, at: string, now: number): void {
  if (d.Value !== undefined && d.StatisticValues !== undefined) throw mutuallyExclusive(`${at}.Value`, `${at}.StatisticValues`);
  if (d.Value !== undefined && d.Values !== undefined) throw mutuallyExclusive(`${at}.Value`, `${at}.Values`);
  if (d.StatisticValues !== undefined && d.Values !== undefined) throw mutuallyExclusive(`${at}.StatisticValues`, `${at}.Values`);
  if (d.Value === undefined && d.StatisticValues === undefined && d.Values === undefined) {
    throw missingParameter(`At least one of the parameters ${at}.Value, ${at}.StatisticValues or ${at}.Values must be specified.`);
  }
  if (d.Value !== undefined && !inRange(d.Value)) throw invalidValue(`The value ${d.Value} for parameter ${at}.Value is invalid: values must be in the range of -2^360 to 2^360.`);
  if (d.Values?.some((v) => !inRange(v))) throw invalidValue(`The collection ${at}.Values must contain values in the range of -2^360 to 2^360.`);
  if (d.Counts?.some((c) => c > MAX_COUNT)) throw invalidValue(`The collection ${at}.Counts must contain counts no greater than ${MAX_COUNT}.`);
  if (d.StatisticValues !== undefined && ![d.StatisticValues.Sum, d.StatisticValues.Minimum, d.StatisticValues.Maximum].every(inRange)) {
    throw invalidValue(`The parameter ${at}.StatisticValues must contain values in the range of -2^360 to 2^360.`);
  }
  if (d.StatisticValues !== undefined && d.StatisticValues.SampleCount > MAX_COUNT) throw invalidValue(`The parameter ${at}.StatisticValues.SampleCount must be no greater than ${MAX_COUNT}.`);
  if (d.Counts !== undefined && d.Values === undefined) throw missingParameter(`The parameter ${at}.Values is required when ${at}.Counts is specified.`);
  if (d.Values !== undefined) {
    if (d.Values.length > 150) throw invalidValue(`The collection ${at}.Values must not have a size greater than 150.`);
    if (d.Counts !== undefined && d.Counts.length !== d.Values.length) {
      throw invalidValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
    }
    if (d.Counts?.some((c) => c < 0)) throw invalidValue(`The parameter ${at}.Counts must not contain negative values.`);
  }
  if (d.StatisticValues !== undefined) {
    const s = d.StatisticValues;
    if (!(s.SampleCount > 0)) throw invalidValue(`The parameter ${at}.StatisticValues.SampleCount must be greater than 0.`);
    if (s.Minimum > s.Maximum) throw invalidValue(`The parameter ${at}.StatisticValues.Maximum must be greater than ${at}.StatisticValues.Minimum.`);
  }
  if (d.Timestamp !== undefined) {
    const ms = d.Timestamp * 1000;
    if (ms < now - TWO_WEEKS_MS) throw invalidValue(`The parameter ${at}.Timestamp must specify a time within the past two weeks.`);
    if (ms > now + TWO_HOURS_MS) throw invalidValue(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`);
  }
  if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60) {
    throw invalidValue(`The value ${d.StorageResolution} for parameter ${at}.StorageResolution is invalid: it must be 1 or 60.`);
  }
  const names = new Set<string>();
  for (const dim of d.Dimensions ?? []) {
    if (names.has(dim.Name)) throw invalidValue(`The collection ${at}.Dimensions must not contain duplicate dimension names: ${dim.Name}.`);
    names.add(dim.Name);
  }
}
