/**
 * Contract: FilterLogEvents with plain term patterns, stream selection, time range and pagination.
 * Wording from test/fixtures/aws-recorded-responses/test_logs_filter_events.snapshot.json unless a
 * comment says otherwise. Pattern semantics follow the CloudWatch Logs "filter pattern syntax" for
 * unstructured events: terms are case sensitive, all unprefixed terms are required, "..." is an exact
 * phrase, ?term is an alternative, -term excludes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { filterAll, rejectsAws, uid } from '../helpers/assert-aws.js';

let srv: LogwardServer;
const run = uid();
const G = `/lw/${run}/filter/fixture`;
const base = Date.now() - 3_600_000;

/** Fixture events: [index, stream, message]; timestamp = base + index * 1000. */
const FIXTURE: Array<[number, string, string]> = [
  [0, 'app-1', 'ERROR database connection refused'],
  [1, 'app-2', 'error: lowercase is not the same term'],
  [2, 'web-1', 'GET /index.html 200'],
  [3, 'app-1', 'INFO request served in 12 ms'],
  [4, 'app-2', 'ERROR cache miss storm'],
  [5, 'web-1', 'WARN slow response from upstream'],
  [6, 'app-1', 'WARN disk almost full'],
  [7, 'app-2', 'connection was refused by peer'],
  [8, 'web-1', 'ERROR database deadlock detected'],
  [9, 'app-1', 'ERROR timeout while calling payments'],
];

before(async () => {
  srv = await startLogward();
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: G }));
  for (const s of ['app-1', 'app-2', 'web-1']) {
    await srv.client.send(new CreateLogStreamCommand({ logGroupName: G, logStreamName: s }));
    await srv.client.send(
      new PutLogEventsCommand({
        logGroupName: G,
        logStreamName: s,
        logEvents: FIXTURE.filter(([, st]) => st === s).map(([i, , message]) => ({ timestamp: base + i * 1000, message })),
      }),
    );
  }
});

after(async () => {
  await stopAndClean(srv);
});

/** The fixture indexes of the events FilterLogEvents returns, in returned order. */
function indexes(events: FilteredLogEvent[]): number[] {
  return events.map((e) => {
    const f = FIXTURE.find(([, s, m]) => s === e.logStreamName && m === e.message);
    assert.ok(f !== undefined, `unexpected event ${JSON.stringify(e)}`);
    assert.equal(e.timestamp, base + f[0] * 1000);
    return f[0];
  });
}

async function match(input: Omit<Parameters<typeof filterAll>[1], 'logGroupName'>): Promise<number[]> {
  const { events } = await filterAll(srv.client, { logGroupName: G, ...input });
  return indexes(events);
}

