/**
 * The `logward` program: the registry of commands, and the one place that turns what a command threw into
 * a message on stderr and an exit code.
 */
import { Command, CommanderError } from 'commander';
import { DEFAULT_ENDPOINT, SERVER_DEFAULTS } from './client.js';
import { EXIT, UsageError, type CliContext } from './context.js';

export interface CommandSpec {
  /** The commander command, its options and its action; the action throws to fail. */
  build(ctx: CliContext): Command;
}

export type CommandName = 'serve' | 'groups' | 'streams' | 'put' | 'tail' | 'filter' | 'query' | 'queries' | 'iam' | 'audit' | 'metrics' | 'alarms' | 'topics' | 'cis' | 'targets' | 'keys' | 'agent' | 'sources';

/**
 * Every command of `logward`, in the order `--help` lists them. A command's module is loaded when it runs
 * (or for the full help): `logward agent` need not load the server's code.
 */
export const COMMANDS: Record<CommandName, () => Promise<CommandSpec>> = {
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  groups: async () => (await import('./commands/groups.js')).groupsCommand,
  streams: async () => (await import('./commands/streams.js')).streamsCommand,
  put: async () => (await import('./commands/put.js')).putCommand,
  tail: async () => (await import('./commands/tail.js')).tailCommand,
  filter: async () => (await import('./commands/filter.js')).filterCommand,
  query: async () => (await import('./commands/query.js')).queryCommand,
  queries: async () => (await import('./commands/queries.js')).queriesCommand,
  iam: async () => (await import('./commands/iam.js')).iamCommand,
  audit: async () => (await import('./commands/audit.js')).auditCommand,
  metrics: async () => (await import('./commands/metrics.js')).metricsCommand,
  alarms: async () => (await import('./commands/alarms.js')).alarmsCommand,
  topics: async () => (await import('./commands/topics.js')).topicsCommand,
  cis: async () => (await import('./commands/cis.js')).cisCommand,
  targets: async () => (await import('./commands/targets.js')).targetsCommand,
  keys: async () => (await import('./commands/keys.js')).keysCommand,
  agent: async () => (await import('./commands/agent.js')).agentCommand,
  sources: async () => (await import('./commands/sources.js')).sourcesCommand,
};

/** The program with every command, or with `only` alone when it names one (what `run` needs for it). */
export async function buildProgram(ctx: CliContext, only?: string): Promise<Command> {
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
  const names = only !== undefined && Object.hasOwn(COMMANDS, only) ? [only as CommandName] : (Object.keys(COMMANDS) as CommandName[]);
  for (const name of names) {
    const command = (await COMMANDS[name]()).build(ctx);
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
    await (await buildProgram(ctx, argv[2])).parseAsync([...argv]);
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
