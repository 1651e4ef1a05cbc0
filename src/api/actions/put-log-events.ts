import { checkBatch } from '../../ingest/put-log-events.js';
import { messageSpans } from '../../ingest/put-body.js';
import { retentionCutoff } from '../../store/store.js';
import type { Action } from './context.js';
import { groupByName, sequenceToken, streamByName } from './common.js';

export const putLogEvents: Action<'PutLogEvents'> = async (ctx, input) => {
  const g = groupByName(ctx, input.logGroupName);
  const s = streamByName(g, input.logStreamName);
  const now = ctx.clock.now();
  const accepted = checkBatch(input.logEvents, now, retentionCutoff(g, now));
  let seq = g.nextSeq;
  if (accepted.hi > accepted.lo) {
    const r = await ctx.store.append({ group: g, stream: s, body: ctx.body, ...accepted, ingestMs: now, spans: messageSpans(ctx.body) });
    seq = r.firstSeq + (accepted.hi - accepted.lo);
  }
  return {
    nextSequenceToken: sequenceToken(seq),
    ...(accepted.rejected ? { rejectedLogEventsInfo: accepted.rejected } : {}),
  };
};
