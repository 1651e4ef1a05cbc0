import { ApiError, MESSAGES } from '../errors.js';
import type { Action } from './context.js';
import { checkTags } from './tags.js';

export const createLogGroup: Action<'CreateLogGroup'> = async (ctx, input) => {
  // "Log group names can't start with the string aws/" (the model's CreateLogGroup documentation).
  if (input.logGroupName.startsWith('aws/')) {
    throw new ApiError('InvalidParameterException', "Log group names can't start with the string aws/");
  }
  const tags = input.tags ?? {};
  checkTags(tags);
  await ctx.store.withWriteLock(async () => {
    if (ctx.store.catalog.groups.has(input.logGroupName)) throw new ApiError('ResourceAlreadyExistsException', MESSAGES.groupExists);
    await ctx.store.catalog.createGroup(input.logGroupName, ctx.clock.now(), tags, input.kmsKeyId ?? null, input.logGroupClass ?? 'STANDARD');
  });
  return {};
};
