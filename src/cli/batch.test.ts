import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  EventBatcher,
  MAX_MESSAGE_BYTES,
  PUT_LIMITS,
  TRUNCATION_SUFFIX,
  truncateMessage,
  utf8Bytes,
  type BatchLimits,
  type PutEvent,
} from './batch.js';

/** Every batch holds 1..maxEvents events, at most maxBatchBytes, in order, spanning at most maxSpanMs. */
function assertValidBatch(batch: readonly PutEvent[], limits: BatchLimits): void {
  assert.ok(batch.length >= 1, 'no empty batch');
  assert.ok(batch.length <= limits.maxEvents, `${batch.length} events > ${limits.maxEvents}`);
  const bytes = batch.reduce((sum, e) => sum + utf8Bytes(e.message) + limits.eventOverheadBytes, 0);
  assert.ok(bytes <= limits.maxBatchBytes, `${bytes} bytes > ${limits.maxBatchBytes}`);
  for (let i = 1; i < batch.length; i++) assert.ok(batch[i - 1]!.timestamp <= batch[i]!.timestamp, 'chronological');
  assert.ok(batch[batch.length - 1]!.timestamp - batch[0]!.timestamp <= limits.maxSpanMs, 'span');
}

function batchAll(events: readonly PutEvent[], limits: BatchLimits): PutEvent[][] {
  const batcher = new EventBatcher(limits);
  const batches: PutEvent[][] = [];
  for (const e of events) {
    const closed = batcher.add(e);
    if (closed !== undefined) batches.push(closed);
  }
  const rest = batcher.flush();
  if (rest !== undefined) batches.push(rest);
  return batches;
}

const text = fc.string({ unit: fc.constantFrom('a', 'z', ' ', 'é', '€', '😀', '\t'), maxLength: 300 });

test('property: every batch respects the limits and the order, and no line is lost', () => {
  fc.assert(
    fc.property(
      fc.record({
        maxEvents: fc.integer({ min: 1, max: 20 }),
        maxBatchBytes: fc.integer({ min: 60, max: 3_000 }),
        eventOverheadBytes: fc.constant(26),
        maxSpanMs: fc.integer({ min: 0, max: 1_000 }),
      }),
      fc.array(fc.record({ gapMs: fc.oneof(fc.constant(0), fc.nat(50), fc.nat(3_000)), line: text }), { maxLength: 200 }),
      (limits, input) => {
        // As `put` does: truncate each line to what one event may hold, stamp with a clock that never goes back.
        let t = 1_700_000_000_000;
        const events = input.map(({ gapMs, line }) => {
          t += gapMs;
          return { timestamp: t, message: truncateMessage(line, limits.maxBatchBytes - limits.eventOverheadBytes).message };
        });
        const batches = batchAll(events, limits);
        for (const b of batches) assertValidBatch(b, limits);
        assert.deepEqual(batches.flat(), events, 'all events, in their order, each once');
      },
    ),
  );
});

test('at the real limits: 10,000 events a batch, 1 MiB a batch, 24 hours a batch', () => {
  const tiny = Array.from({ length: 25_001 }, (_, i) => ({ timestamp: 1_000 + i, message: 'x' }));
  assert.deepEqual(batchAll(tiny, PUT_LIMITS).map((b) => b.length), [10_000, 10_000, 5_001]);

  const big = 'b'.repeat(MAX_MESSAGE_BYTES);
  const large = Array.from({ length: 9 }, (_, i) => ({ timestamp: 1_000 + i, message: big }));
  const batches = batchAll(large, PUT_LIMITS);
  assert.deepEqual(batches.map((b) => b.length), [4, 4, 1], '4 × 262,144 bytes = 1,048,576 exactly');
  for (const b of batches) assertValidBatch(b, PUT_LIMITS);

  const day = 24 * 60 * 60 * 1000;
  const spread = [0, day, day + 1, 2 * day + 1].map((timestamp) => ({ timestamp, message: 'm' }));
  assert.deepEqual(batchAll(spread, PUT_LIMITS).map((b) => b.map((e) => e.timestamp)), [[0, day], [day + 1, 2 * day + 1]]);
});

test('the batcher refuses events out of order and events too large for any batch', () => {
  const batcher = new EventBatcher();
  batcher.add({ timestamp: 10, message: 'a' });
  assert.throws(() => batcher.add({ timestamp: 9, message: 'b' }), /chronological/);
  assert.throws(() => new EventBatcher().add({ timestamp: 1, message: 'x'.repeat(PUT_LIMITS.maxBatchBytes) }), RangeError);
});

test('property: truncation keeps the longest prefix that fits with the suffix, on a character boundary', () => {
  fc.assert(
    fc.property(text, fc.integer({ min: utf8Bytes(TRUNCATION_SUFFIX) + 4, max: 400 }), (message, maxBytes) => {
      const { message: out, truncated } = truncateMessage(message, maxBytes);
      assert.ok(utf8Bytes(out) <= maxBytes);
      if (utf8Bytes(message) <= maxBytes) {
        assert.equal(out, message);
        assert.equal(truncated, false);
        return;
      }
      assert.equal(truncated, true);
      assert.ok(out.endsWith(TRUNCATION_SUFFIX));
      const kept = out.slice(0, -TRUNCATION_SUFFIX.length);
      assert.ok(message.startsWith(kept), 'a prefix of the message, no broken character');
      const next = Array.from(message.slice(kept.length))[0]!;
      assert.ok(utf8Bytes(kept + next + TRUNCATION_SUFFIX) > maxBytes, 'no longer prefix would fit');
    }),
  );
});

test('a line over 256 KiB is truncated to exactly the largest event', () => {
  const { message, truncated } = truncateMessage('€'.repeat(100_000));
  assert.equal(truncated, true);
  assert.ok(utf8Bytes(message) <= MAX_MESSAGE_BYTES && utf8Bytes(message) > MAX_MESSAGE_BYTES - 3);
  assert.equal(truncateMessage('short').truncated, false);
});
