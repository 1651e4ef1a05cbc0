/**
 * GetMetricData: MetricStat queries and metric math expressions over a time range; results of the
 * queries with ReturnData (default true), newest first unless ScanBy is TimestampAscending, in pages of
 * at most MaxDatapoints (default 100,800) datapoints in all. A result cut by a page is marked PartialData
 * and the page has a NextToken: the next page starts with the rest of that result (after the last
 * timestamp returned, so datapoints arriving meanwhile do not shift it), then the results after it. As
 * AWS documents, no NextToken is returned when a returned query is a math expression: results are cut.
 * A token belongs to the request it came from (same queries, times and order).
 */
import { createHash } from 'node:crypto';
import { QueryError, runQueries } from '../../metrics/metric-data.js';
import { decodeToken, encodeToken } from '../tokens.js';
import type { MetricDataResult } from '../model/generated/monitoring-types.js';
import { ApiError } from '../errors.js';
import type { MonitoringAction } from './context.js';
import { validationError } from './errors.js';

/** Where the next page starts: the index among returned results, the last timestamp returned of it, the request. */
interface Position {
  r: number;
  t: number | null;
  h: string;
}
const isPosition = (v: unknown): v is Position => {
  const p = v as Position;
  return typeof v === 'object' && v !== null && Number.isSafeInteger(p.r) && p.r >= 0 && (p.t === null || typeof p.t === 'number') && typeof p.h === 'string';
};

export const getMetricData: MonitoringAction<'GetMetricData'> = async (ctx, input) => {
  const request = createHash('sha256')
    .update(JSON.stringify([input.MetricDataQueries, input.StartTime, input.EndTime, input.ScanBy ?? null]))
    .digest('base64url')
    .slice(0, 16);
  let from: Position | undefined;
  if (input.NextToken !== undefined) {
    try {
      from = decodeToken('GetMetricData', input.NextToken, isPosition);
    } catch (e) {
      throw new ApiError('InvalidNextToken', 'The specified nextToken is invalid.', { cause: e });
    }
    if (from.h !== request) throw new ApiError('InvalidNextToken', 'The specified nextToken is invalid.');
  }
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
  const pageable = !input.MetricDataQueries.some((q) => q.Expression !== undefined && q.ReturnData !== false);
  const returned = results.filter((r) => r.returnData);
  const out: MetricDataResult[] = [];
  let next: Position | undefined;
  for (let i = from?.r ?? 0; i < returned.length; i++) {
    const r = returned[i]!;
    let ts = [...r.series.keys()].sort((a, b) => (ascending ? a - b : b - a));
    const after = i === from?.r ? from.t : null;
    if (after !== null) ts = ts.filter((t) => (ascending ? t > after : t < after));
    if (pageable && budget <= 0 && ts.length > 0) {
      next = { r: i, t: after, h: request };
      break;
    }
    const kept = ts.slice(0, Math.max(0, budget));
    budget -= kept.length;
    out.push({
      Id: r.id,
      Label: r.label,
      Timestamps: kept,
      Values: kept.map((t) => r.series.get(t)!),
      StatusCode: kept.length < ts.length ? 'PartialData' : 'Complete',
    });
    if (pageable && kept.length < ts.length) {
      next = { r: i, t: kept.at(-1) ?? after, h: request };
      break;
    }
  }
  return { MetricDataResults: out, Messages: [], ...(next !== undefined ? { NextToken: encodeToken('GetMetricData', next) } : {}) };
};
