/**
 * Topics and their subscriptions, addressed as SNS addresses them (`arn:aws:sns:<region>:<account>:<name>`,
 * subscriptions `<topic arn>:<uuid>`), kept in metrics.duckdb and in memory. The TopicNotifier reads
 * them to deliver alarm actions.
 */
import { randomUUID } from 'node:crypto';
import type { MetricDb, SubscriptionRow } from '../store/metric-db.js';
import type { Protocol, Subscription, TopicResolver } from './topic-notifier.js';
import type { ValueSealer } from '../metrics/metric-store.js';

export const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}$/;

export class TopicStore implements TopicResolver {
  private readonly topics = new Map<string, { createdMs: number; subs: SubscriptionRow[] }>();

  private constructor(
    private readonly db: MetricDb,
    readonly region: string,
    readonly accountId: string,
    private readonly sealer: ValueSealer | undefined,
  ) {}

  /** `sealer`: webhook signing secrets are stored sealed with it (encryption at rest). */
  static async open(db: MetricDb, region: string, accountId: string, sealer?: ValueSealer): Promise<TopicStore> {
    const s = new TopicStore(db, region, accountId, sealer);
    const { topics, subscriptions } = await db.loadTopics();
    for (const t of topics) s.topics.set(t.name, { createdMs: t.createdMs, subs: [] });
    for (const sub of subscriptions) {
      const secret = sub.secret !== null && sealer ? await sealer.openValue(null, secretPlace(sub.id), sub.secret) : sub.secret;
      s.topics.get(sub.topic)?.subs.push({ ...sub, secret });
    }
    return s;
  }

  arn(name: string): string {
    return `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
  }

  /** The topic name of one of this server's topic ARNs, or undefined. */
  nameOf(arn: string): string | undefined {
    const prefix = `arn:aws:sns:${this.region}:${this.accountId}:`;
    if (!arn.startsWith(prefix)) return undefined;
    const name = arn.slice(prefix.length);
    return this.topics.has(name) ? name : undefined;
  }

  subscriptions(name: string): readonly Subscription[] | undefined {
    return this.topics.get(name)?.subs.map((s) => ({ protocol: s.protocol as Protocol, endpoint: s.endpoint, ...(s.secret !== null ? { secret: s.secret } : {}) }));
  }

  list(): Array<{ name: string; subscriptions: readonly SubscriptionRow[] }> {
    return [...this.topics].map(([name, t]) => ({ name, subscriptions: t.subs })).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Creates a topic; creating one that exists changes nothing (SNS's CreateTopic is idempotent too). */
  async create(name: string, nowMs: number): Promise<string> {
    if (!this.topics.has(name)) {
      await this.db.putTopic({ name, createdMs: nowMs });
      this.topics.set(name, { createdMs: nowMs, subs: [] });
    }
    return this.arn(name);
  }

  async delete(name: string): Promise<void> {
    await this.db.deleteTopic(name);
    this.topics.delete(name);
  }

  /** Subscribes an endpoint; the same protocol and endpoint subscribed again is the same subscription (as in SNS). */
  async subscribe(name: string, protocol: Protocol, endpoint: string, secret: string | undefined, nowMs: number): Promise<string> {
    const t = this.topics.get(name)!;
    const same = t.subs.find((s) => s.protocol === protocol && s.endpoint === endpoint && s.secret === (secret ?? null));
    if (same !== undefined) return `${this.arn(name)}:${same.id}`;
    const row: SubscriptionRow = { id: randomUUID(), topic: name, protocol, endpoint, secret: secret ?? null, createdMs: nowMs };
    const stored = row.secret !== null && this.sealer ? await this.sealer.sealValue(null, secretPlace(row.id), row.secret) : row.secret;
    await this.db.putSubscription({ ...row, secret: stored });
    t.subs.push(row);
    return `${this.arn(name)}:${row.id}`;
  }

  /** Removes a subscription by its ARN; false when there is none. */
  async unsubscribe(subscriptionArn: string): Promise<boolean> {
    for (const [name, t] of this.topics) {
      const i = t.subs.findIndex((s) => `${this.arn(name)}:${s.id}` === subscriptionArn);
      if (i < 0) continue;
      await this.db.deleteSubscription(t.subs[i]!.id);
      t.subs.splice(i, 1);
      return true;
    }
    return false;
  }
}

/** Where a subscription's sealed secret belongs (bound into the seal). */
const secretPlace = (id: string): string => `topic-subscription-secret:${id}`;
