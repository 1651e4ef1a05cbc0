/** Tags on log groups: TagResource, UntagResource, ListTagsForResource and the older *LogGroup forms. */
import { ApiError, MESSAGES, notFound } from '../errors.js';
import type { LogGroup } from '../../store/catalog.js';
import type { Action, ActionContext } from './context.js';
import { groupByName } from './common.js';

export const MAX_TAGS = 50;

export function checkTags(tags: Record<string, string>): void {
  for (const k of Object.keys(tags)) {
    if (k.toLowerCase().startsWith('aws:')) throw new ApiError('InvalidParameterException', `Tag keys cannot start with the reserved prefix 'aws:': ${k}`);
  }
  if (Object.keys(tags).length > MAX_TAGS) throw tooMany();
}

const tooMany = (): ApiError => new ApiError('TooManyTagsException', `A resource can have no more than ${MAX_TAGS} tags.`);

/** The log group an ARN names (`arn:aws:logs:<region>:<account>:log-group:<name>`, `:*` allowed). */
function groupByArn(ctx: ActionContext, arn: string): LogGroup {
  const prefix = `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:`;
  if (!arn.startsWith(prefix)) {
    if (/^arn:aws:logs:[^:]+:\d{12}:log-group:/.test(arn)) throw notFound(MESSAGES.groupNotFound);
    throw new ApiError('InvalidParameterException', `Invalid resource ARN: ${arn}`);
  }
  const rest = arn.slice(prefix.length);
  return groupByName(ctx, rest.endsWith(':*') ? rest.slice(0, -2) : rest);
}

async function addTags(ctx: ActionContext, g: LogGroup, tags: Record<string, string>): Promise<void> {
  checkTags(tags);
  await ctx.store.withWriteLock(async () => {
    const merged = new Set([...g.tags.keys(), ...Object.keys(tags)]);
    if (merged.size > MAX_TAGS) throw tooMany();
    await ctx.store.catalog.setTags(g, tags, []);
  });
}

async function removeTags(ctx: ActionContext, g: LogGroup, keys: string[]): Promise<void> {
  await ctx.store.withWriteLock(() => ctx.store.catalog.setTags(g, {}, keys));
}

export const tagResource: Action<'TagResource'> = async (ctx, input) => {
  await addTags(ctx, groupByArn(ctx, input.resourceArn), input.tags);
  return {};
};

export const untagResource: Action<'UntagResource'> = async (ctx, input) => {
  await removeTags(ctx, groupByArn(ctx, input.resourceArn), input.tagKeys);
  return {};
};

export const listTagsForResource: Action<'ListTagsForResource'> = async (ctx, input) => ({
  tags: Object.fromEntries(groupByArn(ctx, input.resourceArn).tags),
});

export const tagLogGroup: Action<'TagLogGroup'> = async (ctx, input) => {
  await addTags(ctx, groupByName(ctx, input.logGroupName), input.tags);
  return {};
};

export const untagLogGroup: Action<'UntagLogGroup'> = async (ctx, input) => {
  await removeTags(ctx, groupByName(ctx, input.logGroupName), input.tags);
  return {};
};

export const listTagsLogGroup: Action<'ListTagsLogGroup'> = async (ctx, input) => ({
  tags: Object.fromEntries(groupByName(ctx, input.logGroupName).tags),
});
