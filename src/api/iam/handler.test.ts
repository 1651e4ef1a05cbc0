/**
 * The IAM Query API in-process: IAM's XML shapes and errors, and garbage (random actions, parameters
 * and values, signed or not) never answered with a 5xx and never creating anything it should not.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { openTestApp, type TestApp } from '../testing-app.js';

let t: TestApp;
before(async () => {
  t = await openTestApp();
});
after(async () => {
  await t.close();
});

test('answers are IAM XML: result element, request id; errors carry Type, Code and Message', async () => {
  const ok = await t.iam({ Action: 'CreateUser', UserName: 'xml-user' });
  assert.equal(ok.status, 200);
  assert.match(ok.body, /^<CreateUserResponse xmlns="https:\/\/iam\.amazonaws\.com\/doc\/2010-05-08\/"><CreateUserResult><User><Path>\/<\/Path><UserName>xml-user<\/UserName><UserId>AIDA[A-Z0-9]{17}<\/UserId><Arn>arn:aws:iam::000000000000:user\/xml-user<\/Arn><CreateDate>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ<\/CreateDate><\/User><\/CreateUserResult><ResponseMetadata><RequestId>[0-9a-f-]{36}<\/RequestId><\/ResponseMetadata><\/CreateUserResponse>$/);
  const err = await t.iam({ Action: 'DeleteUser', UserName: 'nobody' });
  assert.equal(err.status, 404);
  assert.match(err.body, /^<ErrorResponse xmlns="[^"]+"><Error><Type>Sender<\/Type><Code>NoSuchEntity<\/Code><Message>The user with name nobody cannot be found\.<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/);
  const wrongVersion = await t.iam({ Action: 'ListUsers', Version: '2009-01-01' });
  assert.equal(wrongVersion.status, 400);
  assert.match(wrongVersion.body, /<Code>InvalidAction<\/Code><Message>Could not find operation ListUsers for version 2009-01-01<\/Message>/);
  // Unsigned: refused with IAM's code, nothing created.
  const unsigned = await t.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'Action=CreateUser&Version=2010-05-08&UserName=anon' });
  assert.equal(unsigned.statusCode, 403);
  assert.match(unsigned.body, /<Code>MissingAuthenticationToken<\/Code>/);
  assert.throws(() => t.users.getUser('anon'));
});

const ACTIONS = ['CreateUser', 'DeleteUser', 'GetUser', 'ListUsers', 'CreateAccessKey', 'ListAccessKeys', 'UpdateAccessKey', 'DeleteAccessKey', 'PutUserPolicy', 'GetUserPolicy', 'ListUserPolicies', 'DeleteUserPolicy', 'Nope', ''];
const PARAMS = ['UserName', 'PolicyName', 'PolicyDocument', 'AccessKeyId', 'Status', 'Path', 'Marker'];
const nasty = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('../../etc/passwd', 'a/b', "x'; DROP TABLE log_groups; --", '<x>&amp;', '%00', '\u0000', 'Active', 'Inactive', '{"Statement":[]}', 'LKIA0000000000000000'),
);

test('fuzz: any form, signed by root, gets an IAM answer below 500; names that break IAM patterns create nothing', async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...ACTIONS), fc.dictionary(fc.constantFrom(...PARAMS), nasty, { maxKeys: 4 }), async (action, params) => {
      const res = await t.iam({ Action: action, ...params });
      assert.ok(res.status < 500, `${res.status}: ${res.body}`);
      assert.match(res.body, /^<(\w+Response|ErrorResponse) xmlns=/);
    }),
    { numRuns: 300 },
  );
  for (const u of t.users.listUsers()) assert.match(u.userName, /^[\w+=,.@-]{1,64}$/);
});
