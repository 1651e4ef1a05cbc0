/**
 * Logward's topics API: the SNS operations alarm notifications need, as JSON over `POST /` with
 * `X-Amz-Target: LogwardTopics_20261127.<Operation>` (awsJson1_1 shape, SigV4 service name `sns`). SNS's own
 * wire protocol (awsQuery, XML) is not served; operation and member names are SNS's, so it can be later.
 *
 *   CreateTopic {Name} → {TopicArn}          ListTopics {} → {Topics: [{TopicArn}]}
 *   DeleteTopic {TopicArn}                   Subscribe {TopicArn, Protocol: "webhook", Endpoint, Secret?} → {SubscriptionArn}
 *   Unsubscribe {SubscriptionArn}            ListSubscriptionsByTopic {TopicArn} → {Subscriptions: [...]} (secrets never shown)
 */
import { z } from 'zod';
import type { Clock } from '../../clock.js';
import { ApiError } from '../errors.js';
import { TOPIC_NAME, type TopicStore } from '../../notify/topic-store.js';
import { DestinationError, checkWebhookUrl } from '../../notify/destinations.js';

export interface TopicsContext {
  topics: TopicStore;
  allowPrivateDestinations: boolean;
  clock: Clock;
}

const arn = z.string().min(1).max(1024);
const SCHEMAS = {
  CreateTopic: z.strictObject({ Name: z.string().regex(TOPIC_NAME, 'Topic names must be 1 to 256 letters, digits, hyphens and underscores') }),
  DeleteTopic: z.strictObject({ TopicArn: arn }),
  ListTopics: z.strictObject({}),
  Subscribe: z.strictObject({ TopicArn: arn, Protocol: z.literal('webhook'), Endpoint: z.string().min(1).max(2048), Secret: z.string().min(1).max(256).optional() }),
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
    try {
      checkWebhookUrl(i.Endpoint, ctx.allowPrivateDestinations);
    } catch (e) {
      if (e instanceof DestinationError) throw new ApiError('InvalidParameterException', `Invalid parameter: Endpoint: ${e.message}`, { cause: e });
      throw e;
    }
    return { SubscriptionArn: await ctx.topics.subscribe(name, i.Endpoint, i.Secret, ctx.clock.now()) };
  },
  Unsubscribe: async (ctx, i) => {
    if (!(await ctx.topics.unsubscribe(i.SubscriptionArn))) throw notFound('Subscription');
    return {};
  },
  ListSubscriptionsByTopic: async (ctx, i) => {
    const name = topicName(ctx, i.TopicArn);
    const t = ctx.topics.list().find((x) => x.name === name)!;
    return {
      Subscriptions: t.subscriptions.map((s) => ({ SubscriptionArn: `${ctx.topics.arn(name)}:${s.id}`, TopicArn: ctx.topics.arn(name), Protocol: s.protocol, Endpoint: s.endpoint })),
    };
  },
};
