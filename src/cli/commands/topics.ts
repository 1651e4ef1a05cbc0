/**
 * `logward topics create|subscribe|list`: the topics alarm actions are delivered to. An alarm action
 * `arn:aws:sns:<region>:<account>:<topic>` reaches every webhook subscribed to the topic.
 */
import { Command } from 'commander';
import { addClientOptions, resolveClientSettings, type ClientOptions } from '../client.js';
import { renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';
import type { CliContext } from '../context.js';
import { TopicsClient } from '../topics-client.js';

interface JsonOptions extends ClientOptions {
  json?: boolean;
}

interface SubscribeOptions extends ClientOptions {
  webhook: string;
  secret?: string;
}

async function client(ctx: CliContext, opts: ClientOptions): Promise<TopicsClient> {
  return new TopicsClient(await resolveClientSettings(opts, ctx));
}

export const topicsCommand: CommandSpec = {
  build: (ctx) => {
    const create = addClientOptions(new Command('create'))
      .description('Create a topic (nothing changes if it exists); prints its ARN, for alarm actions.')
      .argument('<name>', 'the topic name: letters, digits, - and _')
      .action(async (name: string, opts: ClientOptions) => {
        const r = await (await client(ctx, opts)).call<{ TopicArn: string }>('CreateTopic', { Name: name });
        ctx.stdout.write(`${r.TopicArn}\n`);
      });
    const subscribe = addClientOptions(new Command('subscribe'))
      .description('Deliver a topic to a webhook: a JSON POST (SNS notification envelope) signed with HMAC-SHA256 when a secret is given.')
      .argument('<topic>', 'the topic name')
      .requiredOption('--webhook <url>', 'the https (or http) URL to POST to')
      .option('--secret <secret>', 'key of the X-Logward-Signature header (sha256=HMAC of "<X-Logward-Timestamp>.<body>")')
      .action(async (topic: string, opts: SubscribeOptions) => {
        const c = await client(ctx, opts);
        const { TopicArn } = await c.call<{ TopicArn: string }>('CreateTopic', { Name: topic });
        const r = await c.call<{ SubscriptionArn: string }>('Subscribe', { TopicArn, Protocol: 'webhook', Endpoint: opts.webhook, ...(opts.secret !== undefined ? { Secret: opts.secret } : {}) });
        ctx.stdout.write(`${r.SubscriptionArn}\n`);
      });
    const list = addClientOptions(new Command('list'))
      .description('List topics and their subscriptions (secrets are never shown).')
      .option('--json', 'print a JSON array of {TopicArn, Subscriptions}')
      .action(async (opts: JsonOptions) => {
        const c = await client(ctx, opts);
        const { Topics } = await c.call<{ Topics: Array<{ TopicArn: string }> }>('ListTopics', {});
        const out = [];
        for (const t of Topics) {
          const s = await c.call<{ Subscriptions: Array<{ SubscriptionArn: string; Protocol: string; Endpoint: string }> }>('ListSubscriptionsByTopic', { TopicArn: t.TopicArn });
          out.push({ TopicArn: t.TopicArn, Subscriptions: s.Subscriptions });
        }
        if (opts.json === true) writeJson(ctx.stdout, out);
        else ctx.stdout.write(renderTable(['TOPIC', 'PROTOCOL', 'ENDPOINT'], out.flatMap((t) => (t.Subscriptions.length === 0 ? [[t.TopicArn, '-', '-']] : t.Subscriptions.map((s) => [t.TopicArn, s.Protocol, s.Endpoint])))));
      });
    return new Command('topics')
      .summary('topics that alarm actions notify')
      .description('Create topics and subscribe webhooks to them; an alarm action arn:aws:sns:<region>:<account>:<topic> notifies them.')
      .addHelpText('after', '\nExamples:\n  logward topics create oncall\n  logward topics subscribe oncall --webhook https://hooks.example.com/logward --secret "$HOOK_SECRET"\n  logward topics list')
      .addCommand(create)
      .addCommand(subscribe)
      .addCommand(list);
  },
};
