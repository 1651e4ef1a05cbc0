/**
 * GetMetricData: MetricStat queries and metric math expressions over a time range; results of the
 * queries with ReturnData (default true), newest first unless ScanBy is TimestampAscending. Results
 * come in one page: past MaxDatapoints (default 100,800) in all, each result is cut and marked
 * PartialData, without a NextToken.
 */
import { QueryError, runQueries } from '../../metrics/metric-data.js';
import type { MetricDataResult } from '../model/generated/monitoring-types.js';
import { ApiError } from '../errors.js';
import type { MonitoringAction } from './context.js';
import { validationError } from './errors.js';

export const getMetricData: MonitoringAction<'GetMetricData'> = async (ctx, input) => {
  if (input.NextToken !== undefined) throw new ApiError('InvalidNextToken', 'The specified nextToken is invalid.');
  if (input.MetricDataQueries.length === 0) throw validationError('The parameter MetricDataQueries must contain at least one query.');
  if (input.MetricDataQueries.length > 500) throw validationError('The collection MetricDataQueries must not have a size greater than 500.');
  if (!(input.StartTime < input.EndTime)) throw validationError('The parameter StartTime must be less than the parameter EndTime.');
  if (!input.MetricDataQueries.some((q) => q.ReturnData !== false)) throw validationError('At least one of the queries must have ReturnData set to true.');
  let results;
  try {
    results = await runQueries(ctx.metrics, input.MetricDataQueries, Math.floor(input.StartTime), Math.ceil(input.EndTime));
  } catch (e) {
    if (e instanceof QueryError) throw validationError(e.message);
    throw e;
  }
  let budget = input.MaxDatapoints ?? 100_800;
  const ascending = input.ScanBy === 'TimestampAscending';
  const out: MetricDataResult[] = [];
  for (const r of results) {
    if (!r.returnData) continue;
    const ts = [...r.series.keys()].sort((a, b) => (ascending ? a - b : b - a));
    const kept = ts.slice(0, Math.max(0, budget));
    budget -= kept.length;
    out.push({
      Id: r.id,
      Label: r.label,
      Timestamps: kept,
      Values: kept.map((t) => r.series.get(t)!),
      StatusCode: kept.length < ts.length ? 'PartialData' : 'Complete',
    });
  }
  return { MetricDataResults: out, Messages: [] };
};
