import { ApiError } from '../errors.js';
import type { FilteredLogEvent } from '../model/generated/logs-types.js';
import { queryEvents } from '../../store/query.js';
import { READ_BYTES } from './response-size.js';
import { decodeToken, encodeToken } from '../tokens.js';
import type { Action } from './context.js';
import { parsePattern, resolveGroup } from './common.js';
import { takeWithinBytes } from './response-size.js';

/** startFromHead false is accepted only with a startTime from 2024 on, as in AWS. */
const NEWEST_FIRST_SINCE = Date.UTC(2024, 0, 1);

type Position = [number, number, 0 | 1];
const isPosition = (v: unknown): v is Position =>
  Array.isArray(v) && v.length === 3 && Number.isSafeInteger(v[0]) && Number.isSafeInteger(v[1]) && (v[2] === 0 || v[2] === 1);

/** An event id that is unique within the group and stable: timestamp and sequence number. */
export const eventId = (ts: number, seq: number): string => `${String(ts).padStart(20, '0')}${String(seq).padStart(36, '0')}`;

export const filterLogEvents: Action<'FilterLogEvents'> = async (ctx, input) => {
  const g = resolveGroup(ctx, input);
  if (input.logStreamNames !== undefined && input.logStreamNamePrefix !== undefined) {
    throw new ApiError('InvalidParameterException', 'logStreamNames and logStreamNamePrefix are mutually exclusive parameters.');
  }
  const pattern = parsePattern(input.filterPattern ?? '');
  let streamIds: Set<number> | null = null;
  if (input.logStreamNames !== undefined) {
    streamIds = new Set(input.logStreamNames.flatMap((n) => (g.streams.has(n) ? [g.streams.get(n)!.id] : [])));
  } else if (input.logStreamNamePrefix !== undefined) {
    const p = input.logStreamNamePrefix;
    streamIds = new Set([...g.streams.values()].filter((s) => s.name.startsWith(p)).map((s) => s.id));
  }
  // The token carries the direction of the first request (startFromHead false: newest first).
  const token = input.nextToken === undefined ? undefined : decodeToken('FilterLogEvents', input.nextToken, isPosition);
  const descending = token ? token[2] === 1 : input.startFromHead === false;
  if (!token && descending && (input.startTime === undefined || input.startTime < NEWEST_FIRST_SINCE)) {
    throw new ApiError('InvalidParameterException', 'startFromHead set to false is supported only when startTime is on or after Jan 1, 2024 00:00:00 UTC.');
  }
  const limit = input.limit ?? 10_000;
  const found = await queryEvents(ctx.store, {
    group: g,
    streamIds,
    startMs: input.startTime ?? 0,
    endMs: input.endTime ?? Number.MAX_SAFE_INTEGER,
    pattern,
    from: token ? { ts: token[0], seq: token[1] } : undefined,
    descending,
    limit: limit + 1,
    maxBytes: READ_BYTES,
  });
  const page = takeWithinBytes(found.slice(0, limit), (e) => e.message);
  const events: FilteredLogEvent[] = page.map((e) => ({
    logStreamName: g.streamsById.get(e.streamId)?.name ?? '',
    timestamp: e.timestamp,
    message: e.message,
    ingestionTime: e.ingestMs,
    eventId: eventId(e.timestamp, e.seq),
  }));
  const more = found.length > page.length;
  const last = page.at(-1);
  return {
    events,
    ...(more && last ? { nextToken: encodeToken('FilterLogEvents', [last.timestamp, last.seq, descending ? 1 : 0]) } : {}),
  };
};
