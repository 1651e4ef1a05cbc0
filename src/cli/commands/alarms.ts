/**
 * `logward alarms list` (DescribeAlarms, all pages) and `logward alarms describe <name>` (the alarm
 * and its recent history): as tables for people, or JSON.
 */
import { Command } from 'commander';
import { DescribeAlarmHistoryCommand, DescribeAlarmsCommand, type AlarmHistoryItem, type MetricAlarm, type StateValue } from '@aws-sdk/client-cloudwatch';
import { addClientOptions, withCloudWatchClient, type ClientOptions } from '../client.js';
import { UsageError } from '../context.js';
import { formatTime, renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;

interface ListOptions extends ClientOptions {
  prefix?: string;
  state?: string;
  json?: boolean;
}

interface DescribeOptions extends ClientOptions {
  json?: boolean;
}

const OPERATORS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

export const alarmsCommand: CommandSpec = {
  build: (ctx) => {
    const list = addClientOptions(new Command('list'))
      .description('List metric alarms and their states (DescribeAlarms).')
      .option('--prefix <prefix>', 'only the alarms whose name starts with this')
      .option('--state <state>', `only the alarms in this state: ${STATES.join(', ')}`)
      .option('--json', 'print a JSON array of the alarms, as DescribeAlarms returns them')
      .action(async (opts: ListOptions) => {
        if (opts.state !== undefined && !(STATES as readonly string[]).includes(opts.state)) {
          throw new UsageError(`invalid --state '${opts.state}': expected one of ${STATES.join(', ')}`);
        }
        await withCloudWatchClient(ctx, opts, async (client) => {
          const alarms: MetricAlarm[] = [];
          let NextToken: string | undefined;
          do {
            const page = await client.send(new DescribeAlarmsCommand({ AlarmNamePrefix: opts.prefix, StateValue: opts.state as StateValue | undefined, MaxRecords: 100, NextToken }));
            alarms.push(...(page.MetricAlarms ?? []));
            NextToken = page.NextToken;
          } while (NextToken !== undefined);
          if (opts.json === true) writeJson(ctx.stdout, alarms);
          else ctx.stdout.write(renderAlarms(alarms));
        });
      });
    const describe = addClientOptions(new Command('describe'))
      .description('Show an alarm, why it is in its state, and its recent history.')
      .argument('<name>', 'the alarm name')
      .option('--json', 'print {"alarm": ..., "history": [...]} as the API returns them')
      .action(async (name: string, opts: DescribeOptions) =>
        withCloudWatchClient(ctx, opts, async (client) => {
          const r = await client.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
          const alarm = r.MetricAlarms?.[0];
          if (alarm === undefined) throw Object.assign(new Error(`Alarm ${name} not found`), { name: 'ResourceNotFound' });
          const h = await client.send(new DescribeAlarmHistoryCommand({ AlarmName: name, MaxRecords: 20 }));
          const history = h.AlarmHistoryItems ?? [];
          if (opts.json === true) writeJson(ctx.stdout, { alarm, history });
          else ctx.stdout.write(renderAlarm(alarm, history));
        }),
      );
    return new Command('alarms')
      .summary('list alarms and show their state and history')
      .description('List metric alarms and show their state and history (the CloudWatch alarms API).')
      .addHelpText('after', '\nExamples:\n  logward alarms list --state ALARM\n  logward alarms describe root-account-usage')
      .addCommand(list)
      .addCommand(describe);
  },
};

function condition(a: MetricAlarm): string {
  const what = a.Metrics !== undefined ? (a.Metrics.find((m) => m.ReturnData !== false)?.Expression ?? 'metric math') : `${a.ExtendedStatistic ?? a.Statistic ?? '?'}(${a.Namespace}/${a.MetricName})`;
  return `${what} ${OPERATORS[a.ComparisonOperator ?? ''] ?? a.ComparisonOperator} ${a.Threshold} for ${a.DatapointsToAlarm ?? a.EvaluationPeriods}/${a.EvaluationPeriods} x ${a.Period ?? a.Metrics?.[0]?.MetricStat?.Period}s`;
}

export function renderAlarms(alarms: readonly MetricAlarm[]): string {
  return renderTable(
    ['NAME', 'STATE', 'SINCE', 'CONDITION'],
    alarms.map((a) => [a.AlarmName ?? '-', a.StateValue ?? '-', formatTime(a.StateUpdatedTimestamp?.getTime()), condition(a)]),
  );
}

export function renderAlarm(a: MetricAlarm, history: readonly AlarmHistoryItem[]): string {
  const rows: Array<[string, string]> = [
    ['name', a.AlarmName ?? '-'],
    ['state', `${a.StateValue ?? '-'} since ${formatTime(a.StateUpdatedTimestamp?.getTime())}`],
    ['reason', a.StateReason ?? '-'],
    ['condition', condition(a)],
    ['missing data', a.TreatMissingData ?? 'missing'],
    ['actions', a.ActionsEnabled === false ? 'disabled' : 'enabled'],
    ['on ALARM', (a.AlarmActions ?? []).join(', ') || '-'],
    ['on OK', (a.OKActions ?? []).join(', ') || '-'],
    ['on INSUFFICIENT_DATA', (a.InsufficientDataActions ?? []).join(', ') || '-'],
  ];
  if (a.AlarmDescription !== undefined) rows.splice(1, 0, ['description', a.AlarmDescription]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const head = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}\n`).join('');
  const table = renderTable(
    ['TIME', 'TYPE', 'SUMMARY'],
    history.map((h) => [formatTime(h.Timestamp?.getTime()), h.HistoryItemType ?? '-', h.HistorySummary ?? '']),
  );
  return `${head}\nhistory:\n${table}`;
}
