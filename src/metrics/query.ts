/** A MetricStat (one series, one statistic, one period) over a time range, as datapoints. */
import type { MetricStore, Dimensions } from './metric-store.js';
import { parseStat, statValue, type Stat } from './statistics.js';

export interface MetricStatQuery {
  namespace: string;
  metricName: string;
  dimensions: Dimensions;
  period: number;
  stat: Stat;
  unit?: string;
}

export interface Datapoint {
  /** Epoch seconds of the period's start. */
  ts: number;
  value: number;
  sampleCount: number;
}

/** Datapoints in [fromSec, toSec), oldest first; periods without data (or without the statistic) are absent. */
export async function queryStat(store: MetricStore, q: MetricStatQuery, fromSec: number, toSec: number): Promise<Datapoint[]> {
  await store.settle(); // a series a metric filter is about to create is found
  const series = store.find(q.namespace, q.metricName, q.dimensions);
  if (!series) return [];
  const rows = await store.periods(series, fromSec, toSec, q.period, { ...(q.unit !== undefined ? { unit: q.unit } : {}), sketches: q.stat.kind === 'percentile' });
  const out: Datapoint[] = [];
  for (const r of rows) {
    const v = statValue(r, q.stat);
    if (v !== undefined) out.push({ ts: r.bucket, value: v, sampleCount: r.n });
  }
  return out;
}

export { parseStat };
