/**
 * The metrics subsystem of one server: the metric store, the metric filters on the ingest path, the
 * alarms and their evaluation timer, and what `GET /metrics` shows. server.ts opens and closes it.
 */
import type { Logger } from 'pino';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { LogStore } from '../store/store.js';
import { MetricStore } from './metric-store.js';
import { MetricFilterEngine } from './metric-filters.js';
import { AlarmService } from './alarms/alarm-service.js';
import type { AlarmNotifier } from './alarms/notifier.js';
import { TopicStore } from '../notify/topic-store.js';
import { PROTOCOLS, TopicNotifier } from '../notify/topic-notifier.js';
import { Mailer, type SmtpSettings } from '../notify/email.js';
import { DEFAULT_RETRY_POLICY } from '../notify/retry.js';
import { render, type Family } from './prometheus.js';

export interface MetricsOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  region: string;
  accountId: string;
  retentionMs: number;
  /** Loopback and private webhook addresses are refused unless this is set (notify/destinations.ts). */
  allowPrivateDestinations: boolean;
  /** The SMTP server e-mail notifications go through; without it, e-mail subscriptions are refused. */
  smtp?: SmtpSettings;
  /** Replaces delivery to topics (tests). */
  notifier?: AlarmNotifier;
  /** false: metric filters are evaluated in the main thread (still after the acknowledgement). */
  filterWorker?: boolean;
  /** false: no timer for early alarm evaluation (tests with a fake clock call alarms.early()). */
  earlyAlarmTimer?: boolean;
  /** false: no timer for periodic alarm evaluation either (tests that call alarms.evaluateAll()). */
  alarmTimer?: boolean;
}

/** Counts what ingest stores, for Logward's own metrics; the rate is over the last RATE_WINDOW_S seconds. */
const RATE_WINDOW_S = 60;

export class MetricsSubsystem {
  private eventsIngested = 0;
  private bytesIngested = 0;
  private batchesIngested = 0;
  /** Events per wall-clock second, for the last RATE_WINDOW_S seconds. */
  private readonly recent = new Map<number, number>();

  private constructor(
    readonly store: MetricStore,
    readonly filters: MetricFilterEngine,
    readonly alarms: AlarmService,
    readonly notifier: AlarmNotifier,
    readonly topics: TopicStore,
    private readonly logs: LogStore,
    private readonly clock: Clock,
    private readonly mailer: Mailer | undefined,
  ) {}

  /** Whether e-mail subscriptions can be delivered (an SMTP server is configured). */
  get emailEnabled(): boolean {
    return this.mailer !== undefined;
  }

  static async open(logs: LogStore, opts: MetricsOptions): Promise<MetricsSubsystem> {
    const store = await MetricStore.open({
      dataDir: opts.dataDir,
      clock: opts.clock,
      logger: opts.logger,
      retentionMs: opts.retentionMs,
      memoryLimit: '64MB',
      tempDir: join(opts.dataDir, 'tmp'),
      sealer: logs.atRest,
    });
    const filters = await MetricFilterEngine.open({ store: logs, metrics: store, logger: opts.logger, worker: opts.filterWorker !== false });
    // Any deleted group (DeleteLogGroup, a shred, a dead-letter group going with its source): its
    // filters stop first, then the series whose dimension values came from its events go.
    logs.onGroupDeleted(async (groupId) => {
      filters.drop(groupId);
      await store.dropGroup(groupId);
    });
    const topics = await TopicStore.open(store.metricDb, opts.region, opts.accountId, logs.atRest);
    const mailer = opts.smtp !== undefined ? new Mailer(opts.smtp, DEFAULT_RETRY_POLICY) : undefined;
    const notifier =
      opts.notifier ?? new TopicNotifier(topics, undefined, opts.allowPrivateDestinations, { logger: opts.logger, ...(mailer !== undefined ? { mailer } : {}) });
    const alarms = await AlarmService.open({
      metrics: store,
      db: store.metricDb,
      clock: opts.clock,
      logger: opts.logger,
      notifier,
      region: opts.region,
      accountId: opts.accountId,
      historyRetentionMs: 30 * 86_400_000,
    });
    const m = new MetricsSubsystem(store, filters, alarms, notifier, topics, logs, opts.clock, mailer);
    logs.onBatch((_g, _s, b) => m.count(b.timestamps.length, b.bytes));
    if (opts.alarmTimer !== false) alarms.start({ early: opts.earlyAlarmTimer !== false });
    return m;
  }

  private count(events: number, bytes: number): void {
    this.eventsIngested += events;
    this.bytesIngested += bytes;
    this.batchesIngested++;
    const sec = Math.floor(this.clock.now() / 1000);
    this.recent.set(sec, (this.recent.get(sec) ?? 0) + events);
    for (const k of this.recent.keys()) if (k <= sec - RATE_WINDOW_S) this.recent.delete(k);
  }

