/** `logward groups`: every log group (DescribeLogGroups, all pages), as a table or as JSON. */
import { Command } from 'commander';
import { paginateDescribeLogGroups, type LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { addClientOptions, withLogsClient, type ClientOptions } from '../client.js';
import { Progress, formatBytes, formatTime, renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

interface GroupsOptions extends ClientOptions {
  prefix?: string;
  json?: boolean;
}

export const groupsCommand: CommandSpec = {
  build: (ctx) =>
    addClientOptions(new Command('groups'))
      .summary('list log groups')
      .description('List log groups.')
      .option('--prefix <prefix>', 'only the groups whose name starts with this')
      .option('--json', 'print a JSON array of the groups, as DescribeLogGroups returns them')
      .addHelpText('after', '\nExamples:\n  logward groups\n  logward groups --prefix /aws/lambda/ --json')
      .action(async (opts: GroupsOptions) =>
        withLogsClient(ctx, opts, async (client) => {
          const progress = new Progress(ctx.stderr, 'log groups');
          const groups: LogGroup[] = [];
          const pages = paginateDescribeLogGroups({ client, pageSize: 50 }, { logGroupNamePrefix: opts.prefix });
          try {
            for await (const page of pages) {
              groups.push(...(page.logGroups ?? []));
              progress.update(groups.length);
            }
          } finally {
            progress.done();
          }
          if (opts.json === true) writeJson(ctx.stdout, groups);
          else ctx.stdout.write(renderGroups(groups));
        }),
      ),
};

export function renderGroups(groups: readonly LogGroup[]): string {
  return renderTable(
    ['NAME', 'RETENTION', 'STORED', 'CREATED'],
    groups.map((g) => [
      g.logGroupName ?? '-',
      formatRetention(g.retentionInDays),
      g.storedBytes === undefined ? '-' : formatBytes(g.storedBytes),
      formatTime(g.creationTime),
    ]),
  );
}

export function formatRetention(days: number | undefined): string {
  if (days === undefined) return 'never';
  return days === 1 ? '1 day' : `${days} days`;
}
