/**
 * The registry of implemented CloudWatch (metrics and alarms) operations. Adding an operation name
 * without its action (or the reverse) fails to compile. Other operations of the model answer
 * UnknownOperationException saying they are not implemented yet.
 */
import type { MonitoringAction } from './context.js';
import { putMetricData } from './put-metric-data.js';
import { getMetricStatistics } from './get-metric-statistics.js';
import { getMetricData } from './get-metric-data.js';
import { listMetrics } from './list-metrics.js';
import {
  putMetricAlarm,
  describeAlarms,
  describeAlarmsForMetric,
  deleteAlarms,
  setAlarmState,
  enableAlarmActions,
  disableAlarmActions,
} from './alarms.js';
import { describeAlarmHistory } from './describe-alarm-history.js';

export type ImplementedMonitoringOperation =
  | 'PutMetricData'
  | 'GetMetricData'
  | 'GetMetricStatistics'
  | 'ListMetrics'
  | 'PutMetricAlarm'
  | 'DescribeAlarms'
  | 'DescribeAlarmsForMetric'
  | 'DescribeAlarmHistory'
  | 'DeleteAlarms'
  | 'SetAlarmState'
  | 'EnableAlarmActions'
  | 'DisableAlarmActions';

export const monitoringActions: { [K in ImplementedMonitoringOperation]: MonitoringAction<K> } = {
  PutMetricData: putMetricData,
  GetMetricData: getMetricData,
  GetMetricStatistics: getMetricStatistics,
  ListMetrics: listMetrics,
  PutMetricAlarm: putMetricAlarm,
  DescribeAlarms: describeAlarms,
  DescribeAlarmsForMetric: describeAlarmsForMetric,
  DescribeAlarmHistory: describeAlarmHistory,
  DeleteAlarms: deleteAlarms,
  SetAlarmState: setAlarmState,
  EnableAlarmActions: enableAlarmActions,
  DisableAlarmActions: disableAlarmActions,
};

export function isImplementedMonitoring(op: string): op is ImplementedMonitoringOperation {
  return Object.hasOwn(monitoringActions, op);
}
