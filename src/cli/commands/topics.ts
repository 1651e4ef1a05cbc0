/**
 * `logward topics create|subscribe|list`: the topics alarm actions are delivered to. An alarm action
 * `arn:aws:sns:<region>:<account>:<topic>` reaches every subscription of the topic: webhooks, e-mail
 * addresses, Slack and Microsoft Teams incoming webhooks.
 */
import { Command } from 'commander';
import { addClientOptions, resolveClientSettings, type ClientOptions } from '../client.js';
import { renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';
import { UsageError, type CliContext } from '../context.js';
import { TopicsClient } from '../topics-client.js';

interface JsonOptions extends ClientOptions {
  json?: boolean;
}

interface SubscribeOptions extends ClientOptions {
  webhook?: string;
  email?: string;
  slack?: string;
  teams?: string;
  secret?: string;
}

const PROTOCOL_OPTIONS = ['webhook', 'email', 'slack', 'teams'] as const;

/** The one destination option given, as {Protocol, Endpoint}. */
function destination(opts: SubscribeOptions): { Protocol: string; Endpoint: string } {
  const given = PROTOCOL_OPTIONS.filter((p) => opts[p] !== undefined);
  if (given.length !== 1) throw new UsageError('give exactly one of --webhook <url>, --email <address>, --slack <url>, --teams <url>');
  const p = given[0]!;
  if (opts.secret !== undefined && p !== 'webhook') throw new UsageError('--secret signs webhooks only');
  return { Protocol: p, Endpoint: opts[p]! };
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
      .description(
        'Deliver a topic to a webhook (a JSON POST, the SNS notification envelope, signed with HMAC-SHA256 when a secret is given), an e-mail address (through the server\'s --smtp-url), or a Slack or Microsoft Teams incoming webhook (a short message). Subscribing the same endpoint twice changes nothing.',
      )
      .argument('<topic>', 'the topic name (created if it does not exist)')
      .option('--webhook <url>', 'the https (or http) URL to POST to')
      .option('--email <address>', 'the address to mail (needs logward serve --smtp-url)')
      .option('--slack <url>', 'a Slack incoming-webhook URL (https://hooks.slack.com/services/...)')
      .option('--teams <url>', 'a Microsoft Teams incoming-webhook or Workflows webhook URL')
      .option('--secret <secret>', 'webhooks: key of the X-Logward-Signature header (sha256=HMAC of "<X-Logward-Timestamp>.<body>")')
      .action(async (topic: string, opts: SubscribeOptions) => {
        const dest = destination(opts);
        const c = await client(ctx, opts);
        const { TopicArn } = await c.call<{ TopicArn: string }>('CreateTopic', { Name: topic });
        const r = await c.call<{ SubscriptionArn: string }>('Subscribe', { TopicArn, ...dest, ...(opts.secret !== undefined ? { Secret: opts.secret } : {}) });
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
      .description('Create topics and subscribe webhooks, e-mail addresses, Slack and Teams to them; an alarm action arn:aws:sns:<region>:<account>:<topic> notifies them.')
      .addHelpText(
        'after',
        '\nExamples:\n  logward topics create oncall\n  logward topics subscribe oncall --webhook https://hooks.example.com/logward --secret "$HOOK_SECRET"\n  logward topics subscribe oncall --email oncall@example.com\n  logward topics subscribe oncall --slack https://hooks.slack.com/services/T000/B000/XXXX\n  logward topics list',
      )
      .addCommand(create)
      .addCommand(subscribe)
      .addCommand(list);
  },
};
