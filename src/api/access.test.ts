import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock.js';
import { UserStore } from '../iam/user-store.js';
import { CredentialStore } from './auth/credentials.js';
import { AccessControl, conditionContext } from './access.js';

const ROOT = { accessKeyId: 'LKIAROOT000000000000', secretAccessKey: 'root-secret-root-secret-root-secret-0000' };
const facts = { sourceIp: '192.0.2.7', userAgent: 'ua', nowMs: Date.UTC(2024, 4, 1, 12) };

test('callers: root may do anything; a user only what its policies allow; a key without owner nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-access-'));
  try {
    const users = await UserStore.open(dir, { seal: async (p) => p, open: async (s) => s }, new FakeClock(0));
    const access = new AccessControl(new CredentialStore(ROOT, users), users, '123456789012');
    const root = access.caller(ROOT.accessKeyId);
    assert.deepEqual(root, { accessKeyId: ROOT.accessKeyId, root: true, arn: 'arn:aws:iam::123456789012:root' });
    assert.equal(access.check(root, 'logs:DeleteLogGroup', ['*'], facts), undefined);

    await users.createUser('u');
    await users.putUserPolicy('u', 'p', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:Get*', Resource: '*' }] }));
    const { key } = await users.createAccessKey('u');
    const u = access.caller(key.accessKeyId);
    assert.equal(u.arn, 'arn:aws:iam::123456789012:user/u');
    assert.equal(access.check(u, 'logs:GetLogEvents', ['arn:x'], facts), undefined);
    assert.deepEqual(access.check(u, 'logs:PutLogEvents', ['arn:x'], facts), {
      resource: 'arn:x',
      message: 'User: arn:aws:iam::123456789012:user/u is not authorized to perform: logs:PutLogEvents on resource: arn:x because no identity-based policy allows the logs:PutLogEvents action',
    });

    const orphan = access.caller('LKIAGONE000000000000');
    assert.equal(orphan.root, false);
    assert.notEqual(access.check(orphan, 'logs:GetLogEvents', ['*'], facts), undefined);

    const ctx = conditionContext(u, facts);
    assert.equal(ctx['aws:SourceIp'], '192.0.2.7');
    assert.equal(ctx['aws:username'], 'u');
    assert.equal(ctx['aws:CurrentTime'], '2024-05-01T12:00:00Z');
    assert.equal(ctx['aws:PrincipalType'], 'User');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
