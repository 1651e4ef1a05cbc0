/**
 * Alarm actions addressed as SNS topics (`arn:aws:sns:<region>:<account>:<topic>`), delivered to the
 * topic's subscriptions. Where topics and subscriptions come from is a TopicResolver: the topic
 * store and its API (`logward topics ...`) plug in there. Today a subscription is a webhook; e-mail and
 * chat webhooks add protocols here.
 *
 * The message is an SNS notification envelope whose `Message` is CloudWatch's alarm message (the JSON
 * that AWS sends to SNS for an alarm), so receivers written for CloudWatch alarms through SNS can read it.
 */
import type { AlarmNotification, AlarmNotifier, DeliveryResult } from '../metrics/alarms/notifier.js';
import { DEFAULT_WEBHOOK_POLICY, deliverWebhook, type WebhookPolicy } from './webhook.js';
import { checkDelivery } from './destinations.js';

export interface Subscription {
  protocol: 'webhook';
  endpoint: string;
  secret?: string;
}

export interface TopicResolver {
  /** The subscriptions of a topic, or undefined when there is no such topic. */
  subscriptions(topicName: string): readonly Subscription[] | undefined;
}

const SNS_ARN = /^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;

export class TopicNotifier implements AlarmNotifier {
  constructor(
    private readonly topics: TopicResolver,
    private readonly policy: WebhookPolicy = DEFAULT_WEBHOOK_POLICY,
    /** Loopback and private addresses are refused at delivery unless allowed (destinations.ts). */
    private readonly allowPrivate = true,
  ) {}

  async deliver(n: AlarmNotification): Promise<DeliveryResult> {
    const m = SNS_ARN.exec(n.action);
    if (!m) return { ok: false, detail: `${n.action} is not a topic ARN (arn:aws:sns:<region>:<account>:<topic>)` };
    const [, region, account, topic] = m;
    if (region !== n.region || account !== n.accountId) return { ok: false, detail: `topic ${n.action} is not in this region and account` };
    const subs = this.topics.subscriptions(topic!);
    if (subs === undefined) return { ok: false, detail: `topic ${topic} does not exist` };
    const body = JSON.stringify(envelope(n, topic!));
    const results = await Promise.all(
      subs.map(async (s) => {
        try {
          await checkDelivery(new URL(s.endpoint), this.allowPrivate);
        } catch (e) {
          return { ok: false, attempts: 0, error: (e as Error).message };
        }
        return deliverWebhook({ url: s.endpoint, body, ...(s.secret !== undefined ? { secret: s.secret } : {}) }, this.policy);
      }),
    );
    const failed = results.map((r, i) => ({ r, s: subs[i]! })).filter((x) => !x.r.ok);
    if (failed.length === 0) return { ok: true, detail: `delivered to ${subs.length} subscription${subs.length === 1 ? '' : 's'}` };
    return { ok: false, detail: failed.map((f) => `${f.s.endpoint}: ${f.r.error ?? 'failed'} after ${f.r.attempts} attempt(s)`).join('; ') };
  }
}

/** The SNS notification envelope of a CloudWatch alarm message. */
export function envelope(n: AlarmNotification, topic: string): Record<string, unknown> {
  const time = new Date(n.timestampMs).toISOString();
  const message = {
    AlarmName: n.alarmName,
    AlarmDescription: n.alarmDescription ?? null,
    AWSAccountId: n.accountId,
    AlarmConfigurationUpdatedTimestamp: time,
    NewStateValue: n.newState,
    NewStateReason: n.reason,
    StateChangeTime: time.replace('Z', '+0000'),
    Region: n.region,
    AlarmArn: n.alarmArn,
    OldStateValue: n.oldState,
    ...(n.reasonData ? { StateReasonData: n.reasonData } : {}),
  };
  return {
    Type: 'Notification',
    MessageId: `${n.alarmName}:${n.timestampMs}:${n.newState}`,
    TopicArn: `arn:aws:sns:${n.region}:${n.accountId}:${topic}`,
    Subject: `${n.newState}: "${n.alarmName}" in ${n.region}`.slice(0, 100),
    Message: JSON.stringify(message),
    Timestamp: time,
  };
}
