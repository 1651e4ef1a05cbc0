/**
 * Logward's topics API: the SNS operations alarm notifications need, as JSON over `POST /` with
 * `X-Amz-Target: LogwardTopics_20261127.<Operation>` (awsJson1_1 shape, SigV4 service name `sns`). SNS's own
 * wire protocol (awsQuery, XML) is not served; operation and member names are SNS's, so it can be later.
 *
 *   CreateTopic {Name} → {TopicArn}          ListTopics {} → {Topics: [{TopicArn}]}
 *   DeleteTopic {TopicArn}                   Subscribe {TopicArn, Protocol, Endpoint, Secret?} → {SubscriptionArn}
 *   Unsubscribe {SubscriptionArn}            ListSubscriptionsByTopic {TopicArn} → {Subscriptions: [...]}
 *
 * Protocols: `webhook` (an http(s) URL, optionally a Secret for the signature), `slack` and `teams` (their
 * incoming-webhook URLs), `email` (an address; needs the server's --smtp-url). Secrets are never shown,
 * and neither are Slack and Teams URLs beyond their origin (the URL is their secret).
 */
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import { ApiError } from '../errors.js';
import { TOPIC_NAME, type TopicStore } from '../../notify/topic-store.js';
import { DestinationError, checkWebhookUrl } from '../../notify/destinations.js';
import { PROTOCOLS, shownEndpoint } from '../../notify/topic-notifier.js';
import { EMAIL_ADDRESS } from '../../notify/email.js';

export interface TopicsContext {
  topics: TopicStore;
  allowPrivateDestinations: boolean;
  /** Whether an SMTP server is configured (e-mail subscriptions need one). */
  emailEnabled: boolean;
  clock: Clock;
}

const arn = z.string().min(1).max(1024);
const SCHEMAS = {
  CreateTopic: z.strictObject({ Name: z.string().regex(TOPIC_NAME, 'Topic names must be 1 to 256 letters, digits, hyphens and underscores') }),
  DeleteTopic: z.strictObject({ TopicArn: arn }),
  ListTopics: z.strictObject({}),
  Subscribe: z.strictObject({ TopicArn: arn, Protocol: z.enum(PROTOCOLS), Endpoint: z.string().min(1).max(2048), Secret: z.string().min(1).max(256).optional() }),
  Unsubscribe: z.strictObject({ SubscriptionArn: arn }),
  ListSubscriptionsByTopic: z.strictObject({ TopicArn: arn }),
} as const;

export type TopicsOperation = keyof typeof SCHEMAS;
export const TOPICS_OPERATIONS: ReadonlySet<string> = new Set(Object.keys(SCHEMAS));

export function validateTopicsRequest(op: string, input: unknown): void {
  const parsed = SCHEMAS[op as TopicsOperation].safeParse(input);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw new ApiError('InvalidParameterException', `Invalid parameter: ${detail}`);
  }
}

const notFound = (what: string): ApiError => new ApiError('ResourceNotFoundException', `${what} does not exist`);

function topicName(ctx: TopicsContext, topicArn: string): string {
  const name = ctx.topics.nameOf(topicArn);
  if (name === undefined) throw notFound('Topic');
  return name;
}

type Actions = { [K in TopicsOperation]: (ctx: TopicsContext, input: z.infer<(typeof SCHEMAS)[K]>) => Promise<unknown> };

export const topicsActions: Actions = {
  CreateTopic: async (ctx, i) => ({ TopicArn: await ctx.topics.create(i.Name, ctx.clock.now()) }),
  DeleteTopic: async (ctx, i) => {
    await ctx.topics.delete(topicName(ctx, i.TopicArn));
    return {};
  },
  ListTopics: async (ctx) => ({ Topics: ctx.topics.list().map((t) => ({ TopicArn: ctx.topics.arn(t.name) })) }),
  Subscribe: async (ctx, i) => {
    const name = topicName(ctx, i.TopicArn);
    const invalid = (why: string, cause?: unknown): ApiError => new ApiError('InvalidParameterException', `Invalid parameter: ${why}`, cause !== undefined ? { cause } : undefined);
    if (i.Secret !== undefined && i.Protocol !== 'webhook') throw invalid(`Secret: only webhook subscriptions are signed`);
    if (i.Protocol === 'email') {
      if (!EMAIL_ADDRESS.test(i.Endpoint)) throw invalid(`Endpoint: '${i.Endpoint}' is not an e-mail address`);
      if (!ctx.emailEnabled) throw invalid('Protocol: e-mail needs an SMTP server: start the server with --smtp-url');
    } else {
      try {
        const url = checkWebhookUrl(i.Endpoint, ctx.allowPrivateDestinations);
        if (i.Protocol !== 'webhook' && url.protocol !== 'https:' && !ctx.allowPrivateDestinations) throw new DestinationError(`a ${i.Protocol} webhook URL must be https`);
      } catch (e) {
        if (e instanceof DestinationError) throw invalid(`Endpoint: ${e.message}`, e);
        throw e;
      }
    }
    return { SubscriptionArn: await ctx.topics.subscribe(name, i.Protocol, i.Endpoint, i.Secret, ctx.clock.now()) };
  },
  Unsubscribe: async (ctx, i) => {
    if (!(await ctx.topics.unsubscribe(i.SubscriptionArn))) throw notFound('Subscription');
    return {};
  },
  ListSubscriptionsByTopic: async (ctx, i) => {
    const name = topicName(ctx, i.TopicArn);
    const t = ctx.topics.list().find((x) => x.name === name)!;
    return {
      Subscriptions: t.subscriptions.map((s) => ({ SubscriptionArn: `${ctx.topics.arn(name)}:${s.id}`, TopicArn: ctx.topics.arn(name), Protocol: s.protocol, Endpoint: shownEndpoint(s) })),
    };
  },
};
