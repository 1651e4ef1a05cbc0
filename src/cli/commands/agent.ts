/**
 * `logward agent --config agent.json`: runs the Logward agent (src/agent) with a CloudWatch agent
 * configuration, against the server every client command finds (or AWS itself), until SIGINT/SIGTERM.
 */
import { Command } from 'commander';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { Agent, type AgentStats } from '../../agent/agent.js';
import { parseAgentConfig } from '../../agent/config.js';
import { detectHost } from '../../agent/host.js';
import { addClientOptions, resolveClientSettings, type ClientOptions } from '../client.js';
import { UsageError, type CliContext } from '../context.js';
import { parseDuration } from '../duration.js';
import type { CommandSpec } from '../program.js';

interface AgentCliOptions extends ClientOptions {
  config: string;
  stateDir: string;
  bufferMaxMb: string;
  pollInterval: string;
  imds: boolean;
  json?: boolean;
  once?: boolean;
}

export const agentCommand: CommandSpec = {
  build: (ctx) =>
    addClientOptions(new Command('agent'))
      .summary('tail log files and publish host metrics (CloudWatch agent configuration)')
      .description(
        'Tail the files of a CloudWatch agent configuration (logs.logs_collected.files.collect_list) into log groups, and publish the host metrics of its metrics section, until stopped.',
      )
      .requiredOption('--config <file>', 'the agent configuration (the CloudWatch agent JSON format)')
      .option('--state-dir <dir>', 'checkpoints and the on-disk buffer', './logward-agent')
      .option('--buffer-max-mb <n>', 'the on-disk buffer bound; past it, files wait until the server catches up', '256')
      .option('--poll-interval <duration>', 'how often files are looked at', '1s')
      .option('--no-imds', 'do not ask the EC2 instance metadata service for {instance_id} (the host name stands in)')
      .option('--once', 'read every file to its end, send it all, and exit')
      .option('--json', 'print the final counts as JSON')
      .addHelpText(
        'after',
        `
Placeholders in names: {instance_id}, {hostname}, {local_hostname}, {ip_address}.
Keys of the CloudWatch agent format that the logward agent does not implement
are ignored with a warning; invalid values are refused (exit 2).

Examples:
  logward agent --config /opt/aws/amazon-cloudwatch-agent/etc/amazon-cloudwatch-agent.json
  logward agent --config agent.json --endpoint-url http://logs.internal:4599 --state-dir /var/lib/logward-agent`,
      )
      .action(async (opts: AgentCliOptions) => {
        const bufferMb = Number(opts.bufferMaxMb);
        if (!Number.isFinite(bufferMb) || bufferMb < 1) throw new UsageError(`--buffer-max-mb wants a number of MiB (at least 1), got ${opts.bufferMaxMb}`);
        const pollIntervalMs = parseDuration(opts.pollInterval);
        if (pollIntervalMs === 0) throw new UsageError('--poll-interval must be at least 1s');
        const config = parseAgentConfig(await ctx.readFile(opts.config));
        for (const w of config.warnings) ctx.stderr.write(`logward: warning: ${w}\n`);
        const settings = await resolveClientSettings(opts, ctx);
        const common = {
          endpoint: settings.endpoint,
          region: settings.region,
          // The agent retries on its own terms (sender.ts); an SDK retry could only send a batch twice.
          maxAttempts: 1,
          requestHandler: { requestTimeout: 60_000, connectionTimeout: 5_000 },
          ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
        };
        const logs = new CloudWatchLogsClient(common);
        // Loaded only for host metrics: the SDK client costs about 5 MiB of RSS (docs/agent.md).
        const cloudwatch = config.metrics === undefined ? undefined : new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient(common);
        const log = {
          info: (m: string) => void ctx.stderr.write(`logward agent: ${m}\n`),
          warn: (m: string) => void ctx.stderr.write(`logward agent: warning: ${m}\n`),
          error: (m: string) => void ctx.stderr.write(`logward agent: error: ${m}\n`),
        };
        const signal = ctx.interruptSignal();
        const agent = await Agent.start(
          config,
          { logs, ...(cloudwatch === undefined ? {} : { cloudwatch }), host: await detectHost({ imds: opts.imds }), log },
          { stateDir: opts.stateDir, bufferMaxBytes: bufferMb * 1024 * 1024, pollIntervalMs, autoScan: opts.once !== true },
        );
        log.info(`collecting ${config.files.length} file entries${config.metrics === undefined ? '' : ` and ${config.metrics.plugins.length} metric plugins`} to ${settings.endpoint}`);
        try {
          if (opts.once === true) {
            await agent.drain(signal);
          } else {
            await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
          }
        } finally {
          await agent.stop();
          logs.destroy();
          cloudwatch?.destroy();
        }
        report(ctx, agent.stats(), opts.json === true);
      }),
};

function report(ctx: Pick<CliContext, 'stdout' | 'stderr'>, s: AgentStats, json: boolean): void {
  if (json) {
    ctx.stdout.write(`${JSON.stringify(s)}\n`);
    return;
  }
  const rows: [string, number][] = [
    ['events read', s.read],
    ['events sent', s.sent],
    ['requests', s.requests],
    ['retries', s.retries],
    ['filtered out', s.filtered],
    ['dropped (too old/new)', s.droppedOutOfRange],
    ['rejected by server', s.rejected],
    ['dropped (invalid)', s.droppedInvalid],
    ['buffered, not yet sent (bytes)', s.spooledBytes],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) ctx.stderr.write(`${k.padEnd(width)}  ${v}\n`);
}