test('no pattern: every event of every stream, interleaved in timestamp order, with AWS fields', async () => {
  const { events } = await filterAll(srv.client, { logGroupName: G });
  assert.deepEqual(indexes(events), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const ids = new Set<string>();
  for (const e of events) {
    assert.equal(typeof e.eventId, 'string');
    assert.ok((e.eventId ?? '').length > 0);
    ids.add(e.eventId ?? '');
    assert.equal(typeof e.ingestionTime, 'number');
  }
  assert.equal(ids.size, events.length, 'eventIds are unique');
  assert.deepEqual(await match({ filterPattern: '' }), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('logGroupIdentifier (name or ARN) selects the group like logGroupName', async () => {
  for (const id of [G, `arn:aws:logs:us-east-1:000000000000:log-group:${G}`]) {
    const r = await srv.client.send(new FilterLogEventsCommand({ logGroupIdentifier: id, filterPattern: 'ERROR' }));
    assert.deepEqual(indexes(r.events ?? []), [0, 4, 8, 9], `identifier ${id}`);
  }
});

test('a single term matches case-sensitively', async () => {
  assert.deepEqual(await match({ filterPattern: 'ERROR' }), [0, 4, 8, 9]);
  assert.deepEqual(await match({ filterPattern: 'error' }), [1]);
  assert.deepEqual(await match({ filterPattern: 'WARN' }), [5, 6]);
});

test('several terms are all required, in any order', async () => {
  assert.deepEqual(await match({ filterPattern: 'ERROR database' }), [0, 8]);
  assert.deepEqual(await match({ filterPattern: 'database ERROR' }), [0, 8]);
  assert.deepEqual(await match({ filterPattern: 'ERROR database deadlock' }), [8]);
});

test('a quoted phrase matches only the exact phrase', async () => {
  assert.deepEqual(await match({ filterPattern: '"connection refused"' }), [0]);
  assert.deepEqual(await match({ filterPattern: '"GET /index.html"' }), [2]);
});

test('?A ?B matches either term', async () => {
  assert.deepEqual(await match({ filterPattern: '?ERROR ?WARN' }), [0, 4, 5, 6, 8, 9]);
  assert.deepEqual(await match({ filterPattern: '?storm ?deadlock' }), [4, 8]);
});

test('-term excludes events containing the term', async () => {
  assert.deepEqual(await match({ filterPattern: 'ERROR -timeout' }), [0, 4, 8]);
  assert.deepEqual(await match({ filterPattern: 'ERROR -database -timeout' }), [4]);
});

test('logStreamNames restricts the search to those streams', async () => {
  assert.deepEqual(await match({ logStreamNames: ['app-1', 'web-1'] }), [0, 2, 3, 5, 6, 8, 9]);
  assert.deepEqual(await match({ logStreamNames: ['app-1', 'web-1'], filterPattern: 'ERROR' }), [0, 8, 9]);
});

test('logStreamNamePrefix restricts the search to matching streams', async () => {
  assert.deepEqual(await match({ logStreamNamePrefix: 'app-' }), [0, 1, 3, 4, 6, 7, 9]);
  assert.deepEqual(await match({ logStreamNamePrefix: 'app-', filterPattern: 'ERROR' }), [0, 4, 9]);
});

test('logStreamNames together with logStreamNamePrefix: InvalidParameterException', async () => {
  // The model says InvalidParameterException; AWS's wording is not recorded, so the code only.
  await rejectsAws(
    srv.client.send(new FilterLogEventsCommand({ logGroupName: G, logStreamNames: ['app-1'], logStreamNamePrefix: 'app-' })),
    'InvalidParameterException',
  );
});

test('startTime and endTime bound the events (both inclusive for FilterLogEvents)', async () => {
  // Model: startTime "Events with a timestamp before this time are not returned", endTime "Events with a
  // timestamp later than this time are not returned" — unlike GetLogEvents, where endTime is exclusive.
  assert.deepEqual(await match({ startTime: base + 3000, endTime: base + 6000 }), [3, 4, 5, 6]);
  assert.deepEqual(await match({ startTime: base + 3000, endTime: base + 6000, filterPattern: 'WARN' }), [5, 6]);
  assert.deepEqual(await match({ startTime: base + 9000 }), [9]);
  assert.deepEqual(await match({ endTime: base }), [0]);
});

test('limit + nextToken paginate every event exactly once, sorted by timestamp', async () => {
  const g = `/lw/${run}/filter/paging`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: g }));
  const streams = ['s-a', 's-b', 's-c'];
  const expected = new Map<string, number>();
  const pbase = Date.now() - 2 * 3_600_000;
  for (const [si, s] of streams.entries()) {
    await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: s }));
    // Overlapping timestamps across streams, including equal ones.
    const logEvents = Array.from({ length: 44 - si }, (_, i) => {
      const message = `e ${s} ${i}${i % 3 === 0 ? ' MARK' : ''}`;
      const timestamp = pbase + i * 100 + (i % 2 === 0 ? 0 : si * 10);
      expected.set(message, timestamp);
      return { timestamp, message };
    });
    await srv.client.send(new PutLogEventsCommand({ logGroupName: g, logStreamName: s, logEvents }));
  }
  assert.equal(expected.size, 129);

  const { events, pages } = await filterAll(srv.client, { logGroupName: g, limit: 17 });
  assert.ok(pages >= Math.ceil(129 / 17), `expected at least 8 pages, got ${pages}`);
  const seen = new Map<string, number>();
  for (const e of events) seen.set(e.message ?? '', (seen.get(e.message ?? '') ?? 0) + 1);
  assert.deepEqual([...seen.entries()].filter(([, c]) => c !== 1), [], 'no event twice');
  assert.deepEqual([...seen.keys()].sort(), [...expected.keys()].sort(), 'every event once');
  for (const e of events) assert.equal(e.timestamp, expected.get(e.message ?? ''));
  for (let i = 1; i < events.length; i++) {
    assert.ok((events[i - 1]?.timestamp ?? 0) <= (events[i]?.timestamp ?? 0), `not sorted at ${i}`);
  }

  const marked = await filterAll(srv.client, { logGroupName: g, limit: 4, filterPattern: 'MARK' });
  assert.deepEqual(
    marked.events.map((e) => e.message).sort(),
    [...expected.keys()].filter((m) => m.endsWith('MARK')).sort(),
  );
});

