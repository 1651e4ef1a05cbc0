/** The admin API for targets: signed like every call, and authorized by IAM (root may; a user needs logward:* actions). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './auth/node-sha256.js';
import { TEST_KEY } from './auth/testing.js';
import type { Credentials } from './auth/credentials.js';
import { openTestApp, type TestApp } from './testing-app.js';

async function admin(t: TestApp, method: 'GET' | 'PUT' | 'DELETE', path: string, creds: Credentials, body = ''): Promise<{ status: number; json: Record<string, unknown> }> {
  const signer = new SignatureV4({ service: 'logs', region: 'us-east-1', credentials: creds, sha256: NodeSha256 });
  const signed = await signer.sign({ method, protocol: 'http:', hostname: 'localhost', path, headers: { host: 'localhost', 'content-type': 'application/json' }, body });
  const res = await t.app.inject({ method, url: path, headers: signed.headers as Record<string, string>, ...(body !== '' ? { payload: body } : {}) });
  return { status: res.statusCode, json: JSON.parse(res.body || '{}') as Record<string, unknown> };
}

const field = (xml: string, name: string): string => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)?.[1] ?? '';

test('root may manage targets; an IAM user only with the logward: actions; unsigned requests are refused', async () => {
  const t = await openTestApp();
  try {
    const put = await admin(t, 'PUT', '/_logward/admin/targets/function/hook', TEST_KEY, JSON.stringify({ url: 'https://93.184.216.34/hook' }));
    assert.equal(put.status, 200, JSON.stringify(put.json));
    assert.equal((put.json.target as { arn: string }).arn, 'arn:aws:lambda:us-east-1:000000000000:function:hook');

    const unsigned = await t.app.inject({ method: 'GET', url: '/_logward/admin/targets' });
    assert.equal(unsigned.statusCode, 400);
    assert.equal((JSON.parse(unsigned.body) as { __type: string }).__type, 'MissingAuthenticationTokenException');

    await t.iam({ Action: 'CreateUser', UserName: 'dev' });
    const key = await t.iam({ Action: 'CreateAccessKey', UserName: 'dev' });
    const user = { accessKeyId: field(key.body, 'AccessKeyId'), secretAccessKey: field(key.body, 'SecretAccessKey') };
    const denied = await admin(t, 'DELETE', '/_logward/admin/targets/function/hook', user);
    assert.equal(denied.json.__type, 'AccessDeniedException');
    assert.match(String(denied.json.message), /logward:DeleteTarget/);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logward:ListTargets', Resource: '*' }] });
    await t.iam({ Action: 'PutUserPolicy', UserName: 'dev', PolicyName: 'list', PolicyDocument: policy });
    const listed = await admin(t, 'GET', '/_logward/admin/targets', user);
    assert.equal(listed.status, 200);
    assert.deepEqual((listed.json.targets as Array<{ name: string }>).map((x) => x.name), ['hook']);
    const stillDenied = await admin(t, 'PUT', '/_logward/admin/targets/function/other', user, JSON.stringify({ url: 'https://93.184.216.34/' }));
    assert.equal(stillDenied.json.__type, 'AccessDeniedException');

    const bad = await admin(t, 'PUT', '/_logward/admin/targets/function/x', TEST_KEY, JSON.stringify({ url: 'https://93.184.216.34/', extra: 1 }));
    assert.equal(bad.json.__type, 'InvalidParameterException');
    const badKind = await admin(t, 'PUT', '/_logward/admin/targets/lambda/x', TEST_KEY, '{}');
    assert.equal(badKind.json.__type, 'InvalidParameterException');
  } finally {
    await t.close();
  }
});
