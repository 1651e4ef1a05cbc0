/**
 * Contract: subscription filters and destinations against the real server through the AWS SDK, targets
 * bound with the real `logward targets` command, and delivery to a real HTTP peer across a restart.
 * Wordings from test/fixtures/aws-recorded-responses/test_logs_subscription_filters.snapshot.json and
 * test_logs_destinations.snapshot.json where AWS recorded them.
 */
import { dirname, join } from 'node:path';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteDestinationCommand,
  DeleteLogGroupCommand,
  DeleteSubscriptionFilterCommand,
  DescribeDestinationsCommand,
  DescribeSubscriptionFiltersCommand,
  FilterLogEventsCommand,
  PutDestinationCommand,
  PutDestinationPolicyCommand,
  PutLogEventsCommand,
  PutSubscriptionFilterCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { makeClient, startLogward, stopAndClean, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, uid } from '../helpers/assert-aws.js';
import { decodeAwslogs, recordingServer, waitFor } from '../../src/subscriptions/testing.js';
import { signedRequest } from '../helpers/raw.js';
import type { AuditRecord } from '../../src/api/audit/chain.js';

const MAIN_JS = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const ACCOUNT = '000000000000';
const lambda = (name: string): string => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/cwl`;

let srv: LogwardServer;
let peer: Awaited<ReturnType<typeof recordingServer>>;
const run = uid();

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [MAIN_JS, ...args, '--endpoint-url', srv.url], {
      env: { ...process.env, LOGWARD_ACCESS_KEY_ID: TEST_ACCESS_KEY_ID, LOGWARD_SECRET_ACCESS_KEY: TEST_SECRET_ACCESS_KEY },
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

before(async () => {
  peer = await recordingServer();
  srv = await startLogward({ args: ['--allow-private-destinations', '127.0.0.1/32'] });
});

after(async () => {
  await stopAndClean(srv);
  await peer.close();
});

test('a destinationArn must be bound to a target: AWS errors for each vendor, then success once bound', async () => {
  const group = `/lw/${run}/subs/errors`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  const put = (destinationArn: string, extra: Record<string, unknown> = {}) =>
    srv.client.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'f', filterPattern: '', destinationArn, ...extra }));
  await rejectsAws(put(lambda('nobody')), 'InvalidParameterException', 'Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.');
  await rejectsAws(put('arn:aws:lambda:us-east-1:111111111111:function:x'), 'AccessDeniedException', /^Cross-account lambda invocation passing is not allowed/);
  await rejectsAws(put(`arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/s`), 'InvalidParameterException', 'destinationArn for vendor kinesis cannot be used without roleArn');
  await rejectsAws(put(`arn:aws:kinesis:us-east-1:${ACCOUNT}:stream/s`, { roleArn: ROLE }), 'InvalidParameterException', /^Could not deliver test message to specified Kinesis stream/);
  await rejectsAws(put(`arn:aws:firehose:us-east-1:${ACCOUNT}:deliverystream/d`, { roleArn: ROLE }), 'InvalidParameterException', /^Could not deliver test message to specified Firehose stream/);
  await rejectsAws(put('arn:aws:sqs:us-east-1:000000000000:q'), 'InvalidParameterException', /^Invalid destinationArn/);
  await rejectsAws(put(`arn:aws:logs:us-east-1:${ACCOUNT}:destination:none`), 'ResourceNotFoundException', 'The specified destination does not exist.');
  await rejectsAws(
    srv.client.send(new PutSubscriptionFilterCommand({ logGroupName: `${group}-missing`, filterName: 'f', filterPattern: '', destinationArn: lambda('x') })),
    'ResourceNotFoundException',
    'The specified log group does not exist.',
  );
  await rejectsAws(put(lambda('x'), { filterPattern: '{ $.a = ' }), 'InvalidParameterException');

  const bound = await cli('targets', 'put', 'function', `hook-${run}`, '--url', peer.url);
  assert.equal(bound.code, 0, bound.stderr);
  assert.equal(bound.stdout.trim(), lambda(`hook-${run}`));
  await put(lambda(`hook-${run}`));
  await put(lambda(`hook-${run}`), { filterName: 'g', distribution: 'Random' });
  await rejectsAws(put(lambda(`hook-${run}`), { filterName: 'h' }), 'LimitExceededException', 'Resource limit exceeded.');
  const d = await srv.client.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group }));
  assert.deepEqual(
    d.subscriptionFilters?.map((f) => [f.filterName, f.distribution, f.destinationArn, f.applyOnTransformedLogs, typeof f.creationTime]),
    [
      ['f', 'ByLogStream', lambda(`hook-${run}`), false, 'number'],
      ['g', 'Random', lambda(`hook-${run}`), false, 'number'],
    ],
  );
  // The dead-letter group (where undelivered events of `group` would go) is Logward's to make: nobody can make
  // it first and receive the group's dead letters (src/api/dead-letter-group.test.ts: it takes no subscription filter).
  const deadLetters = `/logward/subscriptions/dead-letter/${group}`;
  await rejectsAws(srv.client.send(new CreateLogGroupCommand({ logGroupName: deadLetters })), 'InvalidParameterException', "Log group names can't start with the string /logward/");
  const deleteTarget = await cli('targets', 'delete', 'function', `hook-${run}`);
  assert.equal(deleteTarget.code, 1);
  assert.match(deleteTarget.stderr, /ConflictException/);
  await rejectsAws(srv.client.send(new DeleteSubscriptionFilterCommand({ logGroupName: group, filterName: 'zz' })), 'ResourceNotFoundException', 'The specified subscription filter does not exist.');
  await srv.client.send(new DeleteSubscriptionFilterCommand({ logGroupName: group, filterName: 'g' }));
  const page = await srv.client.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group, limit: 1 }));
  assert.equal(page.subscriptionFilters?.length, 1);
  assert.equal(page.nextToken, undefined);
  // Deleting the group deletes its filters: a new group of the same name starts with none.
  await srv.client.send(new DeleteLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  assert.deepEqual((await srv.client.send(new DescribeSubscriptionFiltersCommand({ logGroupName: group }))).subscriptionFilters, []);
  const unbound = await cli('targets', 'delete', 'function', `hook-${run}`);
  assert.equal(unbound.code, 0, unbound.stderr);
});

test('targets refuse private addresses unless allowed, and plain http to public ones', async () => {
  const refused = await cli('targets', 'put', 'function', 'internal', '--url', 'http://10.1.2.3/hook');
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /InvalidParameterException: Invalid function target: destination address 10\.1\.2\.3 is loopback, link-local or private/);
  const link = await cli('targets', 'put', 'opensearch', 'meta', '--url', 'https://169.254.169.254/', '--index-prefix', 'x');
  assert.match(link.stderr, /169\.254\.169\.254 is loopback, link-local or private/);
  const plain = await cli('targets', 'put', 'function', 'public-http', '--url', 'http://93.184.216.34/hook');
  assert.match(plain.stderr, /is public: use https/);
  // A delivery target's S3-compatible store follows the same rule (its client connects through the policy).
  const store = await cli('targets', 'put', 'delivery', 'internal-s3', '--bucket', 'internal-bucket', '--s3-endpoint-url', 'http://169.254.169.254/');
  assert.equal(store.code, 1);
  assert.match(store.stderr, /InvalidParameterException: Invalid delivery target: destination address 169\.254\.169\.254 is loopback, link-local or private/);
  const badName = await cli('targets', 'put', 'function', '../etc', '--url', 'https://93.184.216.34/');
  assert.match(badName.stderr, /InvalidParameterException/);
  // A local bucket cannot be in the data dir (nor hold it), even through a path not made yet.
  for (const bucket of [join(srv.dataDir, 'archive'), dirname(srv.dataDir)]) {
    const inData = await cli('targets', 'put', 'delivery', 'in-data', '--bucket', bucket);
    assert.equal(inData.code, 1, bucket);
    assert.match(inData.stderr, /InvalidParameterException: Invalid delivery target: bucket: the folder .* cannot be a local bucket: it (is inside|holds) the server's data directory/);
  }
  const list = await cli('targets', 'list', '--json');
  const names = (JSON.parse(list.stdout) as Array<{ name: string }>).map((t) => t.name);
  assert.ok(!names.includes('internal') && !names.includes('meta') && !names.includes('public-http') && !names.includes('in-data'));
});

test('destinations: put, policy, describe, delete; a subscription through a destination delivers', async () => {
  const name = `dest-${run}`;
  const target = await cli('targets', 'put', 'function', `via-${run}`, '--url', peer.url);
  assert.equal(target.code, 0, target.stderr);
  await rejectsAws(srv.client.send(new PutDestinationCommand({ destinationName: name, targetArn: lambda('unbound'), roleArn: ROLE })), 'InvalidParameterException');
  const out = await srv.client.send(new PutDestinationCommand({ destinationName: name, targetArn: lambda(`via-${run}`), roleArn: ROLE }));
  assert.equal(out.destination?.arn, `arn:aws:logs:us-east-1:${ACCOUNT}:destination:${name}`);
  assert.equal(out.destination?.targetArn, lambda(`via-${run}`));
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'logs:PutSubscriptionFilter', Resource: out.destination?.arn }] });
  await srv.client.send(new PutDestinationPolicyCommand({ destinationName: name, accessPolicy: policy }));
  await rejectsAws(srv.client.send(new PutDestinationPolicyCommand({ destinationName: `${name}-none`, accessPolicy: policy })), 'ResourceNotFoundException', 'The specified destination does not exist.');
  await rejectsAws(srv.client.send(new PutDestinationPolicyCommand({ destinationName: name, accessPolicy: 'not json' })), 'InvalidParameterException');
  const described = await srv.client.send(new DescribeDestinationsCommand({ DestinationNamePrefix: name }));
  assert.equal(described.destinations?.length, 1);
  assert.equal(described.destinations?.[0]?.accessPolicy, policy);

  const group = `/lw/${run}/subs/via-destination`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  await srv.client.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'all', filterPattern: '', destinationArn: out.destination!.arn! }));
  await srv.client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: `via destination ${run}` }] }));
  await waitFor('the event through the destination', () => peer.requests.some((r) => decodeAwslogs(r.body).logGroup === group));
  await srv.client.send(new DeleteSubscriptionFilterCommand({ logGroupName: group, filterName: 'all' }));
  await srv.client.send(new DeleteDestinationCommand({ destinationName: name }));
  await rejectsAws(srv.client.send(new DeleteDestinationCommand({ destinationName: name })), 'ResourceNotFoundException', 'The specified destination does not exist.');
});

test('end to end through the server: matching events reach the function, also across a restart', async () => {
  const group = `/lw/${run}/subs/e2e`;
  assert.equal((await cli('targets', 'put', 'function', `e2e-${run}`, '--url', peer.url)).code, 0);
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web' }));
  await srv.client.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'errors', filterPattern: '{ $.level = "ERROR" }', destinationArn: lambda(`e2e-${run}`) }));
  const now = Date.now();
  const events = [
    { timestamp: now, message: '{"level":"ERROR","n":1}' },
    { timestamp: now, message: '{"level":"INFO","n":2}' },
    { timestamp: now + 1, message: '{"level":"ERROR","n":3}' },
  ];
  await srv.client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web', logEvents: events }));
  const received = (): string[] =>
    peer.requests
      .map((r) => decodeAwslogs(r.body))
      .filter((m) => m.logGroup === group && m.messageType === 'DATA_MESSAGE')
      .flatMap((m) => m.logEvents.map((e) => e.message));
  await waitFor('two matching events', () => received().length >= 2);
  assert.deepEqual(received(), ['{"level":"ERROR","n":1}', '{"level":"ERROR","n":3}']);

  // Restart: the subscription, its target and its checkpoint survive; new events keep flowing.
  await srv.stop();
  srv = await startLogward({ dataDir: srv.dataDir, args: ['--allow-private-destinations', '127.0.0.1/32'] });
  srv.client = makeClient(srv.url, srv.credentials);
  await srv.client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web', logEvents: [{ timestamp: Date.now(), message: '{"level":"ERROR","n":4}' }] }));
  await waitFor('the event after the restart', () => received().includes('{"level":"ERROR","n":4}'));
  assert.deepEqual(received(), ['{"level":"ERROR","n":1}', '{"level":"ERROR","n":3}', '{"level":"ERROR","n":4}']);
  const status = await cli('targets', 'status');
  const stats = JSON.parse(status.stdout) as Array<{ logGroupName: string; deliveredEvents: number }>;
  assert.ok(stats.some((s) => s.logGroupName === group));
});

test('a crash (SIGKILL) while the destination is down loses nothing: delivery resumes from the checkpoint after the restart', async () => {
  let down = true;
  const flaky = await recordingServer(() => ({ status: down ? 503 : 200 }));
  try {
    const group = `/lw/${run}/subs/crash`;
    assert.equal((await cli('targets', 'put', 'function', `crash-${run}`, '--url', flaky.url)).code, 0);
    await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
    await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
    await srv.client.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'all', filterPattern: '', destinationArn: lambda(`crash-${run}`) }));
    const sent = Array.from({ length: 20 }, (_, k) => `crash event ${k}`);
    for (let k = 0; k < sent.length; k += 5) {
      await srv.client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: sent.slice(k, k + 5).map((message) => ({ timestamp: Date.now(), message })) }));
    }
    await srv.kill();
    down = false;
    srv = await startLogward({ dataDir: srv.dataDir, args: ['--allow-private-destinations', '127.0.0.1/32'] });
    const got = (): string[] => flaky.requests.map((r) => decodeAwslogs(r.body)).filter((m) => m.messageType === 'DATA_MESSAGE').flatMap((m) => m.logEvents.map((e) => e.message));
    await waitFor('every acknowledged event after the crash', () => got().length >= sent.length);
    assert.deepEqual([...new Set(got())], sent);
  } finally {
    await flaky.close();
  }
});

/** The value of one sample in a Prometheus exposition, by name and exact label set; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',');
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${want}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('GET /metrics: delivered events and batches, retries, failures and lag per subscription, for a working and a failing destination', async () => {
  // The failing destination takes the subscription's CONTROL_MESSAGE, then refuses data until it recovers.
  let down = true;
  const failing = await recordingServer((r) => ({ status: down && decodeAwslogs(r.body).messageType === 'DATA_MESSAGE' ? 503 : 200 }));
  try {
    const good = `/lw/${run}/subs/metrics-good`;
    const bad = `/lw/${run}/subs/metrics-bad`;
    assert.equal((await cli('targets', 'put', 'function', `mgood-${run}`, '--url', peer.url)).code, 0);
    assert.equal((await cli('targets', 'put', 'function', `mbad-${run}`, '--url', failing.url)).code, 0);
    for (const [group, target] of [
      [good, `mgood-${run}`],
      [bad, `mbad-${run}`],
    ] as const) {
      await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
      await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
      await srv.client.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'errors', filterPattern: 'ERROR', destinationArn: lambda(target) }));
      const now = Date.now();
      await srv.client.send(
        new PutLogEventsCommand({
          logGroupName: group,
          logStreamName: 's',
          logEvents: [
            { timestamp: now, message: 'ERROR one' },
            { timestamp: now, message: 'INFO two' },
            { timestamp: now, message: 'ERROR three' },
          ],
        }),
      );
    }
    const goodLabels = { log_group: good, filter: 'errors', destination: lambda(`mgood-${run}`) };
    const badLabels = { log_group: bad, filter: 'errors', destination: lambda(`mbad-${run}`) };
    const scrape = async (): Promise<string> => {
      const res = await fetch(`${srv.url}/metrics`);
      assert.equal(res.status, 200);
      return res.text();
    };
    let text = '';
    await waitFor('the delivery and two failed attempts in /metrics', async () => {
      text = await scrape();
      return sample(text, 'logward_subscription_delivered_events_total', goodLabels) === 2 && (sample(text, 'logward_subscription_retries_total', badLabels) ?? 0) >= 2;
    });
    assert.match(text, /^# TYPE logward_subscription_delivered_events_total counter$/m);
    assert.match(text, /^# TYPE logward_subscription_lag_seconds gauge$/m);
    // The working destination: one batch (the control message is not counted), nothing failed, nothing waits.
    assert.equal(sample(text, 'logward_subscription_delivered_batches_total', goodLabels), 1);
    assert.equal(sample(text, 'logward_subscription_failures_total', goodLabels), 0);
    assert.equal(sample(text, 'logward_subscription_failing', goodLabels), 0);
    assert.equal(sample(text, 'logward_subscription_lag_seconds', goodLabels), 0);
    assert.equal(sample(text, 'logward_subscription_lag_events', goodLabels), 0);
    // The failing one: nothing delivered, failures counted, and its events wait (lag above zero).
    assert.equal(sample(text, 'logward_subscription_delivered_events_total', badLabels), 0);
    assert.ok(sample(text, 'logward_subscription_failures_total', badLabels)! >= sample(text, 'logward_subscription_retries_total', badLabels)!);
    assert.equal(sample(text, 'logward_subscription_failing', badLabels), 1);
    assert.ok(sample(text, 'logward_subscription_lag_seconds', badLabels)! > 0);
    assert.ok(sample(text, 'logward_subscription_lag_events', badLabels)! >= 3);

    // Once the destination recovers, its events are delivered and the lag is gone; the failures stay counted.
    down = false;
    await waitFor('delivery after the recovery in /metrics', async () => {
      text = await scrape();
      return sample(text, 'logward_subscription_delivered_events_total', badLabels) === 2;
    });
    assert.equal(sample(text, 'logward_subscription_failing', badLabels), 0);
    assert.equal(sample(text, 'logward_subscription_lag_seconds', badLabels), 0);
    assert.ok(sample(text, 'logward_subscription_failures_total', badLabels)! >= 2);
    for (const line of text.split('\n').filter((l) => l.startsWith('logward_subscription_'))) {
      assert.match(line, /^[a-zA-Z_:][a-zA-Z0-9_:]*\{log_group="([^"\\]|\\.)*",filter="([^"\\]|\\.)*",destination="([^"\\]|\\.)*"\} \S+$/, line);
    }
  } finally {
    await failing.close();
  }
});


test('the admin API is audited like every call: action, caller, target ARN, status and error, unsigned calls too', async () => {
  const name = `audited-${run}`;
  assert.equal((await cli('targets', 'put', 'function', name, '--url', peer.url)).code, 0);
  assert.equal((await cli('targets', 'list')).code, 0);
  assert.equal((await cli('targets', 'status')).code, 0);
  assert.equal((await cli('targets', 'delete', 'function', name)).code, 0);
  assert.notEqual((await cli('targets', 'delete', 'function', name)).code, 0); // gone: ResourceNotFoundException
  const unsigned = await fetch(`${srv.url}/_logward/admin/targets`, { headers: { 'user-agent': `unsigned-${run}` } });
  assert.equal(unsigned.status, 400);

  const records: AuditRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await srv.client.send(new FilterLogEventsCommand({ logGroupName: 'logward/audit', filterPattern: '{ $.action = "logward:*" }', nextToken }));
    for (const e of page.events ?? []) records.push(JSON.parse(e.message!) as AuditRecord);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  const arn = lambda(name);
  const mine = records.filter((r) => r.resources.includes(arn));
  assert.deepEqual(
    mine.map((r) => [r.action, r.httpStatus, r.errorCode, r.caller?.accessKeyId]),
    [
      ['logward:PutTarget', 200, null, TEST_ACCESS_KEY_ID],
      ['logward:DeleteTarget', 200, null, TEST_ACCESS_KEY_ID],
      ['logward:DeleteTarget', 400, 'ResourceNotFoundException', TEST_ACCESS_KEY_ID],
    ],
  );
  assert.equal(mine[0]!.caller?.arn, `arn:aws:iam::${ACCOUNT}:root`);
  assert.ok(records.some((r) => r.action === 'logward:ListTargets' && r.resources[0] === '*' && r.httpStatus === 200));
  assert.ok(records.some((r) => r.action === 'logward:GetSubscriptionStatus' && r.httpStatus === 200));
  const refused = records.find((r) => r.userAgent === `unsigned-${run}`);
  assert.deepEqual([refused?.action, refused?.caller, refused?.httpStatus, refused?.errorCode], ['logward:ListTargets', null, 400, 'MissingAuthenticationTokenException']);
});

test('events sent with any JSON escaping reach the function exactly: payloads decode (base64, gunzip, JSON.parse) to the events', async () => {
  const group = `/lw/${run}/subs/escapes`;
  assert.equal((await cli('targets', 'put', 'function', `esc-${run}`, '--url', peer.url)).code, 0);
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web' }));
  await srv.client.send(new PutSubscriptionFilterCommand({ logGroupName: group, filterName: 'all', filterPattern: '', destinationArn: lambda(`esc-${run}`) }));
  const now = Date.now();
  // Written by hand as other clients write JSON: \/ for /, \u escapes for non-ASCII (upper-case hex, a
  // surrogate pair), \u000a for a newline; and as JSON.stringify writes it, raw UTF-8 and short escapes.
  const literals = ['"a\\/b \\u00E9 \\ud83d\\ude00 \\u000a end"', '"plain \\"quoted\\" \\\\ é 😀 \\n\\t\\u0001"', '"{\\"level\\":\\"INFO\\",\\"path\\":\\"\\/x\\"}"'];
  const body = `{ "logGroupName": "${group}", "logStreamName": "web",\n "logEvents": [${literals.map((l, i) => `{"message": ${l}, "timestamp": ${now + i}}`).join(',\n ')}] }`;
  const res = await signedRequest(srv, { target: 'PutLogEvents', body });
  assert.equal(res.status, 200, res.text);
  const expected = literals.map((l, i) => ({ timestamp: now + i, message: JSON.parse(l) as string }));
  const received = (): Array<{ id: string; timestamp: number; message: string }> =>
    peer.requests
      .map((r) => decodeAwslogs(r.body))
      .filter((m) => m.logGroup === group && m.messageType === 'DATA_MESSAGE')
      .flatMap((m) => m.logEvents);
  await waitFor('the three events', () => received().length >= 3);
  assert.deepEqual(
    received().map(({ timestamp, message }) => ({ timestamp, message })),
    expected,
  );
  const stored = await srv.client.send(new FilterLogEventsCommand({ logGroupName: group }));
  assert.deepEqual(
    received().map((e) => e.id),
    stored.events?.map((e) => e.eventId),
  );
});
