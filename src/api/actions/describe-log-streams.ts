import { ApiError } from '../errors.js';
import { decodeToken, encodeToken, isString } from '../tokens.js';
import type { LogStream as LogStreamOut } from '../model/generated/logs-types.js';
import type { LogStream } from '../../store/catalog.js';
import type { Action } from './context.js';
import { byName, resolveGroup, streamArn } from './common.js';

type Key = [number, string];
const isKey = (v: unknown): v is Key => Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string';

export const describeLogStreams: Action<'DescribeLogStreams'> = async (ctx, input) => {
  const g = resolveGroup(ctx, input);
  const byTime = input.orderBy === 'LastEventTime';
  if (byTime && input.logStreamNamePrefix !== undefined) {
    throw new ApiError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  const limit = input.limit ?? 50;
  const desc = input.descending === true;
  const prefix = input.logStreamNamePrefix;
  const key = (s: LogStream): Key => [byTime ? (s.lastEventMs ?? 0) : 0, s.name];
  const cmp = (a: Key, b: Key): number => (a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)) * (desc ? -1 : 1);
  const after: Key | undefined =
    input.nextToken === undefined ? undefined : byTime ? decodeToken('DescribeLogStreams:time', input.nextToken, isKey) : [0, decodeToken('DescribeLogStreams', input.nextToken, isString)];
  const all = [...g.streams.values()]
    .filter((s) => (prefix === undefined || s.name.startsWith(prefix)) && (after === undefined || cmp(key(s), after) > 0))
    .sort(byTime ? (a, b) => cmp(key(a), key(b)) : (a, b) => byName(a, b) * (desc ? -1 : 1));
  const page = all.slice(0, limit);
  const logStreams: LogStreamOut[] = page.map((s) => ({
    logStreamName: s.name,
    creationTime: s.createdMs,
    ...(s.firstEventMs !== null ? { firstEventTimestamp: s.firstEventMs } : {}),
    ...(s.lastEventMs !== null ? { lastEventTimestamp: s.lastEventMs } : {}),
    ...(s.lastIngestMs !== null ? { lastIngestionTime: s.lastIngestMs } : {}),
    arn: streamArn(ctx, g.name, s.name),
    storedBytes: 0, // deprecated by AWS for streams, which always reports zero
  }));
  let nextToken: string | undefined;
  if (all.length > limit) {
    const last = page.at(-1)!;
    nextToken = byTime ? encodeToken('DescribeLogStreams:time', key(last)) : encodeToken('DescribeLogStreams', last.name);
  }
  return { logStreams, ...(nextToken ? { nextToken } : {}) };
};
