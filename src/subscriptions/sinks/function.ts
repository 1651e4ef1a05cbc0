/**
 * Function targets (what `arn:aws:lambda:...:function:<name>` is bound to): an HTTPS POST per message
 * of `{"awslogs":{"data":"<base64 of gzip of JSON>"}}`, the event a Lambda function subscribed to a log
 * group receives. Any 2xx acknowledges; anything else is retried.
 */
import { z } from 'zod';
import { encodeMessage } from '../payload.js';
import { post } from '../http-post.js';
import { eachLimited, MESSAGE_BATCHING, type SinkSpec } from './types.js';

/**
 * Invocations in flight per subscription (Lambda runs a log group's invocations concurrently too). A
 * batch holds a message per log stream, sent before the next batch: with 8 at a time, a group of 32
 * busy streams waited for four round trips in turn.
 */
const CONCURRENCY = 16;

const BODY_HEAD = Buffer.from('{"awslogs":{"data":"');
const BODY_TAIL = Buffer.from('"}}');

/** `{"awslogs":{"data":"<base64>"}}` written straight into one buffer. */
export function awslogsBody(gz: Buffer): Buffer {
  const b64 = gz.toString('base64');
  const body = Buffer.allocUnsafe(BODY_HEAD.length + b64.length + BODY_TAIL.length);
  BODY_HEAD.copy(body, 0);
  body.write(b64, BODY_HEAD.length, 'latin1');
  BODY_TAIL.copy(body, BODY_HEAD.length + b64.length);
  return body;
}

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
  build: (c, ctx) => {
    // The URL as checked (scheme, IP literal): the same for every invocation (parsing and checking it
    // took about 30 us a message), kept once it passed. Addresses are still checked on every connection.
    let checked: URL | undefined;
    return {
      async deliver(batch, signal) {
        checked ??= ctx.policy.checkUrl(c.url);
        const url = checked;
        // One invocation per message (per log stream), several at once: a round trip per stream, one
        // after the other, limited delivery to a few batches a second.
        await eachLimited(batch.messages, CONCURRENCY, async (m) => {
          const body = awslogsBody(await encodeMessage(m));
          const res = await post(ctx.policy, url, body, { 'content-type': 'application/json' }, c.timeoutMs, signal);
          if (res.status < 200 || res.status >= 300) throw new Error(`function target answered HTTP ${res.status}: ${res.body.slice(0, 200)}`);
        });
      },
      async health(signal) {
        ctx.policy.checkUrl(c.url);
        void signal;
      },
      async close() {},
    };
  },
};
