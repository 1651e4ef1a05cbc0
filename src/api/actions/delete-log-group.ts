import type { Action } from './context.js';
import { groupByName } from './common.js';

export const deleteLogGroup: Action<'DeleteLogGroup'> = async (ctx, input) => {
  await ctx.store.withWriteLock(async () => {
    const g = groupByName(ctx, input.logGroupName);
    await ctx.store.deleteGroup(g); // its metric filters and series go with it (metrics/subsystem.ts)
  });
  // Its subscription filters go with it (the engine drops filters whose group is gone).
  await ctx.subscriptions.sync();
  return {};
};
