/** What every action gets: the store and the server's identity, passed in rather than imported. */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { LogStore } from '../../store/store.js';
import type { QueryManager } from '../../query/insights/manager.js';
import type { LogsOperations } from '../model/generated/logs-types.js';
import type { SubscriptionCatalog, Target } from '../../store/subscriptions.js';
import type { MetricFilterEngine } from '../../metrics/metric-filters.js';

/** Logs Insights: the running and recent queries, and GetLogRecord's lookup (engine.ts by default). */
export interface InsightsContext {
  queries: QueryManager;
  getLogRecord(ptr: string): Promise<Record<string, string> | null>;
}

/** Subscription filters and destinations: the catalog, and the delivery engine's view (subscriptions/engine.ts). */
export interface SubscriptionsContext {
  readonly catalog: SubscriptionCatalog;
  /** The target a destination ARN is bound to (following a named destination), if any. */
  resolveTarget(destinationArn: string): Target | undefined;
  /** Sequence numbers below this are visible in the group: where a new subscription starts. */
  visibleThrough(groupId: number): number;
  /** Starts, restarts and stops consumers after a change. */
  sync(): Promise<void>;
  /** A target's settings checked by its sink (schema, scheme, addresses); throws an Error saying what is wrong. */
  checkTarget(kind: Target['kind'], config: unknown): Record<string, unknown>;
  /** Delivery state of each subscription: checkpoint, lag, retries, dead letters, last error. */
  stats(): unknown[];
}

export interface ActionContext {
  store: LogStore;
  insights: InsightsContext;
  region: string;
  accountId: string;
  clock: Clock;
  logger: Logger;
  subscriptions: SubscriptionsContext;
  /** The compiled metric filters that ingest applies; PutMetricFilter and DeleteMetricFilter reload them. */
  metricFilters: MetricFilterEngine;
  /** The exact request body, for actions that keep it (PutLogEvents writes it to the WAL). */
  body: Buffer;
  /**
   * For log groups an action selects itself (StartQuery's SOURCE command), not named in the request and
   * so not authorized before it ran: undefined when the caller may query the group, else the
   * AccessDeniedException message. Absent: every group may be queried.
   */
  mayQuery?: (groupName: string) => string | undefined;
}

export type Action<Op extends keyof LogsOperations> = (
  ctx: ActionContext,
  input: LogsOperations[Op]['input'],
) => Promise<LogsOperations[Op]['output']>;
