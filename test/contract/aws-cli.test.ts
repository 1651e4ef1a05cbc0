/**
 * Contract: the real aws CLI (v1, botocore) against the server, changing only --endpoint-url. One test
 * walks a log group's life; the CLI is slow to start, so the steps share one test.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { awsCli, startLogward, stopAndClean, type CliResult, type LogwardServer } from '../helpers/server.js';
import { groupArn, groupArnBare, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
const run = uid();

before(async () => {
  srv = await startLogward();
});

after(async () => {
  await stopAndClean(srv);
});

async function ok(args: string[]): Promise<CliResult> {
  const r = await awsCli(args, srv);
  assert.equal(r.code, 0, `aws logs ${args.join(' ')} failed (${String(r.code)}):\n${r.stderr}`);
  return r;
}

interface CliGroup {
  logGroupName: string;
  arn: string;
  retentionInDays?: number;
}

test('create, describe, stream, put, get, filter, retention, tags, delete through the aws CLI', async () => {
  const g = `/lw/${run}/cli/app`;
  const created = await ok(['create-log-group', '--log-group-name', g]);
  assert.equal(created.stdout.trim(), '', 'create-log-group prints nothing');

  const described = (await ok(['describe-log-groups', '--log-group-name-prefix', g])).json as { logGroups: CliGroup[] };
  assert.deepEqual(
    described.logGroups.map((x) => [x.logGroupName, x.arn]),
    [[g, groupArn(g)]],
  );

  await ok(['create-log-stream', '--log-group-name', g, '--log-stream-name', 'main']);

  const t = Date.now() - 60_000;
  const events = [
    { timestamp: t, message: 'INFO started' },
    { timestamp: t + 1, message: 'ERROR failed to connect' },
    { timestamp: t + 2, message: 'INFO done' },
  ];
  await ok(['put-log-events', '--log-group-name', g, '--log-stream-name', 'main', '--log-events', JSON.stringify(events)]);

  const got = (await ok(['get-log-events', '--log-group-name', g, '--log-stream-name', 'main', '--start-from-head']))
    .json as { events: Array<{ timestamp: number; message: string }>; nextForwardToken: string; nextBackwardToken: string };
  assert.deepEqual(
    got.events.map((e) => [e.timestamp, e.message]),
    events.map((e) => [e.timestamp, e.message]),
  );
  assert.equal(typeof got.nextForwardToken, 'string');

  const filtered = (await ok(['filter-log-events', '--log-group-name', g, '--filter-pattern', 'ERROR'])).json as {
    events: Array<{ message: string; logStreamName: string }>;
  };
  assert.deepEqual(
    filtered.events.map((e) => [e.logStreamName, e.message]),
    [['main', 'ERROR failed to connect']],
  );

  await ok(['put-retention-policy', '--log-group-name', g, '--retention-in-days', '30']);
  const withRetention = (await ok(['describe-log-groups', '--log-group-name-prefix', g])).json as { logGroups: CliGroup[] };
  assert.equal(withRetention.logGroups[0]?.retentionInDays, 30);

  await ok(['tag-resource', '--resource-arn', groupArnBare(g), '--tags', 'team=core,env=test']);
  const tags = (await ok(['list-tags-for-resource', '--resource-arn', groupArnBare(g)])).json as { tags: Record<string, string> };
  assert.deepEqual(tags.tags, { team: 'core', env: 'test' });

  await ok(['delete-log-group', '--log-group-name', g]);
  const after = (await ok(['describe-log-groups', '--log-group-name-prefix', g])).json as { logGroups: CliGroup[] };
  assert.deepEqual(after.logGroups, []);
});

test('an AWS error reaches the CLI: exit code 255 and the error code on stderr', async () => {
  const g = `/lw/${run}/cli/dup`;
  await ok(['create-log-group', '--log-group-name', g]);
  const dup = await awsCli(['create-log-group', '--log-group-name', g], srv);
  assert.equal(dup.code, 255);
  assert.match(dup.stderr, /ResourceAlreadyExistsException/);
  assert.match(dup.stderr, /The specified log group already exists/);

  const missing = await awsCli(['delete-log-group', '--log-group-name', `/lw/${run}/cli/none`], srv);
  assert.equal(missing.code, 255);
  assert.match(missing.stderr, /ResourceNotFoundException/);
});

test('the CLI paginates filter-log-events across server pages', async () => {
  const g = `/lw/${run}/cli/many`;
  await ok(['create-log-group', '--log-group-name', g]);
  await ok(['create-log-stream', '--log-group-name', g, '--log-stream-name', 's']);
  const t = Date.now() - 60_000;
  const events = Array.from({ length: 60 }, (_, i) => ({ timestamp: t + i, message: `line ${i}` }));
  await ok(['put-log-events', '--log-group-name', g, '--log-stream-name', 's', '--log-events', JSON.stringify(events)]);
  // --page-size makes the CLI send limit=7 and follow nextToken itself.
  const r = (await ok(['filter-log-events', '--log-group-name', g, '--page-size', '7'])).json as {
    events: Array<{ message: string }>;
  };
  assert.deepEqual(
    r.events.map((e) => e.message),
    events.map((e) => e.message),
  );
});
