/**
 * AssociateKmsKey and DisassociateKmsKey, and the KMS key of CreateLogGroup: which key-encryption key
 * wraps a log group's data keys (docs/encryption.md). Associating starts a new data key wrapped by the
 * AWS KMS key (new events are encrypted under it; older ones keep theirs, so the old key must stay
 * usable as long as they are kept, as in CloudWatch); disassociating starts one wrapped by the master key.
 * The KMS key is tried at once (GenerateDataKey): a key that does not exist, is disabled or may not be
 * used is refused with InvalidParameterException and changes nothing.
 */
import { ApiError } from '../errors.js';
import type { Action, ActionContext } from './context.js';
import { groupByName } from './common.js';
import type { LogGroup } from '../../store/catalog.js';

/** CloudWatch Logs takes a KMS key by ARN only. */
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z]{2}(-[a-z]+)+-\d:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

export function checkKmsKeyArn(arn: string): void {
  if (!KMS_KEY_ARN.test(arn)) {
    throw new ApiError('InvalidParameterException', `Specified KMS key '${arn}' is not a valid KMS key ARN: expected arn:aws:kms:<region>:<account-id>:key/<key-id>.`);
  }
}

/** Starts the group's next data key under `kmsKeyId` (null: the master key); refuses a KMS key that cannot be used. */
export async function useKmsKey(ctx: ActionContext, g: LogGroup, kmsKeyId: string | null): Promise<void> {
  try {
    await ctx.store.rotateKeys(g, kmsKeyId ?? ctx.store.atRest.defaultKek());
  } catch (e) {
    if (kmsKeyId === null) throw e;
    ctx.logger.warn({ err: e, kmsKeyId, logGroup: g.name }, 'a KMS key could not be used');
    throw new ApiError('InvalidParameterException', `The specified KMS key does not exist, is disabled or cannot be used: ${kmsKeyId}`, { cause: e });
  }
  await ctx.store.catalog.setKmsKey(g, kmsKeyId);
}

function target(ctx: ActionContext, input: { logGroupName?: string | undefined; resourceIdentifier?: string | undefined }): LogGroup {
  if (input.logGroupName !== undefined && input.resourceIdentifier !== undefined) {
    throw new ApiError('InvalidParameterException', 'Specify either logGroupName or resourceIdentifier, not both.');
  }
  if (input.logGroupName === undefined) {
    // Query results are kept in memory only (never written), so there is nothing for a key to protect.
    throw new ApiError('InvalidParameterException', 'Logward associates KMS keys with log groups only: specify logGroupName (query results are kept in memory only).');
  }
  return groupByName(ctx, input.logGroupName);
}

export const associateKmsKey: Action<'AssociateKmsKey'> = async (ctx, input) => {
  checkKmsKeyArn(input.kmsKeyId);
  await ctx.store.withWriteLock(async () => useKmsKey(ctx, target(ctx, input), input.kmsKeyId));
  return {};
};

export const disassociateKmsKey: Action<'DisassociateKmsKey'> = async (ctx, input) => {
  await ctx.store.withWriteLock(async () => {
    const g = target(ctx, input);
    if (g.kmsKeyId !== null) await useKmsKey(ctx, g, null);
  });
  return {};
};
