/** The sender over a real spool, with a put function that records each request body. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { destinationKey, RecordWriter } from './record.js';
import { DEFAULT_SENDER_OPTIONS, Sender } from './sender.js';
import { Spool } from './spool.js';

test('while a drain waits for room, batches go out full: a forced flush waits until the spool is read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'logward-sender-'));
  const spool = await Spool.open(dir, 0);
  try {
    const now = Date.now();
    const dest = { group: 'g', stream: 's' };
    const key = destinationKey(dest.group, dest.stream);
    // Three records of 5,000 lines of 200 bytes (about 1 MiB each: the sender reads one at a time).
    const line = Buffer.from('x'.repeat(200));
    const writer = new RecordWriter();
    for (let r = 0; r < 3; r++) {
      for (let i = 0; i < 5000; i++) writer.add(now, line, 0, line.length);
      await spool.append(writer.finish(key, new Map()));
    }
    const sizes: number[] = [];
    const put = async (body: Buffer): Promise<object> => {
      sizes.push((JSON.parse(body.toString('utf8')) as { logEvents: unknown[] }).logEvents.length);
      return {};
    };
    const client = { send: async () => ({}) } as unknown as CloudWatchLogsClient;
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const sender = new Sender(client, put, spool, new Map([[key, dest]]), log, Date.now, { ...DEFAULT_SENDER_OPTIONS, flushIntervalMs: 3_600_000 });
    sender.start();
    // As Agent.drain does when reading stopped at the spool's bound: wait until the sender makes room.
    await sender.room(1);
    await sender.stop();
    // 1,048,576 bytes hold 4,639 events of 200 + 26 bytes.
    assert.deepEqual(sizes, [4639, 4639, 4639, 1083]);
    assert.equal(sender.stats.sent, 15_000);
  } finally {
    await spool.close();
    await rm(dir, { recursive: true, force: true });
  }
});
