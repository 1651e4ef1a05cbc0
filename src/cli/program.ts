/**
 * The `logward` program: the registry of commands, and the one place that turns what a command threw into
 * a message on stderr and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { DEFAULT_ENDPOINT, SERVER_DEFAULTS } from './client.js';
import { EXIT, UsageError, type CliContext } from './context.js';
import { serveCommand } from './commands/serve.js';
import { groupsCommand } from './commands/groups.js';
import { streamsCommand } from './commands/streams.js';
import { putCommand } from './commands/put.js';
import { tailCommand } from './commands/tail.js';
import { filterCommand } from './commands/filter.js';
import { queryCommand } from './commands/query.js';
import { queriesCommand } from './commands/queries.js';
import { targetsCommand } from './commands/targets.js';
import { keysCommand } from './commands/keys.js';
import { iamCommand } from './commands/iam.js';
import { auditCommand } from './commands/audit.js';
import { metricsCommand } from './commands/metrics.js';
import { alarmsCommand } from './commands/alarms.js';
import { topicsCommand } from './commands/topics.js';
import { cisCommand } from './commands/cis.js';
import { agentCommand } from './commands/agent.js';
import { sourcesCommand } from './commands/sources.js';

export interface CommandSpec {
  /** The commander command, its options and its action; the action throws to fail. */
  build(ctx: CliContext): Command;
}

export type CommandName = 'serve' | 'groups' | 'streams' | 'put' | 'tail' | 'filter' | 'query' | 'queries' | 'iam' | 'audit' | 'metrics' | 'alarms' | 'topics' | 'cis' | 'targets' | 'keys' | 'agent' | 'sources';

/** Every command of `logward`, in the order `--help` lists them. */
export const COMMANDS: Record<CommandName, CommandSpec> = {
  serve: serveCommand,
  groups: groupsCommand,
  streams: streamsCommand,
  put: putCommand,
  tail: tailCommand,
  filter: filterCommand,
  query: queryCommand,
  queries: queriesCommand,
  iam: iamCommand,
  audit: auditCommand,
  metrics: metricsCommand,
  alarms: alarmsCommand,
  topics: topicsCommand,
  cis: cisCommand,
  targets: targetsCommand,
  keys: keysCommand,
  agent: agentCommand,
  sources: sourcesCommand,
};

export function buildProgram(ctx: CliContext): Command {
  const program = new Command('logward')
    .description('Logward: a self-hosted log server that speaks the AWS CloudWatch Logs API, and a client for it.')
    .addHelpText(
      'after',
      `
Environment:
  LOGWARD_ENDPOINT                 the server of the client commands (default: ${DEFAULT_ENDPOINT})
  LOGWARD_ACCESS_KEY_ID,
  LOGWARD_SECRET_ACCESS_KEY        credentials: the root keys for \`serve\`, the keys to sign with for the rest
  AWS_REGION, AWS_DEFAULT_REGION   the region the client commands sign for (default: ${SERVER_DEFAULTS.region})

Run \`logward <command> --help\` for a command's options and examples.`,
    )
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
      outputError: (s, write) => write(s.replace(/^error: /, 'logward: ')),
    });
  for (const [name, spec] of Object.entries(COMMANDS)) {
    const command = spec.build(ctx);
    if (command.name() !== name) throw new Error(`command registered as '${name}' is named '${command.name()}'`);
    // addCommand, unlike command(), does not pass the parent's output and exit settings down.
    program.addCommand(inheritDeep(command, program));
  }
  return program;
}

/** Nested subcommands (`targets put function`) need the program's output and exit settings too. */
function inheritDeep(command: Command, parent: Command): Command {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritDeep(sub, command);
  return command;
}

/** Runs `logward` with `argv` (as process.argv: node, script, args...) and gives the exit code. */
export async function run(argv: readonly string[], ctx: CliContext): Promise<number> {
  try {
    await buildProgram(ctx).parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the message (or the help it was asked for).
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    ctx.stderr.write(`${describeError(error)}\n`);
    return isUsageError(error) ? EXIT.usage : EXIT.failure;
  }
}

/** Bad command lines and bad configuration exit 2; everything else 1. */
function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || (error instanceof Error && error.name === 'ConfigError');
}

/**
 * `logward: <message>` for the user's mistakes; `logward: <ErrorName>: <message>` for the rest, where an
 * SDK error's name is the AWS error code (ResourceNotFoundException) and a system error's its code
 * (ECONNREFUSED).
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `logward: ${String(error)}`;
  if (isUsageError(error)) return `logward: ${error.message}`;
  const code = (error as { code?: unknown }).code;
  const system = (error.name === 'Error' || error.name === 'AggregateError') && typeof code === 'string';
  const name = system ? code : error.name;
  const line = `logward: ${name}: ${messageOf(error)}`;
  return name === 'CredentialsProviderError' ? `${line}\n${CREDENTIALS_HINT}` : line;
}

const CREDENTIALS_HINT =
  'logward: set LOGWARD_ACCESS_KEY_ID and LOGWARD_SECRET_ACCESS_KEY (printed by `logward serve` on its first start), ' +
  'or on the server\'s machine pass its --data-dir';

/** An AggregateError (a connection refused on every address of `localhost`) has its reasons inside. */
function messageOf(error: Error): string {
  if (error.message !== '') return error.message;
  if (error instanceof AggregateError) {
    const inner = error.errors.find((e): e is Error => e instanceof Error && e.message !== '');
    if (inner !== undefined) return inner.message;
  }
  return '(no message)';
}
