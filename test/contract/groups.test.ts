/**
 * Contract: CreateLogGroup / DeleteLogGroup / DescribeLogGroups against the real server through the
 * AWS SDK. Expected wording comes from test/fixtures/aws-recorded-responses/test_logs_groups.snapshot.json
 * and test_logs_events.snapshot.json (recorded from real AWS) unless a comment says otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { describeAllGroups, filterAll, groupArn, groupArnBare, groupExists, rejectsAws, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
const run = uid();

before(async () => {
  srv = await startLogward();
});

after(async () => {
  await stopAndClean(srv);
});

test('CreateLogGroup then DescribeLogGroups reports the group with AWS fields', async () => {
  const name = `/lw/${run}/groups/basic`;
  const t0 = Date.now();
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: name }));
  const t1 = Date.now();
  const r = await srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  assert.equal(r.logGroups?.length, 1);
  const g = r.logGroups?.[0];
  assert.ok(g !== undefined);
  assert.equal(g.logGroupName, name);
  assert.equal(g.arn, groupArn(name));
  assert.equal(g.logGroupArn, groupArnBare(name));
  assert.equal(typeof g.creationTime, 'number');
  // Same machine clock: creationTime is taken while the request is being served.
  assert.ok((g.creationTime ?? 0) >= t0 - 1000 && (g.creationTime ?? 0) <= t1 + 1000, `creationTime ${g.creationTime}`);
  assert.equal(g.storedBytes, 0);
  assert.equal(g.metricFilterCount, 0);
  assert.equal(g.logGroupClass, 'STANDARD');
  assert.equal(g.retentionInDays, undefined, 'no retention until PutRetentionPolicy');
  assert.equal(r.nextToken, undefined);
});

test('CreateLogGroup with an existing name: ResourceAlreadyExistsException', async () => {
  const name = `/lw/${run}/groups/dup`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: name }));
  await rejectsAws(
    srv.client.send(new CreateLogGroupCommand({ logGroupName: name })),
    'ResourceAlreadyExistsException',
    'The specified log group already exists',
  );
});

test('DeleteLogGroup removes the group; deleting again: ResourceNotFoundException', async () => {
  const name = `/lw/${run}/groups/delete-me`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: name }));
  assert.equal(await groupExists(srv.client, name), true);
  await srv.client.send(new DeleteLogGroupCommand({ logGroupName: name }));
  assert.equal(await groupExists(srv.client, name), false);
  await rejectsAws(
    srv.client.send(new DeleteLogGroupCommand({ logGroupName: name })),
    'ResourceNotFoundException',
    'The specified log group does not exist.',
  );
  // The name is free again.
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: name }));
  assert.equal(await groupExists(srv.client, name), true);
});

test('DeleteLogGroup of a group that never existed: ResourceNotFoundException', async () => {
  await rejectsAws(
    srv.client.send(new DeleteLogGroupCommand({ logGroupName: `/lw/${run}/groups/never` })),
    'ResourceNotFoundException',
    'The specified log group does not exist.',
  );
});

test('log group names: 512 characters are accepted, 513 rejected with the recorded message', async () => {
  const base = `lw-${run}-len-`;
  const ok = base + 'a'.repeat(512 - base.length);
  assert.equal(ok.length, 512);
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: ok }));
  assert.equal(await groupExists(srv.client, ok), true);
  const tooLong = base + 'b'.repeat(513 - base.length);
  await rejectsAws(
    srv.client.send(new CreateLogGroupCommand({ logGroupName: tooLong })),
    'InvalidParameterException',
    'Invalid LogGroup or LogStream, both must have length less than or equal to 512.',
  );
  assert.equal(await groupExists(srv.client, tooLong.slice(0, 200)), false);
});

test('log group names outside [.-_/#A-Za-z0-9] are rejected and nothing is created', async () => {
  // The model's pattern for LogGroupName. AWS words model violations as
  // "1 validation error detected: Value '<v>' at '<member>' failed to satisfy constraint: <constraint>"
  // (recorded for 'limit' in test_logs_events); the pattern wording follows that form. Unsure whether AWS
  // prints the pattern exactly as below, so only the stable prefix is asserted.
  const bad = `lw-${run}-bad name!`;
  await rejectsAws(
    srv.client.send(new CreateLogGroupCommand({ logGroupName: bad })),
    'InvalidParameterException',
    /^1 validation error detected: Value 'lw-[0-9a-f]+-bad name!' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: /,
  );
  const { groups } = await describeAllGroups(srv.client, { logGroupNamePrefix: `lw-${run}-bad` });
  assert.deepEqual(groups, []);
});

test('log group names may not start with "aws/" (model documentation of CreateLogGroup)', async () => {
  const name = `aws/lw-${run}`;
  // AWS's wording is not recorded; the code only.
  await rejectsAws(srv.client.send(new CreateLogGroupCommand({ logGroupName: name })), 'InvalidParameterException');
  assert.equal(await groupExists(srv.client, name), false);
  // "/aws/..." (the form AWS services use) is a different prefix and allowed.
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: `/aws/lw-${run}` }));
  assert.equal(await groupExists(srv.client, `/aws/lw-${run}`), true);
});

test('log group names may not start with "/logward/", where Logward makes its own groups (dead letters, sources)', async () => {
  for (const name of [`/logward/subscriptions/dead-letter/app-${run}`, `/logward/sources/s-${run}`]) {
    const e = await rejectsAws(srv.client.send(new CreateLogGroupCommand({ logGroupName: name })), 'InvalidParameterException');
    assert.equal(e.message, "Log group names can't start with the string /logward/");
    assert.equal(await groupExists(srv.client, name), false);
  }
  // Only that prefix: a name that merely contains it is a user's.
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: `app/logward/${run}` }));
  assert.equal(await groupExists(srv.client, `app/logward/${run}`), true);
});

test('DeleteLogGroup deletes its streams and events; a re-created group starts empty', async () => {
  const name = `/lw/${run}/groups/cascade`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: name }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: name, logStreamName: 's' }));
  await srv.client.send(
    new PutLogEventsCommand({ logGroupName: name, logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'old' }] }),
  );
  await srv.client.send(new DeleteLogGroupCommand({ logGroupName: name }));
  await rejectsAws(
    srv.client.send(new DescribeLogStreamsCommand({ logGroupName: name })),
    'ResourceNotFoundException',
    'The specified log group does not exist.',
  );
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: name }));
  const streams = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: name }));
  assert.deepEqual(streams.logStreams, []);
  const { events } = await filterAll(srv.client, { logGroupName: name });
  assert.deepEqual(events, []);
});

test('DescribeLogGroups with logGroupNamePrefix returns only matching groups, in name order', async () => {
  const p = `/lw/${run}/prefix/`;
  const names = [`${p}b`, `${p}a`, `${p}c/x`, `${p}a/y`];
  for (const n of names) await srv.client.send(new CreateLogGroupCommand({ logGroupName: n }));
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: `/lw/${run}/prefiy` }));
  const r = await srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: p }));
  assert.deepEqual(
    r.logGroups?.map((g) => g.logGroupName),
    [...names].sort(),
  );
  const none = await srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: `/lw/${run}/nothing-here` }));
  assert.deepEqual(none.logGroups, []);
});

test('DescribeLogGroups with logGroupNamePattern is a case-sensitive substring search', async () => {
  // The example of the model's documentation for logGroupNamePattern, made unique by the run token
  // ("aws/DataLogs" becomes "app/...": CreateLogGroup refuses names starting with "aws/").
  const key = `X${run}DataLogs`;
  const match = [key, `app/${key}`, `Group${key}`];
  const noMatch = [`X${run}datalogs`, `X${run}Data/log/s`, `X${run}Groupdata`];
  for (const n of [...match, ...noMatch]) await srv.client.send(new CreateLogGroupCommand({ logGroupName: n }));
  const { groups } = await describeAllGroups(srv.client, { logGroupNamePattern: key });
  assert.deepEqual(groups.map((g) => g.logGroupName).sort(), [...match].sort());
  for (const g of groups) {
    assert.equal(g.arn, groupArn(g.logGroupName ?? ''));
    assert.equal(typeof g.creationTime, 'number');
  }
});

test('logGroupNamePrefix together with logGroupNamePattern: the recorded mutually-exclusive error', async () => {
  await rejectsAws(
    srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/lw', logGroupNamePattern: 'lw' })),
    'InvalidParameterException',
    'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.',
  );
});

test('DescribeLogGroups limit: pages hold at most `limit` groups; limit 51 is a validation error', async () => {
  const p = `/lw/${run}/limit/`;
  for (let i = 0; i < 5; i++) await srv.client.send(new CreateLogGroupCommand({ logGroupName: `${p}${i}` }));
  const r = await srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: p, limit: 2 }));
  assert.deepEqual(r.logGroups?.map((g) => g.logGroupName), [`${p}0`, `${p}1`]);
  assert.equal(typeof r.nextToken, 'string');
  // DescribeLimit is 1..50 in the model; wording as recorded for GetLogEvents' limit (test_logs_events).
  await rejectsAws(
    srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: p, limit: 51 })),
    'InvalidParameterException',
    "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
  );
  await rejectsAws(
    srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: p, limit: 0 })),
    'InvalidParameterException',
    "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
  );
});

test('pagination over 120 groups with limit 7 returns every group exactly once, in name order', async () => {
  const p = `/lw/${run}/page/`;
  const names = Array.from({ length: 120 }, (_, i) => `${p}g-${String(i).padStart(3, '0')}`);
  // Created out of order, so name order cannot come from insertion order.
  const shuffled = [...names].sort(() => Math.random() - 0.5);
  for (let i = 0; i < shuffled.length; i += 10) {
    await Promise.all(
      shuffled.slice(i, i + 10).map((n) => srv.client.send(new CreateLogGroupCommand({ logGroupName: n }))),
    );
  }
  const { groups, pages } = await describeAllGroups(srv.client, { logGroupNamePrefix: p, limit: 7 });
  assert.deepEqual(
    groups.map((g) => g.logGroupName),
    names,
  );
  assert.ok(pages >= Math.ceil(120 / 7), `expected at least 18 pages, got ${pages}`);
});

test('an invalid nextToken for DescribeLogGroups: InvalidParameterException', async () => {
  // Recorded for GetLogEvents and FilterLogEvents; assumed to be the same wording here.
  await rejectsAws(
    srv.client.send(new DescribeLogGroupsCommand({ nextToken: 'not-a-token' })),
    'InvalidParameterException',
    'The specified nextToken is invalid.',
  );
});
