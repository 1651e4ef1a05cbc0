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

test('batches: a full batch ends before a short last run of the next event\'s time, so the two share no timestamp', () => {
  const limits = { ...PUT_LIMITS, maxEvents: 10 };
  const run = (t: number, n: number, from: number): Event[] => Array.from({ length: n }, (_, i) => ({ timestamp: NOW + t, message: `${t}-${from + i}` }));
  const events = [...run(0, 4, 0), ...run(1, 4, 4), ...run(2, 4, 8), ...run(3, 9, 12)];
  const batches = all(events, limits);
  // The run of NOW+2 (two of its events fit) goes whole to the second batch; the run of NOW+3 fills more
  // than half of the second batch: that one is not cut, as a cut would leave a batch of four.
  assert.deepEqual(batches.map((b) => b.events.map((e) => e.message)), [
    ['0-0', '0-1', '0-2', '0-3', '1-4', '1-5', '1-6', '1-7'],
    ['2-8', '2-9', '2-10', '2-11', '3-12', '3-13', '3-14', '3-15', '3-16', '3-17'],
    ['3-18', '3-19', '3-20'],
  ]);
  assert.ok(batches[0]!.maxTimestamp < batches[1]!.minTimestamp);
  // Each batch is tagged with what its events came from (their indexes here), and counts their bytes.
  assert.deepEqual(batches.map((b) => [...b.tags].sort((x, y) => x - y)), [[0, 1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14, 15, 16, 17], [18, 19, 20]]);
  for (const b of batches) {
    assert.equal(b.bytes, b.events.reduce((n, e) => n + utf8Bytes(e.message) + limits.eventOverheadBytes, 0));
    assert.equal(b.minTimestamp, b.events[0]!.timestamp);
    assert.equal(b.maxTimestamp, b.events.at(-1)!.timestamp);
  }
  // The run moved to the next batch is sorted with what comes after it.
  const back = all([...run(0, 3, 0), ...run(1, 2, 3), ...run(0, 1, 5)], { ...PUT_LIMITS, maxEvents: 4 });
  assert.deepEqual(back.map((b) => b.events.map((e) => e.message)), [['0-0', '0-1', '0-2'], ['0-5', '1-3', '1-4']]);
});

test('batches: random runs of equal times (small limits): rules hold, every event once in file order, tags and bytes exact', () => {
  const limits = { maxEvents: 9, maxBatchBytes: 500, eventOverheadBytes: 26, maxSpanMs: 1000 };
  fc.assert(
    // Mostly runs of equal or rising times; now and then one that goes back (the batch then sorts).
    fc.property(fc.array(fc.record({ gap: fc.constantFrom(-1, 0, 0, 0, 0, 1, 1), message: fc.string({ maxLength: 40 }) }), { minLength: 50, maxLength: 300 }), (steps) => {
      let t = NOW;
      const events = steps.map((s, i) => ({ timestamp: (t += s.gap), message: `${i}:${s.message}` }));
      const batches = all(events, limits);
      assertRules(batches, limits);
      let i = 0;
      for (const b of batches) {
        // A batch holds the next events in file order, sorted by time (stable).
        const taken = events.slice(i, i + b.events.length).sort((x, y) => x.timestamp - y.timestamp);
        assert.deepEqual(b.events, taken);
        assert.deepEqual([...b.tags].sort((x, y) => x - y), Array.from({ length: b.events.length }, (_, k) => i + k));
        assert.equal(b.bytes, b.events.reduce((n, e) => n + utf8Bytes(e.message) + limits.eventOverheadBytes, 0));
        i += b.events.length;
      }
      assert.equal(i, events.length, 'every event once');
    }),
    { numRuns: 300 },
  );
});

test('batches: events older than 14 days or more than 2 hours ahead are not sent', () => {
  assert.ok(acceptable(NOW - MAX_EVENT_AGE_MS, NOW));
  assert.ok(!acceptable(NOW - MAX_EVENT_AGE_MS - 1, NOW));
  assert.ok(acceptable(NOW + MAX_EVENT_AHEAD_MS, NOW));
  assert.ok(!acceptable(NOW + MAX_EVENT_AHEAD_MS + 1, NOW));
});
