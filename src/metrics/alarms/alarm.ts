/** An alarm as stored: its definition (PutMetricAlarm's input) and its state. Times are epoch ms. */
import type { MetricAlarm, MetricDataQuery, Dimension } from '../../api/model/generated/monitoring-types.js';

export type StateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
export type TreatMissingData = 'missing' | 'ignore' | 'breaching' | 'notBreaching';
export const TREAT_MISSING_DATA: readonly TreatMissingData[] = ['breaching', 'notBreaching', 'ignore', 'missing'];
export const THRESHOLD_OPERATORS = ['GreaterThanOrEqualToThreshold', 'GreaterThanThreshold', 'LessThanThreshold', 'LessThanOrEqualToThreshold'] as const;
export type ThresholdOperator = (typeof THRESHOLD_OPERATORS)[number];

export interface Alarm {
  name: string;
  description?: string;
  actionsEnabled: boolean;
  okActions: string[];
  alarmActions: string[];
  insufficientDataActions: string[];
  /** A single metric... */
  metricName?: string;
  namespace?: string;
  statistic?: string;
  extendedStatistic?: string;
  dimensions?: Dimension[];
  unit?: string;
  /** ...or metric math (exactly one query returns data). */
  metrics?: MetricDataQuery[];
  period: number;
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparisonOperator: ThresholdOperator;
  treatMissingData: TreatMissingData;
  evaluateLowSampleCountPercentile?: string;
  tags?: Array<{ Key: string; Value: string }>;
  configUpdatedMs: number;
  state: StateValue;
  stateReason: string;
  stateReasonData?: string;
  stateUpdatedMs: number;
  stateTransitionedMs: number;
}

export const alarmArn = (region: string, accountId: string, name: string): string => `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;

/** The alarm as DescribeAlarms answers it (timestamps in epoch seconds on the awsJson wire). */
export function toMetricAlarm(a: Alarm, region: string, accountId: string): MetricAlarm {
  const s = (ms: number): number => ms / 1000;
  return {
    AlarmName: a.name,
    AlarmArn: alarmArn(region, accountId, a.name),
    ...(a.description !== undefined ? { AlarmDescription: a.description } : {}),
    AlarmConfigurationUpdatedTimestamp: s(a.configUpdatedMs),
    ActionsEnabled: a.actionsEnabled,
    OKActions: a.okActions,
    AlarmActions: a.alarmActions,
    InsufficientDataActions: a.insufficientDataActions,
    StateValue: a.state,
    StateReason: a.stateReason,
    ...(a.stateReasonData !== undefined ? { StateReasonData: a.stateReasonData } : {}),
    StateUpdatedTimestamp: s(a.stateUpdatedMs),
    ...(a.metricName !== undefined ? { MetricName: a.metricName } : {}),
    ...(a.namespace !== undefined ? { Namespace: a.namespace } : {}),
    ...(a.statistic !== undefined ? { Statistic: a.statistic as MetricAlarm['Statistic'] } : {}),
    ...(a.extendedStatistic !== undefined ? { ExtendedStatistic: a.extendedStatistic } : {}),
    ...(a.metrics === undefined ? { Dimensions: a.dimensions ?? [], Period: a.period } : {}),
    ...(a.unit !== undefined ? { Unit: a.unit as MetricAlarm['Unit'] } : {}),
    EvaluationPeriods: a.evaluationPeriods,
    DatapointsToAlarm: a.datapointsToAlarm,
    Threshold: a.threshold,
    ComparisonOperator: a.comparisonOperator,
    TreatMissingData: a.treatMissingData,
    ...(a.evaluateLowSampleCountPercentile !== undefined ? { EvaluateLowSampleCountPercentile: a.evaluateLowSampleCountPercentile } : {}),
    ...(a.metrics !== undefined ? { Metrics: a.metrics } : {}),
    StateTransitionedTimestamp: s(a.stateTransitionedMs),
  };
}

const SYMBOLS: Record<ThresholdOperator, string> = {
  GreaterThanOrEqualToThreshold: '>=',
  GreaterThanThreshold: '>',
  LessThanThreshold: '<',
  LessThanOrEqualToThreshold: '<=',
};

/** What the alarm watches, for people: `LogMetrics/RootAccountUsage, Sum >= 1 over 1 x 10 s`. */
export function describeCondition(a: Alarm): string {
  const dims = (a.dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',');
  const what =
    a.metrics !== undefined
      ? (a.metrics.find((m) => m.ReturnData !== false)?.Expression ?? 'metric math')
      : `${a.namespace}/${a.metricName}${dims !== '' ? ` [${dims}]` : ''}, ${a.extendedStatistic ?? a.statistic}`;
  const m = a.datapointsToAlarm === a.evaluationPeriods ? `${a.evaluationPeriods}` : `${a.datapointsToAlarm} of ${a.evaluationPeriods}`;
  return `${what} ${SYMBOLS[a.comparisonOperator]} ${a.threshold} over ${m} x ${a.period} s`;
}

/**
 * Whether a breach seen in an incomplete period stays a breach whatever else the period receives, so the
 * alarm may go to ALARM before the period ends: a Maximum or SampleCount (or a Sum: metric filter counts
 * and other non-negative values only grow it) above a threshold, a Minimum below one. Single-metric alarms
 * only (metric math may subtract); not percentiles or averages, which move both ways.
 */
export function earlyBreachPossible(a: Alarm): boolean {
  if (a.metrics !== undefined || a.statistic === undefined || a.metricName === undefined) return false;
  const up = a.comparisonOperator === 'GreaterThanThreshold' || a.comparisonOperator === 'GreaterThanOrEqualToThreshold';
  if (a.statistic === 'Sum' || a.statistic === 'SampleCount' || a.statistic === 'Maximum') return up;
  if (a.statistic === 'Minimum') return !up;
  return false;
}
