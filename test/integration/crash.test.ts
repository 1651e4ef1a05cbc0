/**
 * The durability proof: concurrent writers put batches while the server is SIGKILLed at random moments
 * and restarted on the same data dir. Afterwards every acknowledged event must be present exactly once;
 * an unacknowledged batch may be present or absent, but only whole (all 200 events) and never twice.
 * Acknowledged events must also be visible to FilterLogEvents as soon as the put returns.
 *
 * Nothing here asserts on durations; the random delays only place the kills.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import { startLogward, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { filterAll, getAllEvents, sleep } from '../helpers/assert-aws.js';

const GROUP = '/lw/crash';
const STREAMS = ['s0', 's1', 's2'];
const WRITERS = 4;
const BATCH = 200;

type State = 'pending' | 'acked' | 'unacked';

interface Batch {
  id: string;
  stream: string;
  state: State;
}

interface Server {
  srv: LogwardServer;
  /** A client with timeouts, so a hung server fails a put instead of stalling a writer forever. */
  client: CloudWatchLogsClient;
}

function connect(srv: LogwardServer): Server {
  const client = new CloudWatchLogsClient({
    endpoint: srv.url,
    region: TEST_REGION,
    credentials: srv.credentials,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 20_000, connectionTimeout: 5_000 },
  });
  return { srv, client };
}

const rand = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));

