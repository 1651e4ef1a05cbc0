/**
 * `logward put <group> <stream>`: one event per non-empty line of stdin, stamped with the time it was read,
 * sent with PutLogEvents in batches that obey the API's limits (see ../batch.ts). Batches go one at a time,
 * in order; while one is being sent, reading goes on until two more are waiting. A partial batch is sent
 * after a second, so `tail -f app.log | logward put ...` ships lines as they come.
 */
import { Command } from 'commander';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type CloudWatchLogsClient,
  type RejectedLogEventsInfo,
} from '@aws-sdk/client-cloudwatch-logs';
import { EventBatcher, MAX_MESSAGE_BYTES, TRUNCATION_SUFFIX, truncateMessage, type PutEvent } from '../batch.js';
import { addClientOptions, withLogsClient, type ClientOptions } from '../client.js';
import type { CliContext } from '../context.js';
import { readLines } from '../lines.js';
import { DEFAULT_BACKOFF, retryThrottled, type BackoffOptions } from '../retry.js';
import type { CommandSpec } from '../program.js';

/** A batch that is not full is sent once it has waited this long. */
export const FLUSH_INTERVAL_MS = 1_000;
/** Batches waiting to be sent before reading stops for a while. */
const MAX_QUEUED_BATCHES = 2;

interface PutOptions extends ClientOptions {
  create?: boolean;
}

export const putCommand: CommandSpec = {
  build: (ctx) =>
    addClientOptions(new Command('put'))
      .summary('send the lines of stdin to a log stream')
      .description('Send the lines of stdin to a log stream, one event per non-empty line, stamped with the time it was read.')
      .argument('<group>', 'the log group name')
      .argument('<stream>', 'the log stream name')
      .option('--create', 'create the log group and the log stream first, when they do not exist')
      .addHelpText(
        'after',
        `
Lines are sent in batches of at most 10,000 events and 1 MiB. A line longer
than ${MAX_MESSAGE_BYTES.toLocaleString('en-US')} bytes (256 KiB less the 26 bytes an event costs) is
truncated, as the CloudWatch agent does: cut, with "${TRUNCATION_SUFFIX}" at the end.
Throttled requests are retried with exponential backoff. At the end, "put N
events" goes to stderr. Ctrl-C stops reading and sends what was read.

Examples:
  echo "hello" | logward put my-app web-1 --create
  tail -F /var/log/app.log | logward put my-app "$(hostname)"`,
      )
      .action(async (group: string, stream: string, opts: PutOptions) => {
        const signal = ctx.interruptSignal();
        await withLogsClient(ctx, opts, async (client) => {
          if (opts.create === true) await createTarget(client, group, stream);
          const stats = await putLines(ctx, client, { group, stream, signal });
          reportPut(ctx, stats);
          if (stats.failure !== undefined) throw stats.failure;
        });
      }),
};

async function createTarget(client: CloudWatchLogsClient, group: string, stream: string): Promise<void> {
  await ignoreExists(client.send(new CreateLogGroupCommand({ logGroupName: group })));
  await ignoreExists(client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream })));
}

async function ignoreExists(request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (error instanceof Error && error.name === 'ResourceAlreadyExistsException') return;
    throw error;
  }
}

export interface PutStats {
  accepted: number;
  rejected: number;
  truncated: number;
  /** The error that stopped sending, if one did; the counts say what got through before it. */
  failure?: unknown;
}

/** Reads stdin to its end (or until `signal` aborts) and sends every line; throws nothing a request throws. */
export async function putLines(
  ctx: Pick<CliContext, 'stdin' | 'stderr' | 'clock'>,
  client: CloudWatchLogsClient,
  target: { group: string; stream: string; signal: AbortSignal },
  backoff: Partial<BackoffOptions> = {},
): Promise<PutStats> {
  const stats: PutStats = { accepted: 0, rejected: 0, truncated: 0 };
  const batcher = new EventBatcher();
  // Sends run one after another on this chain; after a failure the rest are skipped.
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;
  const send = (batch: PutEvent[] | undefined): void => {
    if (batch === undefined) return;
    queued++;
    chain = chain
      .then(async () => {
        if (stats.failure !== undefined) return;
        const out = await retryThrottled(
          () => client.send(new PutLogEventsCommand({ logGroupName: target.group, logStreamName: target.stream, logEvents: batch })),
          {
            ...DEFAULT_BACKOFF,
            onRetry: (_e, attempt, ms) => ctx.stderr.write(`logward: throttled; retry ${attempt} in ${ms} ms\n`),
            ...backoff,
          },
        );
        const rejected = countRejected(batch.length, out.rejectedLogEventsInfo);
        stats.accepted += batch.length - rejected;
        stats.rejected += rejected;
      })
      .catch((error: unknown) => {
        stats.failure ??= error;
      })
      .finally(() => {
        queued--;
      });
  };

  const timer = setInterval(() => send(batcher.flush()), FLUSH_INTERVAL_MS);
  let last = -Infinity;
  try {
    for await (const line of readLines(untilAborted(ctx.stdin, target.signal), MAX_MESSAGE_BYTES + 1)) {
      if (line === '') continue;
      const { message, truncated } = truncateMessage(line);
      if (truncated) stats.truncated++;
      // A clock set back must not break the chronological order PutLogEvents requires.
      last = Math.max(last, ctx.clock.now());
      send(batcher.add({ timestamp: last, message }));
      if (queued >= MAX_QUEUED_BATCHES) await chain;
      if (stats.failure !== undefined) break;
    }
  } finally {
    clearInterval(timer);
  }
  send(batcher.flush());
  await chain;
  return stats;
}

/** Stops the iteration when `signal` aborts, without waiting for the next item (stdin may never send one). */
async function* untilAborted<T>(source: AsyncIterable<T> | Iterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const it = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : toAsync(source[Symbol.iterator]());
  while (!signal.aborted) {
    const next = await new Promise<IteratorResult<T> | undefined>((resolve, reject) => {
      const onAbort = (): void => resolve(undefined);
      signal.addEventListener('abort', onAbort, { once: true });
      it.next().then(
        (r) => {
          signal.removeEventListener('abort', onAbort);
          resolve(r);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
    if (next === undefined || next.done === true) return;
    yield next.value;
  }
}

function toAsync<T>(it: Iterator<T>): AsyncIterator<T> {
  return { next: async () => it.next() };
}

/** The events of a batch the server refused: the too old and expired ones at its start, the too new at its end. */
export function countRejected(size: number, info: RejectedLogEventsInfo | undefined): number {
  if (info === undefined) return 0;
  const acceptedFrom = Math.max(info.tooOldLogEventEndIndex ?? 0, info.expiredLogEventEndIndex ?? 0);
  const acceptedTo = info.tooNewLogEventStartIndex ?? size;
  return size - Math.max(0, Math.min(size, acceptedTo) - Math.min(size, acceptedFrom));
}

function reportPut(ctx: Pick<CliContext, 'stderr'>, stats: PutStats): void {
  if (stats.truncated > 0) {
    ctx.stderr.write(`logward: truncated ${stats.truncated} lines longer than ${MAX_MESSAGE_BYTES} bytes\n`);
  }
  if (stats.rejected > 0) {
    ctx.stderr.write(`logward: the server rejected ${stats.rejected} events as too old, too new or expired\n`);
  }
  ctx.stderr.write(`put ${stats.accepted} events\n`);
}
