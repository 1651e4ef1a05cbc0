import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock.js';
import { appendEvents, openTestStore } from './testing.js';
import { readBySeq } from './read-seq.js';

test('paging by sequence number over sealed and hot events gives every event once, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'readseq-'));
  const clock = new FakeClock(Date.UTC(2026, 10, 1));
  // Small WAL files: most batches get sealed into segments while later ones stay hot.
  const store = await openTestStore(dir, clock, { walSealBytes: 2048 });
  try {
    const g = await store.withWriteLock(async () => {
      const g = await store.catalog.createGroup('g', clock.now(), {}, null, 'STANDARD');
      await store.catalog.createStream(g, 'a', clock.now());
      await store.catalog.createStream(g, 'b', clock.now());
      return g;
    });
    const expected: string[] = [];
    const ofB: string[] = [];
    for (let k = 0; k < 40; k++) {
      const msgs = Array.from({ length: 1 + (k % 4) }, (_, j) => `batch ${k} event ${j} ${'x'.repeat(40)}`);
      await appendEvents(store, g, k % 3 === 0 ? 'b' : 'a', msgs.map((message) => ({ timestamp: clock.now() - k, message })), clock.now());
      expected.push(...msgs);
      if (k % 3 === 0) ofB.push(...msgs);
    }
    const waitSealed = async (): Promise<void> => {
      for (let i = 0; i < 500 && g.segments.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    };
    await waitSealed();
    assert.ok(g.segments.length > 0, 'some events are sealed');
    assert.ok(store.hot.batches(g.id).length > 0, 'some events are hot');
    for (const limit of [1, 7, 1000]) {
      const got: string[] = [];
      let pos = 0;
      for (let guard = 0; pos < g.nextSeq && guard < 1000; guard++) {
        const page = await readBySeq(store, g, pos, g.nextSeq, limit);
        assert.ok(page !== null);
        assert.ok(page.events.length <= limit);
        for (const e of page.events) assert.ok(e.seq >= pos);
        got.push(...page.events.map((e) => e.message));
        pos = page.nextSeq;
      }
      assert.deepEqual(got, expected, `limit ${limit}`);
    }
    const mid = await readBySeq(store, g, 5, 9, 100);
    assert.deepEqual(mid?.events.map((e) => e.seq), [5, 6, 7, 8]);

    // A deleted stream leaves gaps in the sequence: its events are not read, from hot batches or segments.
    await store.deleteStream(g, g.streams.get('b')!);
    const rest = expected.filter((m) => !ofB.includes(m));
    for (const limit of [1, 7, 1000]) {
      const got: string[] = [];
      let pos = 0;
      for (let guard = 0; pos < g.nextSeq && guard < 1000; guard++) {
        const page = (await readBySeq(store, g, pos, g.nextSeq, limit))!;
        got.push(...page.events.map((e) => e.message));
        pos = page.nextSeq;
      }
      assert.deepEqual(got, rest, `limit ${limit}, stream b deleted`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
