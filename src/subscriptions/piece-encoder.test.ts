/** The ring that carries bodies to the encoder thread, against a model of the space in use. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BodyRing } from './piece-encoder.js';

const RING = 16 * 1024 * 1024;

test('bodies go in at multiples of 8, never over one still in use, and read back whole until released', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.record({ put: fc.integer({ min: 1, max: 5 * 1024 * 1024 }), offset: fc.integer({ min: 0, max: 7 }) }), fc.record({ release: fc.nat() })), { minLength: 20, maxLength: 80 }),
      (ops) => {
        const ring = new BodyRing();
        const bytes = new Uint8Array(ring.sab);
        const live: Array<{ id: number; at: number; body: Uint8Array }> = [];
        let id = 0;
        for (const op of ops) {
          if ('put' in op) {
            // A body that does not start at its buffer's start, filled with what tells it apart.
            const body = new Uint8Array(op.put + op.offset).subarray(op.offset);
            body.fill(++id & 0xff);
            body[0] = id >> 8;
            const at = ring.put(id, body);
            if (at < 0) continue;
            assert.equal(at % 8, 0);
            assert.ok(at + body.length <= RING);
            for (const l of live) assert.ok(at + body.length <= l.at || l.at + l.body.length <= at, `request ${id} at ${at} overlaps request ${l.id} at ${l.at}`);
            live.push({ id, at, body });
          } else if (live.length > 0) {
            // The thread answers in the order it is asked; the ring gives space back in that order too.
            const [gone] = live.splice(op.release % live.length, 1);
            ring.release(gone!.id);
          }
          for (const l of live) assert.deepEqual(bytes.subarray(l.at, l.at + l.body.length), l.body, `request ${l.id} was overwritten`);
        }
      },
    ),
    { numRuns: 50 },
  );
});
