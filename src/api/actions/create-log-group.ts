import { ApiError, MESSAGES } from '../errors.js';
import type { Action } from './context.js';
import { checkTags } from './tags.js';

export const createLogGroup: Action<'CreateLogGroup'> = async (ctx, input) => {
  const tags = input.tags ?? {};
  checkTags(tags);
  await ctx.store.withWriteLock(async () => {
    if (ctx.store.catalog.groups.has(input.logGroupName)) throw new ApiError('ResourceAlreadyExistsException', MESSAGES.groupExists);
    await ctx.store.catalog.createGroup(input.logGroupName, ctx.clock.now(), tags, input.kmsKeyId ?? null, input.logGroupClass ?? 'STANDARD');
  });
  return {};
};
