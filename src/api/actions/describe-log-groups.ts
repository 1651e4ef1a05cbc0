import { ApiError, MESSAGES } from '../errors.js';
import { decodeToken, encodeToken, isString } from '../tokens.js';
import type { LogGroup as LogGroupOut } from '../model/generated/logs-types.js';
import type { Action } from './context.js';
import { byName, groupArn } from './common.js';

export const describeLogGroups: Action<'DescribeLogGroups'> = async (ctx, input) => {
  if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
    throw new ApiError('InvalidParameterException', MESSAGES.prefixAndPattern);
  }
  const limit = input.limit ?? 50;
  const after = input.nextToken === undefined ? undefined : decodeToken('DescribeLogGroups', input.nextToken, isString);
  const prefix = input.logGroupNamePrefix;
  const pattern = input.logGroupNamePattern; // a case-sensitive substring, per the model
  const names = input.logGroupIdentifiers === undefined ? undefined : new Set(input.logGroupIdentifiers.map((i) => (i.startsWith('arn:') ? i.replace(/^arn:aws:logs:[^:]*:\d+:log-group:/, '').replace(/:\*$/, '') : i)));
  const all = [...ctx.store.catalog.groups.values()]
    .filter(
      (g) =>
        (prefix === undefined || g.name.startsWith(prefix)) &&
        (pattern === undefined || g.name.includes(pattern)) &&
        (names === undefined || names.has(g.name)) &&
        (input.logGroupClass === undefined || g.logGroupClass === input.logGroupClass) &&
        (after === undefined || g.name > after),
    )
    .sort(byName);
  const page = all.slice(0, limit);
  const logGroups: LogGroupOut[] = page.map((g) => {
    const arn = groupArn(ctx, g.name);
    // "If you specify logGroupNamePattern ... only arn, creationTime, and logGroupName are included."
    if (pattern !== undefined) return { logGroupName: g.name, creationTime: g.createdMs, arn: `${arn}:*` };
    return {
      logGroupName: g.name,
      creationTime: g.createdMs,
      ...(g.retentionDays !== null ? { retentionInDays: g.retentionDays } : {}),
      metricFilterCount: 0,
      arn: `${arn}:*`,
      storedBytes: ctx.store.storedBytes(g),
      ...(g.kmsKeyId !== null ? { kmsKeyId: g.kmsKeyId } : {}),
      logGroupClass: g.logGroupClass as LogGroupOut['logGroupClass'],
      logGroupArn: arn,
    };
  });
  const more = all.length > limit;
  return { logGroups, ...(more ? { nextToken: encodeToken('DescribeLogGroups', page.at(-1)!.name) } : {}) };
};
