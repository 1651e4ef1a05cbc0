/**
 * `logward tail <group>`: the recent events of a group, oldest first; with --follow, new events as they
 * arrive (a FilterLogEvents poll every second) until Ctrl-C.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { Command } from 'commander';
import type { FilterLogEventsCommandInput, FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { addClientOptions, withLogsClient, type ClientOptions } from '../client.js';
import type { CliContext } from '../context.js';
import { parseTimeArg } from '../duration.js';
import { filterEventPages, formatEventLine, toRecord } from '../events.js';
import { SeenEvents } from '../follow.js';
import { writeJsonLine } from '../output.js';
import type { CommandSpec } from '../program.js';

export const FOLLOW_INTERVAL_MS = 1_000;

interface TailOptions extends ClientOptions {
  since: string;
  follow?: boolean;
  stream?: string[];
  filter?: string;
  json?: boolean;
}

export const tailCommand: CommandSpec = {
  build: (ctx) =>
    addClientOptions(new Command('tail'))
      .summary('print recent events, and with --follow new ones as they come')
      .description('Print the recent events of a log group, and with --follow the new ones as they come.')
      .argument('<group>', 'the log group name')
      .option('--since <time>', 'from this long ago (30s, 10m, 1h, 2d) or this ISO 8601 time', '10m')
      .option('-f, --follow', 'keep printing new events, polling every second, until Ctrl-C')
      .option('--stream <name...>', 'only these log streams')
      .option('--filter <pattern>', 'only the events that match this filter pattern')
      .option('--json', 'print one JSON object a line: timestamp, logStreamName, message, eventId')
      .addHelpText(
        'after',
        '\nExamples:\n  logward tail my-app --since 1h\n  logward tail my-app --follow --filter ERROR\n  logward tail my-app --json | jq -r .message',
      )
      .action(async (group: string, opts: TailOptions) => {
        const start = parseTimeArg(opts.since, ctx.clock.now());
        const signal = opts.follow === true ? ctx.interruptSignal() : undefined;
        await withLogsClient(ctx, opts, (client) => {
          const input: Omit<FilterLogEventsCommandInput, 'nextToken' | 'limit'> = {
            logGroupName: group,
            logStreamNames: opts.stream,
            filterPattern: opts.filter,
          };
          const print = (e: FilteredLogEvent): void => {
            if (opts.json === true) writeJsonLine(ctx.stdout, toRecord(e));
            else ctx.stdout.write(formatEventLine(e));
          };
          const poll = async (from: number, seen?: SeenEvents): Promise<void> => {
            for await (const page of filterEventPages(client, { ...input, startTime: from }, { signal })) {
              for (const e of seen?.admit(page) ?? page) print(e);
            }
          };
          return signal === undefined ? poll(start) : follow(poll, start, signal, ctx);
        });
      }),
};

/** Polls until `signal` aborts; the abort ends it quietly, as the way to stop following. */
async function follow(
  poll: (from: number, seen: SeenEvents) => Promise<void>,
  start: number,
  signal: AbortSignal,
  ctx: Pick<CliContext, 'clock'>,
): Promise<void> {
  const seen = new SeenEvents();
  try {
    for (;;) {
      const began = ctx.clock.now();
      await poll(seen.nextStart(start), seen);
      await delay(Math.max(0, FOLLOW_INTERVAL_MS - (ctx.clock.now() - began)), undefined, { signal });
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  }
}
