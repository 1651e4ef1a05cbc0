/**
 * Metric filters across crashes: they are evaluated after the acknowledgement, so a SIGKILL leaves
 * acknowledged events whose values are not written yet. Writers put batches while the server is killed
 * at random moments and restarted on the same data dir; afterwards the metrics must equal a count made
 * from the events the store holds (every stored event counted exactly once, none of those stored
 * before the filters existed). Each restart reports how many events it had to evaluate again
 * (`logward_metric_filter_replayed_events`): the test fails unless some restart had any, since
 * otherwise it would not have tested what it claims to.
 *
 * Nothing here asserts on durations; the random delays only place the kills.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, PutMetricFilterCommand } from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { startLogward, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { filterAll, sleep } from '../helpers/assert-aws.js';

const GROUP = '/lw/metric-crash';
const WRITERS = 3;
const BATCH = 100;

interface Server {
  srv: LogwardServer;
  logs: CloudWatchLogsClient;
  cw: CloudWatchClient;
}

function connect(srv: LogwardServer): Server {
  const opts = {
    endpoint: srv.url,
    region: TEST_REGION,
    credentials: srv.credentials,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 20_000, connectionTimeout: 5_000 },
  };
  return { srv, logs: new CloudWatchLogsClient(opts), cw: new CloudWatchClient(opts) };
}

const rand = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));

/** A JSON event; about a third are hits, each with a small value. */
const eventMessage = (id: string, k: number): string =>
  JSON.stringify({ id: `${id}-${k}`, kind: (k * 7 + id.length) % 3 === 0 ? 'hit' : 'miss', n: (k % 5) + 1 });

async function replayed(s: Server): Promise<number> {
  const text = await (await fetch(`${s.srv.url}/metrics`)).text();
  const m = /^logward_metric_filter_replayed_events (\d+)$/m.exec(text);
  assert.ok(m, 'GET /metrics has no logward_metric_filter_replayed_events');
  return Number(m[1]);
}

async function sum(s: Server, metricName: string, fromMs: number, toMs: number): Promise<{ sum: number; count: number }> {
  const r = await s.cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'CrashTest',
      MetricName: metricName,
      StartTime: new Date(Math.floor(fromMs / 60_000) * 60_000 - 60_000),
      EndTime: new Date(Math.ceil(toMs / 60_000) * 60_000 + 60_000),
      Period: 60,
      Statistics: ['Sum', 'SampleCount'],
    }),
  );
  let total = 0;
  let count = 0;
  for (const d of r.Datapoints ?? []) {
    total += d.Sum ?? 0;
    count += d.SampleCount ?? 0;
  }
  return { sum: total, count };
}

test('metric values after SIGKILLs with acknowledged but unevaluated events equal a count of the stored events', { timeout: 240_000 }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'logward-mf-crash-'));
  let current = connect(await startLogward({ dataDir }));
  const replays: number[] = [];
  let stopping = false;
  const unexpected: string[] = [];
  try {
    await current.logs.send(new CreateLogGroupCommand({ logGroupName: GROUP }));
    for (let w = 0; w < WRITERS; w++) await current.logs.send(new CreateLogStreamCommand({ logGroupName: GROUP, logStreamName: `s${w}` }));
    // Events stored before the filters exist: never counted.
    const before = Array.from({ length: BATCH }, (_, k) => ({ timestamp: Date.now(), message: eventMessage('before', k) }));
    await current.logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: 's0', logEvents: before }));
    await current.logs.send(
      new PutMetricFilterCommand({
        logGroupName: GROUP,
        filterName: 'hits',
        filterPattern: '{ $.kind = "hit" }',
        metricTransformations: [{ metricNamespace: 'CrashTest', metricName: 'Hits', metricValue: '1' }],
      }),
    );
    await current.logs.send(
      new PutMetricFilterCommand({
        logGroupName: GROUP,
        filterName: 'values',
        filterPattern: 'hit',
        metricTransformations: [{ metricNamespace: 'CrashTest', metricName: 'Values', metricValue: '$.n' }],
      }),
    );

    const writer = async (w: number): Promise<void> => {
      for (let seq = 0; !stopping; seq++) {
        const s = current;
        const id = `w${w}b${seq}`;
        const logEvents = Array.from({ length: BATCH }, (_, k) => ({ timestamp: Date.now(), message: eventMessage(id, k) }));
        try {
          await s.logs.send(new PutLogEventsCommand({ logGroupName: GROUP, logStreamName: `s${w}`, logEvents }));
        } catch (e) {
          const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
          if (status !== undefined && status < 500 && (e as Error).name !== 'ThrottlingException') unexpected.push(`${id}: ${(e as Error).name}: ${(e as Error).message}`);
          while (current === s && !stopping) await sleep(20);
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    for (let r = 0; r < 4; r++) {
      await sleep(rand(300, 1200));
      const old = current;
      await old.srv.kill();
      old.logs.destroy();
      old.cw.destroy();
      current = connect(await startLogward({ dataDir }));
      replays.push(await replayed(current));
      t.diagnostic(`SIGKILL #${r + 1}; the restart evaluated ${replays.at(-1)} events again`);
    }
    await sleep(rand(300, 800));
    stopping = true;
    await Promise.all(writers);
    assert.deepEqual(unexpected, []);

    // The model: what the store holds now (acknowledged batches all, unacknowledged ones whole or not at all).
    const { events } = await filterAll(current.logs, { logGroupName: GROUP, limit: 10_000 });
    let hits = 0;
    let values = 0;
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (const e of events) {
      const doc = JSON.parse(e.message!) as { id: string; kind: string; n: number };
      if (doc.id.startsWith('before-')) continue;
      if (doc.kind === 'hit') {
        hits++;
        values += doc.n;
      }
      minTs = Math.min(minTs, e.timestamp!);
      maxTs = Math.max(maxTs, e.timestamp!);
    }
    assert.ok(hits > 0, 'no hit was stored');
    t.diagnostic(`${events.length} events stored, ${hits} hits`);
    assert.deepEqual(await sum(current, 'Hits', minTs, maxTs), { sum: hits, count: hits });
    assert.deepEqual(await sum(current, 'Values', minTs, maxTs), { sum: values, count: hits });
    assert.ok(
      replays.some((n) => n > 0),
      `no restart had acknowledged events left to evaluate (${replays.join(', ')}): the kills did not test recovery`,
    );
  } finally {
    stopping = true;
    await current.srv.stop().catch(() => undefined);
    current.logs.destroy();
    current.cw.destroy();
    await rm(dataDir, { recursive: true, force: true });
  }
});
