import type { OutputLogEvent } from '../model/generated/logs-types.js';
import { MATCH_ALL } from '../../query/filter-pattern/ast.js';
import { queryEvents } from '../../store/query.js';
import { decodeStreamToken, encodeStreamToken } from '../tokens.js';
import type { Action } from './context.js';
import { resolveGroup, streamByName } from './common.js';
import { READ_BYTES, takeWithinBytes } from './response-size.js';

/**
 * GetLogEvents pages through one stream in (timestamp, seq) order. Without a token it starts from the
 * head (startFromHead) or returns the newest events; a forward token continues after the last event
 * returned, a backward token before the first. At either end the token sent comes back unchanged.
 */
export const getLogEvents: Action<'GetLogEvents'> = async (ctx, input) => {
  const g = resolveGroup(ctx, input);
  const s = streamByName(g, input.logStreamName);
  const pos = input.nextToken === undefined ? undefined : decodeStreamToken(input.nextToken, s.id);
  const backward = pos ? pos.direction === 'b' : input.startFromHead !== true;
  const limit = input.limit ?? 10_000;
  const found = await queryEvents(ctx.store, {
    group: g,
    streamIds: new Set([s.id]),
    startMs: input.startTime ?? 0,
    endMs: input.endTime === undefined ? Number.MAX_SAFE_INTEGER : input.endTime - 1,
    pattern: MATCH_ALL,
    from: pos ? { ts: pos.ts, seq: pos.seq } : undefined,
    descending: backward,
    limit,
    maxBytes: READ_BYTES,
  });
  // found is nearest-first; the byte cap keeps the events nearest the position, then pages read ascending.
  const kept = takeWithinBytes(found, (e) => e.message);
  const events = backward ? kept.reverse() : kept;
  const out: OutputLogEvent[] = events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestMs }));
  if (events.length === 0) {
    const here = pos ?? { ts: -1, seq: 0 };
    const at = { ts: here.ts, seq: here.seq, streamId: s.id };
    return {
      events: out,
      nextForwardToken: pos?.direction === 'f' ? input.nextToken! : encodeStreamToken({ direction: 'f', ...at }),
      nextBackwardToken: pos?.direction === 'b' ? input.nextToken! : encodeStreamToken({ direction: 'b', ...at }),
    };
  }
  const first = events[0]!;
  const last = events.at(-1)!;
  return {
    events: out,
    nextForwardToken: encodeStreamToken({ direction: 'f', ts: last.timestamp, seq: last.seq, streamId: s.id }),
    nextBackwardToken: encodeStreamToken({ direction: 'b', ts: first.timestamp, seq: first.seq, streamId: s.id }),
  };
};
