/**
 * Where alarm actions go. The alarm evaluator calls deliver() once per action ARN of a transition and
 * records the outcome as an `Action` history item; it never waits on a delivery to evaluate other
 * alarms. Delivery channels plug in here by ARN: `arn:aws:sns:<region>:<account>:<topic>` will be
 * Logward's topics (webhooks, e-mail, chat), so alarms written for AWS keep working unchanged.
 */
export interface AlarmNotification {
  /** The action ARN this notification is for. */
  action: string;
  alarmName: string;
  alarmArn: string;
  alarmDescription?: string;
  oldState: string;
  newState: string;
  reason: string;
  reasonData?: string;
  /** What the alarm watches, for people: `LogMetrics/RootAccountUsage, Sum >= 1 over 1 x 10 s`. */
  metric?: string;
  /** When the state changed (epoch ms). */
  timestampMs: number;
  region: string;
  accountId: string;
}

export interface DeliveryResult {
  ok: boolean;
  /** Why it failed, or what was done; recorded in the history item. */
  detail: string;
}

export interface AlarmNotifier {
  deliver(n: AlarmNotification): Promise<DeliveryResult>;
}

/**
 * Until topics exist: notifications are kept (the last 1,000, for tests and diagnostics) and reported
 * as not delivered, so the history says truthfully that nothing was sent.
 */
export class RecordingNotifier implements AlarmNotifier {
  readonly recorded: AlarmNotification[] = [];
  async deliver(n: AlarmNotification): Promise<DeliveryResult> {
    this.recorded.push(n);
    if (this.recorded.length > 1000) this.recorded.shift();
    return { ok: false, detail: `no delivery channel for ${n.action} yet (Logward topics are not implemented)` };
  }
}
