import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { forEachEvent, recordCheckpoints, recordDestination, RecordWriter } from './record.js';
import { BatchBuilder } from './batch.js';
import type { Checkpoint } from './file-source.js';

const NOW = Date.UTC(2024, 4, 10, 12, 0, 0);

test('records and batches: any message reaches the PutLogEvents body as the JSON of it', () => {
  const writer = new RecordWriter();
  fc.assert(
    fc.property(
      fc.array(fc.record({ timestamp: fc.integer({ min: NOW - 1000, max: NOW + 1000 }), message: fc.string({ unit: 'binary', maxLength: 50 }) }), { minLength: 1 }),
      (events) => {
        // Bytes from a file are valid UTF-8: a lone surrogate would be U+FFFD after decoding.
        const expected = events.map((e) => ({ timestamp: e.timestamp, message: Buffer.from(e.message).toString('utf8') }));
        for (const e of events) writer.addText(e.timestamp, e.message);
        const cp: Checkpoint = { entry: 0, fpLen: 3, hash: 'h', offset: 9, path: '/x', dev: 1, ino: 2, seenAt: NOW };
        const record = Buffer.from(writer.finish('g\u0000s', new Map([['k', cp]])));
        assert.equal(recordDestination(record), 'g\u0000s');
        assert.deepEqual(recordCheckpoints(record), { k: cp });
        const builder = new BatchBuilder<number>('g/1', 's"\\');
        forEachEvent(record, (timestamp, bytes, start, end) => assert.equal(builder.add(timestamp, bytes, record, start, end, 0, NOW), undefined));
        const batch = builder.flush();
        assert.ok(batch !== undefined);
        assert.equal(batch.bytes, expected.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0));
        const body = JSON.parse(batch.body.toString('utf8')) as unknown;
        // Sorted by time, stably.
        const sorted = expected.map((e, i) => [e, i] as const).sort((a, b) => a[0].timestamp - b[0].timestamp || a[1] - b[1]).map(([e]) => e);
        assert.deepEqual(body, { logGroupName: 'g/1', logStreamName: 's"\\', logEvents: sorted });
      },
    ),
  );
});

test('records: one holding only checkpoints has no destination and no events', () => {
  const writer = new RecordWriter();
  const record = writer.finish('g\u0000s', new Map([['k', null]]));
  assert.equal(recordDestination(record), undefined);
  assert.deepEqual(recordCheckpoints(record), { k: null });
  let n = 0;
  forEachEvent(record, () => n++);
  assert.equal(n, 0);
});
