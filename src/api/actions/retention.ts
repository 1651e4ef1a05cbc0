/** PutRetentionPolicy and DeleteRetentionPolicy. */
import { ApiError } from '../errors.js';
import type { Action } from './context.js';
import { groupByName } from './common.js';

/** The only values AWS accepts, in AWS's order. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export const putRetentionPolicy: Action<'PutRetentionPolicy'> = async (ctx, input) => {
  const days = input.retentionInDays;
  if (!(RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new ApiError(
      'InvalidParameterException',
      `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
    );
  }
  await ctx.store.withWriteLock(async () => ctx.store.catalog.setRetention(groupByName(ctx, input.logGroupName), days));
  // Expired events disappear from queries at once; the sweeper drops their files soon after.
  void ctx.store.sweepRetention().catch((e) => ctx.logger.error({ err: e }, 'retention sweep failed'));
  return {};
};

export const deleteRetentionPolicy: Action<'DeleteRetentionPolicy'> = async (ctx, input) => {
  await ctx.store.withWriteLock(async () => ctx.store.catalog.setRetention(groupByName(ctx, input.logGroupName), null));
  return {};
};
