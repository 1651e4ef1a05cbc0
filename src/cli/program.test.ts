import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { FakeClock } from '../clock.js';
import { UsageError, type CliContext } from './context.js';
import { COMMANDS, buildProgram, describeError, run } from './program.js';

function context(env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const ctx: CliContext = {
    env,
    stdin: [],
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    clock: new FakeClock(Date.UTC(2024, 4, 1)),
    readFile: async () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    },
    interruptSignal: () => new AbortController().signal,
  };
  return { ctx, out: () => out.join(''), err: () => err.join('') };
}

const argv = (...args: string[]) => ['node', 'logward', ...args];
const KEYS = { LOGWARD_ACCESS_KEY_ID: 'LWTESTKEY0000000', LOGWARD_SECRET_ACCESS_KEY: 'test-secret-000000000' };

test('every registered command is built under its own name', async () => {
  const names = (await buildProgram(context().ctx)).commands.map((c) => c.name());
  assert.deepEqual(names, Object.keys(COMMANDS));
  assert.deepEqual(names, ['serve', 'groups', 'streams', 'put', 'tail', 'filter', 'query', 'queries', 'iam', 'audit', 'metrics', 'alarms', 'topics', 'cis', 'targets', 'keys', 'agent', 'sources']);
});

test('--help exits 0 and lists the commands', async () => {
  const c = context();
  assert.equal(await run(argv('--help'), c.ctx), 0);
  for (const name of Object.keys(COMMANDS)) assert.match(c.out(), new RegExp(`\\b${name}\\b`));
  const put = context();
  assert.equal(await run(argv('put', '--help'), put.ctx), 0);
  assert.match(put.out(), /truncated/, 'put --help says what happens to long lines');
});

test('command-line mistakes exit 2 with logward: <message>', async () => {
  const cases: [string[], RegExp][] = [
    [['nope'], /^logward: unknown command 'nope'/],
    [['streams'], /^logward: missing required argument 'group'/],
    [['tail', 'g', '--since', 'yesterday'], /^logward: invalid time 'yesterday'/],
    [['filter', 'g', 'ERROR', '--limit', '0'], /^logward: invalid --limit '0'/],
    [['filter', 'g', 'ERROR', '--since', '1h', '--until', '2h'], /^logward: --until is before --since/],
    [['query'], /^logward: missing required argument 'group-and-query'/],
    [['query', 'g', 'fields @message', '--limit', '100001'], /^logward: invalid --limit '100001'/],
    [['query', 'g', 'fields @message', '--since', '1h', '--start', '2024-05-01'], /^logward: --since and --start are alternatives/],
    [['query', 'g', 'fields @message', '--since', '1h', '--end', '2h'], /^logward: --end is before the start/],
    [['metrics', 'get', 'App', 'Errors', '--dimension', 'NoValue'], /^logward: invalid --dimension 'NoValue': expected Name=Value/],
    [['metrics', 'get', 'App', 'Errors', '--period', '0s'], /^logward: invalid --period '0s': at least 1s/],
    [['metrics', 'nope'], /^logward: unknown command 'nope'/],
    [['alarms', 'list', '--state', 'RED'], /^logward: invalid --state 'RED'/],
    [['topics', 'subscribe', 'oncall'], /^logward: give exactly one of --webhook <url>, --email <address>, --slack <url>, --teams <url>/],
    [['topics', 'subscribe', 'oncall', '--email', 'a@example.com', '--secret', 's'], /^logward: --secret signs webhooks only/],
    [['queries', '--status', 'Done'], /^logward: invalid --status 'Done'/],
    [['cis', 'install', '--topic', 'security'], /^logward: required option '--log-group <name>' not specified/],
    [['cis', 'install', '--log-group', 'ct', '--topic', 'security', '--period', '7s'], /^logward: invalid --period '7s'/],
    [['cis', 'install', '--log-group', 'ct', '--topic', 'security', '--output', 'xml'], /^logward: invalid --output 'xml'/],
    [['agent'], /^logward: required option '--config <file>' not specified/],
    [['agent', '--config', 'agent.json', '--buffer-max-mb', '0'], /^logward: --buffer-max-mb wants a number of MiB/],
    [['agent', '--config', 'agent.json', '--poll-interval', 'soon'], /^logward: invalid duration 'soon'/],
    [['streams', 'g', '--prefix', 'a', '--order-by-last-event'], /^logward: --order-by-last-event cannot be combined with --prefix/],
    [['groups', '--endpoint-url', 'nope'], /^logward: invalid endpoint URL 'nope'/],
    [['serve', '--port', '70000'], /^logward: invalid configuration: port: expected a whole number/],
    [['serve', '--region', 'mars'], /^logward: invalid configuration: region: /],
    [['serve', '--query-concurrency', 'many'], /^logward: invalid configuration: query concurrency: expected a whole number/],
    [['serve', '--query-concurrency', '0'], /^logward: invalid configuration: queryConcurrency: /],
    [['serve', '--query-timeout', '5x'], /^logward: invalid duration '5x'/],
  ];
  for (const [args, message] of cases) {
    const c = context();
    assert.equal(await run(argv(...args), c.ctx), 2, args.join(' '));
    assert.match(c.err(), message, args.join(' '));
  }
});

test('serve: half of the LOGWARD_* credentials pair is a configuration error', async () => {
  const c = context({ LOGWARD_ACCESS_KEY_ID: 'LWTESTKEY0000000' });
  assert.equal(await run(argv('serve'), c.ctx), 2);
  assert.match(c.err(), /^logward: set both LOGWARD_ACCESS_KEY_ID and LOGWARD_SECRET_ACCESS_KEY/);
});

test('a server that is not there: logward: <ErrorName>: <message>, exit 1', async () => {
  // A port that was free a moment ago.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  const c = context({ ...KEYS, LOGWARD_ENDPOINT: `http://127.0.0.1:${port}` });
  assert.equal(await run(argv('groups'), c.ctx), 1);
  assert.match(c.err(), /^logward: ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);
  assert.equal(c.out(), '');
});

test('error lines', () => {
  const sdk = Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' });
  assert.equal(describeError(sdk), 'logward: ResourceNotFoundException: The specified log group does not exist.');
  assert.equal(describeError(new UsageError('bad')), 'logward: bad');
  const refused = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:4599'), { code: 'ECONNREFUSED' })], '');
  assert.equal(describeError(Object.assign(refused, { code: 'ECONNREFUSED' })), 'logward: ECONNREFUSED: connect ECONNREFUSED ::1:4599');
});
