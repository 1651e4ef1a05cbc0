/**
 * The `logward` binary end to end: `serve` on a free port and a fresh data dir, then the client commands
 * against it as separate processes, through the real AWS SDK client. The child environment is built from
 * scratch (HOME is the temp dir), so no AWS profile or LOGWARD_* variable of the machine leaks in.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('./main.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let server: ChildProcess;
let serverOut = '';
let url: string;

function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...extra };
}

function cli(args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: childEnv({ LOGWARD_ENDPOINT: url, ...opts.env }) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Resolves with the first match of `re` in what `read()` returns, polling until `ms` have passed. */
async function waitFor(read: () => string, re: RegExp, ms: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = read().match(re);
    if (m !== null) return m;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; got: ${read()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'logward-cli-'));
  server = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', join(dir, 'data'), '--log-level', 'warn'], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server.stdout!.setEncoding('utf8').on('data', (d: string) => (serverOut += d));
  url = (await waitFor(() => serverOut, /^Logward listening on (http:\/\/127\.0\.0\.1:\d+)$/m, 120_000))[1]!;
  await waitFor(() => serverOut, /secret access key: /, 5_000);
});

after(async () => {
  if (server.exitCode === null) {
    server.kill('SIGKILL');
    await exited(server);
  }
  await rm(dir, { recursive: true, force: true });
});

test('serve prints the URL once and the generated credentials it kept in the data dir', async () => {
  assert.equal(serverOut.match(/Logward listening on/g)?.length, 1);
  const keys = JSON.parse(await readFile(join(dir, 'data', 'credentials.json'), 'utf8')) as Record<string, string>;
  assert.ok(serverOut.includes(`access key id:     ${keys.accessKeyId}`));
  assert.ok(serverOut.includes(`secret access key: ${keys.secretAccessKey}`));
  assert.ok(serverOut.includes(join(dir, 'data', 'credentials.json')));
});

test('client commands against the server, with the keys from --data-dir', async () => {
  const data = ['--data-dir', join(dir, 'data')];

  // A fresh server has one group: its audit trail.
  const empty = await cli(['groups', ...data]);
  assert.equal(empty.code, 0, empty.stderr);
  assert.match(empty.stdout, /^NAME +RETENTION +STORED +CREATED\nlogward\/audit +never +\d+(\.\d+)? (B|KiB) +\d{4}-\S+Z\n$/);

  const missing = await cli(['put', 'app', 'web-1', ...data], { input: 'x\n' });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^put 0 events\nlogward: ResourceNotFoundException: The specified log group does not exist\.\n$/);

  const put = await cli(['put', 'app', 'web-1', '--create', ...data], { input: 'hello world\r\n\nERROR disk full\nlast' });
  assert.equal(put.code, 0, put.stderr);
  assert.equal(put.stderr, 'put 3 events\n');
  const again = await cli(['put', 'app', 'web-2', '--create', ...data], { input: 'ERROR again\n' });
  assert.equal(again.stderr, 'put 1 events\n', 'an existing group is fine with --create');

  const groups = await cli(['groups', '--json', ...data]);
  const parsed = JSON.parse(groups.stdout) as { logGroupName: string }[];
  assert.deepEqual(parsed.map((g) => g.logGroupName), ['app', 'logward/audit']);

  const streams = await cli(['streams', 'app', ...data]);
  assert.match(streams.stdout, /^NAME +FIRST EVENT +LAST EVENT +LAST INGESTION\nweb-1 +\d{4}-.*Z\nweb-2 +\d{4}-.*Z\n$/);

  const tail = await cli(['tail', 'app', '--stream', 'web-1', '--json', ...data]);
  const events = tail.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(events.map((e) => e.message), ['hello world', 'ERROR disk full', 'last']);
  for (const e of events) assert.deepEqual(Object.keys(e).sort(), ['eventId', 'logStreamName', 'message', 'timestamp']);

  const human = await cli(['tail', 'app', ...data]);
  assert.match(human.stdout.split('\n')[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z web-1 hello world$/);

  const filter = await cli(['filter', 'app', 'ERROR', ...data]);
  assert.equal(filter.code, 0, filter.stderr);
  const rows = filter.stdout.trim().split('\n');
  assert.match(rows[0]!, /^TIME +STREAM +MESSAGE$/);
  assert.deepEqual(rows.slice(1).map((r) => r.split(/ {2,}/).slice(1)), [['web-1', 'ERROR disk full'], ['web-2', 'ERROR again']]);

  const limited = await cli(['filter', 'app', '', '--limit', '2', '--json', ...data]);
  assert.equal((JSON.parse(limited.stdout) as unknown[]).length, 2);

  const nothing = await cli(['tail', 'nope', ...data]);
  assert.equal(nothing.code, 1);
  assert.equal(nothing.stderr, 'logward: ResourceNotFoundException: The specified log group does not exist.\n');
});

test('LOGWARD_* credentials win; wrong ones are refused by the server', async () => {
  const keys = JSON.parse(await readFile(join(dir, 'data', 'credentials.json'), 'utf8')) as Record<string, string>;
  const ok = await cli(['groups'], {
    env: { LOGWARD_ACCESS_KEY_ID: keys.accessKeyId!, LOGWARD_SECRET_ACCESS_KEY: keys.secretAccessKey! },
  });
  assert.equal(ok.code, 0, ok.stderr);
  const bad = await cli(['groups'], {
    env: { LOGWARD_ACCESS_KEY_ID: keys.accessKeyId!, LOGWARD_SECRET_ACCESS_KEY: 'not-the-secret-at-all' },
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^logward: InvalidSignatureException: /);
});

test('tail --follow prints new events once each, and stops on SIGINT with 0', async () => {
  const data = ['--data-dir', join(dir, 'data')];
  await cli(['put', 'app', 'live', '--create', ...data], { input: 'before\n' });
  const follower = spawn(process.execPath, [MAIN, 'tail', 'app', '--since', '1m', '--stream', 'live', '--follow', ...data], {
    env: childEnv({ LOGWARD_ENDPOINT: url }),
  });
  let out = '';
  follower.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => out, / live before\n/, 30_000);
  await cli(['put', 'app', 'live', ...data], { input: 'after 1\nafter 2\n' });
  await waitFor(() => out, / live after 2\n/, 30_000);
  // Two more polls, to see that nothing comes twice.
  await new Promise((r) => setTimeout(r, 2_500));
  follower.kill('SIGINT');
  assert.equal(await exited(follower), 0);
  assert.deepEqual(out.trim().split('\n').map((l) => l.split(' ').slice(2).join(' ')), ['before', 'after 1', 'after 2']);
});

test('serve stops on SIGTERM with 0, and a restart does not print credentials again', async () => {
  server.kill('SIGTERM');
  assert.equal(await exited(server), 0, 'serve exits 0 after SIGTERM');
  const again = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--data-dir', join(dir, 'data'), '--log-level', 'warn'], {
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  again.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => out, /^Logward listening on http:\/\/127\.0\.0\.1:\d+\n$/, 120_000);
  again.kill('SIGINT');
  assert.equal(await exited(again), 0, out);
  assert.doesNotMatch(out, /secret/);
});
