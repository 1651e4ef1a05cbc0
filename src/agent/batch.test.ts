import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { acceptable, BatchBuilder, MAX_EVENT_AGE_MS, MAX_EVENT_AHEAD_MS, type Batch } from './batch.js';
import { PUT_LIMITS, utf8Bytes, type BatchLimits } from '../cli/batch.js';

const NOW = Date.UTC(2024, 4, 10, 12, 0, 0);

interface Event {
  timestamp: number;
  message: string;
}

/** The batches of `events`, each with the events its body holds. */
function all(events: Event[], limits: BatchLimits = PUT_LIMITS): (Batch<number> & { events: Event[] })[] {
  const b = new BatchBuilder<number>('g', 's', limits);
  const out: Batch<number>[] = [];
  events.forEach((e, i) => {
    const escaped = Buffer.from(JSON.stringify(e.message).slice(1, -1));
    const closed = b.add(e.timestamp, utf8Bytes(e.message), escaped, 0, escaped.length, i, NOW);
    if (closed !== undefined) out.push(closed);
  });
  const last = b.flush();
  if (last !== undefined) out.push(last);
  return out.map((batch) => {
    const body = JSON.parse(batch.body.toString('utf8')) as { logGroupName: string; logStreamName: string; logEvents: Event[] };
    assert.equal(body.logGroupName, 'g');
    assert.equal(body.logStreamName, 's');
    assert.equal(body.logEvents.length, batch.count);
    return { ...batch, events: body.logEvents };
  });
}

function assertRules(batches: { events: Event[] }[], limits: BatchLimits = PUT_LIMITS): void {
  for (const b of batches) {
    assert.ok(b.events.length >= 1 && b.events.length <= limits.maxEvents);
    const bytes = b.events.reduce((n, e) => n + utf8Bytes(e.message) + limits.eventOverheadBytes, 0);
    assert.ok(bytes <= limits.maxBatchBytes, `${bytes} bytes`);
    for (let i = 1; i < b.events.length; i++) assert.ok((b.events[i - 1]?.timestamp ?? 0) <= (b.events[i]?.timestamp ?? 0), 'chronological');
    const ts = b.events.map((e) => e.timestamp);
    assert.ok(Math.max(...ts) - Math.min(...ts) <= limits.maxSpanMs, '24-hour span');
  }
}

test('batches: 10,000 events at most', () => {
  const batches = all(Array.from({ length: 25_001 }, () => ({ timestamp: NOW, message: 'x' })));
  assert.deepEqual(batches.map((b) => b.events.length), [10_000, 10_000, 5_001]);
});

test('batches: 1,048,576 bytes at most, counting 26 bytes per event', () => {
  const message = 'a'.repeat(1000 - 26);
  const batches = all(Array.from({ length: 2000 }, () => ({ timestamp: NOW, message })));
  assert.equal(batches[0]?.events.length, 1048, 'floor(1,048,576 / 1,000)');
  assertRules(batches);
  const multi = all([{ timestamp: NOW, message: 'é'.repeat(300_000) }, { timestamp: NOW, message: 'é'.repeat(300_000) }]);
  assert.equal(multi.length, 2, 'UTF-8 bytes count, not characters');
});

test('batches: sorted by time, stable, and never spanning more than 24 hours', () => {
  const day = 24 * 3600_000;
  const batches = all([
    { timestamp: NOW, message: 'b' },
    { timestamp: NOW - 1000, message: 'a' },
    { timestamp: NOW, message: 'c' },
    { timestamp: NOW - day, message: 'exactly a day before the latest: same batch' },
    { timestamp: NOW + 1, message: 'a day and 1 ms after the earliest: next batch' },
  ]);
  assert.deepEqual(batches.map((b) => b.events.map((e) => e.message)), [
    ['exactly a day before the latest: same batch', 'a', 'b', 'c'],
    ['a day and 1 ms after the earliest: next batch'],
  ]);
});

test('batches: every rule holds for random events (small limits)', () => {
  const limits = { maxEvents: 7, maxBatchBytes: 400, eventOverheadBytes: 26, maxSpanMs: 1000 };
  fc.assert(
    fc.property(fc.array(fc.record({ timestamp: fc.integer({ min: 0, max: 5000 }), message: fc.string({ maxLength: 100 }) }), { maxLength: 200 }), (events) => {
      const batches = all(events, limits);
      assertRules(batches, limits);
      assert.equal(batches.reduce((n, b) => n + b.events.length, 0), events.length, 'nothing lost');
    }),
  );
});

test('batches: events older than 14 days or more than 2 hours ahead are not sent', () => {
  assert.ok(acceptable(NOW - MAX_EVENT_AGE_MS, NOW));
  assert.ok(!acceptable(NOW - MAX_EVENT_AGE_MS - 1, NOW));
  assert.ok(acceptable(NOW + MAX_EVENT_AHEAD_MS, NOW));
  assert.ok(!acceptable(NOW + MAX_EVENT_AHEAD_MS + 1, NOW));
});
