/**
 * `logward sources`: objects delivered to an S3-compatible bucket or a local folder (CloudTrail, VPC
 * flow logs, load balancer logs...), read and ingested by the server (src/sources, docs/sources.md).
 * Goes through the server's admin API (src/api/admin-sources.ts).
 *
 * `--endpoint-url` and `--region` mean the Logward server here as in every command, so the bucket's
 * store and region are `--s3-endpoint-url` and `--s3-region` (as for `logward targets put delivery`).
 */
import { basename, resolve } from 'node:path';
import { Command } from 'commander';
import { addClientOptions, type ClientOptions } from '../client.js';
import { UsageError, type CliContext } from '../context.js';
import { adminRequest } from '../admin-client.js';
import { renderTable, writeJson } from '../output.js';
import type { CommandSpec } from '../program.js';

interface Shown {
  name: string;
  kind: string;
  location: string;
  format: string;
  logGroupName: string;
  objects: number;
  events: number;
  parseErrors: number;
  failed: number;
  inProgress: { key: string; events: number; done: number } | null;
  lastError: string | null;
  failedObjects: Array<{ key: string; reason: string }>;
}

type Common = ClientOptions & { name?: string; prefix?: string; format?: string; logGroup?: string; pollSeconds?: string; settleSeconds?: string; output?: string };

const seconds = (what: string, text: string): number => {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n >= 0)) throw new UsageError(`invalid ${what} '${text}': expected a number of seconds`);
  return n;
};

/** A source name from a bucket or folder name: what a name may hold, else `_`. */
const nameFrom = (text: string): string => text.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 64) || 'source';

function common(c: Command): Command {
  return addClientOptions(c)
    .option('--name <name>', 'the source name (default: from the bucket or folder)')
    .option('--prefix <prefix>', 'only keys under this prefix (e.g. AWSLogs/)', '')
    .option('--format <format>', 'auto (from the key layout, else the content) or a format name (docs/formats.md)', 'auto')
    .option('--log-group <name>', 'the log group to write to (default /logward/sources/<name>)')
    .option('--poll-seconds <n>', 'seconds between listings (default 60)')
    .option('--settle-seconds <n>', 'how long keys may still arrive out of order (default 900)')
    .option('--output <format>', 'table (default) or json');
}

async function add(ctx: CliContext, o: Common, name: string, config: Record<string, unknown>): Promise<void> {
  const body: Record<string, unknown> = { ...config, prefix: o.prefix ?? '', format: o.format ?? 'auto' };
  if (o.logGroup !== undefined) body.logGroup = o.logGroup;
  if (o.pollSeconds !== undefined) body.pollSeconds = seconds('--poll-seconds', o.pollSeconds);
  if (o.settleSeconds !== undefined) body.settleSeconds = seconds('--settle-seconds', o.settleSeconds);
  const out = (await adminRequest(ctx, o, 'PUT', `/_logward/admin/sources/${encodeURIComponent(name)}`, body)) as { source: Shown };
  if (o.output === 'json') return writeJson(ctx.stdout, out.source);
  ctx.stdout.write(`source ${out.source.name}: ${out.source.location} → ${out.source.logGroupName}\n`);
}

function addCommand(ctx: CliContext): Command {
  const cmd = new Command('add').summary('add a source').description('Add a source; the server starts reading it at once, from its oldest object.');
  cmd.addCommand(
    common(new Command('s3'))
      .description('An S3 bucket (or an S3-compatible store), read with the server\'s AWS credentials.')
      .requiredOption('--bucket <bucket>', 'the bucket name')
      .option('--s3-endpoint-url <url>', 'an S3-compatible store (default: AWS)')
      .option('--s3-region <region>', 'the region of the bucket (default us-east-1)')
      .action(async (o: Common & { bucket: string; s3EndpointUrl?: string; s3Region?: string }) => {
        const config: Record<string, unknown> = { kind: 's3', bucket: o.bucket };
        if (o.s3EndpointUrl !== undefined) config.endpointUrl = o.s3EndpointUrl;
        if (o.s3Region !== undefined) config.region = o.s3Region;
        await add(ctx, o, o.name ?? nameFrom(o.bucket), config);
      }),
  );
  cmd.addCommand(
    common(new Command('folder'))
      .argument('<path>', 'a folder on the server machine (relative paths are resolved here)')
      .description('A local folder laid out like a bucket (keys are paths relative to it).')
      .action(async (path: string, o: Common) => {
        const abs = resolve(path);
        await add(ctx, o, o.name ?? nameFrom(basename(abs)), { kind: 'folder', path: abs });
      }),
  );
  return cmd;
}

export const sourcesCommand: CommandSpec = {
  build: (ctx) => {
    const cmd = new Command('sources')
      .summary('ingest log files delivered to S3 buckets or folders')
      .description('Sources are buckets or folders the server reads: each new object is ingested once, in its own format, into the source\'s log group.')
      .addHelpText(
        'after',
        `
Examples:
  logward sources add s3 --bucket my-trail-bucket --prefix AWSLogs/ --log-group cloudtrail
  logward sources add s3 --bucket logs --s3-endpoint-url http://127.0.0.1:9000 --name minio-logs
  logward sources add folder /var/log/delivered --format vpc-flow
  logward sources list
  logward sources remove my-trail-bucket`,
      );
    cmd.addCommand(addCommand(ctx));
    cmd.addCommand(
      addClientOptions(new Command('list'))
        .summary('list sources and their progress')
        .option('--output <format>', 'table (default) or json')
        .action(async (o: ClientOptions & { output?: string }) => {
          const out = (await adminRequest(ctx, o, 'GET', '/_logward/admin/sources')) as { sources: Shown[] };
          if (o.output === 'json') return writeJson(ctx.stdout, out.sources);
          ctx.stdout.write(
            renderTable(
              ['NAME', 'LOCATION', 'FORMAT', 'LOG GROUP', 'OBJECTS', 'EVENTS', 'PARSE ERRORS', 'FAILED', 'STATE'],
              out.sources.map((s) => [
                s.name, s.location, s.format, s.logGroupName, String(s.objects), String(s.events), String(s.parseErrors), String(s.failed),
                s.lastError !== null ? `error: ${s.lastError}` : s.inProgress ? `reading ${s.inProgress.key} (${s.inProgress.done}/${s.inProgress.events})` : 'ok',
              ]),
            ),
          );
          const failed = out.sources.flatMap((s) => s.failedObjects.map((f) => [s.name, f.key, f.reason]));
          if (failed.length > 0) ctx.stdout.write(`\nFailed objects:\n${renderTable(['SOURCE', 'KEY', 'REASON'], failed)}`);
        }),
    );
    cmd.addCommand(
      addClientOptions(new Command('remove'))
        .summary('stop reading a source and forget its progress (its log group stays)')
        .argument('<name>')
        .action(async (name: string, o: ClientOptions) => {
          await adminRequest(ctx, o, 'DELETE', `/_logward/admin/sources/${encodeURIComponent(name)}`);
        }),
    );
    return cmd;
  },
};
