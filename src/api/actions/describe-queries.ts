/**
 * DescribeQueries: the queries that are scheduled, running or kept after they ended, newest first,
 * with the members AWS was recorded answering (test_logs_queries: createTime, logGroupName, queryId,
 * queryLanguage, queryString, status).
 */
import type { QueryInfo } from '../model/generated/logs-types.js';
import { decodeToken, encodeToken } from '../tokens.js';
import type { Action } from './context.js';
import { groupByName } from './common.js';

type Position = [number, string];
const isPosition = (v: unknown): v is Position => Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string';

export const describeQueries: Action<'DescribeQueries'> = async (ctx, input) => {
  if (input.logGroupName !== undefined) groupByName(ctx, input.logGroupName);
  // Every query is Logs Insights QL: asking for another language finds none.
  const language = input.queryLanguage ?? 'CWLI';
  const limit = input.maxResults ?? 1000;
  const after = input.nextToken === undefined ? undefined : decodeToken('DescribeQueries', input.nextToken, isPosition);
  let all = ctx.insights.queries
    .list()
    .filter(
      (q) =>
        language === 'CWLI' &&
        (input.logGroupName === undefined || q.logGroupNames.includes(input.logGroupName)) &&
        (input.status === undefined || q.status === input.status),
    );
  if (after !== undefined) {
    // Newest first: the page goes on after the query the last one ended with, or, if that one has
    // been dropped meanwhile, with the queries created before it.
    const [ms, id] = after;
    const at = all.findIndex((q) => q.queryId === id);
    all = at >= 0 ? all.slice(at + 1) : all.filter((q) => q.createdMs < ms);
  }
  const page = all.slice(0, limit);
  const queries: QueryInfo[] = page.map((q) => ({
    queryLanguage: 'CWLI',
    queryId: q.queryId,
    queryString: q.queryString,
    status: q.status,
    createTime: q.createdMs,
    ...(q.logGroupNames.length > 0 ? { logGroupName: q.logGroupNames[0] } : {}),
  }));
  const last = page.at(-1);
  return { queries, ...(all.length > limit && last ? { nextToken: encodeToken('DescribeQueries', [last.createdMs, last.queryId]) } : {}) };
};
