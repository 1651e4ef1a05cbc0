/** What every CloudWatch (metrics and alarms) action gets, passed in rather than imported. */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { MetricStore } from '../../metrics/metric-store.js';
import type { AlarmService } from '../../metrics/alarms/alarm-service.js';
import type { MonitoringOperations } from '../model/generated/monitoring-types.js';

export interface MonitoringContext {
  metrics: MetricStore;
  alarms: AlarmService;
  region: string;
  accountId: string;
  clock: Clock;
  logger: Logger;
}

export type MonitoringAction<Op extends keyof MonitoringOperations> = (
  ctx: MonitoringContext,
  input: MonitoringOperations[Op]['input'],
) => Promise<MonitoringOperations[Op]['output'] | Record<string, never>>;
