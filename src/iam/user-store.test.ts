import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock.js';
import { KeyService } from '../kms/key-service.js';
import { LocalKeyring } from '../kms/local-keyring.js';
import { context } from '../kms/envelope.js';
import { IAM_MESSAGES, UserStore, type SecretSealer } from './user-store.js';

const clock = new FakeClock(Date.UTC(2024, 4, 1, 9, 12, 44, 123));

function sealerIn(dir: string, secret: string): SecretSealer {
  const keys = KeyService.open({ dataDir: dir, provider: LocalKeyring.load({ secret }) });
  return {
    seal: (p, id) => keys.seal('iam', p, context('iam-access-key', id)),
    open: (s, id) => keys.open('iam', s, context('iam-access-key', id)),
  };
}

async function withStore(fn: (dir: string, store: UserStore, master: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'lw-users-'));
  const master = LocalKeyring.generateSecret();
  try {
    await fn(dir, await UserStore.open(dir, sealerIn(dir, master), clock), master);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const expectIam = async (p: Promise<unknown> | (() => unknown), code: string, message: string): Promise<void> => {
  await assert.rejects(async () => (typeof p === 'function' ? p() : p), (e: Error & { code?: string }) => {
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
};

test('users and keys persist sealed: the file (0600) holds no secret, a reopened store verifies the same secrets', async () => {
  await withStore(async (dir, store, master) => {
    const user = await store.createUser('alice');
    assert.match(user.userId, /^AIDA[A-Z0-9]{17}$/);
    assert.equal(user.createDate, '2024-05-01T09:12:44Z');
    const { key, secret } = await store.createAccessKey('alice');
    assert.match(key.accessKeyId, /^LKIA[A-Z0-9]{16}$/);
    assert.equal(secret.length, 40);
    const text = readFileSync(join(dir, 'users.json'), 'utf8');
    assert.ok(!text.includes(secret));
    assert.equal(statSync(join(dir, 'users.json')).mode & 0o777, 0o600);

    const reopened = await UserStore.open(dir, sealerIn(dir, master), clock);
    assert.deepEqual(reopened.lookupKey(key.accessKeyId), { secret, status: 'Active', user: reopened.getUser('alice') });
    // Another master key cannot open the secrets.
    await assert.rejects(UserStore.open(dir, sealerIn(dir, LocalKeyring.generateSecret()), clock));
  });
});

test('a sealed secret moved to another key id does not open', async () => {
  await withStore(async (dir, store, master) => {
    await store.createUser('a');
    await store.createAccessKey('a');
    await store.createAccessKey('a');
    const state = JSON.parse(readFileSync(join(dir, 'users.json'), 'utf8')) as { users: Array<{ accessKeys: Array<{ sealedSecret: string }> }> };
    const keys = state.users[0]!.accessKeys;
    [keys[0]!.sealedSecret, keys[1]!.sealedSecret] = [keys[1]!.sealedSecret, keys[0]!.sealedSecret];
    writeFileSync(join(dir, 'users.json'), JSON.stringify(state), { mode: 0o600 });
    await assert.rejects(UserStore.open(dir, sealerIn(dir, master), clock));
  });
});

test('IAM rules: unique names (case-insensitive), two keys per user, delete only without keys and policies', async () => {
  await withStore(async (_dir, store) => {
    await store.createUser('Bob');
    await expectIam(store.createUser('bob'), 'EntityAlreadyExists', IAM_MESSAGES.userExists('bob'));
    await store.createAccessKey('Bob');
    const { key } = await store.createAccessKey('Bob');
    await expectIam(store.createAccessKey('Bob'), 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
    await store.putUserPolicy('Bob', 'p', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:*","Resource":"*"}}');
    await expectIam(store.deleteUser('Bob'), 'DeleteConflict', 'Cannot delete entity, must delete access keys first.');
    for (const k of store.getUser('Bob').accessKeys) await store.deleteAccessKey('Bob', k.accessKeyId);
    assert.equal(store.lookupKey(key.accessKeyId), undefined);
    await expectIam(store.deleteUser('Bob'), 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
    await store.deleteUserPolicy('Bob', 'p');
    await store.deleteUser('Bob');
    await expectIam(() => store.getUser('Bob'), 'NoSuchEntity', 'The user with name Bob cannot be found.');
    await expectIam(store.deleteAccessKey('nobody', key.accessKeyId), 'NoSuchEntity', 'The user with name nobody cannot be found.');
  });
});

test('key status and policies: Inactive is kept, malformed and oversized policies are refused and change nothing', async () => {
  await withStore(async (_dir, store) => {
    await store.createUser('c');
    const { key } = await store.createAccessKey('c');
    await store.updateAccessKey('c', key.accessKeyId, 'Inactive');
    assert.equal(store.lookupKey(key.accessKeyId)?.status, 'Inactive');
    await expectIam(store.updateAccessKey('c', 'LKIANOSUCHKEY0000000', 'Active'), 'NoSuchEntity', 'The Access Key with id LKIANOSUCHKEY0000000 cannot be found.');
    await expectIam(store.putUserPolicy('c', 'bad', '{"Statement":[{"Effect":"Allow","Action":"logs:*"}]}'), 'MalformedPolicyDocument', 'Policy statement must contain resources.');
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: Array.from({ length: 60 }, (_, i) => `arn:aws:logs:*:*:log-group:group-number-${i}`) }] });
    await expectIam(store.putUserPolicy('c', 'big', big), 'LimitExceeded', 'Maximum policy size of 2048 bytes exceeded for user c');
    assert.deepEqual(store.getUser('c').policies, {});
    assert.deepEqual(store.policiesOf('c'), []);
    await expectIam(() => store.getUserPolicy('c', 'bad'), 'NoSuchEntity', 'The user policy with name bad cannot be found.');
  });
});