  /**
   * The Prometheus exposition: Logward's health first, then `extra` (other subsystems' families, such as
   * subscription delivery), then every stored metric's latest second.
   */
  async exposition(extra: readonly Family[] = []): Promise<string> {
    const sec = Math.floor(this.clock.now() / 1000);
    let windowEvents = 0;
    for (const [k, n] of this.recent) if (k > sec - RATE_WINDOW_S) windowEvents += n;
    const states = { OK: 0, ALARM: 0, INSUFFICIENT_DATA: 0 };
    for (const a of this.alarms.alarms.values()) states[a.state]++;
    const g = (name: string, help: string, value: number, type: 'gauge' | 'counter' = 'gauge'): Family => ({ name, help, type, samples: [{ labels: [], value }] });
    const families: Family[] = [
      g('logward_ingested_events_total', 'Log events stored since the server started.', this.eventsIngested, 'counter'),
      g('logward_ingested_bytes_total', 'Bytes of log messages stored since the server started.', this.bytesIngested, 'counter'),
      g('logward_ingested_batches_total', 'PutLogEvents batches stored since the server started.', this.batchesIngested, 'counter'),
      g('logward_ingest_events_per_second', `Log events stored per second, averaged over the last ${RATE_WINDOW_S} seconds.`, windowEvents / RATE_WINDOW_S),
      g('logward_hot_tier_bytes', 'Bytes of log events held in memory until they are sealed into Parquet.', this.logs.hot.bytes),
      g('logward_seal_queue_depth', 'Write-ahead log files waiting to be sealed into Parquet.', this.logs.sealQueueDepth),
      g('logward_unshredded_segments', 'Segments whose JSON fields are not shredded yet (done when the store is idle).', this.logs.unshreddedSegments),
      g('logward_unindexed_segments', 'Segments without a token index yet (built when the store is idle).', this.logs.unindexedSegments),
      g('logward_log_groups', 'Log groups.', this.logs.catalog.groups.size),
      g('logward_metric_filter_matches_total', 'Log events that matched a metric filter.', this.filters.stats.eventsMatched, 'counter'),
      g('logward_metric_filter_skipped_total', 'Matching log events without a numeric value or a dimension, so not counted.', this.filters.stats.eventsSkipped, 'counter'),
      g('logward_metric_filter_replayed_events', 'Log events metric filters evaluated again at start-up because their values were not written before the restart.', this.filters.stats.eventsReplayed),
      g('logward_metric_values_total', 'Metric values recorded (PutMetricData and metric filters).', this.store.valuesRecorded, 'counter'),
      {
        name: 'logward_alarms',
        help: 'Metric alarms by state.',
        type: 'gauge',
        samples: Object.entries(states).map(([state, n]) => ({ labels: [['state', state] as const], value: n })),
      },
      ...extra,
    ];
    if (this.notifier instanceof TopicNotifier) {
      const d = this.notifier.stats;
      const byProtocol = (name: string, help: string, pick: (p: (typeof d)['webhook']) => number): Family => ({
        name,
        help,
        type: 'counter',
        samples: PROTOCOLS.map((p) => ({ labels: [['protocol', p] as const], value: pick(d[p]) })),
      });
      families.push(
        byProtocol('logward_notifications_delivered_total', 'Alarm notifications delivered to a topic subscription.', (x) => x.delivered),
        byProtocol('logward_notifications_failed_total', 'Alarm notifications that could not be delivered after every retry.', (x) => x.failed),
        byProtocol('logward_notification_attempts_total', 'Delivery attempts of alarm notifications, retries included.', (x) => x.attempts),
      );
    }
    const stats = [
      ['sum', 'Sum'],
      ['count', 'SampleCount'],
      ['min', 'Minimum'],
      ['max', 'Maximum'],
    ] as const;
    const latest = await this.store.latest();
    latest.sort((a, b) => (a.series.key < b.series.key ? -1 : 1));
    for (const l of latest) {
      const base = `${l.series.namespace}_${l.series.metricName}`;
      const values = { sum: l.sum, count: l.n, min: l.min, max: l.max };
      for (const [suffix, stat] of stats) {
        families.push({
          name: `${base}_${suffix}`,
          help: `${stat} of CloudWatch metric ${l.series.namespace}/${l.series.metricName} in its newest second with data.`,
          type: 'gauge',
          samples: [{ labels: l.series.dimensions, value: values[suffix] }],
        });
      }
    }
    return render(families);
  }

  async close(): Promise<void> {
    await this.filters.close();
    await this.alarms.close();
    this.mailer?.close();
    await this.store.close();
  }
}
