/** Helpers shared by the actions: ARNs as AWS forms them, and resolving names and identifiers. */
import { ApiError, MESSAGES, notFound } from '../errors.js';
import { FilterPatternError, type FilterPattern } from '../../query/filter-pattern/ast.js';
import { parseFilterPattern } from '../../query/filter-pattern/parse.js';
import type { LogGroup, LogStream } from '../../store/catalog.js';
import type { ActionContext } from './context.js';

export const groupArn = (ctx: ActionContext, name: string): string => `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}`;
export const streamArn = (ctx: ActionContext, group: string, stream: string): string =>
  `${groupArn(ctx, group)}:log-stream:${stream}`;

/** A log group named directly, or by logGroupIdentifier (a name or an ARN, with or without `:*`). */
export function resolveGroup(ctx: ActionContext, input: { logGroupName?: string | undefined; logGroupIdentifier?: string | undefined }): LogGroup {
  if (input.logGroupName !== undefined && input.logGroupIdentifier !== undefined) {
    throw new ApiError('ValidationException', MESSAGES.nameAndIdentifier);
  }
  const ref = input.logGroupName ?? input.logGroupIdentifier;
  if (ref === undefined) throw new ApiError('InvalidParameterException', 'Either logGroupName or logGroupIdentifier must be specified.');
  const name = input.logGroupName !== undefined ? ref : groupNameFromIdentifier(ctx, ref);
  const g = ctx.store.catalog.groups.get(name);
  if (!g) throw notFound(MESSAGES.groupNotFound);
  return g;
}

export function groupNameFromIdentifier(ctx: ActionContext, ref: string): string {
  if (!ref.startsWith('arn:')) return ref;
  const prefix = `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:`;
  if (!ref.startsWith(prefix)) throw notFound(MESSAGES.groupNotFound);
  const rest = ref.slice(prefix.length);
  return rest.endsWith(':*') ? rest.slice(0, -2) : rest;
}

export function groupByName(ctx: ActionContext, name: string): LogGroup {
  const g = ctx.store.catalog.groups.get(name);
  if (!g) throw notFound(MESSAGES.groupNotFound);
  return g;
}

export function streamByName(g: LogGroup, name: string): LogStream {
  const s = g.streams.get(name);
  if (!s) throw notFound(MESSAGES.streamNotFound);
  return s;
}

/** Sorts by UTF-16 code units, which is how AWS orders names (they are ASCII by pattern). */
export const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** A fresh, AWS-looking sequence token: accepted and ignored, as AWS now does. */
export function sequenceToken(seq: number): string {
  return String(seq).padStart(56, '4');
}

/** A filter pattern, or AWS's InvalidParameterException saying what is wrong and where. */
export function parsePattern(source: string): FilterPattern {
  try {
    return parseFilterPattern(source);
  } catch (e) {
    if (e instanceof FilterPatternError) throw new ApiError('InvalidParameterException', e.message, { cause: e });
    throw e;
  }
}
