/** ListMetrics: the series, filtered by namespace, metric name and dimensions, 500 a page. */
import type { Metric } from '../model/generated/monitoring-types.js';
import { decodeToken, encodeToken } from '../tokens.js';
import { ApiError } from '../errors.js';
import type { MonitoringAction } from './context.js';

const PAGE = 500;
const isOffset = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export const listMetrics: MonitoringAction<'ListMetrics'> = async (ctx, input) => {
  let offset = 0;
  if (input.NextToken !== undefined) {
    try {
      offset = decodeToken('ListMetrics', input.NextToken, isOffset);
    } catch (e) {
      throw new ApiError('InvalidNextToken', 'The specified nextToken is invalid.', { cause: e });
    }
  }
  await ctx.metrics.settle();
  const recentSec = input.RecentlyActive === 'PT3H' ? Math.floor(ctx.clock.now() / 1000) - 3 * 3600 : -Infinity;
  const filters = input.Dimensions ?? [];
  const all = [...ctx.metrics.all()]
    .filter(
      (s) =>
        s.persisted &&
        (input.Namespace === undefined || s.namespace === input.Namespace) &&
        (input.MetricName === undefined || s.metricName === input.MetricName) &&
        s.lastTs >= recentSec &&
        filters.every((f) => s.dimensions.some(([n, v]) => n === f.Name && (f.Value === undefined || v === f.Value))),
    )
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const page = all.slice(offset, offset + PAGE);
  const Metrics: Metric[] = page.map((s) => ({
    Namespace: s.namespace,
    MetricName: s.metricName,
    Dimensions: s.dimensions.map(([Name, Value]) => ({ Name, Value })),
  }));
  return { Metrics, ...(offset + PAGE < all.length ? { NextToken: encodeToken('ListMetrics', offset + PAGE) } : {}) };
};
