/**
 * Contract: protocol-level bad input on the awsJson1_1 wire, sent raw and correctly signed (so the
 * failure is the body or header under test, not authentication). Every answer must be a 4xx with the
 * awsJson error body {"__type", "message"}, nothing may change, the server never answers 5xx here and
 * stays up.
 *
 * AWS's own messages for these cases vary and are not recorded; the codes follow the Smithy awsJson1_1
 * protocol and AWS practice (SerializationException for bodies that do not parse or do not match the
 * shapes, UnknownOperationException for targets that name no operation). Where the code is a guess, the
 * test says so and accepts the plausible set.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateLogGroupCommand, CreateLogStreamCommand } from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { rawRequest, signedRequest, type RawResponse } from '../helpers/raw.js';
import { assertJsonError, getAllEvents, groupExists, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
const run = uid();
const statuses: number[] = [];

before(async () => {
  srv = await startLogward();
});

after(async () => {
  await stopAndClean(srv);
});

function record(res: RawResponse): RawResponse {
  statuses.push(res.status);
  return res;
}

async function healthy(): Promise<void> {
  assert.equal(srv.proc.exitCode, null, 'the server process exited');
  const res = await rawRequest(srv.url, { method: 'GET', path: '/health', headers: {} });
  assert.equal(res.status, 200, `GET /health after bad input: ${res.status} ${res.text}`);
}

test('GET /health answers 200 {"status":"ok"} without authentication', async () => {
  const res = await rawRequest(srv.url, { method: 'GET', path: '/health', headers: {} });
  assert.equal(res.status, 200);
  assert.match(String(res.headers['content-type']), /json/);
  assert.deepEqual(res.json, { status: 'ok' });
});

test('a correctly signed raw request works (control for the cases below)', async () => {
  const name = `/lw/${run}/raw/control`;
  const res = record(await signedRequest(srv, { target: 'CreateLogGroup', body: JSON.stringify({ logGroupName: name }) }));
  assert.equal(res.status, 200, res.text);
  assert.equal(await groupExists(srv.client, name), true);
});

test('malformed JSON: SerializationException, no group created', async () => {
  const name = `/lw/${run}/raw/malformed`;
  for (const body of [`{"logGroupName": "${name}"`, `{"logGroupName": "${name}",}`, `{logGroupName: "${name}"}`, 'not json', '{[']) {
    const res = record(await signedRequest(srv, { target: 'CreateLogGroup', body }));
    assertJsonError(res, 'SerializationException');
  }
  assert.equal(await groupExists(srv.client, name), false);
  await healthy();
});

test('a JSON body that is not an object: SerializationException', async () => {
  for (const body of ['[]', '"CreateLogGroup"', '42', 'null', 'true']) {
    const res = record(await signedRequest(srv, { target: 'CreateLogGroup', body }));
    assertJsonError(res, 'SerializationException');
  }
  await healthy();
});

test('an unknown operation: UnknownOperationException', async () => {
  const res = record(await signedRequest(srv, { target: 'NoSuchOperation', body: '{}' }));
  assertJsonError(res, 'UnknownOperationException');
  const res2 = record(
    await signedRequest(srv, { rawTarget: 'Logs_20991231.CreateLogGroup', body: JSON.stringify({ logGroupName: `/lw/${run}/raw/wrongprefix` }) }),
  );
  assertJsonError(res2, 'UnknownOperationException');
  assert.equal(await groupExists(srv.client, `/lw/${run}/raw/wrongprefix`), false);
  // Operation names are case-sensitive.
  const res3 = record(
    await signedRequest(srv, { target: 'createloggroup', body: JSON.stringify({ logGroupName: `/lw/${run}/raw/lowercase` }) }),
  );
  assertJsonError(res3, 'UnknownOperationException');
  assert.equal(await groupExists(srv.client, `/lw/${run}/raw/lowercase`), false);
  await healthy();
});

test('a missing X-Amz-Target header: 4xx, nothing created', async () => {
  const name = `/lw/${run}/raw/notarget`;
  const res = record(await signedRequest(srv, { rawTarget: null, body: JSON.stringify({ logGroupName: name }) }));
  // DOUBT: AWS's code for a missing target is not recorded; UnknownOperationException is what Coral
  // services are reported to send, MissingAction-style codes belong to the query protocol.
  assertJsonError(res, ['UnknownOperationException', 'SerializationException']);
  assert.equal(await groupExists(srv.client, name), false);
});

test('a wrong content type: 4xx, nothing created', async () => {
  const name = `/lw/${run}/raw/ctype`;
  for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', null]) {
    const res = record(await signedRequest(srv, { target: 'CreateLogGroup', contentType, body: JSON.stringify({ logGroupName: name }) }));
    // DOUBT: which code AWS returns for a non-JSON content type is not recorded; the brief requires a
    // rejection, the code is not asserted.
    assertJsonError(res);
  }
  assert.equal(await groupExists(srv.client, name), false);
  await healthy();
});

test('a body larger than the request limit: 4xx (413), nothing created, server stays up', async () => {
  const name = `/lw/${run}/raw/huge`;
  // 24 MiB: more than any valid request (the largest valid PutLogEvents body, a 1 MiB batch escaped at
  // six bytes per byte plus 10,000 events of JSON, stays under 8 MiB).
  const filler = 'x'.repeat(24 * 1024 * 1024);
  const body = JSON.stringify({ logGroupName: name, tags: { big: filler } });
  // Repeated: a server that answers early and then closes with the rest of the body unread resets the
  // connection (RFC 9112 §9.6 asks for a staged close), and the client then loses the answer to EPIPE or
  // ECONNRESET only some of the time.
  for (let i = 0; i < 10; i++) {
    let res: RawResponse;
    try {
      res = record(await signedRequest(srv, { target: 'CreateLogGroup', body }));
    } catch (e) {
      assert.fail(`attempt ${i + 1}: the client never saw the answer: ${(e as Error).message}`);
    }
    assertJsonError(res);
    assert.equal(res.status, 413, `expected 413 Request Entity Too Large, got ${res.status}`);
  }
  assert.equal(await groupExists(srv.client, name), false);
  await healthy();
});

test('invalid UTF-8 in the body: SerializationException, nothing stored', async () => {
  const g = `/lw/${run}/raw/utf8`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: g }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
  const head = Buffer.from(`{"logGroupName":"${g}","logStreamName":"s","logEvents":[{"timestamp":${Date.now()},"message":"bad `);
  const tail = Buffer.from('"}]}');
  for (const bad of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
    const body = Buffer.concat([head, Buffer.from(bad), tail]);
    const res = record(await signedRequest(srv, { target: 'PutLogEvents', body }));
    // DOUBT: AWS's code for undecodable bytes is not recorded; a strict JSON reader fails to parse them.
    assertJsonError(res, ['SerializationException', 'InvalidParameterException']);
  }
  assert.deepEqual(await getAllEvents(srv.client, g, 's'), []);
  const name = `/lw/${run}/raw/utf8-name`;
  const bodyName = Buffer.concat([Buffer.from(`{"logGroupName":"${name}`), Buffer.from([0xff]), Buffer.from('"}')]);
  assertJsonError(record(await signedRequest(srv, { target: 'CreateLogGroup', body: bodyName })));
  assert.equal(await groupExists(srv.client, name), false);
  await healthy();
});

test('an unknown member: 4xx, nothing created', async () => {
  const name = `/lw/${run}/raw/unknown-member`;
  const res = record(
    await signedRequest(srv, { target: 'CreateLogGroup', body: JSON.stringify({ logGroupName: name, bogusMember: 1 }) }),
  );
  // DOUBT: the brief treats unknown members as bad input. Smithy servers may instead ignore unknown
  // members; AWS's behaviour for CloudWatch Logs is not recorded.
  assertJsonError(res, ['SerializationException', 'ValidationException', 'InvalidParameterException']);
  assert.equal(await groupExists(srv.client, name), false);
});

test('members of the wrong type: SerializationException, nothing created', async () => {
  const name = `/lw/${run}/raw/types`;
  const cases: Array<[string, unknown]> = [
    ['CreateLogGroup', { logGroupName: 123 }],
    ['CreateLogGroup', { logGroupName: { name } }],
    ['CreateLogGroup', { logGroupName: [name] }],
    ['CreateLogGroup', { logGroupName: name, tags: ['a', 'b'] }],
    ['CreateLogGroup', { logGroupName: name, tags: { a: 1 } }],
    ['DescribeLogGroups', { logGroupNamePrefix: name, limit: 'ten' }],
    ['DescribeLogGroups', { logGroupNamePrefix: name, limit: 1.5 }],
    ['DescribeLogStreams', { logGroupName: name, descending: 'yes' }],
    ['PutLogEvents', { logGroupName: name, logStreamName: 's', logEvents: 'not-a-list' }],
    ['PutLogEvents', { logGroupName: name, logStreamName: 's', logEvents: [{ timestamp: 'abc', message: 'x' }] }],
    ['PutLogEvents', { logGroupName: name, logStreamName: 's', logEvents: [{ timestamp: 1, message: 7 }] }],
  ];
  for (const [target, input] of cases) {
    const res = record(await signedRequest(srv, { target, body: JSON.stringify(input) }));
    assertJsonError(res, 'SerializationException');
  }
  assert.equal(await groupExists(srv.client, name), false);
  await healthy();
});

test('a missing required member: the validation error, nothing created', async () => {
  // The generic validation form recorded for other members; "Value null ... Member must not be null" is
  // how AWS words a missing required member.
  const res = record(await signedRequest(srv, { target: 'CreateLogGroup', body: '{}' }));
  assertJsonError(
    res,
    'InvalidParameterException',
    "1 validation error detected: Value null at 'logGroupName' failed to satisfy constraint: Member must not be null",
  );
});

test('huge headers: 4xx, server stays up', async () => {
  // Sent unsigned: the request must be refused before authentication matters.
  const res = record(
    await rawRequest(srv.url, {
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.DescribeLogGroups',
        'x-padding': 'p'.repeat(64 * 1024),
      },
      body: '{}',
    }),
  );
  assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx for 64 KiB of headers, got ${res.status}`);
  // The awsJson error body is required by the brief even here. DOUBT: Node's HTTP parser answers
  // oversized headers itself (431) unless the server installs a clientError handler.
  assertJsonError(res);
  const many: Record<string, string> = {};
  for (let i = 0; i < 3000; i++) many[`x-h-${i}`] = 'v';
  const res2 = record(
    await rawRequest(srv.url, {
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DescribeLogGroups', ...many },
      body: '{}',
    }),
  );
  assert.ok(res2.status >= 400 && res2.status < 500, `expected a 4xx for 3000 headers, got ${res2.status}`);
  await healthy();
});

test('none of the bad requests above got a 5xx, and the server is still up', async () => {
  assert.ok(statuses.length > 20, 'the cases above ran');
  assert.deepEqual(statuses.filter((s) => s >= 500), []);
  await healthy();
});
