/**
 * Alarm actions addressed as SNS topics (`arn:aws:sns:<region>:<account>:<topic>`), delivered to the
 * topic's subscriptions. Where topics and subscriptions come from is a TopicResolver: the topic
 * store and its API (`logward topics ...`) plug in there.
 *
 * Each subscription's protocol is a channel (CHANNELS): `webhook` gets an SNS notification envelope whose
 * `Message` is CloudWatch's alarm message (the JSON AWS sends to SNS for an alarm), so receivers written
 * for CloudWatch alarms through SNS can read it, signed with the subscription's secret; `slack` and
 * `teams` get their incoming-webhook formats (chat.ts); `email` a short plain-text mail (message.ts)
 * through the SMTP server (email.ts). The subscriptions of a topic are delivered to at once, each with its
 * own retries, so one failing endpoint delays no other; the outcome of each is counted (`stats`, shown on
 * GET /metrics) and a failure is logged.
 */
import type { Logger } from 'pino';
import type { AlarmNotification, AlarmNotifier, DeliveryResult } from '../metrics/alarms/notifier.js';
import { DEFAULT_WEBHOOK_POLICY, deliverWebhook, type WebhookPolicy } from './webhook.js';
import { notificationAddresses } from './destinations.js';
import type { AddressPolicy } from '../subscriptions/safety.js';
import { alarmText, plainText } from './message.js';
import { slackPayload, teamsPayload } from './chat.js';
import type { Mailer } from './email.js';
import type { Attempted } from './retry.js';

export const PROTOCOLS = ['webhook', 'email', 'slack', 'teams'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export interface Subscription {
  protocol: Protocol;
  /** A URL (webhook, slack, teams) or an e-mail address. */
  endpoint: string;
  /** Webhooks only: the key of the signature header. */
  secret?: string;
}

export interface NotifierOptions {
  /** Where e-mail goes; without it, e-mail subscriptions fail with a reason. */
  mailer?: Mailer;
  logger?: Logger;
}

/** Deliveries by protocol since the server started (GET /metrics). */
export type DeliveryStats = Record<Protocol, { delivered: number; failed: number; attempts: number }>;

interface Channel {
  deliver(n: AlarmNotification, topic: string, s: Subscription, ctx: TopicNotifier): Promise<Attempted>;
}

/** A URL channel: an address written in the URL is checked first, every address its name resolves to on connecting. */
async function post(ctx: TopicNotifier, s: Subscription, body: string, secret?: string): Promise<Attempted> {
  try {
    ctx.addresses.checkUrl(s.endpoint);
  } catch (e) {
    return { ok: false, attempts: 0, error: (e as Error).message };
  }
  return deliverWebhook({ url: s.endpoint, body, ...(secret !== undefined ? { secret } : {}) }, ctx.addresses, ctx.policy);
}

const CHANNELS: Record<Protocol, Channel> = {
  webhook: { deliver: (n, topic, s, ctx) => post(ctx, s, JSON.stringify(envelope(n, topic)), s.secret) },
  slack: { deliver: (n, _t, s, ctx) => post(ctx, s, JSON.stringify(slackPayload(alarmText(n)))) },
  teams: { deliver: (n, _t, s, ctx) => post(ctx, s, JSON.stringify(teamsPayload(alarmText(n)))) },
  email: {
    deliver: async (n, topic, s, ctx) => {
      if (ctx.options.mailer === undefined) return { ok: false, attempts: 0, error: 'no SMTP server is configured (logward serve --smtp-url)' };
      const text = `${plainText(alarmText(n))}\n\nAlarm: ${n.alarmArn}\nTopic: arn:aws:sns:${n.region}:${n.accountId}:${topic}\n`;
      return ctx.options.mailer.send({ to: s.endpoint, subject: subject(n), text });
    },
  },
};

export interface TopicResolver {
  /** The subscriptions of a topic, or undefined when there is no such topic. */
  subscriptions(topicName: string): readonly Subscription[] | undefined;
}

const SNS_ARN = /^arn:aws:sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;

export class TopicNotifier implements AlarmNotifier {
  constructor(
    private readonly topics: TopicResolver,
    readonly policy: WebhookPolicy = DEFAULT_WEBHOOK_POLICY,
    /** Loopback and private addresses are refused at delivery unless allowed (destinations.ts). */
    readonly allowPrivate = true,
    readonly options: NotifierOptions = {},
  ) {
    this.addresses = notificationAddresses(allowPrivate);
  }

  /** Where webhooks may connect (destinations.ts). */
  readonly addresses: AddressPolicy;

  readonly stats: DeliveryStats = {
    webhook: { delivered: 0, failed: 0, attempts: 0 },
    email: { delivered: 0, failed: 0, attempts: 0 },
    slack: { delivered: 0, failed: 0, attempts: 0 },
    teams: { delivered: 0, failed: 0, attempts: 0 },
  };

  async deliver(n: AlarmNotification): Promise<DeliveryResult> {
    const m = SNS_ARN.exec(n.action);
    if (!m) return { ok: false, detail: `${n.action} is not a topic ARN (arn:aws:sns:<region>:<account>:<topic>)` };
    const [, region, account, topic] = m;
    if (region !== n.region || account !== n.accountId) return { ok: false, detail: `topic ${n.action} is not in this region and account` };
    const subs = this.topics.subscriptions(topic!);
    if (subs === undefined) return { ok: false, detail: `topic ${topic} does not exist` };
    const results = await Promise.all(subs.map((s) => this.deliverOne(n, topic!, s)));
    const failed = results.map((r, i) => ({ r, s: subs[i]! })).filter((x) => !x.r.ok);
    if (failed.length === 0) return { ok: true, detail: `delivered to ${subs.length} subscription${subs.length === 1 ? '' : 's'}` };
    return { ok: false, detail: failed.map((f) => `${shownEndpoint(f.s)}: ${f.r.error ?? 'failed'} after ${f.r.attempts} attempt(s)`).join('; ') };
  }

  private async deliverOne(n: AlarmNotification, topic: string, s: Subscription): Promise<Attempted> {
    let r: Attempted;
    try {
      r = await CHANNELS[s.protocol].deliver(n, topic, s, this);
    } catch (e) {
      r = { ok: false, attempts: 1, error: (e as Error).message };
    }
    const st = this.stats[s.protocol];
    st.attempts += r.attempts;
    if (r.ok) st.delivered++;
    else {
      st.failed++;
      this.options.logger?.warn({ alarm: n.alarmName, topic, protocol: s.protocol, endpoint: shownEndpoint(s), attempts: r.attempts, error: r.error }, 'notification not delivered');
    }
    return r;
  }
}

/**
 * The endpoint as logs, history and listings show it: a Slack or Teams webhook URL is itself the secret
 * (whoever has it can post), so only its origin is shown.
 */
export function shownEndpoint(s: { protocol: string; endpoint: string }): string {
  if (s.protocol !== 'slack' && s.protocol !== 'teams') return s.endpoint;
  try {
    return `${new URL(s.endpoint).origin}/…`;
  } catch {
    return '(invalid URL)';
  }
}

/** `ALARM: "root-usage" in us-east-1`, as SNS titles CloudWatch alarm mails. */
export function subject(n: AlarmNotification): string {
  return `${n.newState}: "${n.alarmName}" in ${n.region}`.slice(0, 100);
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
    Subject: subject(n),
    Message: JSON.stringify(message),
    Timestamp: time,
  };
}
