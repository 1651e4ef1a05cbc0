/**
 * Alarms: kept in memory, persisted in the metric database (definition and state, and history items),
 * evaluated by the server on a timer and on demand (evaluateAll, which tests drive with a fake clock).
 *
 * Evaluation of an alarm with period P at time `now` looks at the N complete periods before
 * floor(now / P) * P (periods aligned to the epoch, as the metric store aggregates them).
 *
 * Early evaluation: an alarm that is not in ALARM and whose breach cannot be undone by more values in the
 * same period (earlyBreachPossible) is also evaluated, with the current, incomplete period as its newest
 * period, as soon as new values reach its series (checked every EARLY_CHECK_MS). Only a transition to
 * ALARM is taken from it; OK and INSUFFICIENT_DATA wait for complete periods. So `Sum >= 1` over 5
 * minutes fires within a second of the first matching event, not at the end of the 5 minutes. A state change
 * is persisted, recorded as a StateUpdate history item and, when actions are enabled, the actions of the
 * new state are handed to the notifier; their outcome becomes an Action history item. Deliveries run in
 * the background: a slow endpoint never delays the evaluation of other alarms.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { Mutex } from '../../store/db.js';
import type { HistoryRow, MetricDb } from '../../store/metric-db.js';
import type { MetricStore } from '../metric-store.js';
import { runQueries } from '../metric-data.js';
import { alarmArn, describeCondition, earlyBreachPossible, type Alarm, type StateValue } from './alarm.js';
import type { Series } from '../metric-store.js';
import { canonicalDimensions } from '../metric-store.js';

/** How often alarms look for new values of their series (early evaluation). */
export const EARLY_CHECK_MS = 200;
import { evaluateAlarm, isoDate, type Slot, type Verdict } from './evaluate.js';
import type { AlarmNotifier } from './notifier.js';

export interface AlarmServiceOptions {
  metrics: MetricStore;
  db: MetricDb;
  clock: Clock;
  logger: Logger;
  notifier: AlarmNotifier;
  region: string;
  accountId: string;
  /** History items older than this are dropped (AWS keeps them for 30 days). */
  historyRetentionMs: number;
}

export class AlarmService {
  readonly alarms = new Map<string, Alarm>();
  private readonly lock = new Mutex();
  private historyId = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly lastEvaluated = new Map<string, number>();
  private deliveries = new Set<Promise<void>>();
  private ticks = 0;
  private earlyTimer: NodeJS.Timeout | undefined;
  /** Per alarm: the series it watches and the series version last evaluated early. */
  private readonly seen = new Map<string, { series: Series; version: number }>();
  private earlyRunning = false;
  /**
   * Alarms put in ALARM early, with the period (index) whose incomplete data did it: until that period is
   * complete, an evaluation of the periods before it must not take the alarm out of ALARM again.
   */
  private readonly earlyPeriod = new Map<string, number>();

  private constructor(private readonly opts: AlarmServiceOptions) {}

  static async open(opts: AlarmServiceOptions): Promise<AlarmService> {
    const s = new AlarmService(opts);
    for (const doc of await opts.db.loadAlarms()) {
      const a = JSON.parse(doc) as Alarm;
      s.alarms.set(a.name, a);
    }
    s.historyId = await opts.db.maxHistoryId();
    return s;
  }

  /**
   * Evaluates each alarm once a new period of it has completed, every second, and early (see above) every
   * EARLY_CHECK_MS, on real timers. Tests with a fake clock may leave the early timer off and call early().
   */
  start(opts: { early?: boolean } = {}): void {
    this.timer = setInterval(() => void this.tick().catch((e) => this.opts.logger.error({ err: e }, 'alarm evaluation failed')), 1000);
    this.timer.unref();
    if (opts.early === false) return;
    this.earlyTimer = setInterval(() => void this.early().catch((e) => this.opts.logger.error({ err: e }, 'early alarm evaluation failed')), EARLY_CHECK_MS);
    this.earlyTimer.unref();
  }

