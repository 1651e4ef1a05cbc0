/**
 * The one interface every destination implements, and what the engine gives it. A sink only moves a
 * batch to its peer: batching, retries, checkpoints and dead-lettering are the consumer's (consumer.ts),
 * shared by all sinks.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { Clock } from '../../clock.js';
import type { SubscriptionMessage } from '../payload.js';
import type { AddressPolicy } from '../safety.js';

export interface SinkContext {
  policy: AddressPolicy;
  logger: Logger;
  clock: Clock;
  /** Identifies the sink's writer in object keys and message ids (the target's name). */
  targetName: string;
  /**
   * Seals an object under the data key of the log group it comes from (encryption at rest of copies in
   * object storage); null when the server runs without encryption.
   */
  sealObject(logGroupName: string, body: Buffer): Promise<Buffer | null>;
  /** Private memory for plaintext that must touch a file (the at-rest scratch space). */
  scratchDir: string;
}

/**
 * One message per log stream, streams in the order of their first event. Since each message holds
 * another stream, a sink may send a batch's messages concurrently: order within a stream holds as long as
 * the batch is acknowledged whole before the next one is sent (the consumer waits for that).
 */
export interface DeliveryBatch {
  messages: SubscriptionMessage[];
  /** Unique and stable for the batch across retries and restarts (group, filter, first sequence number). */
  batchId: string;
}

export interface Sink {
  /** Resolves once the peer has acknowledged every message of the batch; rejects to be retried. */
  deliver(batch: DeliveryBatch, signal: AbortSignal): Promise<void>;
  /** Rejects, saying why, when the peer cannot be reached. */
  health(signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** Runs `fn` on every item, at most `limit` at a time; rejects with the first failure once all have settled. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}

export interface Batching {
  /** Deliver once the pending events take this many bytes (message text)... */
  maxBytes: number;
  /** ...or once the oldest pending event has waited this long. */
  maxMs: number;
  /** At most this many events a batch (CloudWatch: 10,000); none when absent. */
  maxEvents?: number;
  /**
   * Deliver once the events of one log stream (one message) take this many bytes. For sinks that send a
   * message per stream, where this is the peer's limit and maxBytes only bounds the batch's memory.
   */
  maxMessageBytes?: number;
  /** Deliver once the events of one log stream (one message) are this many. */
  maxMessageEvents?: number;
}

/**
 * Function and stream targets: CloudWatch's limits for one delivery, a message of one log stream of at
 * most 1 MiB and 10,000 events, soon after ingestion. The batch (a message per stream, acknowledged
 * together) holds up to 5 MiB: a request or a publish costs about the same whatever it holds, so the
 * fewer messages the better. A batch cut at 1 MiB in all made messages of a few dozen events each when
 * many streams are busy; cut at 10,000 events in all, of about 300 with 32 busy streams at full ingest.
 */
export const MESSAGE_BATCHING: Batching = { maxBytes: 5 * 1024 * 1024, maxMessageBytes: 1024 * 1024, maxMessageEvents: 10_000, maxMs: 200 };

export interface SinkSpec<Schema extends z.ZodType = z.ZodType> {
  /** The target's settings as `logward targets put` and the admin API take them (strict: unknown keys fail). */
  schema: Schema;
  /** Checks a target's settings when it is put (addresses and schemes), so mistakes show at once. */
  check(config: z.output<Schema>, policy: AddressPolicy): void;
  batching(config: z.output<Schema>): Batching;
  /** How CloudWatch names this kind of destination in its CONTROL_MESSAGE. */
  controlName: string;
  build(config: z.output<Schema>, ctx: SinkContext): Sink;
}
