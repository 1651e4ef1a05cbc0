import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CloudWatchLogsClient, PutLogEventsCommandInput, PutLogEventsCommandOutput } from '@aws-sdk/client-cloudwatch-logs';
import { FakeClock } from '../../clock.js';
import { MAX_MESSAGE_BYTES, PUT_LIMITS, utf8Bytes } from '../batch.js';
import { countRejected, putLines } from './put.js';

function throttled(): Error {
  return Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
}

/** A client whose PutLogEvents records each request, after `throttle(call)` says whether to throttle it. */
function fakeClient(throttle: (call: number) => boolean = () => false) {
  const requests: PutLogEventsCommandInput[] = [];
  let calls = 0;
  const client = {
    send: async (command: { input: PutLogEventsCommandInput }): Promise<PutLogEventsCommandOutput> => {
      if (throttle(calls++)) throw throttled();
      requests.push(command.input);
      return { $metadata: {} };
    },
  } as unknown as CloudWatchLogsClient;
  return { client, requests };
}

const noWait = { sleep: async () => {}, random: () => 0 };

function ctx(chunks: Iterable<string | Buffer> | AsyncIterable<string | Buffer>, clock = new FakeClock(1_700_000_000_000)) {
  return { stdin: chunks, stderr: { write: () => true }, clock } as const;
}

const target = { group: 'g', stream: 's', signal: new AbortController().signal };

function assertValidRequest(r: PutLogEventsCommandInput): void {
  const events = r.logEvents ?? [];
  assert.ok(events.length >= 1 && events.length <= PUT_LIMITS.maxEvents);
  const bytes = events.reduce((n, e) => n + utf8Bytes(e.message ?? '') + PUT_LIMITS.eventOverheadBytes, 0);
  assert.ok(bytes <= PUT_LIMITS.maxBatchBytes, `${bytes} bytes`);
  for (let i = 1; i < events.length; i++) assert.ok(events[i - 1]!.timestamp! <= events[i]!.timestamp!);
  assert.equal(r.logGroupName, 'g');
  assert.equal(r.logStreamName, 's');
}

test('property: every non-empty line arrives once, in order, through throttling, in valid requests', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.string({ maxLength: 40 }), fc.constant(''), fc.constant('x'.repeat(300_000))), { maxLength: 60 }),
      fc.array(fc.boolean(), { maxLength: 20 }),
      fc.array(fc.nat(), { maxLength: 20 }),
      async (lines, throttles, cuts) => {
        const clean = lines.map((l) => l.replace(/[\r\n]/g, ' '));
        const input = Buffer.from(clean.map((l) => `${l}\n`).join(''), 'utf8');
        // Chunks cut anywhere, in the middle of a character too: stdin gives bytes.
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const chunks = [...points, input.length].map((p, i, all) => input.subarray(i === 0 ? 0 : all[i - 1], p));
        const { client, requests } = fakeClient((call) => throttles[call] === true);
        // More attempts than throttles, so every batch gets through in the end.
        const stats = await putLines(ctx(chunks), client, target, { ...noWait, attempts: 25 });
        assert.equal(stats.failure, undefined);
        for (const r of requests) assertValidRequest(r);
        const sent = requests.flatMap((r) => r.logEvents!.map((e) => e.message));
        const expected = clean.filter((l) => l !== '').map((l) => (utf8Bytes(l) > MAX_MESSAGE_BYTES ? 'truncated' : l));
        assert.deepEqual(
          sent.map((m) => (m!.endsWith('[Truncated...]') && utf8Bytes(m!) > 200_000 ? 'truncated' : m)),
          expected,
        );
        assert.equal(stats.accepted, expected.length);
      },
    ),
    { numRuns: 50 },
  );
});

test('25,001 lines go in three requests of at most 10,000 events', async () => {
  const { client, requests } = fakeClient();
  const stats = await putLines(ctx([Array.from({ length: 25_001 }, (_, i) => `line ${i}`).join('\n')]), client, target, noWait);
  assert.deepEqual(requests.map((r) => r.logEvents!.length), [10_000, 10_000, 5_001]);
  assert.equal(stats.accepted, 25_001);
});

test('timestamps never go back, even when the clock does', async () => {
  const clock = new FakeClock(5_000);
  async function* stdin() {
    yield 'a\n';
    clock.set(1_000);
    yield 'b\n';
  }
  const { client, requests } = fakeClient();
  await putLines(ctx(stdin(), clock), client, target, noWait);
  assert.deepEqual(requests[0]!.logEvents!.map((e) => e.timestamp), [5_000, 5_000]);
});

test('a request that keeps failing stops the put, and the counts say what got through', async () => {
  const { client } = fakeClient((call) => call >= 1);
  const lines = Array.from({ length: 15_000 }, (_, i) => `l${i}`).join('\n');
  const stats = await putLines(ctx([lines]), client, target, { ...noWait, attempts: 3 });
  assert.equal((stats.failure as Error).name, 'ThrottlingException');
  assert.equal(stats.accepted, 10_000);
});

test('an interrupt stops reading a stdin that never ends, and what was read is sent', async () => {
  const controller = new AbortController();
  async function* stdin() {
    yield 'first\nsecond\n';
    setImmediate(() => controller.abort());
    await new Promise(() => {});
  }
  const { client, requests } = fakeClient();
  const stats = await putLines(ctx(stdin()), client, { ...target, signal: controller.signal }, noWait);
  assert.deepEqual(requests.flatMap((r) => r.logEvents!.map((e) => e.message)), ['first', 'second']);
  assert.equal(stats.accepted, 2);
});

test('rejected events are counted from the indexes PutLogEvents returns', () => {
  assert.equal(countRejected(10, undefined), 0);
  assert.equal(countRejected(10, { tooOldLogEventEndIndex: 2 }), 2);
  assert.equal(countRejected(10, { tooOldLogEventEndIndex: 2, expiredLogEventEndIndex: 3, tooNewLogEventStartIndex: 8 }), 5);
  assert.equal(countRejected(10, { tooNewLogEventStartIndex: 0 }), 10);
});
