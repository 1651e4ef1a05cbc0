/** Parts shared between subscriptions, and messages assembled from them, against JSON.stringify. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import type { HotBatch } from '../store/hot.js';
import { coldParts, hotPart, messageOfParts } from './runs.js';
import { dataMessage, encodeMessage } from './payload.js';

const messages = ['plain', 'quote " and \\ back', 'uni é 😀 \u2028 \u0001', '{"a":1}', 'x'.repeat(70_000), 'ERROR last'];
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
  const a = hotPart(run, '', all);
  const b = hotPart(run, '', all);
  assert.equal(a, b);
  assert.equal(calls, messages.length);
  const errors = hotPart(run, 'ERROR', (m) => m.includes('ERROR'));
  assert.notEqual(errors, a);
  assert.deepEqual(errors?.events().map((e) => e.message), ['ERROR last']);
  assert.equal(hotPart(run, 'nothing', () => false), null);
  // Part of a batch (a consumer resuming in its middle) is not shared.
  assert.deepEqual(hotPart({ batch, lo: 4, hi: messages.length }, '', () => true)?.events().map((e) => e.message), messages.slice(4));
});

test('a message assembled from parts decodes to exactly the JSON of its events, ids included', async () => {
  const hot = hotPart({ batch, lo: 0, hi: messages.length }, '', () => true)!;
  const cold = coldParts(
    messages.map((message, i) => ({ streamId: 3, timestamp: 2000 + i, ingestMs: 1, seq: 200 + i, message })),
    (m) => m.length < 100,
  );
  const m = messageOfParts('000000000000', '/g', 's', 'f', [hot, ...cold]);
  const events = [...hot.events(), ...cold.flatMap((p) => p.events())];
  assert.equal(events[0]!.id, '00000000000000001000000000000000000000000000000000000100');
  const expected = JSON.stringify(dataMessage('000000000000', '/g', 's', 'f', events));
  assert.equal(gunzipSync(await encodeMessage(m)).toString('utf8'), expected);
  assert.equal(JSON.stringify(m), expected, 'sinks that read logEvents see the same events');
});
