/**
 * Contract: IAM users, access keys and inline policies through the server's IAM Query API (the real aws
 * CLI's `aws iam`, and `logward iam`'s client), and the authorization of CloudWatch Logs calls by those
 * policies through the real AWS SDK: AWS's AccessDeniedException wording, explicit deny, wildcards,
 * conditions, Inactive keys, rotation. Denied calls change nothing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DescribeLogGroupsCommand,
  PutLogEventsCommand,
  GetLogEventsCommand,
  PutRetentionPolicyCommand,
  DescribeLogStreamsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, makeClient, runLogward, startLogward, stopAndClean, TEST_REGION, type Credentials, type LogwardServer } from '../helpers/server.js';
import { groupExists, rejectsAws, uid } from '../helpers/assert-aws.js';
import { IamClient } from '../../src/cli/iam-client.js';

let srv: LogwardServer;
let iam: IamClient;
const run = uid();

before(async () => {
  srv = await startLogward();
  iam = IamClient.create({ endpoint: srv.url, region: TEST_REGION, credentials: srv.credentials, credentialSource: 'environment' });
});

after(async () => {
  await stopAndClean(srv);
});

async function newUser(name: string, policy?: object): Promise<Credentials> {
  await iam.call('CreateUser', { UserName: name });
  if (policy !== undefined) await iam.call('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
  const r = (await iam.call('CreateAccessKey', { UserName: name })) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
  return { accessKeyId: r.AccessKey.AccessKeyId, secretAccessKey: r.AccessKey.SecretAccessKey };
}

const allow = (action: string | string[], resource: string | string[] = '*', extra: object = {}) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: action, Resource: resource, ...extra }],
});
const denied = (user: string, action: string, resource: string, explicit = false): string =>
  `User: arn:aws:iam::000000000000:user/${user} is not authorized to perform: ${action} on resource: ${resource} ` +
  (explicit ? 'with an explicit deny in an identity-based policy' : `because no identity-based policy allows the ${action} action`);
const groupRes = (g: string): string => `arn:aws:logs:us-east-1:000000000000:log-group:${g}:log-stream:`;

async function iamRejects(p: Promise<unknown>, code: string, message?: string): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, code, e.message);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

test('aws iam: create-user, create-access-key, put/get/list/delete-user-policy, list-users, and the same JSON from logward iam', async () => {
  const name = `cli-${run}`;
  const created = await awsCli(['create-user', '--user-name', name], srv, 'iam');
  assert.equal(created.code, 0, created.stderr);
  const user = (created.json as { User: Record<string, string> }).User;
  assert.deepEqual(Object.keys(user), ['Path', 'UserName', 'UserId', 'Arn', 'CreateDate']);
  assert.equal(user.Arn, `arn:aws:iam::000000000000:user/${name}`);

  const key = await awsCli(['create-access-key', '--user-name', name], srv, 'iam');
  assert.equal(key.code, 0, key.stderr);
  const ak = (key.json as { AccessKey: Record<string, string> }).AccessKey;
  assert.deepEqual(Object.keys(ak), ['UserName', 'AccessKeyId', 'Status', 'SecretAccessKey', 'CreateDate']);
  assert.match(ak.AccessKeyId!, /^LKIA[A-Z0-9]{16}$/);
  assert.equal(ak.SecretAccessKey!.length, 40);
  assert.equal(ak.Status, 'Active');

  const policyFile = join(srv.dataDir, `policy-${run}.json`);
  await writeFile(policyFile, JSON.stringify(allow('logs:Describe*')));
  const put = await awsCli(['put-user-policy', '--user-name', name, '--policy-name', 'read', '--policy-document', `file://${policyFile}`], srv, 'iam');
  assert.equal(put.code, 0, put.stderr);
  const got = await awsCli(['get-user-policy', '--user-name', name, '--policy-name', 'read'], srv, 'iam');
  assert.deepEqual(got.json, { UserName: name, PolicyName: 'read', PolicyDocument: allow('logs:Describe*') });
  assert.deepEqual((await awsCli(['list-user-policies', '--user-name', name], srv, 'iam')).json, { PolicyNames: ['read'] });

  // logward iam prints what aws iam prints, byte for byte (4-space JSON, the model's member order).
  const lw = await runLogward(srv, ['iam', 'get-user-policy', '--user-name', name, '--policy-name', 'read']);
  assert.equal(lw.code, 0, lw.stderr);
  assert.equal(lw.stdout, got.stdout);
  const lwKeys = await runLogward(srv, ['iam', 'list-access-keys', '--user-name', name]);
  assert.equal(lwKeys.stdout, (await awsCli(['list-access-keys', '--user-name', name], srv, 'iam')).stdout);
  const lwKey = await runLogward(srv, ['iam', 'create-access-key', '--user-name', name]);
  const lwAk = (JSON.parse(lwKey.stdout) as { AccessKey: Record<string, string> }).AccessKey;
  assert.deepEqual(Object.keys(lwAk), ['UserName', 'AccessKeyId', 'Status', 'SecretAccessKey', 'CreateDate']);
  assert.match(lwKey.stdout, /^\{\n {4}"AccessKey": \{\n {8}"UserName"/);

  // The new user's key works with the SDK, within what its policy allows.
  const client = makeClient(srv.url, { accessKeyId: ak.AccessKeyId!, secretAccessKey: ak.SecretAccessKey! });
  await client.send(new DescribeLogGroupsCommand({}));
  client.destroy();

  const del = await awsCli(['delete-user-policy', '--user-name', name, '--policy-name', 'read'], srv, 'iam');
  assert.equal(del.code, 0, del.stderr);
  const listed = await runLogward(srv, ['iam', 'list-users']);
  assert.ok((JSON.parse(listed.stdout) as { Users: Array<{ UserName: string }> }).Users.some((u) => u.UserName === name));
});

test('IAM errors: AWS codes and wordings; path traversal in names is a ValidationError and creates nothing', async () => {
  await iamRejects(iam.call('GetUser', { UserName: `nobody-${run}` }), 'NoSuchEntity', `The user with name nobody-${run} cannot be found.`);
  await iam.call('CreateUser', { UserName: `dup-${run}` });
  await iamRejects(iam.call('CreateUser', { UserName: `DUP-${run}` }), 'EntityAlreadyExists', `User with name DUP-${run} already exists.`);
  for (const bad of ['../etc', 'a/b', '..\\x', 'x\u0000y', '']) {
    await iamRejects(iam.call('CreateUser', { UserName: bad }), 'ValidationError');
  }
  await iamRejects(
    iam.call('CreateUser', { UserName: '../etc' }),
    'ValidationError',
    "1 validation error detected: Value '../etc' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
  );
  await iamRejects(
    iam.call('PutUserPolicy', { UserName: `dup-${run}`, PolicyName: '../../p', PolicyDocument: JSON.stringify(allow('logs:*')) }),
    'ValidationError',
    "1 validation error detected: Value '../../p' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
  );
  await iamRejects(iam.call('CreateUser', {}), 'ValidationError', "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null");
  const users = (await iam.call('ListUsers', {})) as { Users: Array<{ UserName: string }> };
  assert.ok(!users.Users.some((u) => u.UserName.includes('etc') || u.UserName.includes('/')));
  assert.deepEqual((await readdir(join(srv.dataDir, 'iam'))).sort(), ['keys.json', 'users.json']);

  await iamRejects(
    iam.call('PutUserPolicy', { UserName: `dup-${run}`, PolicyName: 'p', PolicyDocument: '{"Statement":[{"Effect":"Allow","Resource":"*"}]}' }),
    'MalformedPolicyDocument',
    'Policy statement must contain actions.',
  );
  await iamRejects(iam.call('GetUserPolicy', { UserName: `dup-${run}`, PolicyName: 'none' }), 'NoSuchEntity', 'The user policy with name none cannot be found.');
  await iamRejects(iam.call('NoSuchAction', {}), 'InvalidAction', 'Could not find operation NoSuchAction for version 2010-05-08');
  await iam.call('CreateAccessKey', { UserName: `dup-${run}` });
  await iam.call('CreateAccessKey', { UserName: `dup-${run}` });
  await iamRejects(iam.call('CreateAccessKey', { UserName: `dup-${run}` }), 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
  await iamRejects(iam.call('DeleteUser', { UserName: `dup-${run}` }), 'DeleteConflict', 'Cannot delete entity, must delete access keys first.');
});

test('secret access keys are sealed on disk: no file under the data dir holds a secret in plaintext', async () => {
  const creds = await newUser(`sealed-${run}`);
  const users = await readFile(join(srv.dataDir, 'iam', 'users.json'), 'utf8');
  assert.ok(users.includes(creds.accessKeyId));
  for (const file of await walk(srv.dataDir)) {
    const bytes = await readFile(file);
    assert.ok(!bytes.includes(creds.secretAccessKey), `${file} holds a secret access key`);
    assert.ok(!bytes.includes(Buffer.from(creds.secretAccessKey, 'base64')), `${file} holds a secret's bytes`);
  }
});

test('authorization: default deny, Action wildcards, resource patterns, explicit deny; denied calls change nothing', async () => {
  const name = `writer-${run}`;
  const mine = `lw-${run}/mine`;
  const theirs = `lw-${run}/theirs`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: theirs }));
  const creds = await newUser(name, {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['logs:Create*', 'logs:PutLogEvents', 'logs:Get*'], Resource: `arn:aws:logs:us-east-1:000000000000:log-group:lw-${run}/m?ne:*` },
      { Effect: 'Allow', Action: 'logs:DeleteLogGroup', Resource: '*' },
      { Effect: 'Deny', Action: 'logs:DeleteLogGroup', Resource: `arn:aws:logs:*:*:log-group:lw-${run}/*` },
    ],
  });
  const client = makeClient(srv.url, creds);
  try {
    await client.send(new CreateLogGroupCommand({ logGroupName: mine }));
    await client.send(new CreateLogStreamCommand({ logGroupName: mine, logStreamName: 's' }));
    await client.send(new PutLogEventsCommand({ logGroupName: mine, logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'hi' }] }));
    const got = await client.send(new GetLogEventsCommand({ logGroupName: mine, logStreamName: 's' }));
    assert.deepEqual(got.events?.map((e) => e.message), ['hi']);

    // Not in the Resource pattern: implicit deny, and the stream is not created.
    await rejectsAws(
      client.send(new CreateLogStreamCommand({ logGroupName: theirs, logStreamName: 's' })),
      'AccessDeniedException',
      denied(name, 'logs:CreateLogStream', `arn:aws:logs:us-east-1:000000000000:log-group:${theirs}:log-stream:s`),
    );
    await rejectsAws(srv.client.send(new GetLogEventsCommand({ logGroupName: theirs, logStreamName: 's' })), 'ResourceNotFoundException');
    // Not in any Action: implicit deny.
    await rejectsAws(client.send(new DescribeLogGroupsCommand({})), 'AccessDeniedException', denied(name, 'logs:DescribeLogGroups', 'arn:aws:logs:us-east-1:000000000000:log-group::log-stream:'));
    // Allowed on * but explicitly denied here: the deny wins, and the group stays.
    await rejectsAws(client.send(new DeleteLogGroupCommand({ logGroupName: mine })), 'AccessDeniedException', denied(name, 'logs:DeleteLogGroup', groupRes(mine), true));
    assert.ok(await groupExists(srv.client, mine));
  } finally {
    client.destroy();
  }
});

test('conditions: aws:username, aws:SourceIp and aws:CurrentTime are in the request context', async () => {
  const name = `cond-${run}`;
  const creds = await newUser(name, {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: 'logs:DescribeLogGroups',
        Resource: '*',
        Condition: { StringEquals: { 'aws:username': name }, IpAddress: { 'aws:SourceIp': '127.0.0.0/8' }, DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } },
      },
      { Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '127.0.0.0/8' } } },
      { Effect: 'Allow', Action: 'logs:PutRetentionPolicy', Resource: '*', Condition: { DateLessThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } },
      { Effect: 'Deny', Action: 'logs:DescribeLogStreams', Resource: '*', Condition: { StringNotEquals: { 'aws:username': 'someone-else' } } },
    ],
  });
  const client = makeClient(srv.url, creds);
  try {
    await client.send(new DescribeLogGroupsCommand({}));
    await rejectsAws(client.send(new CreateLogGroupCommand({ logGroupName: `lw-${run}/cond` })), 'AccessDeniedException');
    assert.equal(await groupExists(srv.client, `lw-${run}/cond`), false);
    await rejectsAws(client.send(new PutRetentionPolicyCommand({ logGroupName: `lw-${run}/cond`, retentionInDays: 1 })), 'AccessDeniedException');
    await rejectsAws(
      client.send(new DescribeLogStreamsCommand({ logGroupName: `lw-${run}/cond` })),
      'AccessDeniedException',
      denied(name, 'logs:DescribeLogStreams', groupRes(`lw-${run}/cond`), true),
    );
  } finally {
    client.destroy();
  }
});

test('IAM operations are governed too: a user without iam: permissions gets AccessDenied (HTTP 403)', async () => {
  const creds = await newUser(`noiam-${run}`, allow('logs:*'));
  const asUser = IamClient.create({ endpoint: srv.url, region: TEST_REGION, credentials: creds, credentialSource: 'environment' });
  await iamRejects(
    asUser.call('CreateUser', { UserName: `made-${run}` }),
    'AccessDenied',
    denied(`noiam-${run}`, 'iam:CreateUser', `arn:aws:iam::000000000000:user/made-${run}`),
  );
  await iamRejects(iam.call('GetUser', { UserName: `made-${run}` }), 'NoSuchEntity');
  const r = await awsCli(['list-users'], { url: srv.url, credentials: creds }, 'iam');
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /\(AccessDenied\) when calling the ListUsers operation: User: arn:aws:iam::000000000000:user\/noiam-/);
});

test('keys: an Inactive key is refused as AWS refuses it; rotation: second key, deactivate, delete the old one', async () => {
  const name = `rot-${run}`;
  const old = await newUser(name, allow('logs:DescribeLogGroups'));
  const second = (await iam.call('CreateAccessKey', { UserName: name })) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
  const fresh = { accessKeyId: second.AccessKey.AccessKeyId, secretAccessKey: second.AccessKey.SecretAccessKey };

  await iam.call('UpdateAccessKey', { UserName: name, AccessKeyId: old.accessKeyId, Status: 'Inactive' });
  const keys = (await iam.call('ListAccessKeys', { UserName: name })) as { AccessKeyMetadata: Array<{ AccessKeyId: string; Status: string }> };
  assert.deepEqual(keys.AccessKeyMetadata.map((k) => [k.AccessKeyId, k.Status]), [[old.accessKeyId, 'Inactive'], [fresh.accessKeyId, 'Active']]);

  const oldClient = makeClient(srv.url, old);
  const newClient = makeClient(srv.url, fresh);
  try {
    await rejectsAws(oldClient.send(new DescribeLogGroupsCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    await newClient.send(new DescribeLogGroupsCommand({}));
    // Reactivated, it works again; then deleted, it is unknown.
    await iam.call('UpdateAccessKey', { UserName: name, AccessKeyId: old.accessKeyId, Status: 'Active' });
    await oldClient.send(new DescribeLogGroupsCommand({}));
    await iam.call('DeleteAccessKey', { UserName: name, AccessKeyId: old.accessKeyId });
    await rejectsAws(oldClient.send(new DescribeLogGroupsCommand({})), 'UnrecognizedClientException', 'The security token included in the request is invalid.');
    await newClient.send(new DescribeLogGroupsCommand({}));
  } finally {
    oldClient.destroy();
    newClient.destroy();
  }
  await iamRejects(
    iam.call('UpdateAccessKey', { UserName: name, AccessKeyId: fresh.accessKeyId, Status: 'Paused' }),
    'ValidationError',
    "1 validation error detected: Value 'Paused' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive, Expired]",
  );
  // The aws CLI and IAM's own InvalidClientTokenId for a deleted key on the IAM API.
  const r = await awsCli(['list-users'], { url: srv.url, credentials: old }, 'iam');
  assert.match(r.stderr, /\(InvalidClientTokenId\) when calling the ListUsers operation: The security token included in the request is invalid\./);
});

test('users, keys and policies survive a restart (secrets unsealed with the master key)', async () => {
  const name = `keep-${run}`;
  const creds = await newUser(name, allow('logs:DescribeLogGroups'));
  assert.equal(await srv.stop(), 0);
  const again = await startLogward({ dataDir: srv.dataDir });
  srv = again;
  iam = IamClient.create({ endpoint: srv.url, region: TEST_REGION, credentials: srv.credentials, credentialSource: 'environment' });
  const client = makeClient(srv.url, creds);
  try {
    await client.send(new DescribeLogGroupsCommand({}));
    await rejectsAws(client.send(new CreateLogGroupCommand({ logGroupName: `lw-${run}/after` })), 'AccessDeniedException');
  } finally {
    client.destroy();
  }
});

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}
