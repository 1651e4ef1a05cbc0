/**
 * `logward metrics list` (ListMetrics, all pages) and `logward metrics get` (GetMetricStatistics): the
 * metrics the server keeps, from metric filters and PutMetricData, as a table or JSON.
 */
import { Command } from 'commander';
import { GetMetricStatisticsCommand, ListMetricsCommand, type Datapoint, type Dimension, type Metric, type Statistic } from '@aws-sdk/client-cloudwatch';
import { addClientOptions, withCloudWatchClient, type ClientOptions } from '../client.js';
import { UsageError } from '../context.js';
import { parseDuration, parseTimeArg } from '../duration.js';
import { formatTime, renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

const SIMPLE = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];

interface ListOptions extends ClientOptions {
  namespace?: string;
  metricName?: string;
  dimension?: string[];
  json?: boolean;
}

interface GetOptions extends ClientOptions {
  dimension?: string[];
  stat: string;
  period: string;
  since: string;
  until?: string;
  json?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** `Name=Value` (or `Name` alone, for list filters) into a dimension. */
export function parseDimension(text: string, valueRequired: boolean): { Name: string; Value?: string } {
  const eq = text.indexOf('=');
  if (eq < 0) {
    if (valueRequired) throw new UsageError(`invalid --dimension '${text}': expected Name=Value`);
    return { Name: text };
  }
  if (eq === 0) throw new UsageError(`invalid --dimension '${text}': the name is empty`);
  return { Name: text.slice(0, eq), Value: text.slice(eq + 1) };
}

export const metricsCommand: CommandSpec = {
  build: (ctx) => {
    const list = addClientOptions(new Command('list'))
      .description('List metrics (ListMetrics).')
      .option('--namespace <ns>', 'only this namespace')
      .option('--metric-name <name>', 'only this metric name')
      .option('--dimension <Name[=Value]>', 'only metrics with this dimension (repeatable)', collect)
      .option('--json', 'print a JSON array of the metrics, as ListMetrics returns them')
      .action(async (opts: ListOptions) => {
        const dims = (opts.dimension ?? []).map((d) => parseDimension(d, false));
        await withCloudWatchClient(ctx, opts, async (client) => {
          const metrics: Metric[] = [];
          let NextToken: string | undefined;
          do {
            const page = await client.send(new ListMetricsCommand({ Namespace: opts.namespace, MetricName: opts.metricName, Dimensions: dims.length > 0 ? dims : undefined, NextToken }));
            metrics.push(...(page.Metrics ?? []));
            NextToken = page.NextToken;
          } while (NextToken !== undefined);
          if (opts.json === true) writeJson(ctx.stdout, metrics);
          else ctx.stdout.write(renderMetrics(metrics));
        });
      });
    const get = addClientOptions(new Command('get'))
      .description('Show one metric per period (GetMetricStatistics).')
      .argument('<namespace>', 'the metric namespace')
      .argument('<metric>', 'the metric name')
      .option('--dimension <Name=Value>', 'a dimension of the metric (repeatable)', collect)
      .option('--stat <stat>', `${SIMPLE.join(', ')} or a percentile such as p99`, 'Sum')
      .option('--period <duration>', 'the period: 1s, 5s, 10s, 30s or whole minutes', '1m')
      .option('--since <time>', 'start: a duration back from now (1h) or an ISO 8601 time', '1h')
      .option('--until <time>', 'end: a duration back from now or an ISO 8601 time (default: now)')
      .option('--json', 'print a JSON array of the datapoints, as GetMetricStatistics returns them')
      .action(async (namespace: string, metric: string, opts: GetOptions) => {
        const dims = (opts.dimension ?? []).map((d) => parseDimension(d, true) as Dimension);
        const periodMs = parseDuration(opts.period);
        if (periodMs < 1000) throw new UsageError(`invalid --period '${opts.period}': at least 1s`);
        const now = ctx.clock.now();
        const start = parseTimeArg(opts.since, now);
        const end = opts.until === undefined ? now : parseTimeArg(opts.until, now);
        const percentile = /^p\d/.test(opts.stat);
        if (!percentile && !SIMPLE.includes(opts.stat)) throw new UsageError(`invalid --stat '${opts.stat}': expected ${SIMPLE.join(', ')} or a percentile such as p99`);
        await withCloudWatchClient(ctx, opts, async (client) => {
          const r = await client.send(
            new GetMetricStatisticsCommand({
              Namespace: namespace,
              MetricName: metric,
              Dimensions: dims,
              StartTime: new Date(start),
              EndTime: new Date(end),
              Period: periodMs / 1000,
              ...(percentile ? { ExtendedStatistics: [opts.stat] } : { Statistics: [opts.stat as Statistic] }),
            }),
          );
          const points = [...(r.Datapoints ?? [])].sort((a, b) => (a.Timestamp?.getTime() ?? 0) - (b.Timestamp?.getTime() ?? 0));
          if (opts.json === true) writeJson(ctx.stdout, points);
          else ctx.stdout.write(renderDatapoints(points, opts.stat));
        });
      });
    return new Command('metrics')
      .summary('list metrics and show their values')
      .description('List metrics and show their values (the CloudWatch metrics API).')
      .addHelpText('after', '\nExamples:\n  logward metrics list --namespace MyApp\n  logward metrics get MyApp Errors --stat Sum --period 5m --since 6h\n  logward metrics get MyApp Latency --dimension Route=/api --stat p99 --json')
      .addCommand(list)
      .addCommand(get);
  },
};

export function renderMetrics(metrics: readonly Metric[]): string {
  return renderTable(
    ['NAMESPACE', 'METRIC', 'DIMENSIONS'],
    metrics.map((m) => [m.Namespace ?? '-', m.MetricName ?? '-', (m.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',') || '-']),
  );
}

export function renderDatapoints(points: readonly Datapoint[], stat: string): string {
  return renderTable(
    ['TIME', stat.toUpperCase(), 'UNIT'],
    points.map((p) => {
      const v = stat.startsWith('p') ? p.ExtendedStatistics?.[stat] : (p as Record<string, unknown>)[stat];
      return [formatTime(p.Timestamp?.getTime()), typeof v === 'number' ? String(v) : '-', p.Unit ?? '-'];
    }),
  );
}