test('startFromHead false returns the newest events first and pages backwards', async () => {
  // A newer member of the model (descending order, supported when startTime >= 2024-01-01).
  const first = await srv.client.send(
    new FilterLogEventsCommand({ logGroupName: G, startTime: base, startFromHead: false, limit: 3 }),
  );
  assert.deepEqual(indexes(first.events ?? []), [9, 8, 7]);
  const all: FilteredLogEvent[] = [...(first.events ?? [])];
  let token = first.nextToken;
  for (let i = 0; token !== undefined; i++) {
    assert.ok(i < 100, 'pagination does not terminate');
    const r = await srv.client.send(
      new FilterLogEventsCommand({ logGroupName: G, startTime: base, limit: 3, nextToken: token }),
    );
    all.push(...(r.events ?? []));
    token = r.nextToken;
  }
  assert.deepEqual(indexes(all), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
});

test('events are visible to FilterLogEvents as soon as PutLogEvents returns', async () => {
  const g = `/lw/${run}/filter/visible`;
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: g }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: g, logStreamName: 's' }));
  for (let i = 0; i < 25; i++) {
    const word = `vis${run}n${String(i).padStart(3, '0')}`;
    await srv.client.send(
      new PutLogEventsCommand({
        logGroupName: g,
        logStreamName: 's',
        logEvents: [{ timestamp: Date.now(), message: `fresh ${word} event` }],
      }),
    );
    const { events } = await filterAll(srv.client, { logGroupName: g, filterPattern: word });
    assert.deepEqual(events.map((e) => e.message), [`fresh ${word} event`], `put #${i} not visible`);
  }
  const { events } = await filterAll(srv.client, { logGroupName: g });
  assert.equal(events.length, 25);
});

test('FilterLogEvents with an invalid nextToken: the recorded message', async () => {
  await rejectsAws(
    srv.client.send(new FilterLogEventsCommand({ logGroupName: G, nextToken: 'invalid-token' })),
    'InvalidParameterException',
    'The specified nextToken is invalid.',
  );
});

test('FilterLogEvents limit 10001: the recorded validation message', async () => {
  await rejectsAws(
    srv.client.send(new FilterLogEventsCommand({ logGroupName: G, limit: 10001 })),
    'InvalidParameterException',
    "1 validation error detected: Value '10001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 10000",
  );
});

test('FilterLogEvents of a missing group: ResourceNotFoundException', async () => {
  await rejectsAws(
    srv.client.send(new FilterLogEventsCommand({ logGroupName: `/lw/${run}/filter/none` })),
    'ResourceNotFoundException',
    'The specified log group does not exist.',
  );
});
