/**
 * Runs packed in shared memory come back exactly as they went (every string, every timestamp, the run
 * boundaries), through buffers reused from the pool; a run the encoding would change (a lone surrogate)
 * is not packed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { EventRun } from './filter-eval.js';
import { RunPacker, unpack } from './packed-runs.js';

const message = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => (s as string & { isWellFormed(): boolean }).isWellFormed()),
  fc.constantFrom('', '{"a":"é€😀"}', 'x'.repeat(3000)),
);
const run = fc.array(fc.record({ timestamp: fc.integer({ min: 0, max: 2 ** 50 }), message }), { maxLength: 30 });
const plain = (rs: readonly EventRun[]): Array<{ timestamps: number[]; messages: string[] }> =>
  rs.map((r) => ({ timestamps: Array.from(r.timestamps), messages: [...r.messages] }));

test('packed runs unpack to the same runs, buffers reused', () => {
  const packer = new RunPacker();
  fc.assert(
    fc.property(fc.array(run, { maxLength: 6 }), (rs) => {
      const runs: EventRun[] = rs.map((r) => ({ timestamps: r.map((e) => e.timestamp), messages: r.map((e) => e.message) }));
      const packed = packer.pack(runs);
      assert.ok(packed !== null);
      assert.deepEqual(plain(unpack(packed)), plain(runs));
      packer.release(packed);
    }),
    { numRuns: 300 },
  );
});

test('a run with a lone surrogate is not packed (UTF-8 would change it)', () => {
  const packer = new RunPacker();
  assert.equal(packer.pack([{ timestamps: [1, 2], messages: ['ok', 'bad \ud800 half'] }]), null);
  assert.equal(packer.pack([{ timestamps: [1], messages: ['\udc00'] }]), null);
  assert.ok(packer.pack([{ timestamps: [1], messages: ['a pair \ud83d\ude00'] }]) !== null);
});
