/** `logward queries`: the Logs Insights queries the server is running or still keeps (DescribeQueries). */
import { Command } from 'commander';
import { DescribeQueriesCommand, type QueryInfo, type QueryStatus } from '@aws-sdk/client-cloudwatch-logs';
import { addClientOptions, withLogsClient, type ClientOptions } from '../client.js';
import { UsageError } from '../context.js';
import { formatTime, renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

const STATUSES = ['Scheduled', 'Running', 'Complete', 'Failed', 'Cancelled', 'Timeout'] as const;

interface QueriesOptions extends ClientOptions {
  group?: string;
  status?: string;
  json?: boolean;
}

export const queriesCommand: CommandSpec = {
  build: (ctx) =>
    addClientOptions(new Command('queries'))
      .summary('list recent Logs Insights queries')
      .description('List the Logs Insights queries that are scheduled, running, or ended recently, newest first.')
      .option('--group <name>', 'only the queries of this log group')
      .option('--status <status>', `only the queries with this status: ${STATUSES.join(', ')}`)
      .option('--json', 'print a JSON array of the queries, as DescribeQueries returns them')
      .addHelpText('after', '\nExamples:\n  logward queries\n  logward queries --group my-app --status Running')
      .action(async (opts: QueriesOptions) => {
        if (opts.status !== undefined && !(STATUSES as readonly string[]).includes(opts.status)) {
          throw new UsageError(`invalid --status '${opts.status}': expected one of ${STATUSES.join(', ')}`);
        }
        await withLogsClient(ctx, opts, async (client) => {
          const queries: QueryInfo[] = [];
          const input = { logGroupName: opts.group, status: opts.status as QueryStatus | undefined };
          let nextToken: string | undefined;
          do {
            const page = await client.send(new DescribeQueriesCommand({ ...input, maxResults: 1000, nextToken }));
            queries.push(...(page.queries ?? []));
            nextToken = page.nextToken;
          } while (nextToken !== undefined);
          if (opts.json === true) writeJson(ctx.stdout, queries);
          else ctx.stdout.write(renderQueries(queries, ctx.stdout.isTTY === true ? ctx.stdout.columns : undefined));
        });
      }),
};

export function renderQueries(queries: readonly QueryInfo[], terminalWidth?: number): string {
  return renderTable(
    ['QUERY ID', 'STATUS', 'CREATED', 'GROUP', 'QUERY'],
    queries.map((q) => [q.queryId ?? '-', q.status ?? '-', formatTime(q.createTime), q.logGroupName ?? '-', q.queryString ?? '']),
    terminalWidth === undefined ? {} : { maxWidth: terminalWidth },
  );
}
