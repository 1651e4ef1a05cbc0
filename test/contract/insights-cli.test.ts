/**
 * `logward query` and `logward queries` end to end: the real binary against a real server, through the
 * AWS SDK client inside it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { uid } from '../helpers/assert-aws.js';

const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

let srv: LogwardServer;
const group = `cli-insights-${uid()}`;

before(async () => {
  srv = await startLogward();
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web-1' }));
  const now = Date.now();
  await srv.client.send(
    new PutLogEventsCommand({
      logGroupName: group,
      logStreamName: 'web-1',
      logEvents: ['GET / 200', 'GET /a 500', 'GET /b 200'].map((message, i) => ({ timestamp: now - 3000 + i * 1000, message })),
    }),
  );
});

after(async () => {
  await stopAndClean(srv);
});

function logward(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args, '--endpoint-url', srv.url], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: srv.dataDir,
        LOGWARD_ACCESS_KEY_ID: srv.credentials.accessKeyId,
        LOGWARD_SECRET_ACCESS_KEY: srv.credentials.secretAccessKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('logward query prints a table, or JSON rows; logward queries lists it', async () => {
  const table = await logward(['query', group, 'fields @message | sort @timestamp asc', '--since', '10m']);
  assert.equal(table.code, 0, table.stderr);
  assert.equal(table.stdout, '@message\nGET / 200\nGET /a 500\nGET /b 200\n');
  assert.equal(table.stderr, '', 'no progress when stderr is not a terminal');

  const json = await logward(['query', group, 'stats count(*) as n by @logStream', '--since', '10m', '--json']);
  assert.equal(json.code, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), [{ '@logStream': 'web-1', n: '3' }]);

  const list = await logward(['queries', '--group', group, '--json']);
  assert.equal(list.code, 0, list.stderr);
  const queries = JSON.parse(list.stdout) as Array<{ queryString: string; status: string }>;
  assert.deepEqual(
    queries.map((q) => [q.status, q.queryString.replace(/START=\d+ END=\d+/, 'START END')]),
    [
      ['Complete', `SOURCE "${group}" START END | stats count(*) as n by @logStream`],
      ['Complete', `SOURCE "${group}" START END | fields @message | sort @timestamp asc`],
    ],
  );
});

test('logward query: AWS errors exit 1 with the error code and message', async () => {
  const bad = await logward(['query', group, 'fields @message | bogus']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^logward: MalformedQueryException: /);
  const missing = await logward(['query', 'nope-nope', 'fields @message']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr, "logward: ResourceNotFoundException: Log group 'nope-nope' does not exist for account ID '000000000000'\n");
});
