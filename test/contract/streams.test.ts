/**
 * Contract: CreateLogStream / DeleteLogStream / DescribeLogStreams. Wording from
 * test/fixtures/aws-recorded-responses/test_logs_streams.snapshot.json and test_logs_events.snapshot.json
 * unless a comment says otherwise.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogStreamCommand,
  DescribeLogStreamsCommand,
  GetLogEventsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { describeAllStreams, groupArnBare, rejectsAws, streamArn, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
const run = uid();

before(async () => {
  srv = await startLogward();
});

after(async () => {
  await stopAndClean(srv);
});

async function group(suffix: string): Promise<string> {
  const name = `/lw/${run}/streams/${suffix}`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: name }));
  return name;
}

test('CreateLogStream then DescribeLogStreams reports name, creationTime, arn and storedBytes', async () => {
  const g = await group('basic');
  const t0 = Date.now();
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'first' }));
  const t1 = Date.now();
  const r = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g }));
  assert.equal(r.logStreams?.length, 1);
  const s = r.logStreams?.[0];
  assert.ok(s !== undefined);
  assert.equal(s.logStreamName, 'first');
  assert.equal(s.arn, streamArn(g, 'first'));
  assert.ok((s.creationTime ?? 0) >= t0 - 1000 && (s.creationTime ?? 0) <= t1 + 1000, `creationTime ${s.creationTime}`);
  assert.equal(s.storedBytes, 0);
  // No events yet: AWS omits the event timestamps.
  assert.equal(s.firstEventTimestamp, undefined);
  assert.equal(s.lastEventTimestamp, undefined);
  assert.equal(s.lastIngestionTime, undefined);
});

test('CreateLogStream twice: ResourceAlreadyExistsException', async () => {
  const g = await group('dup');
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
  await rejectsAws(
    srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' })),
    'ResourceAlreadyExistsException',
    'The specified log stream already exists',
  );
});

test('CreateLogStream in a missing group: ResourceNotFoundException for the group', async () => {
  await rejectsAws(
    srv.client.send(new CreateLogStreamCommand({ logGroupName: `/lw/${run}/nope`, logStreamName: 's' })),
    'ResourceNotFoundException',
    'The specified log group does not exist.',
  );
});

test('log stream names may not contain ":" or "*" (model pattern [^:*]*)', async () => {
  const g = await group('badname');
  // Same validation-message form as the recorded 'limit' error; only the stable prefix is asserted.
  await rejectsAws(
    srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'a:b' })),
    'InvalidParameterException',
    /^1 validation error detected: Value 'a:b' at 'logStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: /,
  );
  const r = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g }));
  assert.deepEqual(r.logStreams, []);
});

test('log stream name over 512 characters: the recorded length message', async () => {
  const g = await group('long');
  await rejectsAws(
    srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's'.repeat(513) })),
    'InvalidParameterException',
    'Invalid LogGroup or LogStream, both must have length less than or equal to 512.',
  );
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's'.repeat(512) }));
});

test('DeleteLogStream removes the stream and its events; deleting again: ResourceNotFoundException', async () => {
  const g = await group('delete');
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'gone' }));
  await srv.client.send(
    new PutLogEventsCommand({
      logGroupName: g,
      logStreamName: 'gone',
      logEvents: [{ timestamp: Date.now(), message: 'bye' }],
    }),
  );
  await srv.client.send(new DeleteLogStreamCommand({ logGroupName: g, logStreamName: 'gone' }));
  const r = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g }));
  assert.deepEqual(r.logStreams, []);
  await rejectsAws(
    srv.client.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 'gone' })),
    'ResourceNotFoundException',
    'The specified log stream does not exist.',
  );
  await rejectsAws(
    srv.client.send(new DeleteLogStreamCommand({ logGroupName: g, logStreamName: 'gone' })),
    'ResourceNotFoundException',
    'The specified log stream does not exist.',
  );
  // A re-created stream with the same name starts empty.
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'gone' }));
  const ev = await srv.client.send(new GetLogEventsCommand({ logGroupName: g, logStreamName: 'gone', startFromHead: true }));
  assert.deepEqual(ev.events, []);
});

test('DeleteLogStream in a missing group: ResourceNotFoundException for the group', async () => {
  await rejectsAws(
    srv.client.send(new DeleteLogStreamCommand({ logGroupName: `/lw/${run}/nope2`, logStreamName: 's' })),
    'ResourceNotFoundException',
    'The specified log group does not exist.',
  );
});

test('DescribeLogStreams of a missing group: ResourceNotFoundException', async () => {
  await rejectsAws(
    srv.client.send(new DescribeLogStreamsCommand({ logGroupName: `/lw/${run}/nope3` })),
    'ResourceNotFoundException',
    'The specified log group does not exist.',
  );
});

test('DescribeLogStreams: default order is by name ascending; descending reverses; prefix filters', async () => {
  const g = await group('order');
  const names = ['b-2', 'a-1', 'c-3', 'a-2', 'b-1'];
  for (const n of names) await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: n }));
  const asc = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g }));
  assert.deepEqual(asc.logStreams?.map((s) => s.logStreamName), [...names].sort());
  const byName = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g, orderBy: 'LogStreamName' }));
  assert.deepEqual(byName.logStreams?.map((s) => s.logStreamName), [...names].sort());
  const desc = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g, descending: true }));
  assert.deepEqual(desc.logStreams?.map((s) => s.logStreamName), [...names].sort().reverse());
  const pre = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g, logStreamNamePrefix: 'a-' }));
  assert.deepEqual(pre.logStreams?.map((s) => s.logStreamName), ['a-1', 'a-2']);
  const preDesc = await srv.client.send(
    new DescribeLogStreamsCommand({ logGroupName: g, logStreamNamePrefix: 'b-', descending: true }),
  );
  assert.deepEqual(preDesc.logStreams?.map((s) => s.logStreamName), ['b-2', 'b-1']);
});

test('DescribeLogStreams limit and nextToken page through 23 streams exactly once', async () => {
  const g = await group('paging');
  const names = Array.from({ length: 23 }, (_, i) => `s-${String(i).padStart(2, '0')}`);
  await Promise.all(names.map((n) => srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: n }))));
  const first = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g, limit: 5 }));
  assert.deepEqual(first.logStreams?.map((s) => s.logStreamName), names.slice(0, 5));
  assert.equal(typeof first.nextToken, 'string');
  const all = await describeAllStreams(srv.client, { logGroupName: g, limit: 5 });
  assert.deepEqual(all.map((s) => s.logStreamName), names);
  const allDesc = await describeAllStreams(srv.client, { logGroupName: g, limit: 4, descending: true });
  assert.deepEqual(allDesc.map((s) => s.logStreamName), [...names].reverse());
  const allPrefix = await describeAllStreams(srv.client, { logGroupName: g, limit: 3, logStreamNamePrefix: 's-1' });
  assert.deepEqual(allPrefix.map((s) => s.logStreamName), names.filter((n) => n.startsWith('s-1')));
});

test('DescribeLogStreams limit 51: validation error (DescribeLimit is 1..50)', async () => {
  const g = await group('limit');
  await rejectsAws(
    srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g, limit: 51 })),
    'InvalidParameterException',
    "1 validation error detected: Value '51' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 50",
  );
});

test('after puts, a stream reports firstEventTimestamp, lastEventTimestamp and lastIngestionTime', async () => {
  const g = await group('times');
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
  const base = Date.now() - 60_000;
  const t0 = Date.now();
  await srv.client.send(
    new PutLogEventsCommand({
      logGroupName: g,
      logStreamName: 's',
      logEvents: [
        { timestamp: base, message: 'one' },
        { timestamp: base + 10, message: 'two' },
      ],
    }),
  );
  await srv.client.send(
    new PutLogEventsCommand({
      logGroupName: g,
      logStreamName: 's',
      logEvents: [{ timestamp: base + 5, message: 'three' }],
    }),
  );
  const t1 = Date.now();
  const r = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g }));
  const s = r.logStreams?.[0];
  assert.ok(s !== undefined);
  assert.equal(s.firstEventTimestamp, base);
  assert.equal(s.lastEventTimestamp, base + 10);
  assert.ok(
    (s.lastIngestionTime ?? 0) >= t0 - 1000 && (s.lastIngestionTime ?? 0) <= t1 + 1000,
    `lastIngestionTime ${s.lastIngestionTime} not within the puts`,
  );
});

test('orderBy LastEventTime orders streams by their last event; descending reverses', async () => {
  const g = await group('by-time');
  const base = Date.now() - 3_600_000;
  // Names deliberately not in time order.
  const lastTimes: Record<string, number> = { zeta: base + 1000, alpha: base + 3000, mid: base + 2000, beta: base + 4000 };
  for (const [name, ts] of Object.entries(lastTimes)) {
    await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: name }));
    await srv.client.send(
      new PutLogEventsCommand({
        logGroupName: g,
        logStreamName: name,
        logEvents: [
          { timestamp: ts - 500, message: `${name} early` },
          { timestamp: ts, message: `${name} last` },
        ],
      }),
    );
  }
  const byTime = Object.entries(lastTimes)
    .sort((a, b) => a[1] - b[1])
    .map(([n]) => n);
  const asc = await srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g, orderBy: 'LastEventTime' }));
  assert.deepEqual(asc.logStreams?.map((s) => s.logStreamName), byTime);
  const desc = await srv.client.send(
    new DescribeLogStreamsCommand({ logGroupName: g, orderBy: 'LastEventTime', descending: true }),
  );
  assert.deepEqual(desc.logStreams?.map((s) => s.logStreamName), [...byTime].reverse());
  const paged = await describeAllStreams(srv.client, { logGroupName: g, orderBy: 'LastEventTime', limit: 3 });
  assert.deepEqual(paged.map((s) => s.logStreamName), byTime);
});

test('orderBy LastEventTime with a logStreamNamePrefix: InvalidParameterException', async () => {
  const g = await group('time-prefix');
  // AWS wording as asserted by moto's tests (getmoto/moto tests/test_logs/test_logs.py, written against
  // real AWS); not in the recorded snapshots.
  await rejectsAws(
    srv.client.send(
      new DescribeLogStreamsCommand({ logGroupName: g, orderBy: 'LastEventTime', logStreamNamePrefix: 'x' }),
    ),
    'InvalidParameterException',
    'Cannot order by LastEventTime with a logStreamNamePrefix.',
  );
});

test('DescribeLogStreams by logGroupIdentifier (name or ARN); name and identifier together is rejected', async () => {
  const g = await group('ident');
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 'one' }));
  const byName = await srv.client.send(new DescribeLogStreamsCommand({ logGroupIdentifier: g }));
  assert.deepEqual(byName.logStreams?.map((s) => s.logStreamName), ['one']);
  const byArn = await srv.client.send(new DescribeLogStreamsCommand({ logGroupIdentifier: groupArnBare(g) }));
  assert.deepEqual(byArn.logStreams?.map((s) => s.logStreamName), ['one']);
  assert.equal(byArn.logStreams?.[0]?.arn, streamArn(g, 'one'));
  await rejectsAws(
    srv.client.send(new DescribeLogStreamsCommand({ logGroupName: g, logGroupIdentifier: g })),
    'ValidationException',
    'LogGroup name and LogGroup ARN are mutually exclusive parameters.',
  );
});
