/**
 * Delivery state of each subscription filter in GET /metrics (Prometheus text format), labelled
 * `log_group`, `filter` and `destination` (the filter's destinationArn).
 *
 * Counters start at zero when the server starts (Prometheus' rate() handles the reset); they carry over
 * when a filter's consumer restarts because its target changed.
 */
import type { Family } from '../metrics/prometheus.js';
import type { ConsumerStats } from './consumer.js';


const FAMILIES: ReadonlyArray<{ name: string; help: string; type: 'gauge' | 'counter'; value: (s: ConsumerStats) => number }> = [
  { name: 'logward_subscription_lag_seconds', help: 'Age of the oldest matching event read and not yet delivered (0 when none waits).', type: 'gauge', value: (s) => s.lagMs / 1000 },
  { name: 'logward_subscription_lag_events', help: 'Events of the log group (matching or not) ingested and not yet past the checkpoint.', type: 'gauge', value: (s) => s.lagEvents },
  { name: 'logward_subscription_delivered_events_total', help: 'Matching events delivered (acknowledged by the destination).', type: 'counter', value: (s) => s.deliveredEvents },
  { name: 'logward_subscription_delivered_batches_total', help: 'Batches delivered (acknowledged by the destination).', type: 'counter', value: (s) => s.deliveredBatches },
  { name: 'logward_subscription_retries_total', help: 'Failed delivery attempts that were retried.', type: 'counter', value: (s) => s.retries },
  { name: 'logward_subscription_failures_total', help: 'Failed delivery attempts (retried or dead-lettered).', type: 'counter', value: (s) => s.failures },
  { name: 'logward_subscription_dead_lettered_batches_total', help: 'Batches written to the dead-letter log group after their retry budget.', type: 'counter', value: (s) => s.deadLetteredBatches },
  { name: 'logward_subscription_failing', help: '1 while the last delivery attempt failed, else 0.', type: 'gauge', value: (s) => (s.lastError === null ? 0 : 1) },
];

export function subscriptionFamilies(stats: readonly ConsumerStats[]): Family[] {
  const sorted = [...stats].sort((a, b) => (a.logGroupName + '\0' + a.filterName < b.logGroupName + '\0' + b.filterName ? -1 : 1));
  return FAMILIES.map((f) => ({
    name: f.name,
    help: f.help,
    type: f.type,
    samples: sorted.map((s) => ({
      labels: [
        ['log_group', s.logGroupName],
        ['filter', s.filterName],
        ['destination', s.destinationArn],
      ] as const,
      value: f.value(s),
    })),
  }));
}