/** An HTTP-level answer (the server spoke) as opposed to a connection that failed or was cut. */
function httpStatus(e: unknown): number | undefined {
  const s = (e as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof s === 'number' ? s : undefined;
}

function eventMessage(id: string, k: number): string {
  return `${id} k${String(k).padStart(3, '0')} crash-test payload ${'x'.repeat(k % 40)}`;
}

const MESSAGE_RE = /^(w\d+b\d{5}) k(\d{3}) crash-test payload x*$/;

interface Tally {
  /** batch id → event index → times seen */
  seen: Map<string, Map<number, number>>;
  problems: string[];
  total: number;
}

function tally(events: FilteredLogEvent[], batches: Map<string, Batch>): Tally {
  const seen = new Map<string, Map<number, number>>();
  const problems: string[] = [];
  for (const e of events) {
    const m = MESSAGE_RE.exec(e.message ?? '');
    if (m === null || m[1] === undefined || m[2] === undefined) {
      problems.push(`unexpected message ${JSON.stringify(e.message)}`);
      continue;
    }
    const id = m[1];
    const k = Number(m[2]);
    const b = batches.get(id);
    if (b === undefined) {
      problems.push(`event of a batch never sent: ${id}`);
      continue;
    }
    if (e.logStreamName !== b.stream) problems.push(`${id} k${k} in stream ${e.logStreamName}, sent to ${b.stream}`);
    let per = seen.get(id);
    if (per === undefined) seen.set(id, (per = new Map()));
    per.set(k, (per.get(k) ?? 0) + 1);
  }
  for (const [id, per] of seen) {
    const dups = [...per.entries()].filter(([, c]) => c > 1);
    if (dups.length > 0) problems.push(`${id}: ${dups.length} events present more than once (e.g. k${dups[0]?.[0]} ×${dups[0]?.[1]})`);
    if (per.size !== BATCH) problems.push(`${id}: partial batch, ${per.size} of ${BATCH} events present (${batches.get(id)?.state})`);
  }
  for (const b of batches.values()) {
    if (b.state === 'acked' && !seen.has(b.id)) problems.push(`${b.id}: acknowledged but missing`);
  }
  return { seen, problems, total: events.length };
}

async function readAll(s: Server): Promise<FilteredLogEvent[]> {
  const { events } = await filterAll(s.client, { logGroupName: GROUP, limit: 10_000 });
  return events;
}

test('SIGKILL at random moments loses no acknowledged event and duplicates none', { timeout: 240_000 }, async (t) => {
  const started = Date.now();
  const mark = (what: string): void => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);
  const dataDir = await mkdtemp(join(tmpdir(), 'logward-crash-'));
  let current = connect(await startLogward({ dataDir }));
  const batches = new Map<string, Batch>();
  const unexpected: string[] = [];
  const visibility = { checked: 0, skipped: 0, failures: [] as string[] };
  let stopping = false;
  let kills = 0;

  try {
    await current.client.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    for (const s of STREAMS) await current.client.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: s }));

    const checkVisible = async (s: Server, b: Batch): Promise<void> => {
      try {
        const { events } = await filterAll(s.client, { logGroupName: GROUP, logStreamNames: [b.stream], filterPattern: b.id });
        const ks = new Set(events.map((e) => MESSAGE_RE.exec(e.message ?? '')?.[2]));
        if (events.length !== BATCH || ks.size !== BATCH) {
          visibility.failures.push(`${b.id}: ${events.length} events (${ks.size} distinct) visible right after the ack`);
        }
        visibility.checked++;
      } catch (e) {
        if (httpStatus(e) !== undefined && s === current) {
          visibility.failures.push(`${b.id}: FilterLogEvents failed: ${(e as Error).name}: ${(e as Error).message}`);
        } else {
          visibility.skipped++; // the server went away under the query
        }
      }
    };

    const writer = async (w: number): Promise<void> => {
      for (let seq = 0; !stopping; seq++) {
        const s = current;
        const id = `w${w}b${String(seq).padStart(5, '0')}`;
        const stream = STREAMS[(w + seq) % STREAMS.length] ?? 's0';
        const b: Batch = { id, stream, state: 'pending' };
        batches.set(id, b);
        const ts = Date.now();
        const logEvents = Array.from({ length: BATCH }, (_, k) => ({ timestamp: ts, message: eventMessage(id, k) }));
        try {
          await s.client.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: stream, logEvents }));
          b.state = 'acked';
        } catch (e) {
          b.state = 'unacked';
          const status = httpStatus(e);
          const name = (e as Error).name;
          // 5xx, throttling and cut connections are what a crash looks like; any other answer is a bug.
          if (status !== undefined && status < 500 && status !== 200 && name !== 'ThrottlingException') {
            unexpected.push(`${id}: ${name} (${status}): ${(e as Error).message}`);
          }
          // Wait for the restart rather than burn batch ids against a dead server.
          while (current === s && !stopping && status === undefined) await sleep(20);
          await sleep(20);
          continue;
        }
        if (seq % 4 === 0) await checkVisible(s, b);
        await sleep(rand(0, 40));
      }
    };

    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));

    const rounds = rand(3, 5);
    for (let r = 0; r < rounds; r++) {
      await sleep(rand(200, 1500));
      const old = current;
      const inflight = [...batches.values()].filter((b) => b.state === 'pending').length;
      await old.srv.kill();
      old.client.destroy();
      kills++;
      current = connect(await startLogward({ dataDir }));
      mark(`SIGKILL #${kills} with ${inflight} puts in flight; restarted`);
    }
    await sleep(rand(500, 1000));
    stopping = true;
    await Promise.all(writers);

    const acked = [...batches.values()].filter((b) => b.state === 'acked').length;
    mark(
      `writers done: ${batches.size} batches, ${acked} acknowledged; visibility checked ${visibility.checked}, skipped ${visibility.skipped}`,
    );
    assert.deepEqual(unexpected, [], 'puts failed with unexpected client errors');
    assert.ok(acked > 0, 'no batch was acknowledged');
    assert.equal([...batches.values()].filter((b) => b.state === 'pending').length, 0);
    assert.deepEqual(visibility.failures, [], 'acknowledged events not visible right after the put');
    assert.ok(visibility.checked > 0, 'visibility was never checked');

    const first = tally(await readAll(current), batches);
    mark(`read back ${first.total} events of ${first.seen.size} batches`);
    assert.deepEqual(first.problems.slice(0, 20), [], `after ${kills} SIGKILLs (${first.problems.length} problems)`);

    // GetLogEvents must agree with FilterLogEvents, stream by stream.
    for (const stream of STREAMS) {
      const viaGet = await getAllEvents(current.client, GROUP, stream);
      const expected = [...first.seen.keys()].filter((id) => batches.get(id)?.stream === stream).length * BATCH;
      assert.equal(viaGet.length, expected, `GetLogEvents count for ${stream}`);
    }

    // A clean restart keeps exactly the same events.
    current.client.destroy();
    const code = await current.srv.stop();
    assert.equal(code, 0, 'exit code after SIGTERM');
    current = connect(await startLogward({ dataDir }));
    mark('clean restart');
    const second = tally(await readAll(current), batches);
    mark(`read back ${second.total} events after the clean restart`);
    assert.deepEqual(second.problems.slice(0, 20), [], 'after a clean restart');
    assert.equal(second.total, first.total, 'a clean restart changed the number of events');
  } finally {
    stopping = true;
    current.client.destroy();
    await current.srv.kill();
    await rm(dataDir, { recursive: true, force: true });
  }
});
