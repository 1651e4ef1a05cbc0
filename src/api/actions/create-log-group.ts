import { ApiError, MESSAGES } from '../errors.js';
import type { Action } from './context.js';
import { checkTags } from './tags.js';
import { checkKmsKeyArn, useKmsKey } from './kms-keys.js';
import { reservedGroupName } from '../reserved-names.js';

export const createLogGroup: Action<'CreateLogGroup'> = async (ctx, input) => {
  const reserved = reservedGroupName(input.logGroupName);
  if (reserved !== undefined) throw new ApiError('InvalidParameterException', reserved);
  const tags = input.tags ?? {};
  checkTags(tags);
  if (input.kmsKeyId !== undefined) checkKmsKeyArn(input.kmsKeyId);
  await ctx.store.withWriteLock(async () => {
    if (ctx.store.catalog.groups.has(input.logGroupName)) throw new ApiError('ResourceAlreadyExistsException', MESSAGES.groupExists);
    const g = await ctx.store.catalog.createGroup(input.logGroupName, ctx.clock.now(), tags, null, input.logGroupClass ?? 'STANDARD');
    if (input.kmsKeyId === undefined) return;
    // The KMS key is tried now: a group is not created with a key it cannot use.
    try {
      await useKmsKey(ctx, g, input.kmsKeyId);
    } catch (e) {
      await ctx.store.deleteGroup(g);
      throw e;
    }
  });
  return {};
};
