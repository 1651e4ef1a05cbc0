/**
 * The runner against a real store and an in-memory lister: the two sides of a crash around an append
 * (the batch reached the write-ahead log, or it did not) each give every event exactly once; markers
 * move only past settled keys; bad objects are recorded and passed; keys like `__proto__` are keys.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { FakeClock } from '../clock.js';
import { openTestStore } from '../store/testing.js';
import type { LogStore } from '../store/store.js';
import { readBySeq } from '../store/read-seq.js';
import type { ListFrom, Lister, ObjectInfo } from './lister.js';
import { SourceRunner } from './runner.js';
import { parseSourceInput } from './spec.js';
import { readState } from './state.js';
import { partitionOf, streamOf } from './origin.js';

const NOW = Date.UTC(2026, 10, 27);
const KEY = (n: number): string => `AWSLogs/111122223333/CloudTrail/eu-west-1/2023/07/10/111122223333_CloudTrail_eu-west-1_20230710T11${String(n).padStart(2, '0')}Z_x.json.gz`;

class MemoryLister implements Lister {
  readonly objects = new Map<string, { body: Buffer; lastModifiedMs: number }>();
  async list(from: ListFrom, limit: number): Promise<ObjectInfo[]> {
    return [...this.objects.keys()]
      .sort()
      .filter((k) => k > from.startAfter(partitionOf(k)) && !from.handled(partitionOf(k), k))
      .slice(0, limit)
      .map((key) => ({ key, partition: partitionOf(key), lastModifiedMs: this.objects.get(key)!.lastModifiedMs, size: this.objects.get(key)!.body.length }));
  }
  async read(key: string): Promise<Buffer> {
    return this.objects.get(key)!.body;
  }
  close(): void {}
}

function trail(n: number, tag: string): Buffer {
  const records = Array.from({ length: n }, (_, i) => ({ eventVersion: '1.08', eventTime: new Date(Date.UTC(2023, 6, 10, 11, 0, i)).toISOString(), eventID: `${tag}-${i}`, eventName: 'GetObject' }));
  return gzipSync(JSON.stringify({ Records: records }));
}

async function allMessages(store: LogStore, group: string): Promise<string[]> {
  const g = store.catalog.groups.get(group);
  if (!g) return [];
  const page = await readBySeq(store, g, 0, g.nextSeq, 1_000_000);
  return page!.events.map((e) => e.message);
}

async function withStore(fn: (store: LogStore, dir: string, clock: FakeClock) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'logward-sources-'));
  const clock = new FakeClock(NOW);
  const store = await openTestStore(join(dir, 'store'), clock);
  await mkdir(join(dir, 'state'));
  try {
    await fn(store, dir, clock);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const spec = parseSourceInput({ kind: 'folder', name: 'src', path: '/unused', settleSeconds: 60 }, NOW);
const logger = pino({ level: 'silent' });

for (const [reached, legacy] of [[true, false], [false, false], [true, true]] as const) {
  test(`a crash ${reached ? 'after' : 'before'} a batch reached the WAL: every event once after the restart${legacy ? ' (state file of an earlier version: a plain hash)' : ''}`, async () => {
    await withStore(async (store, dir, clock) => {
      const lister = new MemoryLister();
      lister.objects.set(KEY(1), { body: trail(25, 'a'), lastModifiedMs: NOW });
      // The third append "crashes": after the store took it, or before.
      let appends = 0;
      const crashing = new Proxy(store, {
        get(target, prop, receiver) {
          if (prop !== 'appendEvents') return Reflect.get(target, prop, receiver) as unknown;
          return async (...args: Parameters<LogStore['appendEvents']>) => {
            if (++appends === 3) {
              if (reached) await target.appendEvents(...args);
              throw new Error('crash');
            }
            return target.appendEvents(...args);
          };
        },
      });
      const deps = { clock, logger, stateDir: join(dir, 'state'), batchEvents: 10 };
      const first = new SourceRunner(spec, lister, { ...deps, store: crashing });
      first.state = await readState(join(dir, 'state', 'src.json'));
      await assert.rejects(first.pollOnce(new AbortController().signal), /crash/);
      const saved = await readState(join(dir, 'state', 'src.json'));
      assert.deepEqual({ done: saved.current?.done, pending: saved.current?.pending?.count }, { done: 20, pending: 5 });
      // The pending batch's hash of its first message is sealed, not a bare SHA-256 of log content.
      assert.doesNotMatch(saved.current!.pending!.sha256, /^[0-9a-f]{64}$/);
      assert.equal(await store.atRest.openValue(store.catalog.groups.get(spec.logGroup)!.id, 'source-pending', saved.current!.pending!.sha256).then((h) => h.length), 64);
      assert.equal((await allMessages(store, spec.logGroup)).length, reached ? 25 : 20);

      if (legacy) saved.current!.pending!.sha256 = await store.atRest.openValue(store.catalog.groups.get(spec.logGroup)!.id, 'source-pending', saved.current!.pending!.sha256);
      const second = new SourceRunner(spec, lister, { ...deps, store });
      second.state = saved;
      await second.pollOnce(new AbortController().signal);
      const ids = (await allMessages(store, spec.logGroup)).map((m) => (JSON.parse(m) as { eventID: string }).eventID);
      assert.deepEqual(ids.sort(), Array.from({ length: 25 }, (_, i) => `a-${i}`).sort());
      assert.equal(second.state.current, null);
      assert.equal(second.state.counts.objects, 1);
      // Listing again finds nothing new.
      await second.pollOnce(new AbortController().signal);
      assert.equal((await allMessages(store, spec.logGroup)).length, 25);
    });
  });
}

test('markers pass keys once they settle; a key delivered late before an unsettled one is still read', async () => {
  await withStore(async (store, dir, clock) => {
    const lister = new MemoryLister();
    const r = new SourceRunner(spec, lister, { store, clock, logger, stateDir: join(dir, 'state') });
    r.state = await readState(join(dir, 'state', 'src.json'));
    const signal = new AbortController().signal;
    lister.objects.set(KEY(3), { body: trail(2, 'c'), lastModifiedMs: clock.now() });
    await r.pollOnce(signal);
    // Delivered late with a key that sorts first: not yet settled, so the listing still starts before it.
    lister.objects.set(KEY(1), { body: trail(2, 'a'), lastModifiedMs: clock.now() });
    await r.pollOnce(signal);
    assert.equal((await allMessages(store, spec.logGroup)).length, 4);
    clock.advance(120_000);
    await r.pollOnce(signal);
    const p = r.state.partitions[partitionOf(KEY(1))]!;
    assert.equal(p.marker, KEY(3));
    assert.deepEqual(Object.keys(p.recent), []);
    assert.equal((await allMessages(store, spec.logGroup)).length, 4);
    assert.equal(store.catalog.groups.get(spec.logGroup)!.streams.has('111122223333_CloudTrail_eu-west-1'), true);
  });
});

test('bad objects are recorded with their reason and passed; odd keys are plain keys', async () => {
  await withStore(async (store, dir, clock) => {
    const lister = new MemoryLister();
    lister.objects.set('__proto__', { body: Buffer.from('{"Records":[{"eventTime":"2023-07-10T11:00:00Z","eventID":"p"}]}'), lastModifiedMs: NOW });
    lister.objects.set('a/bad.gz', { body: Buffer.from([0x1f, 0x8b, 1, 2, 3]), lastModifiedMs: NOW });
    lister.objects.set('a/binary', { body: Buffer.from([0xff, 0xfe, 0x00, 0x80]), lastModifiedMs: NOW });
    lister.objects.set('a/unknown.txt', { body: Buffer.from('hello\nworld\n'), lastModifiedMs: NOW });
    lister.objects.set('AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2023/07/10/d.json.gz', { body: trail(1, 'd'), lastModifiedMs: NOW });
    const r = new SourceRunner(spec, lister, { store, clock, logger, stateDir: join(dir, 'state') });
    r.state = await readState(join(dir, 'state', 'src.json'));
    await r.pollOnce(new AbortController().signal);
    assert.deepEqual(
      r.state.failed.map((f) => [f.key, f.reason.split(':')[0]]),
      [['a/bad.gz', 'not valid gzip'], ['a/binary', 'not text'], ['a/unknown.txt', 'the format is not recognised from the key or the content (give the source a format; the group tag logward']],
    );
    assert.deepEqual(r.state.counts, { objects: 1, events: 1, parseErrors: 0, expired: 0, failed: 3, skipped: 1 });
    assert.equal(Object.getPrototypeOf(r.state.partitions), null);
    assert.ok(Object.hasOwn(r.state.partitions['']!.recent, '__proto__'));
    const reread = await readState(join(dir, 'state', 'src.json'));
    assert.ok(Object.hasOwn(reread.partitions['']!.recent, '__proto__'));
    assert.equal(streamOf('__proto__'), 'root');
  });
});

test('origins: partitions end before the year, streams follow AWS layout', () => {
  assert.equal(partitionOf(KEY(1)), 'AWSLogs/111122223333/CloudTrail/eu-west-1/');
  assert.equal(streamOf(KEY(1)), '111122223333_CloudTrail_eu-west-1');
  assert.equal(streamOf('AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/01/01/f.json.gz'), '111122223333_CloudTrail_us-east-1');
  assert.equal(streamOf('logs/web:1/2024/01/01/f.log'), 'logs/web_1');
  assert.equal(partitionOf('f.log'), '');
});
