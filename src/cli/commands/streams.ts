/** `logward streams <group>`: the log streams of a group (DescribeLogStreams, all pages), as a table or as JSON. */
import { Command } from 'commander';
import { paginateDescribeLogStreams, type LogStream } from '@aws-sdk/client-cloudwatch-logs';
import { addClientOptions, withLogsClient, type ClientOptions } from '../client.js';
import { UsageError } from '../context.js';
import { Progress, formatTime, renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

interface StreamsOptions extends ClientOptions {
  prefix?: string;
  orderByLastEvent?: boolean;
  json?: boolean;
}

export const streamsCommand: CommandSpec = {
  build: (ctx) =>
    addClientOptions(new Command('streams'))
      .summary('list the log streams of a group')
      .description('List the log streams of a log group.')
      .argument('<group>', 'the log group name')
      .option('--prefix <prefix>', 'only the streams whose name starts with this')
      .option('--order-by-last-event', 'the streams with the latest events first (cannot be used with --prefix)')
      .option('--json', 'print a JSON array of the streams, as DescribeLogStreams returns them')
      .addHelpText('after', '\nExamples:\n  logward streams my-app\n  logward streams my-app --order-by-last-event')
      .action(async (group: string, opts: StreamsOptions) => {
        if (opts.orderByLastEvent === true && opts.prefix !== undefined) {
          // DescribeLogStreams refuses a prefix when ordering by LastEventTime; say so before asking.
          throw new UsageError('--order-by-last-event cannot be combined with --prefix');
        }
        await withLogsClient(ctx, opts, async (client) => {
          const progress = new Progress(ctx.stderr, 'log streams');
          const streams: LogStream[] = [];
          const pages = paginateDescribeLogStreams(
            { client, pageSize: 50 },
            opts.orderByLastEvent === true
              ? { logGroupName: group, orderBy: 'LastEventTime', descending: true }
              : { logGroupName: group, logStreamNamePrefix: opts.prefix },
          );
          try {
            for await (const page of pages) {
              streams.push(...(page.logStreams ?? []));
              progress.update(streams.length);
            }
          } finally {
            progress.done();
          }
          if (opts.json === true) writeJson(ctx.stdout, streams);
          else ctx.stdout.write(renderStreams(streams));
        });
      }),
};

export function renderStreams(streams: readonly LogStream[]): string {
  return renderTable(
    ['NAME', 'FIRST EVENT', 'LAST EVENT', 'LAST INGESTION'],
    streams.map((s) => [
      s.logStreamName ?? '-',
      formatTime(s.firstEventTimestamp),
      formatTime(s.lastEventTimestamp),
      formatTime(s.lastIngestionTime),
    ]),
  );
}
