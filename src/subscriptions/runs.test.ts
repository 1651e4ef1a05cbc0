/** Parts shared between subscriptions, and messages assembled from them, against JSON.stringify. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import type { HotBatch } from '../store/hot.js';
import { coldParts, hotPart, messageOfParts } from './runs.js';
import { dataMessage, encodeMessage } from './payload.js';
import { inlineEncoder, WorkerEncoder, type PieceEncoder } from './piece-encoder.js';

const messages = ['plain', 'quote " and \\ back', 'uni é 😀 \u2028 \u0001', '{"a":1}', 'x'.repeat(70_000), 'ERROR last', 'lone \ud800 and \udfff\u007f', '\u0001'.repeat(20_000)];
const batch: HotBatch = {
  groupId: 1,
  streamId: 3,
  walFile: 1,
  ingestMs: 5,
  firstSeq: 100,
  timestamps: messages.map((_, i) => 1000 + i),
  messages,
  bytes: messages.reduce((a, m) => a + Buffer.byteLength(m), 0),
};

test('a whole hot batch is matched and encoded once per pattern, whoever asks', () => {
  const run = { batch, lo: 0, hi: messages.length };
  let calls = 0;
  const all = (): boolean => (calls++, true);
  const a = hotPart(run, '', all, inlineEncoder);
  const b = hotPart(run, '', all, inlineEncoder);
  assert.equal(a, b);
  assert.equal(calls, messages.length);
  const errors = hotPart(run, 'ERROR', (m) => m.includes('ERROR'), inlineEncoder);
  assert.notEqual(errors, a);
  assert.deepEqual(errors?.events().map((e) => e.message), ['ERROR last']);
  assert.equal(hotPart(run, 'nothing', () => false, inlineEncoder), null);
  // Part of a batch (a consumer resuming in its middle) is not shared.
  assert.deepEqual(hotPart({ batch, lo: 4, hi: messages.length }, '', () => true, inlineEncoder)?.events().map((e) => e.message), messages.slice(4));
});

for (const [name, make] of [
  ['in this thread', () => inlineEncoder],
  ['in the encoder thread', () => new WorkerEncoder()],
] as const) {
  test(`a message assembled from parts decodes to exactly the JSON of its events, ids included (${name})`, async () => {
    const encoder: PieceEncoder = make();
    try {
      const own = { ...batch }; // parts of whole batches are cached on the batch, with their encoder
      const hot = hotPart({ batch: own, lo: 0, hi: messages.length }, '', () => true, encoder)!;
      const some = hotPart({ batch: own, lo: 1, hi: messages.length }, 'q', (m) => !m.startsWith('{'), encoder)!;
      const cold = coldParts(
        messages.map((message, i) => ({ streamId: 3, timestamp: 2000 + i, ingestMs: 1, seq: 200 + i, message })),
        (m) => m.length < 100,
        encoder,
      );
      const m = messageOfParts('000000000000', '/g', 's', 'f', [hot, some, ...cold]);
      const events = [...hot.events(), ...some.events(), ...cold.flatMap((p) => p.events())];
      assert.equal(events[0]!.id, '00000000000000001000000000000000000000000000000000000100');
      assert.deepEqual(some.events().map((e) => e.id.slice(-3)), ['101', '102', '104', '105', '106', '107']);
      const expected = JSON.stringify(dataMessage('000000000000', '/g', 's', 'f', events));
      assert.equal(gunzipSync(await encodeMessage(m)).toString('utf8'), expected);
      assert.equal(JSON.stringify(m), expected, 'sinks that read logEvents see the same events');
    } finally {
      await encoder.close();
    }
  });
}

test('a piece lost with its encoder thread is encoded again when the delivery asks again', async () => {
  const encoder = new WorkerEncoder();
  try {
    // A batch of its own: parts of whole batches are cached on the batch.
    const part = hotPart({ batch: { ...batch }, lo: 0, hi: messages.length }, '', () => true, encoder)!;
    const m = messageOfParts('000000000000', '/g', 's', 'f', [part]);
    const first = encodeMessage(m);
    assert.equal(encoder.pending, 1);
    await encoder.restart(); // the thread ends with the request unanswered
    await assert.rejects(first, /encoder thread exited/);
    // The retry of the delivery: the same message, the same part, a new thread.
    const expected = JSON.stringify(dataMessage('000000000000', '/g', 's', 'f', part.events()));
    assert.equal(gunzipSync(await encodeMessage(m)).toString('utf8'), expected);
  } finally {
    await encoder.close();
  }
  await assert.rejects(encoder.encode({ firstSeq: 0, offsets: null, timestamps: [1], messages: ['x'] }), /closed/);
});
