/**
 * Function targets (what `arn:aws:lambda:...:function:<name>` is bound to): an HTTPS POST per message
 * of `{"awslogs":{"data":"<base64 of gzip of JSON>"}}`, the event a Lambda function subscribed to a log
 * group receives. Any 2xx acknowledges; anything else is retried.
 */
import { z } from 'zod';
import { encodeMessage } from '../payload.js';
import { post } from '../http-post.js';
import { eachLimited, MESSAGE_BATCHING, type SinkSpec } from './types.js';

/** Invocations in flight per subscription (Lambda runs a log group's invocations concurrently too). */
const CONCURRENCY = 8;

const schema = z.strictObject({
  url: z.string().min(1).max(2048),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
});

export const functionSink: SinkSpec<typeof schema> = {
  schema,
  check: (c, policy) => void policy.checkUrl(c.url),
  // Lambda takes 6 MB a request; CloudWatch sends about 1 MB at most, soon after ingestion.
  batching: () => MESSAGE_BATCHING,
  controlName: 'Lambda function',
  build: (c, ctx) => ({
    async deliver(batch, signal) {
      // One invocation per message (per log stream), several at once: a round trip per stream, one
      // after the other, limited delivery to a few batches a second.
      await eachLimited(batch.messages, CONCURRENCY, async (m) => {
        const gz = await encodeMessage(m);
        const body = Buffer.from(`{"awslogs":{"data":"${gz.toString('base64')}"}}`);
        const res = await post(ctx.policy, c.url, body, { 'content-type': 'application/json' }, c.timeoutMs, signal);
        if (res.status < 200 || res.status >= 300) throw new Error(`function target answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
      });
    },
    async health(signal) {
      ctx.policy.checkUrl(c.url);
      void signal;
    },
    async close() {},
  }),
};
