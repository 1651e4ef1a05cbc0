/**
 * GetQueryResults: the status of a query, its partial statistics while it runs, and its rows once it is
 * Complete, at most 10,000 a page (maxItems), the rest through nextToken. encryptionKey is never set:
 * Logward keeps results in memory, unencrypted (see the query manager for how long).
 */
import { ApiError, MESSAGES } from '../errors.js';
import { decodeToken, encodeToken } from '../tokens.js';
import type { Action } from './context.js';

/** "The maximum events returned in a single GetQueryResults API call is 10,000." */
export const MAX_RESULTS_PAGE = 10_000;

type Position = [string, number];
const isPosition = (v: unknown): v is Position =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && Number.isSafeInteger(v[1]) && (v[1] as number) >= 0;

export const getQueryResults: Action<'GetQueryResults'> = async (ctx, input) => {
  const q = ctx.insights.queries.get(input.queryId);
  if (q === undefined) throw new ApiError('ResourceNotFoundException', MESSAGES.queryNotFound);
  let from = 0;
  if (input.nextToken !== undefined) {
    const [id, offset] = decodeToken('GetQueryResults', input.nextToken, isPosition);
    if (id !== q.queryId) throw new ApiError('InvalidParameterException', MESSAGES.invalidNextToken);
    from = offset;
  }
  // maxItems 0 (the model allows it) is read as "the default", so that paging always moves on.
  const size = input.maxItems === undefined || input.maxItems === 0 ? MAX_RESULTS_PAGE : input.maxItems;
  const results = q.rows.slice(from, from + size);
  const next = from + results.length;
  return {
    queryLanguage: 'CWLI',
    results,
    statistics: { recordsMatched: q.statistics.recordsMatched, recordsScanned: q.statistics.recordsScanned, bytesScanned: q.statistics.bytesScanned },
    status: q.status,
    ...(next < q.rows.length ? { nextToken: encodeToken('GetQueryResults', [q.queryId, next]) } : {}),
  };
};
