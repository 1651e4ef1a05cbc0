import { ApiError, MESSAGES } from '../errors.js';
import type { Action } from './context.js';
import { groupByName } from './common.js';

export const createLogStream: Action<'CreateLogStream'> = async (ctx, input) => {
  await ctx.store.withWriteLock(async () => {
    const g = groupByName(ctx, input.logGroupName);
    if (g.streams.has(input.logStreamName)) throw new ApiError('ResourceAlreadyExistsException', MESSAGES.streamExists);
    await ctx.store.catalog.createStream(g, input.logStreamName, ctx.clock.now());
  });
  return {};
};
