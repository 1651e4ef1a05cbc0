/**
 * The short text of an alarm notification, for places read on a phone: a chat message, an e-mail, a
 * lock-screen preview. The first line says what happened, the rest say why:
 *
 *   ALARM: root-usage
 *   OK -> ALARM at 2026-11-27 01:02:03 UTC
 *   Metric: LogMetrics/RootAccountUsage, Sum >= 1 over 1 x 10 s
 *   Reason: Threshold Crossed: 1 out of the last 1 datapoints [...]
 *
 * Every line is cut at MAX_LINE characters (reasons can be long), so the text stays a glance.
 */
import type { AlarmNotification } from '../metrics/alarms/notifier.js';

const MAX_LINE = 300;

export interface AlarmText {
  /** `ALARM: root-usage` */
  title: string;
  /** `OK -> ALARM at 2026-11-27 01:02:03 UTC` */
  transition: string;
  /** `LogMetrics/RootAccountUsage, Sum >= 1 over 1 x 10 s`, when the alarm watches a metric. */
  metric?: string;
  reason: string;
  description?: string;
}

const cut = (s: string): string => (s.length > MAX_LINE ? `${s.slice(0, MAX_LINE - 1)}…` : s);

/** `2026-11-27 01:02:03 UTC` */
export function shortTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function alarmText(n: AlarmNotification): AlarmText {
  return {
    title: cut(`${n.newState}: ${n.alarmName}`),
    transition: `${n.oldState} -> ${n.newState} at ${shortTime(n.timestampMs)}`,
    ...(n.metric !== undefined ? { metric: cut(n.metric) } : {}),
    reason: cut(n.reason),
    ...(n.alarmDescription !== undefined && n.alarmDescription !== '' ? { description: cut(n.alarmDescription) } : {}),
  };
}

/** The text as plain lines (e-mail body, chat fallback). */
export function plainText(t: AlarmText): string {
  return [
    t.title,
    ...(t.description !== undefined ? [t.description] : []),
    t.transition,
    ...(t.metric !== undefined ? [`Metric: ${t.metric}`] : []),
    `Reason: ${t.reason}`,
  ].join('\n');
}
