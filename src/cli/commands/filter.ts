/** `logward filter <group> <pattern>`: the events of a time range that match a filter pattern, as a table or JSON. */
import { Command } from 'commander';
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';
import { addClientOptions, withLogsClient, type ClientOptions } from '../client.js';
import { UsageError } from '../context.js';
import { parseTimeArg } from '../duration.js';
import { filterEventPages, toRecord } from '../events.js';
import { Progress, formatTime, renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

interface FilterOptions extends ClientOptions {
  since: string;
  until?: string;
  limit?: string;
  stream?: string[];
  json?: boolean;
}

export const filterCommand: CommandSpec = {
  build: (ctx) =>
    addClientOptions(new Command('filter'))
      .summary('find the events that match a filter pattern')
      .description('Find the events of a log group that match a filter pattern.')
      .argument('<group>', 'the log group name')
      .argument('<pattern>', "a CloudWatch filter pattern: ERROR, \"disk full\", { $.level = \"error\" }, [ip, user, ...]; '' for all")
      .option('--since <time>', 'from this long ago (30s, 10m, 1h, 2d) or this ISO 8601 time', '1h')
      .option('--until <time>', 'up to this long ago or this ISO 8601 time (default: now)')
      .option('--limit <n>', 'at most this many events')
      .option('--stream <name...>', 'only these log streams')
      .option('--json', 'print a JSON array of events (timestamp, logStreamName, message, eventId), messages in full')
      .addHelpText(
        'after',
        "\nExamples:\n  logward filter my-app ERROR --since 2d --limit 100\n  logward filter my-app '{ $.status >= 500 }' --since 2024-05-01T00:00:00Z --until 2024-05-02T00:00:00Z --json",
      )
      .action(async (group: string, pattern: string, opts: FilterOptions) => {
        const now = ctx.clock.now();
        const startTime = parseTimeArg(opts.since, now);
        const endTime = opts.until === undefined ? undefined : parseTimeArg(opts.until, now);
        if (endTime !== undefined && endTime < startTime) throw new UsageError('--until is before --since');
        const limit = opts.limit === undefined ? undefined : parseLimit(opts.limit);
        await withLogsClient(ctx, opts, async (client) => {
          const progress = new Progress(ctx.stderr, 'events');
          const events: FilteredLogEvent[] = [];
          const input = {
            logGroupName: group,
            filterPattern: pattern === '' ? undefined : pattern,
            startTime,
            endTime,
            logStreamNames: opts.stream,
          };
          try {
            for await (const page of filterEventPages(client, input, { limit })) {
              events.push(...page);
              progress.update(events.length);
            }
          } finally {
            progress.done();
          }
          if (opts.json === true) writeJson(ctx.stdout, events.map(toRecord));
          else ctx.stdout.write(renderEvents(events, ctx.stdout.isTTY === true ? ctx.stdout.columns : undefined));
        });
      }),
};

function parseLimit(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`invalid --limit '${text}': expected a whole number from 1`);
  return n;
}

/** TIME, STREAM, MESSAGE; with a terminal width, each message is cut to fit its line. */
export function renderEvents(events: readonly FilteredLogEvent[], terminalWidth?: number): string {
  return renderTable(
    ['TIME', 'STREAM', 'MESSAGE'],
    events.map((e) => [formatTime(e.timestamp), e.logStreamName ?? '-', (e.message ?? '').replace(/\r?\n$/, '')]),
    terminalWidth === undefined ? {} : { maxWidth: terminalWidth },
  );
}
