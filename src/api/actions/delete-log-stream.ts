import type { Action } from './context.js';
import { groupByName, streamByName } from './common.js';

export const deleteLogStream: Action<'DeleteLogStream'> = async (ctx, input) => {
  await ctx.store.withWriteLock(async () => {
    const g = groupByName(ctx, input.logGroupName);
    await ctx.store.deleteStream(g, streamByName(g, input.logStreamName));
  });
  return {};
};
