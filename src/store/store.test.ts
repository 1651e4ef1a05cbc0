import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { pino } from 'pino';
import { FakeClock } from '../clock.js';
import { LogStore } from './store.js';
import { GIVE_UP_AFTER } from './settling.js';
import { queryEvents, type QueryStats } from './query.js';
import { readWalFile } from './wal.js';
import { appendEvents, openTestStore } from './testing.js';
import { decodeLayout, encodeLayout, signLayout } from './segment-layout.js';
import { parseFilterPattern } from '../query/filter-pattern/parse.js';
import { compilePredicate } from '../query/filter-pattern/predicate.js';
import type { LogGroup } from './catalog.js';
import { DecryptionFailedError } from '../kms/errors.js';

const T0 = Date.UTC(2026, 10, 1);
const logger = pino({ level: 'silent' });

function open(dir: string, clock: FakeClock, walSealBytes?: number): Promise<LogStore> {
  return openTestStore(dir, clock, { walSealBytes, logger });
}

interface ModelEvent {
  stream: string;
  ts: number;
  message: string;
}

async function put(store: LogStore, g: LogGroup, stream: string, events: Array<{ timestamp: number; message: string }>, now: number): Promise<void> {
  await appendEvents(store, g, stream, events, now);
}

async function search(store: LogStore, g: LogGroup, pattern: string, start: number, end: number, streams?: string[], stats?: QueryStats) {
  const out = await queryEvents(
    store,
    {
      group: g,
      streamIds: streams ? new Set(streams.map((n) => g.streams.get(n)!.id)) : null,
      startMs: start,
      endMs: end,
      pattern: parseFilterPattern(pattern),
      descending: false,
      limit: 1_000_000,
    },
    stats,
  );
  return out.map((e) => ({ stream: g.streamsById.get(e.streamId)!.name, ts: e.timestamp, message: e.message }));
}

function modelSearch(model: ModelEvent[], pattern: string, start: number, end: number, streams?: string[]): ModelEvent[] {
  const p = compilePredicate(parseFilterPattern(pattern));
  // The model keeps arrival order; the store orders by (timestamp, arrival).
  return model
    .map((e, i) => ({ e, i }))
    .filter(({ e }) => e.ts >= start && e.ts <= end && (!streams || streams.includes(e.stream)) && p(e.message))
    .sort((a, b) => a.e.ts - b.e.ts || a.i - b.i)
    .map(({ e }) => e);
}

const WORDS = ['alpha', 'beta', 'ERROR', 'warn', 'GET', '/index.html', 'zqx', 'é', '日本', 'x"y', '42'];
const message = fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 6 }).map((w) => w.join(' '));
const batch = fc.record({
  stream: fc.constantFrom('a', 'b', 'c'),
  events: fc.array(fc.record({ dt: fc.integer({ min: 0, max: 5000 }), message }), { minLength: 1, maxLength: 30 }),
});

test('hot, sealed and reopened stores answer exactly as the model does', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 25 }), fc.array(batch, { maxLength: 10 }), async (first, second) => {
      const dir = mkdtempSync(join(tmpdir(), 'lw-store-'));
      const clock = new FakeClock(T0);
      const model: ModelEvent[] = [];
      try {
        let store = await open(dir, clock, 4096);
        const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
        for (const s of ['a', 'b', 'c']) await store.catalog.createStream(g, s, T0);
        const write = async (st: LogStore, grp: LogGroup, bs: typeof first): Promise<void> => {
          for (const b of bs) {
            let t = T0;
            const events = b.events.map((e) => ({ timestamp: (t += e.dt), message: e.message }));
            await put(st, grp, b.stream, events, T0);
            for (const e of events) model.push({ stream: b.stream, ts: e.timestamp, message: e.message });
          }
        };
        const check = async (st: LogStore, grp: LogGroup): Promise<void> => {
          for (const [pattern, start, end, streams] of [
            ['', 0, Infinity, undefined],
            ['ERROR', 0, Infinity, undefined],
            ['?zqx ?日本', T0 + 100, T0 + 40_000, undefined],
            ['alpha -beta', 0, Infinity, ['a', 'c']],
            ['"x\\"y"', 0, Infinity, undefined],
          ] as const) {
            assert.deepEqual(await search(st, grp, pattern, start, end, streams ? [...streams] : undefined), modelSearch(model, pattern, start, end, streams ? [...streams] : undefined), pattern);
          }
        };
        await write(store, g, first);
        await check(store, g);
        await store.close(); // seals everything
        store = await open(dir, clock, 4096);
        const g2 = store.catalog.groups.get('g')!;
        assert.equal(store.hot.bytes, 0);
        await check(store, g2);
        await write(store, g2, second); // now both tiers
        await check(store, g2);
        await store.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 6, seed: 42 },
  );
});

