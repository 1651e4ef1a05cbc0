/**
 * One evaluation of a threshold alarm, pure: the alarm, the datapoints of its last EvaluationPeriods
 * periods, and the time, in; the state it should be in, with AWS-style StateReason and StateReasonData,
 * out (or null: keep the current state).
 *
 * M out of N: the alarm goes to ALARM when at least DatapointsToAlarm (M) of the last EvaluationPeriods
 * (N) periods breach, else OK. Missing periods, by TreatMissingData:
 *   breaching     count as breaching;
 *   notBreaching  count as not breaching;
 *   missing       are left out; when all N are missing the alarm goes to INSUFFICIENT_DATA;
 *   ignore        are left out; when all N are missing the alarm keeps its state.
 * With missing/ignore and only some periods present, the present ones decide: ALARM when at least M of
 * them breach, else OK. (AWS also looks further back for datapoints in that case; Logward does not.)
 */
import type { Alarm, StateValue, ThresholdOperator } from './alarm.js';

export interface Slot {
  /** Epoch seconds of the period's start. */
  ts: number;
  value?: number;
  sampleCount?: number;
}

export interface Verdict {
  state: StateValue;
  reason: string;
  reasonData: string;
}

const WORDS: Record<ThresholdOperator, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

export function breaches(op: ThresholdOperator, value: number, threshold: number): boolean {
  switch (op) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
  }
}

/** Java's Double.toString for the values AWS prints: `5.0`, `0.5`, `1.0E10`. */
export function javaDouble(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return `${v}.0`;
  return String(v);
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
/** `dd/MM/yy HH:mm:ss`, UTC, as AWS prints datapoints in reasons. */
function shortDate(sec: number): string {
  const d = new Date(sec * 1000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCFullYear() % 100)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}
/** `2026-11-27T00:01:00.000+0000`, as AWS writes times in StateReasonData. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** `slots` are the last N periods, oldest first. */
export function evaluateAlarm(alarm: Alarm, slots: readonly Slot[], nowMs: number, statLabel: string): Verdict | null {
  const n = alarm.evaluationPeriods;
  const m = alarm.datapointsToAlarm;
  const tmd = alarm.treatMissingData;
  const present = slots.filter((s) => s.value !== undefined);
  const missing = slots.length - present.length;
  const data = (recent: readonly Slot[]): string =>
    JSON.stringify({
      version: '1.0',
      queryDate: isoDate(nowMs),
      startDate: isoDate((slots[0]?.ts ?? 0) * 1000),
      ...(alarm.metrics === undefined ? { statistic: statLabel } : {}),
      ...(alarm.unit !== undefined ? { unit: alarm.unit } : {}),
      period: alarm.period,
      recentDatapoints: recent.filter((s) => s.value !== undefined).map((s) => s.value),
      threshold: alarm.threshold,
      evaluatedDatapoints: [...slots].reverse().filter((s) => s.value !== undefined).map((s) => ({
        timestamp: isoDate(s.ts * 1000),
        ...(s.sampleCount !== undefined ? { sampleCount: s.sampleCount } : {}),
        value: s.value,
      })),
    });

  if (present.length === 0 && (tmd === 'missing' || tmd === 'ignore')) {
    if (tmd === 'ignore') return null;
    return {
      state: 'INSUFFICIENT_DATA',
      reason: `Insufficient Data: ${missing} datapoint${missing === 1 ? ' was' : 's were'} unknown.`,
      reasonData: data([]),
    };
  }
  const considered = tmd === 'breaching' || tmd === 'notBreaching' ? slots : present;
  const isBreach = (s: Slot): boolean => (s.value === undefined ? tmd === 'breaching' : breaches(alarm.comparisonOperator, s.value, alarm.threshold));
  const breaching = considered.filter(isBreach);
  const alarmed = breaching.length >= m;
  const state: StateValue = alarmed ? 'ALARM' : 'OK';
  const shown = alarmed ? breaching : considered.filter((s) => !isBreach(s));
  const list = [...shown].reverse().map((s) => (s.value === undefined ? 'missing' : `${javaDouble(s.value)} (${shortDate(s.ts)})`)).join(', ');
  const count = alarmed ? breaching.length : shown.length;
  const verb = count === 1 ? 'was' : 'were';
  const word = WORDS[alarm.comparisonOperator];
  const transition = alarmed ? `minimum ${m} datapoint${m === 1 ? '' : 's'} for OK -> ALARM transition` : `minimum ${n - m + 1} datapoint${n - m + 1 === 1 ? '' : 's'} for ALARM -> OK transition`;
  const reason = `Threshold Crossed: ${count} out of the last ${considered.length} datapoints [${list}] ${verb} ${alarmed ? '' : 'not '}${word} the threshold (${javaDouble(alarm.threshold)}) (${transition}).`;
  return { state, reason, reasonData: data([...considered].reverse()) };
}
