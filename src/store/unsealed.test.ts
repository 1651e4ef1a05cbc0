/**
 * An encrypted store fails closed on plaintext where sealed data belongs (docs/encryption.md, threat
 * model): files written by a store without encryption, put in place of sealed ones, are refused instead
 * of read, so whoever can write the data dir cannot put forged events in front of queries. A store
 * without encryption reads the same files as they are (the other half of each test: the refusal is
 * the encrypted store's, not a broken file's).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { FakeClock } from '../clock.js';
import { queryEvents } from './query.js';
import { parseFilterPattern } from '../query/filter-pattern/parse.js';
import { appendEvents, openTestStore } from './testing.js';
import { BITMAP_BYTES } from './trigram.js';
import { TokenIndexBuilder } from './token-index.js';
import { walFileName } from './wal.js';
import type { LogGroup } from './catalog.js';
import type { LogStore } from './store.js';

const T0 = Date.UTC(2026, 10, 1);
const logger = pino({ level: 'silent' });

async function messages(store: LogStore, g: LogGroup): Promise<string[]> {
  const out = await queryEvents(store, { group: g, streamIds: null, startMs: 0, endMs: Infinity, pattern: parseFilterPattern(''), descending: false, limit: 1000 });
  return out.map((e) => e.message);
}

/** A store in `dir` with group `g` and stream `s` holding `message` ten times, sealed (closed). */
async function storeWith(dir: string, encryption: boolean, message: string): Promise<void> {
  const store = await openTestStore(dir, new FakeClock(T0), { logger, encryption });
  const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
  await store.catalog.createStream(g, 's', T0);
  await appendEvents(store, g, 's', Array.from({ length: 10 }, (_, i) => ({ timestamp: T0 + i, message })), T0);
  await store.close();
}

function withDirs(fn: (plain: string, sealed: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const plain = mkdtempSync(join(tmpdir(), 'lw-unsealed-plain-'));
    const sealed = mkdtempSync(join(tmpdir(), 'lw-unsealed-enc-'));
    try {
      await fn(plain, sealed);
    } finally {
      rmSync(plain, { recursive: true, force: true });
      rmSync(sealed, { recursive: true, force: true });
    }
  };
}

test(
  'a plaintext segment in place of a sealed one is refused, not read',
  withDirs(async (plainDir, encDir) => {
    await storeWith(plainDir, false, 'forged event');
    await storeWith(encDir, true, 'genuine event');
    let store = await openTestStore(plainDir, new FakeClock(T0), { logger, encryption: false });
    const forged = store.catalog.groups.get('g')!.segments[0]!.path;
    assert.deepEqual(new Set(await messages(store, store.catalog.groups.get('g')!)), new Set(['forged event']), 'the plain store reads its own segment');
    await store.close();
    store = await openTestStore(encDir, new FakeClock(T0), { logger, plaintextCacheBytes: 0 });
    const g = store.catalog.groups.get('g')!;
    assert.deepEqual(new Set(await messages(store, g)), new Set(['genuine event']));
    const target = g.segments[0]!.path;
    await store.close();

    copyFileSync(join(plainDir, forged), join(encDir, target));
    store = await openTestStore(encDir, new FakeClock(T0), { logger, plaintextCacheBytes: 0 });
    try {
      await assert.rejects(messages(store, store.catalog.groups.get('g')!), (e: Error) => e.name === 'UnsealedDataError' && e.message.includes(target));
    } finally {
      await store.close();
    }
  }),
);

/**
 * Writes, after the last WAL file of the store in `dir` (closed), a WAL file with one plaintext record
 * of ten events for group `g`'s stream `s`: what a store without encryption writes, and a crash leaves.
 */
async function plaintextWalRecord(dir: string, encryption: boolean): Promise<void> {
  const store = await openTestStore(dir, new FakeClock(T0), { logger, encryption });
  const g = store.catalog.groups.get('g')!;
  const rec = { g: g.id, s: g.streams.get('s')!.id, i: T0, q: g.nextSeq, lo: 0, hi: 10, u: 10 * 'forged event'.length, b: { logEvents: Array.from({ length: 10 }, (_, i) => ({ timestamp: T0 + 100 + i, message: 'forged event' })) } };
  const next = store.catalog.sealedThrough + 100;
  await store.close();
  writeFileSync(join(dir, 'wal', walFileName(next)), `${JSON.stringify(rec)}\n`);
}

test(
  'a plaintext write-ahead log record in an encrypted store is skipped at recovery, not replayed',
  withDirs(async (plainDir, encDir) => {
    for (const [dir, encryption, expected] of [
      [plainDir, false, ['genuine event', 'forged event']],
      [encDir, true, ['genuine event']],
    ] as const) {
      await storeWith(dir, encryption, 'genuine event');
      await plaintextWalRecord(dir, encryption);
      const store = await openTestStore(dir, new FakeClock(T0), { logger, encryption });
      try {
        assert.deepEqual(new Set(await messages(store, store.catalog.groups.get('g')!)), new Set(expected), encryption ? 'encrypted' : 'plain');
      } finally {
        await store.close();
      }
    }
  }),
);

test(
  'plaintext token indexes, bitmaps and values are refused by an encrypted store and read by a plain one',
  withDirs(async (plainDir, encDir) => {
    const enc = await openTestStore(encDir, new FakeClock(T0), { logger });
    const plain = await openTestStore(plainDir, new FakeClock(T0), { logger, encryption: false });
    try {
      const bits = new Uint8Array(BITMAP_BYTES).fill(0xff);
      await assert.rejects(enc.atRest.openBitmap(1, 0, bits), { name: 'UnsealedDataError' });
      assert.equal(await plain.atRest.openBitmap(1, 0, bits), bits);
      await assert.rejects(enc.atRest.openValue(1, 'place', 'a value'), { name: 'UnsealedDataError' });
      assert.equal(await plain.atRest.openValue(1, 'place', 'a value'), 'a value');
      // A token index as a store without encryption writes it, where each store keeps its own.
      const b = new TokenIndexBuilder();
      b.add(0, 'forged event');
      const index = b.finish(1);
      for (const [s, dir] of [[enc, encDir], [plain, plainDir]] as const) {
        mkdirSync(join(dir, 'segments/1'), { recursive: true });
        await s.atRest.storeIndex(1, 'segments/1/x.tokens', index);
      }
      writeFileSync(join(encDir, 'segments/1/x.tokens'), index);
      await assert.rejects(enc.atRest.openIndex(1, 'segments/1/x.tokens'), { name: 'UnsealedDataError' });
      const marked = new Uint8Array(1);
      assert.ok(await (await plain.atRest.openIndex(1, 'segments/1/x.tokens'))!.markEvents('forged', marked, 0));
      assert.deepEqual(marked, Uint8Array.of(0x80));
    } finally {
      await enc.close();
      await plain.close();
    }
  }),
);
