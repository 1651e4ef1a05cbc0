/**
 * Statistics over one period of a series: the five simple ones and percentiles (`p90`, `p99.9`).
 * Percentiles come from the period's merged sketches (within 1% relative, see sketch.ts); a period that
 * holds values published as a statistic set (no distribution) has no percentile, as in AWS.
 */
import type { PeriodRow } from '../store/metric-db.js';
import { decodeSketch, mergeInto, percentile, type Sketch } from './sketch.js';

export const SIMPLE_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
export type SimpleStatistic = (typeof SIMPLE_STATISTICS)[number];

/** `p0`..`p100` with up to 10 decimals, as AWS accepts them. */
const PERCENTILE = /^p(\d{1,2}(\.\d{1,10})?|100(\.0{1,10})?)$/;

export type Stat = { kind: 'simple'; name: SimpleStatistic } | { kind: 'percentile'; name: string; p: number };

export function parseStat(text: string): Stat | undefined {
  if ((SIMPLE_STATISTICS as readonly string[]).includes(text)) return { kind: 'simple', name: text as SimpleStatistic };
  const m = PERCENTILE.exec(text);
  return m ? { kind: 'percentile', name: text, p: Number(text.slice(1)) } : undefined;
}

export function isPercentile(text: string): boolean {
  return PERCENTILE.test(text);
}

export function simpleValue(row: PeriodRow, name: SimpleStatistic): number {
  switch (name) {
    case 'SampleCount':
      return row.n;
    case 'Sum':
      return row.sum;
    case 'Minimum':
      return row.min;
    case 'Maximum':
      return row.max;
    case 'Average':
      return row.n === 0 ? 0 : row.sum / row.n;
  }
}

/** The period's merged sketch, or undefined when some of its values came without a distribution. */
export function periodSketch(row: PeriodRow): Sketch | undefined {
  if (row.complete !== true || row.sketches === undefined) return undefined;
  const s: Sketch = new Map();
  for (const text of row.sketches) mergeInto(s, decodeSketch(text));
  return s;
}

/** The statistic's value for a period, or undefined when it has none (a percentile without a sketch). */
export function statValue(row: PeriodRow, stat: Stat, sketch?: Sketch): number | undefined {
  if (stat.kind === 'simple') return simpleValue(row, stat.name);
  const s = sketch ?? periodSketch(row);
  if (s === undefined) return undefined;
  const v = percentile(s, stat.p, row.min, row.max);
  return Number.isNaN(v) ? undefined : v;
}
