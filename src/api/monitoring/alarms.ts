/**
 * PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric, DeleteAlarms, SetAlarmState,
 * EnableAlarmActions and DisableAlarmActions. Threshold alarms on one metric or on metric math; alarms
 * on anomaly detection bands (the range operators) need a band Logward does not compute yet, so they
 * are refused as AWS refuses a range operator without a ThresholdMetricId.
 */
import { ApiError } from '../errors.js';
import { TREAT_MISSING_DATA, THRESHOLD_OPERATORS, type Alarm, type StateValue, type ThresholdOperator, type TreatMissingData, toMetricAlarm } from '../../metrics/alarms/alarm.js';
import { canonicalDimensions } from '../../metrics/metric-store.js';
import { isPercentile } from '../../metrics/statistics.js';
import { QueryError, runQueries } from '../../metrics/metric-data.js';
import type { MetricAlarm } from '../model/generated/monitoring-types.js';
import { decodeToken, encodeToken } from '../tokens.js';
import type { MonitoringAction, MonitoringContext } from './context.js';
import { invalidCombination, missingParameter, validationError } from './errors.js';

/** CloudWatch's default quota of metric alarms per Region and account. */
export const MAX_ALARMS = 5000;
const DAY = 86_400;

export const putMetricAlarm: MonitoringAction<'PutMetricAlarm'> = async (ctx, input) => {
  const op = input.ComparisonOperator;
  if (op === undefined) throw missingParameter('The parameter ComparisonOperator is required.');
  if (input.EvaluationPeriods === undefined) throw missingParameter('The parameter EvaluationPeriods is required.');
  if (!(THRESHOLD_OPERATORS as readonly string[]).includes(op)) {
    if (input.ThresholdMetricId === undefined) throw validationError('ComparisonOperators for ranges require ThresholdMetricId to be set');
    throw validationError(`ThresholdMetricId ${input.ThresholdMetricId} must refer to an ANOMALY_DETECTION_BAND expression; Logward does not compute anomaly detection bands yet.`);
  }
  if (input.ThresholdMetricId !== undefined) throw validationError('ThresholdMetricId can only be used with the range comparison operators.');
  if (input.Threshold === undefined) throw missingParameter('The parameter Threshold is required.');
  const tmd = (input.TreatMissingData ?? 'missing') as TreatMissingData;
  if (!TREAT_MISSING_DATA.includes(tmd)) throw validationError(`The value ${input.TreatMissingData} for parameter TreatMissingData is invalid: it must be one of breaching, notBreaching, ignore, missing.`);
  const single = input.MetricName !== undefined || input.Namespace !== undefined || input.Statistic !== undefined || input.ExtendedStatistic !== undefined || input.Period !== undefined || input.Dimensions !== undefined;
  let period: number;
  if (input.Metrics !== undefined) {
    if (single) throw invalidCombination('The parameters Metrics and MetricName, Namespace, Statistic, ExtendedStatistic, Dimensions, Period are mutually exclusive.');
    const returning = input.Metrics.filter((m) => m.ReturnData !== false);
    if (returning.length !== 1) throw validationError('Exactly one element of the metrics list should return data.');
    const stats = input.Metrics.filter((m) => m.MetricStat !== undefined);
    if (stats.length === 0) throw validationError('The metrics list must contain at least one MetricStat.');
    const periods = new Set(stats.map((m) => m.MetricStat!.Period));
    if (periods.size !== 1) throw validationError('All MetricStat periods of an alarm must be equal.');
    period = [...periods][0]!;
    try {
      await runQueries(ctx.metrics, input.Metrics, 0, 1); // checks ids, statistics and expressions
    } catch (e) {
      if (e instanceof QueryError) throw validationError(e.message.replaceAll('MetricDataQueries', 'Metrics'));
      throw e;
    }
  } else {
    if (input.MetricName === undefined) throw missingParameter('The parameter MetricName is required.');
    if (input.Namespace === undefined) throw missingParameter('The parameter Namespace is required.');
    if (input.Period === undefined) throw missingParameter('The parameter Period is required.');
    if (input.Statistic !== undefined && input.ExtendedStatistic !== undefined) {
      throw invalidCombination('The parameters Statistic and ExtendedStatistic are mutually exclusive and you have specified both.');
    }
    if (input.Statistic === undefined && input.ExtendedStatistic === undefined) throw missingParameter('One of the parameters Statistic or ExtendedStatistic is required.');
    if (input.ExtendedStatistic !== undefined && !isPercentile(input.ExtendedStatistic)) {
      throw validationError(`The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not a valid percentile.`);
    }
    period = input.Period;
  }
  if (!(period === 10 || period === 30 || (period >= 60 && period % 60 === 0))) throw validationError('Period must be 10, 30 or a multiple of 60.');
  const m = input.DatapointsToAlarm ?? input.EvaluationPeriods;
  if (m > input.EvaluationPeriods) throw validationError('DatapointsToAlarm must be less than or equal to EvaluationPeriods.');
  if (period * input.EvaluationPeriods > DAY) throw validationError('Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400).');
  for (const list of [input.AlarmActions, input.OKActions, input.InsufficientDataActions]) {
    for (const arn of list ?? []) if (!/^arn:[^:]+:[^:]+:/.test(arn)) throw validationError(`Invalid action ARN: ${arn}`);
  }
  if (!ctx.alarms.alarms.has(input.AlarmName) && ctx.alarms.alarms.size >= MAX_ALARMS) {
    throw new ApiError('LimitExceededFault', `The maximum number of alarms (${MAX_ALARMS}) has been reached.`);
  }
  const now = ctx.clock.now();
  const alarm: Alarm = {
    name: input.AlarmName,
    ...(input.AlarmDescription !== undefined ? { description: input.AlarmDescription } : {}),
    actionsEnabled: input.ActionsEnabled ?? true,
    okActions: input.OKActions ?? [],
    alarmActions: input.AlarmActions ?? [],
    insufficientDataActions: input.InsufficientDataActions ?? [],
    ...(input.Metrics === undefined
      ? {
          metricName: input.MetricName!,
          namespace: input.Namespace!,
          ...(input.Statistic !== undefined ? { statistic: input.Statistic } : {}),
          ...(input.ExtendedStatistic !== undefined ? { extendedStatistic: input.ExtendedStatistic } : {}),
          dimensions: canonicalDimensions(input.Dimensions ?? []).map(([Name, Value]) => ({ Name, Value })),
        }
      : { metrics: input.Metrics }),
    ...(input.Unit !== undefined ? { unit: input.Unit } : {}),
    period,
    evaluationPeriods: input.EvaluationPeriods,
    datapointsToAlarm: m,
    threshold: input.Threshold,
    comparisonOperator: op as ThresholdOperator,
    treatMissingData: tmd,
    ...(input.EvaluateLowSampleCountPercentile !== undefined ? { evaluateLowSampleCountPercentile: input.EvaluateLowSampleCountPercentile } : {}),
    ...(input.Tags !== undefined ? { tags: input.Tags } : {}),
    configUpdatedMs: now,
    state: 'INSUFFICIENT_DATA',
    stateReason: 'Unchecked: Initial alarm creation',
    stateUpdatedMs: now,
    stateTransitionedMs: now,
  };
  await ctx.alarms.put(alarm);
  return {};
};

