/**
 * `logward targets`: bind destination names to real targets (so that their ARNs become valid
 * destinationArns of subscription filters), list them, delete them, and show delivery state. Goes through
 * the server's admin API (src/api/admin.ts).
 *
 * `--endpoint-url` means the Logward server here as in every command, so the S3-compatible store of a
 * delivery target is `--s3-endpoint-url`.
 */
import { Command } from 'commander';
import { addClientOptions, type ClientOptions } from '../client.js';
import { UsageError, type CliContext } from '../context.js';
import { adminRequest } from '../admin-client.js';
import { renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

interface Shown {
  kind: string;
  name: string;
  arn: string;
  config: Record<string, unknown>;
}

const positive = (what: string, text: string): number => {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0)) throw new UsageError(`invalid ${what} '${text}': expected a positive number`);
  return n;
};

async function put(ctx: CliContext, opts: ClientOptions, kind: string, name: string, config: Record<string, unknown>): Promise<void> {
  const out = (await adminRequest(ctx, opts, 'PUT', `/_logward/admin/targets/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`, config)) as { target: Shown };
  ctx.stdout.write(`${out.target.arn}\n`);
}

function putCommand(ctx: CliContext): Command {
  const cmd = new Command('put').summary('bind a name to a target').description('Create or replace a target; prints the ARN that subscription filters use for it.');
  cmd.addCommand(
    addClientOptions(new Command('function'))
      .argument('<name>')
      .description('A function target: events are POSTed as {"awslogs":{"data":...}}, as a Lambda function receives them.')
      .requiredOption('--url <url>', 'https URL to POST to')
      .action(async (name: string, o: ClientOptions & { url: string }) => put(ctx, o, 'function', name, { url: o.url })),
  );
  cmd.addCommand(
    addClientOptions(new Command('stream'))
      .argument('<name>')
      .description('A stream target: NATS JetStream; each message is the gzip of the CloudWatch JSON, as in a Kinesis record.')
      .requiredOption('--nats <urls>', 'nats://host:port (several, comma-separated)')
      .requiredOption('--subject <subject>', 'the subject to publish on')
      .option('--stream <stream>', 'the JetStream stream that must capture the subject')
      .action(async (name: string, o: ClientOptions & { nats: string; subject: string; stream?: string }) =>
        put(ctx, o, 'stream', name, { servers: o.nats, subject: o.subject, ...(o.stream !== undefined ? { stream: o.stream } : {}) }),
      ),
  );
  cmd.addCommand(
    addClientOptions(new Command('delivery'))
      .argument('<name>')
      .description('A delivery target (Firehose-like): batches written as objects under <prefix>YYYY/MM/DD/HH/ in a local directory or an S3-compatible bucket.')
      .requiredOption('--bucket <bucket|dir>', 'an absolute local directory, or s3://<bucket> (or a bucket name with --s3-endpoint-url)')
      .option('--prefix <prefix>', 'object key prefix', '')
      .option('--format <format>', 'gzip (NDJSON) or parquet', 'gzip')
      .option('--buffer-mb <n>', 'write once this many MB wait (default 5)')
      .option('--buffer-seconds <n>', 'write once the oldest event waited this long (default 300)')
      .option('--s3-endpoint-url <url>', 'an S3-compatible store')
      .option('--s3-region <region>', 'the region of the bucket (default us-east-1)')
      .option('--sse <mode>', 'server-side encryption: AES256 or aws:kms')
      .option('--sse-kms-key-id <id>', 'the KMS key for --sse aws:kms')
      .option('--encryption <mode>', "logward (default: each object sealed under its log group's data key, opened with `logward keys decrypt`, unreadable once the group is shredded) or none (plain objects, out of crypto-shredding's reach)")
      .action(async (name: string, o: ClientOptions & Record<string, string | undefined>) => {
        if (o.encryption !== undefined && o.encryption !== 'logward' && o.encryption !== 'none') throw new UsageError(`invalid --encryption '${o.encryption}': expected logward or none`);
        if (o.format !== 'gzip' && o.format !== 'parquet') throw new UsageError(`invalid --format '${o.format}': expected gzip or parquet`);
        const config: Record<string, unknown> = { bucket: o.bucket, prefix: o.prefix, format: o.format };
        if (o.bufferMb !== undefined) config.bufferMb = positive('--buffer-mb', o.bufferMb);
        if (o.bufferSeconds !== undefined) config.bufferSeconds = positive('--buffer-seconds', o.bufferSeconds);
        if (o.s3EndpointUrl !== undefined) config.endpointUrl = o.s3EndpointUrl;
        if (o.s3Region !== undefined) config.region = o.s3Region;
        if (o.sse !== undefined) config.sse = o.sse;
        if (o.sseKmsKeyId !== undefined) config.sseKmsKeyId = o.sseKmsKeyId;
        if (o.encryption !== undefined) config.encryption = o.encryption;
        await put(ctx, o, 'delivery', name, config);
      }),
  );
  cmd.addCommand(
    addClientOptions(new Command('opensearch'))
      .argument('<name>')
      .description('An OpenSearch or Elasticsearch cluster: events are indexed with _bulk into <prefix>-YYYY.MM.DD.')
      .requiredOption('--url <url>', 'https URL of the cluster')
      .requiredOption('--index-prefix <prefix>', 'index name prefix')
      .action(async (name: string, o: ClientOptions & { url: string; indexPrefix: string }) => put(ctx, o, 'opensearch', name, { url: o.url, indexPrefix: o.indexPrefix })),
  );
  return cmd;
}

export const targetsCommand: CommandSpec = {
  build: (ctx) => {
    const cmd = new Command('targets')
      .summary('bind subscription destinations to real targets')
      .description('Targets are what destination ARNs of subscription filters point at: function, stream, delivery and opensearch.')
      .addHelpText(
        'after',
        `
Examples:
  logward targets put function audit-hook --url https://hooks.example.com/logs
  logward targets put stream events --nats nats://127.0.0.1:4222 --subject logs.app --stream LOGS
  logward targets put delivery archive --bucket /var/lib/logward-archive --prefix app/ --format gzip
  logward targets put opensearch search --url https://search.example.com:9200 --index-prefix cwl
  logward targets list
  logward targets delete function audit-hook`,
      );
    cmd.addCommand(putCommand(ctx));
    cmd.addCommand(
      addClientOptions(new Command('list'))
        .summary('list targets')
        .option('--json', 'print the targets as JSON')
        .action(async (o: ClientOptions & { json?: boolean }) => {
          const out = (await adminRequest(ctx, o, 'GET', '/_logward/admin/targets')) as { targets: Shown[] };
          if (o.json === true) writeJson(ctx.stdout, out.targets);
          else ctx.stdout.write(renderTable(['KIND', 'NAME', 'ARN'], out.targets.map((t) => [t.kind, t.name, t.arn])));
        }),
    );
    cmd.addCommand(
      addClientOptions(new Command('delete'))
        .summary('delete a target')
        .argument('<kind>', 'function, stream, delivery or opensearch')
        .argument('<name>')
        .action(async (kind: string, name: string, o: ClientOptions) => {
          await adminRequest(ctx, o, 'DELETE', `/_logward/admin/targets/${encodeURIComponent(kind)}/${encodeURIComponent(name)}`);
        }),
    );
    cmd.addCommand(
      addClientOptions(new Command('status'))
        .summary('delivery state of every subscription filter')
        .action(async (o: ClientOptions) => writeJson(ctx.stdout, ((await adminRequest(ctx, o, 'GET', '/_logward/admin/subscriptions')) as { subscriptions: unknown[] }).subscriptions)),
    );
    return cmd;
  },
};