  /** The alarms whose series got new values since they were last looked at, evaluated early (see above). */
  async early(): Promise<void> {
    if (this.earlyRunning) return;
    this.earlyRunning = true;
    try {
      const due: string[] = [];
      for (const a of this.alarms.values()) {
        if (a.state === 'ALARM' || !earlyBreachPossible(a)) continue;
        let w = this.seen.get(a.name);
        if (w !== undefined && this.opts.metrics.byIdGet(w.series.id) !== w.series) {
          this.seen.delete(a.name); // dropped by retention since: look the series up again
          w = undefined;
        }
        if (w === undefined) {
          const series = this.opts.metrics.find(a.namespace!, a.metricName!, canonicalDimensions(a.dimensions ?? []));
          if (series === undefined) continue;
          this.seen.set(a.name, (w = { series, version: series.version ?? 0 }));
          // Values recorded before the alarm first saw its series count too.
        } else if ((w.series.version ?? 0) === w.version) continue;
        w.version = w.series.version ?? 0;
        due.push(a.name);
      }
      if (due.length === 0) return;
      const now = this.opts.clock.now();
      await this.lock.run(async () => {
        for (const name of due) {
          const a = this.alarms.get(name);
          if (!a || a.state === 'ALARM') continue;
          try {
            const verdict = evaluateAlarm(a, await this.slots(a, now, true), now, a.extendedStatistic ?? a.statistic ?? '');
            if (verdict?.state === 'ALARM') {
              await this.setState(a, verdict, now);
              this.earlyPeriod.set(a.name, Math.floor(now / 1000 / a.period));
            }
          } catch (e) {
            this.opts.logger.error({ err: e, alarm: name }, 'evaluating an alarm early failed');
          }
        }
      });
    } finally {
      this.earlyRunning = false;
    }
  }

  private async tick(): Promise<void> {
    const now = this.opts.clock.now();
    const due = [...this.alarms.values()].filter((a) => {
      const period = Math.floor(now / 1000 / a.period);
      return this.lastEvaluated.get(a.name) !== period;
    });
    if (due.length > 0) await this.evaluate(due.map((a) => a.name), now);
    if (++this.ticks % 600 === 0) await this.opts.db.dropHistoryBefore(now - this.opts.historyRetentionMs);
  }

  /** Evaluates every alarm now (tests; the timer evaluates only the alarms that are due). */
  async evaluateAll(): Promise<void> {
    await this.evaluate([...this.alarms.keys()], this.opts.clock.now());
  }

  /** Resolves once every delivery started so far has been recorded (tests, shutdown). */
  async settled(): Promise<void> {
    while (this.deliveries.size > 0) await Promise.all([...this.deliveries]);
  }

  private async evaluate(names: string[], now: number): Promise<void> {
    await this.lock.run(async () => {
      for (const name of names) {
        const a = this.alarms.get(name);
        if (!a) continue;
        const period = Math.floor(now / 1000 / a.period);
        this.lastEvaluated.set(name, period);
        try {
          const verdict = evaluateAlarm(a, await this.slots(a, now), now, a.extendedStatistic ?? a.statistic ?? '');
          const early = this.earlyPeriod.get(name);
          if (early !== undefined && early >= period && a.state === 'ALARM' && verdict?.state !== 'ALARM') continue; // the breaching period is not complete yet
          if (early !== undefined && early < period) this.earlyPeriod.delete(name);
          if (verdict !== null) await this.setState(a, verdict, now);
        } catch (e) {
          this.opts.logger.error({ err: e, alarm: name }, 'evaluating an alarm failed');
        }
      }
    });
  }

  /** The last N complete periods (or N-1 and the current one), oldest first, with their values where there are any. */
  private async slots(a: Alarm, now: number, withCurrent = false): Promise<Slot[]> {
    const end = (Math.floor(now / 1000 / a.period) + (withCurrent ? 1 : 0)) * a.period;
    const start = end - a.evaluationPeriods * a.period;
    const queries = a.metrics ?? [
      {
        Id: 'm1',
        MetricStat: {
          Metric: { Namespace: a.namespace!, MetricName: a.metricName!, Dimensions: a.dimensions ?? [] },
          Period: a.period,
          Stat: a.extendedStatistic ?? a.statistic!,
          ...(a.unit !== undefined ? { Unit: a.unit as never } : {}),
        },
      },
    ];
    const results = await runQueries(this.opts.metrics, queries, start, end);
    const r = results.find((x) => x.returnData)!;
    const out: Slot[] = [];
    for (let ts = start; ts < end; ts += a.period) {
      const value = r.series.get(ts);
      const count = r.counts?.get(ts);
      out.push({ ts, ...(value !== undefined ? { value } : {}), ...(count !== undefined ? { sampleCount: count } : {}) });
    }
    return out;
  }

  /** Applies a new state (evaluation or SetAlarmState); a verdict equal to the current state only refreshes the reason. */
  async setState(a: Alarm, v: Verdict, now: number): Promise<void> {
    const old: StateValue = a.state;
    const oldReason = a.stateReason;
    if (old === v.state) return;
    a.state = v.state;
    a.stateReason = v.reason;
    a.stateReasonData = v.reasonData;
    a.stateUpdatedMs = now;
    a.stateTransitionedMs = now;
    await this.opts.db.putAlarm(a.name, JSON.stringify(a));
    await this.history(a, now, 'StateUpdate', `Alarm updated from ${old} to ${v.state}`, {
      version: '1.0',
      oldState: { stateValue: old, stateReason: oldReason },
      newState: { stateValue: v.state, stateReason: v.reason, ...(v.reasonData ? { stateReasonData: JSON.parse(v.reasonData) as unknown } : {}) },
    });
    if (!a.actionsEnabled) return;
    const actions = v.state === 'ALARM' ? a.alarmActions : v.state === 'OK' ? a.okActions : a.insufficientDataActions;
    for (const action of actions) this.deliver(a, action, old, v, now);
  }

