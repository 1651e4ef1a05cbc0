/**
 * `logward cis install --log-group <cloudtrail group> --topic <topic>`: the CIS AWS Foundations
 * Benchmark's CloudTrail metric filters and alarms (src/cli/cis-pack.ts), made through the same API calls
 * a user would make (CreateTopic, PutMetricFilter, PutMetricAlarm). Idempotent: what already exists as the
 * pack defines it is left alone (no duplicate, no "updated" history item); what differs is put again.
 */
import { Command } from 'commander';
import { DescribeMetricFiltersCommand, PutMetricFilterCommand, type MetricFilter } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeAlarmsCommand, PutMetricAlarmCommand, type MetricAlarm, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { addClientOptions, resolveClientSettings, withCloudWatchClient, withLogsClient, type ClientOptions } from '../client.js';
import { UsageError } from '../context.js';
import { renderTable, writeJson } from '../output.js';
import { parseDuration } from '../duration.js';
import type { CommandSpec } from '../program.js';
import { TopicsClient } from '../topics-client.js';
import { CIS_CONTROLS, CIS_NAMESPACE } from '../cis-pack.js';

interface InstallOptions extends ClientOptions {
  logGroup: string;
  topic: string;
  period: string;
  json?: boolean;
  output?: string;
}

type Outcome = 'created' | 'updated' | 'unchanged';

export interface Installed {
  control: string;
  cis: string;
  title: string;
  filterName: string;
  metric: string;
  alarmName: string;
  filter: Outcome;
  alarm: Outcome;
}

const PREFIX = 'CIS-';

function periodSeconds(text: string): number {
  const s = parseDuration(text) / 1000;
  if (!(s === 10 || s === 30 || (s >= 60 && s % 60 === 0)) || s > 86_400) throw new UsageError(`invalid --period '${text}': 10s, 30s or a whole number of minutes up to 1d`);
  return s;
}

const sameFilter = (f: MetricFilter | undefined, pattern: string, metric: string): boolean =>
  f !== undefined &&
  f.filterPattern === pattern &&
  f.metricTransformations?.length === 1 &&
  f.metricTransformations[0]!.metricName === metric &&
  f.metricTransformations[0]!.metricNamespace === CIS_NAMESPACE &&
  f.metricTransformations[0]!.metricValue === '1';

function sameAlarm(a: MetricAlarm | undefined, want: PutMetricAlarmCommandInput): boolean {
  if (a === undefined) return false;
  return (
    a.AlarmDescription === want.AlarmDescription &&
    a.Namespace === want.Namespace &&
    a.MetricName === want.MetricName &&
    a.Statistic === want.Statistic &&
    a.Period === want.Period &&
    a.EvaluationPeriods === want.EvaluationPeriods &&
    a.Threshold === want.Threshold &&
    a.ComparisonOperator === want.ComparisonOperator &&
    a.TreatMissingData === want.TreatMissingData &&
    a.ActionsEnabled === true &&
    JSON.stringify(a.AlarmActions ?? []) === JSON.stringify(want.AlarmActions) &&
    (a.Dimensions ?? []).length === 0
  );
}