test('a rare term reads only the blocks whose trigram bitmap allows it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-prune-'));
  const clock = new FakeClock(T0);
  try {
    let store = await open(dir, clock);
    const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    const total = 100_000;
    for (let i = 0; i < total; i += 1000) {
      const events = Array.from({ length: 1000 }, (_, k) => ({
        timestamp: T0 + i + k,
        message: `GET /api/items/${(i + k) % 977} 200 ${i + k === 73_123 ? 'needleword' : 'ok'} latency=${(i + k) % 13}ms`,
      }));
      await put(store, g, 's', events, T0);
    }
    await store.close();
    store = await open(dir, clock);
    const g2 = store.catalog.groups.get('g')!;
    const stats: QueryStats = { segmentsTotal: 0, segmentsRead: 0, blocksTotal: 0, blocksRead: 0 };
    const found = await search(store, g2, 'needleword', 0, Infinity, undefined, stats);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.ts, T0 + 73_123);
    assert.ok(stats.blocksTotal >= 6, `blocks: ${JSON.stringify(stats)}`);
    assert.ok(stats.blocksRead <= 2, `read too many blocks: ${JSON.stringify(stats)}`);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('recovery cuts a torn last record and keeps every complete one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-wal-'));
  try {
    const path = join(dir, '0000000001.wal');
    const rec = (q: number): string => JSON.stringify({ g: 1, s: 2, i: 0, q, lo: 0, hi: 1, u: 1, b: { logEvents: [{ timestamp: 1, message: 'x' }] } });
    writeFileSync(path, `${rec(0)}\n${rec(1)}\n${rec(2).slice(0, 30)}`);
    const records = await readWalFile(path);
    assert.deepEqual(records.map((r) => r.q), [0, 1]);
    assert.equal(readFileSync(path, 'utf8'), `${rec(0)}\n${rec(1)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('retention hides expired events at once and the sweeper drops their segments', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-ret-'));
  const clock = new FakeClock(T0);
  try {
    let store = await open(dir, clock);
    const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    await put(store, g, 's', [{ timestamp: T0 - 3 * 86_400_000, message: 'old' }], T0);
    await store.close();
    store = await open(dir, clock);
    const g2 = store.catalog.groups.get('g')!;
    await put(store, g2, 's', [{ timestamp: T0, message: 'new' }], T0);
    assert.equal(g2.segments.length, 1);
    await store.catalog.setRetention(g2, 1);
    assert.deepEqual((await search(store, g2, '', 0, Infinity)).map((e) => e.message), ['new']);
    const file = join(dir, g2.segments[0]!.path);
    await store.sweepRetention();
    assert.equal(g2.segments.length, 0);
    assert.deepEqual((await search(store, g2, '', 0, Infinity)).map((e) => e.message), ['new']);
    // The file stays a while for queries that listed it before the sweep; closing unlinks it.
    assert.ok(existsSync(file), 'unlinked after a grace period, not at once');
    await store.close();
    assert.ok(!existsSync(file), 'unlinked at close');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a sealed record that DuckDB reads differently from V8 is sealed from the exact path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-dup-'));
  const clock = new FakeClock(T0);
  try {
    let store = await open(dir, clock);
    const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    const s = await store.catalog.createStream(g, 's', T0);
    // Duplicate keys: V8 keeps the last logEvents, a JSON reader may keep the first.
    const body = Buffer.from(
      `{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":${T0},"message":"decoy"}],"logEvents":[{"timestamp":${T0},"message":"real"}]}`,
    );
    const parsed = JSON.parse(body.toString()) as { logEvents: Array<{ timestamp: number; message: string }> };
    await store.append({ group: g, stream: s, body, timestamps: [T0], messages: parsed.logEvents.map((e) => e.message), lo: 0, hi: 1, bytes: 4, ingestMs: T0 });
    await store.close();
    store = await open(dir, clock);
    assert.deepEqual((await search(store, store.catalog.groups.get('g')!, '', 0, Infinity)).map((e) => e.message), ['real']);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('small segments are compacted into one, and every event is still found once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-compact-'));
  const clock = new FakeClock(T0);
  try {
    // A tiny seal size: every batch becomes a WAL file, and so a segment of its own.
    let store = await open(dir, clock, 512);
    const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    for (const s of ['a', 'b']) await store.catalog.createStream(g, s, T0);
    const model: ModelEvent[] = [];
    for (let i = 0; i < 24; i++) {
      const stream = i % 2 === 0 ? 'a' : 'b';
      const events = Array.from({ length: 5 }, (_, k) => ({ timestamp: T0 + i * 10 + k, message: `batch ${i} event ${k}${i === 13 ? ' rareword' : ''}` }));
      await put(store, g, stream, events, T0);
      for (const e of events) model.push({ stream, ts: e.timestamp, message: e.message });
    }
    await store.deleteStream(g, g.streams.get('b')!);
    await store.close();
    store = await open(dir, clock, 512);
    const g2 = store.catalog.groups.get('g')!;
    // Compaction runs when the sealer is idle; a last seal wakes it.
    await store.catalog.createStream(g2, 'c', T0);
    await put(store, g2, 'c', [{ timestamp: T0 + 1000, message: 'last' }], T0);
    model.push({ stream: 'c', ts: T0 + 1000, message: 'last' });
    for (let i = 0; i < 200 && g2.segments.length > 3; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(g2.segments.length <= 3, `segments after compaction: ${g2.segments.length}`);
    assert.ok(g2.segments.every((s) => decodeLayout(s.layout) !== null), 'a merged segment has its layout recorded');
    const live = model.filter((e) => e.stream !== 'b');
    assert.deepEqual(await search(store, g2, '', 0, Infinity), modelSearch(live, '', 0, Infinity));
    assert.deepEqual(await search(store, g2, 'rareword', 0, Infinity), []);
    assert.deepEqual(await search(store, g2, 'event', 0, Infinity), modelSearch(live, 'event', 0, Infinity));
    await store.close();
    store = await open(dir, clock, 512);
    assert.deepEqual(await search(store, store.catalog.groups.get('g')!, '', 0, Infinity), modelSearch(live, '', 0, Infinity));
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('JSON, space-delimited and regex patterns give the same events from hot and sealed tiers as the model', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-structured-'));
  const clock = new FakeClock(T0);
  try {
    let store = await open(dir, clock);
    const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    const model: ModelEvent[] = [];
    const levels = ['INFO', 'WARN', 'ERROR'];
    const write = async (st: LogStore, grp: LogGroup, from: number): Promise<void> => {
      const events = Array.from({ length: 60 }, (_, k) => {
        const i = from + k;
        // ERROR written with a \u escape: matched, though the message lacks the text "ERROR" (the text
        // guard of the SQL back end lets messages with \u through).
        const message =
          i % 30 === 29
            ? '{"level":"\\u0045RROR","latency":900,"user":{"id":3}}'
            : i % 3 === 0
            ? JSON.stringify({ level: levels[i % 3 === 0 ? (i / 3) % 3 : 0], latency: (i * 37) % 1000, user: { id: i % 7 }, tags: ['a', i % 2 ? 'b' : 'c'] })
            : i % 3 === 1
              ? `10.0.0.${i % 9} - bob [26/Nov/2026:10:00:00 +0000] "GET /p${i % 4}.html HTTP/1.1" ${[200, 404, 500][i % 3]} ${i * 11}`
              : `plain line ${i} code=${i % 5}`;
        return { timestamp: T0 + i, message };
      });
      await put(st, grp, 's', events, T0);
      for (const e of events) model.push({ stream: 's', ts: e.timestamp, message: e.message });
    };
    const patterns = [
      '{ $.level = "ERROR" }',
      '{ ($.latency > 500) && ($.user.id = 3) }',
      '{ $.tags[1] = "b" || $.level IS NULL }',
      '[ip, dash, user, timestamp, request = "*p1.html*", status = 4*, bytes > 100]',
      '%code=[34]%',
    ];
    const check = async (st: LogStore, grp: LogGroup): Promise<void> => {
      for (const p of patterns) {
        const want = modelSearch(model, p, 0, Infinity);
        assert.ok(want.length > 0, `the data should match ${p}`);
        assert.deepEqual(await search(st, grp, p, T0 + 5, Infinity), modelSearch(model, p, T0 + 5, Infinity), p);
      }
    };
    await write(store, g, 0);
    await check(store, g);
    await store.close();
    store = await open(dir, clock);
    const g2 = store.catalog.groups.get('g')!;
    await check(store, g2); // sealed
    await write(store, g2, 60);
    await check(store, g2); // both
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the seq condition of pruned segments merges kept blocks across segments and names the fewer side', async () => {
  const { seqFilterSql } = await import('./query.js');
  const seg = (minSeq: number, maxSeq: number) => ({ id: 0, groupId: 1, path: '', walFile: 0, rows: maxSeq - minSeq + 1, rawBytes: 0, fileBytes: 0, minTs: 0, maxTs: 0, minSeq, maxSeq, fields: [], layout: null, seqDense: true });
  // Every block kept: no condition at all (a whole-segment read).
  assert.equal(seqFilterSql([{ segment: seg(0, 99), seqRanges: [[0, 99]] }, { segment: seg(100, 199), seqRanges: [[100, 199]] }]), null);
  // Unpruned segments: no condition.
  assert.equal(seqFilterSql([{ segment: seg(0, 99), seqRanges: [] }]), null);
  // One block dropped among many kept: the dropped one is named.
  assert.equal(
    seqFilterSql([
      { segment: seg(0, 99), seqRanges: [[0, 49]] },
      { segment: seg(100, 199), seqRanges: [[100, 199]] },
      { segment: seg(300, 399), seqRanges: [[300, 399]] },
    ]),
    'NOT (seq BETWEEN 50 AND 99)',
  );
  // Mostly dropped: the kept ranges are named, merged across the gap between segments.
  assert.equal(
    seqFilterSql([
      { segment: seg(0, 99), seqRanges: [[90, 99]] },
      { segment: seg(200, 299), seqRanges: [[200, 209], [280, 289]] },
    ]),
    '(seq BETWEEN 90 AND 209 OR seq BETWEEN 280 AND 289)',
  );
});

test('reads cut short by a memory budget page through every event once, across both tiers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-budget-'));
  const clock = new FakeClock(T0);
  try {
    let store = await open(dir, clock);
    let g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    const big = (i: number): string => `${String(i).padStart(4, '0')} ${'x'.repeat(20_000)}`;
    // Sealed: even events; hot: odd ones, so the tiers interleave in time.
    await appendEvents(store, g, 's', Array.from({ length: 40 }, (_, i) => ({ timestamp: T0 + 2 * i, message: big(2 * i) })), T0);
    await store.close();
    store = await open(dir, clock);
    g = store.catalog.groups.get('g')!;
    await appendEvents(store, g, 's', Array.from({ length: 40 }, (_, i) => ({ timestamp: T0 + 2 * i + 1, message: big(2 * i + 1) })), T0);
    for (const descending of [false, true]) {
      const seen: string[] = [];
      let from: { ts: number; seq: number } | undefined;
      for (let pages = 0; pages < 100; pages++) {
        const page = await queryEvents(store, { group: g, streamIds: null, startMs: 0, endMs: T0 + 1000, pattern: parseFilterPattern(''), descending, limit: 10_000, maxBytes: 200_000, from });
        if (page.length === 0) break;
        assert.ok(page.length < 80, 'the budget cut the read');
        seen.push(...page.map((e) => e.message.slice(0, 4)));
        const last = page.at(-1)!;
        from = { ts: last.timestamp, seq: last.seq };
      }
      const want = Array.from({ length: 80 }, (_, i) => String(i).padStart(4, '0'));
      assert.deepEqual(seen, descending ? want.reverse() : want);
    }
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a group shredded while its events are in the write-ahead log: the others still seal, and its keys and files are gone', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-shred-wal-'));
  const clock = new FakeClock(T0);
  try {
    let store = await open(dir, clock);
    const a = await store.catalog.createGroup('a', T0, {}, null, 'STANDARD');
    const b = await store.catalog.createGroup('b', T0, {}, null, 'STANDARD');
    for (const g of [a, b]) await store.catalog.createStream(g, 's', T0);
    const events = (word: string): Array<{ timestamp: number; message: string }> => Array.from({ length: 50 }, (_, i) => ({ timestamp: T0 + i, message: `${word} ${i}` }));
    await put(store, a, 's', events('alpha'), T0);
    await put(store, b, 's', events('bravo'), T0);
    await store.withWriteLock(() => store.shredGroup(a));
    await put(store, b, 's', events('charlie'), T0);
    await store.close(); // seals the WAL file that holds the shredded group's record too
    assert.deepEqual(readdirSync(join(dir, 'wal')), [], 'every WAL file was sealed');
    const keys = JSON.parse(readFileSync(join(dir, 'keys', 'keys.json'), 'utf8')) as { groups: Record<string, unknown> };
    assert.deepEqual(Object.keys(keys.groups), [String(b.id)], 'only the live group has keys');
    store = await open(dir, clock);
    assert.equal(store.catalog.groups.get('a'), undefined);
    const b2 = store.catalog.groups.get('b')!;
    assert.equal((await search(store, b2, '', 0, Infinity)).length, 100);
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('settling indexes a segment without JSON where it lies, and rewrites one with JSON fields', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-settle-nojson-'));
  const clock = new FakeClock(T0 + 1_000_000);
  let store = await open(dir, clock);
  try {
    const text = await store.catalog.createGroup('text', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(text, 's', T0);
    const json = await store.catalog.createGroup('json', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(json, 's', T0);
    await appendEvents(store, text, 's', Array.from({ length: 200 }, (_, i) => ({ timestamp: T0 + i, message: `GET /orders/${i} alpha user=bob` })), T0);
    await appendEvents(store, json, 's', Array.from({ length: 200 }, (_, i) => ({ timestamp: T0 + i, message: `{"level":"info","n":${i}}` })), T0);
    await store.close(); // seals one segment a group, not shredded yet
    store = await open(dir, clock);
    const sealed = (name: string) => store.catalog.groups.get(name)!.segments.map((s) => ({ path: s.path, fields: s.fields, layout: s.layout }));
    const textBefore = sealed('text');
    const jsonBefore = sealed('json');
    assert.deepEqual(textBefore.map((s) => s.fields), [null]);
    assert.deepEqual(jsonBefore.map((s) => s.fields), [null]);
    assert.ok([...textBefore, ...jsonBefore].every((s) => decodeLayout(s.layout) !== null), 'sealing records the layout of each segment');
    await store.idle();
    assert.equal(store.unshreddedSegments, 0);
    assert.equal(store.unindexedSegments, 0);
    assert.deepEqual(sealed('text'), textBefore.map((s) => ({ ...s, fields: [] })), 'the same file, recorded as shredded into no fields');
    const rewritten = sealed('json');
    assert.notEqual(rewritten[0]!.path, jsonBefore[0]!.path, 'a segment with JSON is rewritten');
    assert.ok(rewritten[0]!.fields!.length > 0);
    assert.notEqual(rewritten[0]!.layout, jsonBefore[0]!.layout, 'the rewritten file has its own layout');
    assert.ok(decodeLayout(rewritten[0]!.layout)!.columns.has('j0'), 'with its shredded columns');
    const index = await store.tokenIndex(store.catalog.groups.get('text')!.segments[0]!);
    assert.ok(index !== null, 'the segment left in place has its token index');
    const found = await queryEvents(store, { group: store.catalog.groups.get('text')!, streamIds: null, startMs: 0, endMs: T0 + 1000, pattern: parseFilterPattern('alpha'), descending: false, limit: 10_000, maxBytes: 1_000_000 });
    assert.equal(found.length, 200, 'its events are read as before');
    await store.close();
    store = await open(dir, clock);
    assert.deepEqual(sealed('text'), textBefore.map((s) => ({ ...s, fields: [] })), 'as recorded in the catalog');
    assert.equal(store.unshreddedSegments, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a segment sealed before layouts were recorded gets its layout when the store is quiet, and reads the same before and after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-layout-backfill-'));
  const clock = new FakeClock(T0 + 1_000_000);
  const reopen = () => openTestStore(dir, clock, { logger, plaintextCacheBytes: 0, segmentFrameBytes: 128 });
  let store = await reopen();
  try {
    const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    await appendEvents(store, g, 's', Array.from({ length: 300 }, (_, i) => ({ timestamp: T0 + i, message: `GET /orders/${i} alpha user=bob` })), T0);
    await store.close();
    store = await reopen();
    await store.idle(); // settled where it lies: no JSON
    const recorded = store.catalog.groups.get('g')!.segments.map((s) => ({ path: s.path, layout: s.layout }));
    assert.equal(recorded.length, 1);
    assert.ok(decodeLayout(recorded[0]!.layout) !== null);
    const all = async () =>
      (await queryEvents(store, { group: store.catalog.groups.get('g')!, streamIds: null, startMs: 0, endMs: T0 + 1000, pattern: parseFilterPattern(''), descending: false, limit: 10_000, maxBytes: 10_000_000 })).map((e) => [e.timestamp, e.message]);
    const want = await all();
    assert.equal(want.length, 300);
    // As a segment sealed by an earlier version: no layout in the catalog.
    await store.db.run(`UPDATE segments SET layout = NULL`);
    await store.close();
    store = await reopen();
    assert.deepEqual(store.catalog.groups.get('g')!.segments.map((s) => s.layout), [null]);
    assert.deepEqual(await all(), want, 'reads as before');
    await store.idle();
    assert.deepEqual(store.catalog.groups.get('g')!.segments.map((s) => ({ path: s.path, layout: s.layout })), recorded, 'the layout sealing would have recorded');
    await store.close();
    store = await reopen();
    assert.deepEqual(store.catalog.groups.get('g')!.segments.map((s) => s.layout), recorded.map((s) => s.layout), 'kept in the catalog');
    assert.deepEqual(await all(), want);

    // A layout recorded before layouts were tagged (the text alone): not trusted, and recorded again with its tag.
    const { body } = decodeLayout(recorded[0]!.layout)!.signed!;
    await store.db.run(`UPDATE segments SET layout = $1`, [body]);
    await store.close();
    store = await reopen();
    assert.deepEqual(await all(), want, 'reads as before, from its footer');
    await store.idle();
    assert.deepEqual(store.catalog.groups.get('g')!.segments.map((s) => s.layout), recorded.map((s) => s.layout), 'tagged again');

    // A column range changed in the catalog (ts said to lie where the messages are), its tag kept: the
    // query fails rather than read the ts chunks as the zeros they would stay.
    const layout = decodeLayout(recorded[0]!.layout)!;
    const forgedBody = encodeLayout({ ...layout, columns: new Map([...layout.columns, ['ts', layout.columns.get('message')!]]) });
    await store.db.run(`UPDATE segments SET layout = $1`, [signLayout(forgedBody, layout.signed!.tag)]);
    await store.close();
    store = await reopen();
    await assert.rejects(all(), DecryptionFailedError);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a segment that settling cannot rewrite is left as it is after a few failures, and the rest of its group settles', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-settle-fail-'));
  const clock = new FakeClock(T0 + 1_000_000);
  const reopen = () => openTestStore(dir, clock, { logger, encryption: false });
  let store = await reopen();
  try {
    let g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    const json = (from: number) => Array.from({ length: 50 }, (_, i) => ({ timestamp: T0 + from + i, message: `{"level":"info","n":${from + i}}` }));
    await appendEvents(store, g, 's', json(0), T0);
    await store.close(); // the first segment, not settled
    // Its file damaged (a disk error, a bad copy): it cannot be read, so it cannot be rewritten.
    const first = join(dir, store.catalog.groups.get('g')!.segments[0]!.path);
    writeFileSync(first, Buffer.alloc(4096, 7));
    store = await reopen();
    g = store.catalog.groups.get('g')!;
    await appendEvents(store, g, 's', json(50), T0);
    await store.close(); // the second segment, not settled either
    store = await reopen();
    g = store.catalog.groups.get('g')!;
    assert.deepEqual(g.segments.map((s) => s.fields), [null, null]);
    const settling = (store as unknown as { settling: { step(g: LogGroup): Promise<boolean> } }).settling;
    // The store's own quiet-time work may make some of the attempts: at most GIVE_UP_AFTER fail in all.
    let failed = 0;
    for (let settled = false; !settled; ) {
      try {
        settled = await settling.step(g);
        assert.ok(settled, 'a step that does not fail settles the other segment');
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assert.ok(++failed <= GIVE_UP_AFTER, `failed ${failed} times`);
      }
    }
    assert.ok(failed >= 1, 'the damaged segment was tried');
    assert.equal(g.segments.length, 2);
    assert.equal(g.segments.find((s) => s.minSeq === 0)!.fields, null, 'the damaged segment is left as it is');
    assert.ok(g.segments.find((s) => s.minSeq === 50)!.fields!.includes('$."level"'), 'the other one is shredded');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