  private deliver(a: Alarm, action: string, old: StateValue, v: Verdict, now: number): void {
    const { region, accountId } = this.opts;
    const p = (async () => {
      let ok = false;
      let detail: string;
      try {
        const r = await this.opts.notifier.deliver({
          action,
          alarmName: a.name,
          alarmArn: alarmArn(region, accountId, a.name),
          ...(a.description !== undefined ? { alarmDescription: a.description } : {}),
          oldState: old,
          newState: v.state,
          reason: v.reason,
          reasonData: v.reasonData,
          metric: describeCondition(a),
          timestampMs: now,
          region,
          accountId,
        });
        ok = r.ok;
        detail = r.detail;
      } catch (e) {
        detail = (e as Error).message;
      }
      const summary = ok ? `Successfully executed action ${action}` : `Failed to execute action ${action}`;
      await this.history(a, this.opts.clock.now(), 'Action', summary, { actionState: ok ? 'Succeeded' : 'Failed', stateUpdateTimestamp: now, notificationResource: action, publishedMessage: detail });
    })().catch((e) => this.opts.logger.error({ err: e, alarm: a.name, action }, 'recording an alarm action failed'));
    this.deliveries.add(p);
    void p.finally(() => this.deliveries.delete(p));
  }

  async history(a: Alarm, now: number, type: string, summary: string, data: unknown): Promise<void> {
    const row: HistoryRow = { id: ++this.historyId, alarmName: a.name, alarmType: 'MetricAlarm', tsMs: now, itemType: type, summary, data: JSON.stringify(data) };
    await this.opts.db.addHistory([row]);
  }

  /** Creates or replaces (keeping the state) an alarm. */
  async put(a: Alarm): Promise<void> {
    await this.lock.run(async () => {
      const old = this.alarms.get(a.name);
      if (old) {
        a.state = old.state;
        a.stateReason = old.stateReason;
        if (old.stateReasonData !== undefined) a.stateReasonData = old.stateReasonData;
        else delete a.stateReasonData;
        a.stateUpdatedMs = old.stateUpdatedMs;
        a.stateTransitionedMs = old.stateTransitionedMs;
      }
      await this.opts.db.putAlarm(a.name, JSON.stringify(a));
      this.alarms.set(a.name, a);
      this.lastEvaluated.delete(a.name);
      this.seen.delete(a.name);
      this.earlyPeriod.delete(a.name);
      const summary = old ? `Alarm "${a.name}" updated` : `Alarm "${a.name}" created`;
      await this.history(a, a.configUpdatedMs, 'ConfigurationUpdate', summary, old ? { type: 'Update', version: '1.0', originalAlarm: old, updatedAlarm: a } : { type: 'Create', version: '1.0', createdAlarm: a });
    });
  }

  async delete(names: readonly string[]): Promise<void> {
    await this.lock.run(async () => {
      await this.opts.db.deleteAlarms(names);
      for (const n of names) {
        this.alarms.delete(n);
        this.lastEvaluated.delete(n);
        this.seen.delete(n);
        this.earlyPeriod.delete(n);
      }
    });
  }

  async setActionsEnabled(names: readonly string[], enabled: boolean): Promise<void> {
    await this.lock.run(async () => {
      for (const n of names) {
        const a = this.alarms.get(n);
        if (!a || a.actionsEnabled === enabled) continue;
        a.actionsEnabled = enabled;
        await this.opts.db.putAlarm(a.name, JSON.stringify(a));
      }
    });
  }

  /** SetAlarmState: the state until the next evaluation says otherwise. */
  async force(a: Alarm, state: StateValue, reason: string, reasonData: string | undefined): Promise<void> {
    await this.lock.run(async () => {
      const now = this.opts.clock.now();
      if (a.state === state) {
        a.stateReason = reason;
        if (reasonData !== undefined) a.stateReasonData = reasonData;
        a.stateUpdatedMs = now;
        await this.opts.db.putAlarm(a.name, JSON.stringify(a));
        return;
      }
      await this.setState(a, { state, reason, reasonData: reasonData ?? '' }, now);
      if (reasonData === undefined) delete a.stateReasonData;
      await this.opts.db.putAlarm(a.name, JSON.stringify(a));
      this.lastEvaluated.delete(a.name);
      this.earlyPeriod.delete(a.name);
    });
  }

  historyRows(q: Parameters<MetricDb['history']>[0]): Promise<HistoryRow[]> {
    return this.opts.db.history(q);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.earlyTimer) clearInterval(this.earlyTimer);
    await this.lock.run(async () => undefined);
    await this.settled();
  }
}

export { isoDate };
