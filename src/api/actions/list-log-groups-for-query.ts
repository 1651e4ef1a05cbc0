/**
 * ListLogGroupsForQuery: the log groups a query analyzed, as ARNs (`logGroupIdentifiers`), its own and
 * those its nested queries' SOURCE selected; useful when SOURCE logGroups(namePrefix: ...) chose them.
 * Paged by maxResults (50 to 500, the model's bounds; 50 when not given) and an opaque nextToken.
 */
import { ApiError, MESSAGES } from '../errors.js';
import { decodeToken, encodeToken } from '../tokens.js';
import type { Action } from './context.js';
import { groupArn } from './common.js';

const isOffset = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

export const listLogGroupsForQuery: Action<'ListLogGroupsForQuery'> = async (ctx, input) => {
  const q = ctx.insights.queries.get(input.queryId);
  if (q === undefined) throw new ApiError('ResourceNotFoundException', MESSAGES.queryNotFound);
  const limit = input.maxResults ?? 50;
  const from = input.nextToken === undefined ? 0 : decodeToken('ListLogGroupsForQuery', input.nextToken, isOffset);
  const page = q.analyzedGroupNames.slice(from, from + limit);
  const next = from + page.length;
  return {
    logGroupIdentifiers: page.map((name) => groupArn(ctx, name)),
    ...(next < q.analyzedGroupNames.length ? { nextToken: encodeToken('ListLogGroupsForQuery', next) } : {}),
  };
};
