/**
 * Stream targets (what `arn:aws:kinesis:...:stream/<name>` is bound to): NATS JetStream. Each message is
 * published as CloudWatch puts it in a Kinesis record: the gzip of the JSON. The Nats-Msg-Id header is
 * the batch id and the message's place in it, so a batch retried within the stream's duplicate window is
 * stored once. With `stream` set, a publish that would land in another stream is refused.
 */
import { z } from 'zod';
import { connect } from '@nats-io/transport-node';
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { encodeMessage } from '../payload.js';
import { MESSAGE_BATCHING, type SinkSpec } from './types.js';

const schema = z.strictObject({
  servers: z.string().regex(/^nats:\/\/[A-Za-z0-9.:[\]-]+(,nats:\/\/[A-Za-z0-9.:[\]-]+)*$/, 'nats://host:port[,nats://host:port...]'),
  subject: z.string().regex(/^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$/, 'a NATS subject without wildcards'),
  stream: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
});

export const jetstreamSink: SinkSpec<typeof schema> = {
  schema,
  check: () => {},
  batching: () => MESSAGE_BATCHING,
  controlName: 'Kinesis stream',
  build: (c, ctx) => {
    let conn: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;
    const open = (): Promise<{ nc: NatsConnection; js: JetStreamClient }> =>
      // noAsyncTraces: no Error (and its stack) made ahead of every publish for the case it times out: a
      // third of the client's CPU a message, on the event loop. A failure still says what failed.
      (conn ??= connect({ servers: c.servers.split(','), name: `logward-${ctx.targetName}`, maxReconnectAttempts: -1, reconnectTimeWait: 500, noAsyncTraces: true })
        .then((nc) => ({ nc, js: jetstream(nc) }))
        .catch((e: unknown) => {
          conn = undefined; // the next attempt connects anew
          throw e;
        }));
    return {
      async deliver(batch) {
        const { js } = await open();
        // Published together (NATS keeps a connection's order), then every acknowledgement awaited.
        const encoded = await Promise.all(batch.messages.map(encodeMessage));
        const acks = encoded.map((data, k) =>
          js.publish(c.subject, data, {
            msgID: `${batch.batchId}-${k}`,
            ...(c.stream !== undefined ? { expect: { streamName: c.stream } } : {}),
          }),
        );
        const settled = await Promise.allSettled(acks);
        const failed = settled.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
      },
      async health() {
        const { nc } = await open();
        await nc.flush();
      },
      async close() {
        const p = conn;
        conn = undefined;
        if (p) await p.then(({ nc }) => nc.close()).catch(() => undefined);
      },
    };
  },
};