const isName = (v: unknown): v is string => typeof v === 'string';

export const describeAlarms: MonitoringAction<'DescribeAlarms'> = async (ctx, input) => {
  if (input.AlarmNames !== undefined && input.AlarmNamePrefix !== undefined) {
    throw invalidCombination('The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.');
  }
  const types = input.AlarmTypes ?? ['MetricAlarm'];
  const after = input.NextToken === undefined ? undefined : token('DescribeAlarms', input.NextToken);
  const limit = input.MaxRecords ?? 50;
  const names = input.AlarmNames === undefined ? undefined : new Set(input.AlarmNames);
  const all = types.includes('MetricAlarm')
    ? [...ctx.alarms.alarms.values()]
        .filter(
          (a) =>
            (names === undefined || names.has(a.name)) &&
            (input.AlarmNamePrefix === undefined || a.name.startsWith(input.AlarmNamePrefix)) &&
            (input.StateValue === undefined || a.state === input.StateValue) &&
            (input.ActionPrefix === undefined || [...a.alarmActions, ...a.okActions, ...a.insufficientDataActions].some((x) => x.startsWith(input.ActionPrefix!))) &&
            (after === undefined || a.name > after),
        )
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    : [];
  const page = all.slice(0, limit);
  return {
    MetricAlarms: page.map((a) => toMetricAlarm(a, ctx.region, ctx.accountId)),
    CompositeAlarms: [],
    ...(all.length > limit ? { NextToken: encodeToken('DescribeAlarms', page.at(-1)!.name) } : {}),
  };
};