async function install(ctx: Parameters<CommandSpec['build']>[0], opts: InstallOptions): Promise<Installed[]> {
  const period = periodSeconds(opts.period);
  const topics = new TopicsClient(await resolveClientSettings(opts, ctx));
  const { TopicArn } = await topics.call<{ TopicArn: string }>('CreateTopic', { Name: opts.topic });
  const out: Installed[] = CIS_CONTROLS.map((c) => ({
    control: c.id,
    cis: c.cis,
    title: c.title,
    filterName: `${PREFIX}${c.name}`,
    metric: `${CIS_NAMESPACE}/${c.name}`,
    alarmName: `${PREFIX}${c.name}`,
    filter: 'unchanged',
    alarm: 'unchanged',
  }));
  await withLogsClient(ctx, opts, async (logs) => {
    const existing = new Map<string, MetricFilter>();
    let nextToken: string | undefined;
    do {
      const page = await logs.send(new DescribeMetricFiltersCommand({ logGroupName: opts.logGroup, filterNamePrefix: PREFIX, nextToken }));
      for (const f of page.metricFilters ?? []) existing.set(f.filterName!, f);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    for (const [i, c] of CIS_CONTROLS.entries()) {
      const row = out[i]!;
      const had = existing.get(row.filterName);
      if (sameFilter(had, c.pattern, c.name)) continue;
      await logs.send(
        new PutMetricFilterCommand({
          logGroupName: opts.logGroup,
          filterName: row.filterName,
          filterPattern: c.pattern,
          metricTransformations: [{ metricName: c.name, metricNamespace: CIS_NAMESPACE, metricValue: '1' }],
        }),
      );
      row.filter = had === undefined ? 'created' : 'updated';
      ctx.stderr.write(`filter ${row.filterName}: ${row.filter}\n`);
    }
  });
  await withCloudWatchClient(ctx, opts, async (cw) => {
    const existing = new Map<string, MetricAlarm>();
    let NextToken: string | undefined;
    do {
      const page = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: PREFIX, NextToken, MaxRecords: 100 }));
      for (const a of page.MetricAlarms ?? []) existing.set(a.AlarmName!, a);
      NextToken = page.NextToken;
    } while (NextToken !== undefined);
    for (const [i, c] of CIS_CONTROLS.entries()) {
      const row = out[i]!;
      const want: PutMetricAlarmCommandInput = {
        AlarmName: row.alarmName,
        AlarmDescription: `[${c.id}] CIS AWS Foundations Benchmark (${c.cis}): ${c.title}`,
        Namespace: CIS_NAMESPACE,
        MetricName: c.name,
        Statistic: 'Sum',
        Period: period,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        ActionsEnabled: true,
        AlarmActions: [TopicArn],
      };
      const had = existing.get(row.alarmName);
      if (sameAlarm(had, want)) continue;
      await cw.send(new PutMetricAlarmCommand(want));
      row.alarm = had === undefined ? 'created' : 'updated';
      ctx.stderr.write(`alarm ${row.alarmName}: ${row.alarm}\n`);
    }
  });
  return out;
}

export const cisCommand: CommandSpec = {
  build: (ctx) => {
    const installCmd = addClientOptions(new Command('install'))
      .description(
        'Create the CIS AWS Foundations Benchmark CloudTrail metric filters (the exact patterns of Security Hub controls CloudWatch.1 to CloudWatch.14, and CIS 4.15) on a log group, and an alarm for each (Sum >= 1 over one period) that notifies a topic. Running it again changes only what differs.',
      )
      .requiredOption('--log-group <name>', 'the log group CloudTrail delivers to')
      .requiredOption('--topic <name>', 'the topic the alarms notify (created if it does not exist)')
      .option('--period <duration>', 'the alarms\' period: 10s, 30s or whole minutes (an alarm fires as soon as a matching event arrives, whatever the period)', '5m')
      .option('--json', 'print a JSON array: one object per control, with what was created, updated or left unchanged')
      .option('--output <format>', 'table (default) or json')
      .action(async (opts: InstallOptions) => {
        if (opts.output !== undefined && opts.output !== 'json' && opts.output !== 'table') throw new UsageError(`invalid --output '${opts.output}': table or json`);
        const rows = await install(ctx, opts);
        if (opts.json === true || opts.output === 'json') writeJson(ctx.stdout, rows);
        else ctx.stdout.write(renderTable(['CONTROL', 'NAME', 'FILTER', 'ALARM', 'WATCHES'], rows.map((r) => [r.control, r.alarmName, r.filter, r.alarm, r.title])));
      });
    return new Command('cis')
      .summary('install the CIS AWS Foundations Benchmark CloudTrail alarms')
      .description('The CIS AWS Foundations Benchmark CloudTrail monitoring pack: metric filters and alarms on a CloudTrail log group.')
      .addHelpText('after', '\nExamples:\n  logward cis install --log-group cloudtrail --topic security\n  logward cis install --log-group cloudtrail --topic security --period 1m --output json')
      .addCommand(installCmd);
  },
};