function token(kind: string, t: string): string {
  try {
    return decodeToken(kind, t, isName);
  } catch (e) {
    throw new ApiError('InvalidNextToken', 'The specified nextToken is invalid.', { cause: e });
  }
}

export const describeAlarmsForMetric: MonitoringAction<'DescribeAlarmsForMetric'> = async (ctx, input) => {
  const dims = input.Dimensions === undefined ? undefined : JSON.stringify(canonicalDimensions(input.Dimensions));
  const MetricAlarms: MetricAlarm[] = [...ctx.alarms.alarms.values()]
    .filter(
      (a) =>
        a.metricName === input.MetricName &&
        a.namespace === input.Namespace &&
        (input.Statistic === undefined || a.statistic === input.Statistic) &&
        (input.ExtendedStatistic === undefined || a.extendedStatistic === input.ExtendedStatistic) &&
        (input.Period === undefined || a.period === input.Period) &&
        (input.Unit === undefined || a.unit === input.Unit) &&
        (dims === undefined || JSON.stringify(canonicalDimensions(a.dimensions ?? [])) === dims),
    )
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map((a) => toMetricAlarm(a, ctx.region, ctx.accountId));
  return { MetricAlarms };
};

export const deleteAlarms: MonitoringAction<'DeleteAlarms'> = async (ctx, input) => {
  const missing = input.AlarmNames.filter((n) => !ctx.alarms.alarms.has(n));
  if (missing.length > 0) throw new ApiError('ResourceNotFound', `${missing.length} of the specified alarms were not found: ${missing.join(', ')}`);
  await ctx.alarms.delete(input.AlarmNames);
  return {};
};

export const setAlarmState: MonitoringAction<'SetAlarmState'> = async (ctx, input) => {
  const a = alarmNamed(ctx, input.AlarmName);
  if (input.StateReasonData !== undefined) {
    try {
      JSON.parse(input.StateReasonData);
    } catch (e) {
      throw new ApiError('InvalidFormatFault', 'StateReasonData is not a valid JSON document.', { cause: e });
    }
  }
  await ctx.alarms.force(a, input.StateValue as StateValue, input.StateReason, input.StateReasonData);
  return {};
};

export const enableAlarmActions: MonitoringAction<'EnableAlarmActions'> = async (ctx, input) => {
  await ctx.alarms.setActionsEnabled(input.AlarmNames, true);
  return {};
};

export const disableAlarmActions: MonitoringAction<'DisableAlarmActions'> = async (ctx, input) => {
  await ctx.alarms.setActionsEnabled(input.AlarmNames, false);
  return {};
};

function alarmNamed(ctx: MonitoringContext, name: string): Alarm {
  const a = ctx.alarms.alarms.get(name);
  if (!a) throw new ApiError('ResourceNotFound', `Alarm ${name} not found`);
  return a;
}
