/**
 * The engine's shortcuts must not change results: trigram pruning from filters, and narrowing the time
 * range for `sort @timestamp | limit N`. Random events (text, JSON, JSON with \u escapes, equal
 * timestamps) are stored across many small segments and the hot tier, and queries are compared with
 * the same computation done in JavaScript.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FakeClock } from '../../clock.js';
import type { LogGroup } from '../../store/catalog.js';
import type { LogStore } from '../../store/store.js';
import { appendEvents, openTestStore } from '../../store/testing.js';
import { parseQuery } from './parse.js';
import { compileQuery } from './compile/index.js';
import { decodePtr, encodePtr, getLogRecord, runInsightsQuery } from './engine.js';

const T0 = Date.UTC(2026, 10, 1);

interface Ev {
  ts: number;
  message: string;
  seq: number;
}

const level = fc.constantFrom('info', 'error', 'warn');
const message = fc.oneof(
  fc.tuple(fc.constantFrom('ERROR', 'INFO', 'WARN'), fc.string({ maxLength: 8 })).map(([l, s]) => `${l} ${s}`),
  fc.tuple(level, fc.nat(999)).map(([l, n]) => JSON.stringify({ level: l, n })),
  // The same JSON with the level's first letter escaped: pruning must still find it.
  fc.tuple(level, fc.nat(999)).map(([l, n]) => `{"level":"\\u${l.charCodeAt(0).toString(16).padStart(4, '0')}${l.slice(1)}","n":${n}}`),
);
const events = fc.array(fc.tuple(fc.nat(50), message), { minLength: 1, maxLength: 120 });

function open(dir: string, clock: FakeClock): Promise<LogStore> {
  return openTestStore(dir, clock, { walSealBytes: 2048 }); // many small segments
}

async function put(store: LogStore, g: LogGroup, batch: Array<{ timestamp: number; message: string }>): Promise<number> {
  return (await appendEvents(store, g, 's', batch, T0)).firstSeq;
}

async function query(store: LogStore, g: LogGroup, q: string): Promise<string[]> {
  const out = await runInsightsQuery(store, { groups: [g], startMs: T0, endMs: T0 + 1_000_000, query: parseQuery(q), queryString: q, limit: 10_000, signal: new AbortController().signal });
  return out.rows.map((r) => r.find((f) => f.field === '@ptr')!.value);
}

const newestFirst = (a: Ev, b: Ev): number => b.ts - a.ts || b.seq - a.seq;
const oldestFirst = (a: Ev, b: Ev): number => a.ts - b.ts || a.seq - b.seq;

test('pruned and narrowed queries return what a full scan would', async () => {
  await fc.assert(
    fc.asyncProperty(events, events, fc.integer({ min: 1, max: 30 }), async (first, second, k) => {
      const dir = mkdtempSync(join(tmpdir(), 'lw-insights-engine-'));
      const clock = new FakeClock(T0 + 2_000_000);
      let store = await open(dir, clock);
      try {
        let g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
        await store.catalog.createStream(g, 's', T0);
        const model: Ev[] = [];
        const write = async (xs: typeof first): Promise<void> => {
          for (let i = 0; i < xs.length; i += 7) {
            const batch = xs.slice(i, i + 7).map(([dt, m]) => ({ timestamp: T0 + dt * 1000, message: m }));
            batch.sort((a, b) => a.timestamp - b.timestamp);
            const seq = await put(store, g, batch);
            batch.forEach((e, j) => model.push({ ts: e.timestamp, message: e.message, seq: seq + j }));
          }
        };
        await write(first);
        await store.close(); // seals the first part into segments
        store = await open(dir, clock);
        g = store.catalog.groups.get('g')!;
        await write(second); // the rest stays hot
        const ptrs = (xs: Ev[]): string[] => xs.map((e) => encodePtr(g.id, e.seq));
        const level = (m: string): string | undefined => {
          try {
            return (JSON.parse(m) as { level?: string }).level;
          } catch {
            return undefined;
          }
        };
        assert.deepEqual(await query(store, g, `fields @message | sort @timestamp desc | limit ${k}`), ptrs([...model].sort(newestFirst).slice(0, k)));
        assert.deepEqual(await query(store, g, `fields @message | sort @timestamp asc | limit ${k}`), ptrs([...model].sort(oldestFirst).slice(0, k)));
        // Twice: the second run answers the message tests from the results the first cached.
        for (const run of ['first', 'cached']) {
          assert.deepEqual(
            await query(store, g, `filter @message like "ERROR" or @message like /WARN/ | sort @timestamp desc`),
            ptrs(model.filter((e) => e.message.includes('ERROR') || e.message.includes('WARN')).sort(newestFirst)),
            run,
          );
          assert.deepEqual(
            await query(store, g, `filter @message not like /(?i)e.r/ | sort @timestamp asc`),
            ptrs(model.filter((e) => !/e.r/i.test(e.message)).sort(oldestFirst)),
            run,
          );
        }
        assert.deepEqual(
          await query(store, g, `filter level = "error" | sort @timestamp asc | limit ${k}`),
          ptrs(model.filter((e) => level(e.message) === 'error').sort(oldestFirst).slice(0, k)),
        );
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 8 },
  );
});

test('message tests are answered from cached per-segment results, and only where those are complete', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-insights-mtest-'));
  const clock = new FakeClock(T0 + 2_000_000);
  let store = await open(dir, clock);
  try {
    let g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    const messages = Array.from({ length: 400 }, (_, i) => (i % 7 === 0 ? `ERROR code=${i}` : i % 3 === 0 ? `{"level":"error","n":${i}}` : `INFO n=${i}`));
    for (let i = 0; i < messages.length; i += 80) {
      await put(store, g, messages.slice(i, i + 80).map((m, j) => ({ timestamp: T0 + (i + j) * 1000, message: m })));
    }
    await store.close(); // a segment a batch: fewer than compaction merges
    store = await open(dir, clock);
    await store.idle(); // shredding rewrites each segment once, under another name: let it finish first
    g = store.catalog.groups.get('g')!;
    assert.equal(store.unshreddedSegments, 0);
    assert.ok(g.segments.length > 2, `several segments, got ${g.segments.length}`);
    const count = async (q: string): Promise<number> => (await query(store, g, q)).length;
    const want = messages.filter((m) => m.includes('error')).length;
    assert.equal(store.messageTests.size.entries, 0);
    assert.equal(await count('filter @message like /error/'), want);
    assert.equal(store.messageTests.size.entries, g.segments.length, 'one cached result per segment read whole');
    assert.equal(await count('filter @message like /error/ | fields @timestamp'), want, 'from the cache');
    // The cached results are what the query reads: ones everywhere turn every event into a match.
    for (const s of g.segments) {
      const t = { kind: 'contains', pattern: 'error' } as const;
      const bm = store.messageTests.get(s.path, t)!;
      store.messageTests.set(s.path, g.id, t, { base: bm.base, bits: new Uint8Array(bm.bits.length).fill(0xff) });
    }
    assert.equal(await count('filter @message like /error/'), messages.length);
    // A time range that cuts a segment reads it with the test itself and caches nothing for it.
    const before = store.messageTests.size.entries;
    const out = await runInsightsQuery(store, { groups: [g], startMs: T0 + 5_500, endMs: T0 + 1_000_000, query: parseQuery('filter @message like /ERROR/'), queryString: '', limit: 10_000, signal: new AbortController().signal });
    assert.equal(out.rows.length, messages.filter((m, i) => i >= 6 && m.includes('ERROR')).length);
    assert.equal(store.messageTests.size.entries, before + g.segments.length - 1);
    // Deleting the group forgets its results.
    await store.deleteGroup(g);
    assert.equal(store.messageTests.size.entries, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a cached result finds each event by its row number in settled segments, by its sequence number where some are missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-insights-rows-'));
  const clock = new FakeClock(T0 + 2_000_000);
  let store = await open(dir, clock);
  try {
    let g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    for (const s of ['a', 'b']) await store.catalog.createStream(g, s, T0);
    // JSON, so that settling rewrites the segments (shredding), sorted by seq; a segment a batch of 80
    // (a seal every 2 KiB of log), fewer than compaction merges.
    const events = Array.from({ length: 480 }, (_, i) => ({ stream: Math.floor(i / 80) % 2 === 0 ? 'a' : 'b', message: `{"level":"${i % 3 === 0 ? 'error' : 'info'}","n":${i}}` }));
    const append = async (from: number, size: number): Promise<void> => {
      for (let i = from; i < events.length; i += size) {
        const batch = events.slice(i, i + size).map((e, j) => ({ timestamp: T0 + (i + j) * 1000, message: e.message }));
        await appendEvents(store, g, events[i]!.stream, batch, T0);
      }
    };
    await append(0, 80);
    await store.close();
    store = await open(dir, clock);
    await store.idle(); // shredding rewrites every segment, sorted by seq
    g = store.catalog.groups.get('g')!;
    assert.ok(g.segments.length > 2 && g.segments.every((s) => s.seqDense), `settled segments are dense: ${JSON.stringify(g.segments.map((s) => [s.rows, s.minSeq, s.maxSeq, s.seqDense]))}`);
    // Segments recorded before the flag existed (NULL) are checked when the store is quiet.
    await store.db.run('UPDATE segments SET seq_dense = NULL');
    await store.close();
    store = await open(dir, clock);
    await store.idle();
    g = store.catalog.groups.get('g')!;
    assert.ok(g.segments.every((s) => s.seqDense === true), 'checked after the start');
    const sql: string[] = [];
    const allBounded = store.db.allBounded.bind(store.db);
    store.db.allBounded = (text, ...rest) => (sql.push(text), allBounded(text, ...rest));
    const messagesOf = async (q: string): Promise<string[]> => {
      const out = await runInsightsQuery(store, { groups: [g], startMs: T0, endMs: T0 + 1_000_000, query: parseQuery(q), queryString: q, limit: 10_000, signal: new AbortController().signal });
      return out.rows.map((r) => r.find((f) => f.field === '@message')!.value).sort();
    };
    // A count, so that nothing else needs the sequence numbers (@ptr does).
    const q = 'filter @message like /error/ | stats count(*) by @message';
    const want = (keep: (i: number) => boolean): string[] => events.flatMap((e, i) => (keep(i) ? [e.message] : [])).sort();
    assert.deepEqual(await messagesOf(q), want((i) => i % 3 === 0));
    // Results whose bits are another set than the test's own: the query returns exactly the events of those bits.
    const t = { kind: 'contains', pattern: 'error' } as const;
    const first = Math.min(...g.segments.map((s) => s.minSeq));
    const chosen = (seq: number): boolean => (seq - first) % 7 === 2 || seq === first;
    for (const s of g.segments) {
      const bm = store.messageTests.get(s.path, t)!;
      const bits = new Uint8Array(bm.bits.length);
      for (let seq = s.minSeq; seq <= s.maxSeq; seq++) if (chosen(seq)) bits[(seq - bm.base) >> 3]! |= 0x80 >> ((seq - bm.base) & 7); // message-tests.ts
      store.messageTests.set(s.path, g.id, t, { base: bm.base, bits });
    }
    sql.length = 0;
    assert.deepEqual(await messagesOf(q), want((i) => chosen(first + i)));
    assert.ok(sql.some((x) => x.includes('file_row_number')) && !sql.some((x) => /\(seq - \d+\)/.test(x)), 'bits found by row number');
    // A stream deleted, then small segments merged (compaction): its events are left out, the merge is
    // not dense, and the bits are found by sequence number.
    await store.deleteStream(g, g.streams.get('b')!);
    const more = events.length;
    events.push(...Array.from({ length: 240 }, (_, k) => ({ stream: 'a', message: `{"level":"${(more + k) % 3 === 0 ? 'error' : 'info'}","n":${more + k}}` })));
    await append(more, 20); // a few more small segments: now enough for compaction to merge them all
    await store.close();
    store = await open(dir, clock);
    await store.idle();
    g = store.catalog.groups.get('g')!;
    assert.ok(g.segments.some((s) => !s.seqDense), `a segment with events left out: ${JSON.stringify(g.segments.map((s) => [s.rows, s.minSeq, s.maxSeq, s.seqDense]))}`);
    store.db.allBounded = (text, ...rest) => (sql.push(text), allBounded(text, ...rest));
    assert.deepEqual(await messagesOf(q), want((i) => i % 3 === 0 && events[i]!.stream === 'a'));
    sql.length = 0;
    assert.deepEqual(await messagesOf(q), want((i) => i % 3 === 0 && events[i]!.stream === 'a'), 'from the cache');
    assert.ok(sql.some((x) => /\(seq - \d+\)/.test(x)), 'bits found by sequence number');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a test of letters on settled segments is answered from their token indexes, exactly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-insights-tokens-'));
  const clock = new FakeClock(T0 + 2_000_000);
  let store = await open(dir, clock);
  try {
    let g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    const words = ['error', 'Error', 'errors', 'timeout', 'TimeoutError', 'terror', 'err', 'user_error', 'level', 'x1error2'];
    const messages = Array.from({ length: 600 }, (_, i) => `${words[i % words.length]}${i % 4 === 0 ? '' : ' '}${words[(i * 7) % words.length]} n=${i} ${i % 5 === 0 ? 'étérror' : ''}`);
    for (let i = 0; i < messages.length; i += 100) {
      await put(store, g, messages.slice(i, i + 100).map((m, j) => ({ timestamp: T0 + (i + j) * 1000, message: m })));
    }
    await store.close();
    store = await open(dir, clock);
    await store.idle(); // shredding rewrites the segments, with their token indexes
    g = store.catalog.groups.get('g')!;
    assert.equal(store.unindexedSegments, 0);
    assert.ok(g.segments.every((s) => s.seqDense), 'segments without JSON, settled where they lie, are checked dense');
    const scans: string[] = [];
    const all = store.db.all.bind(store.db);
    store.db.all = (sql, params, conn) => {
      if (sql.includes('bitstring_agg')) scans.push(sql);
      return all(sql, params, conn);
    };
    const count = async (q: string): Promise<number> => (await query(store, g, q)).length;
    for (const term of ['error', 'rror', 'Error', 'timeout', 'eout', 'terror', 'user', 'zzz']) {
      assert.equal(await count(`filter @message like /${term}/`), messages.filter((m) => m.includes(term)).length, term);
      assert.equal(await count(`filter @message like "${term}"`), messages.filter((m) => m.includes(term)).length, term);
    }
    assert.deepEqual(scans, [], 'no message was read');
    // A term the index cannot answer reads the messages: not only letters, or a regular expression.
    assert.equal(await count('filter @message like "r e"'), messages.filter((m) => m.includes('r e')).length);
    assert.equal(await count('filter @message like /e.r/'), messages.filter((m) => /e.r/.test(m)).length);
    assert.equal(scans.length, 2 * g.segments.length, 'one scan a segment for each');
    // Deleting the group deletes the index files with the segments.
    const files = (): string[] => readdirSync(join(dir, 'segments', String(g.id))).filter((f) => f.endsWith('.tokens'));
    assert.equal(files().length, g.segments.length);
    await store.deleteGroup(g);
    assert.ok(!existsSync(join(dir, 'segments', String(g.id))));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('filters give their text to pruning only where that is safe', () => {
  const prune = (q: string): boolean => compileQuery(parseQuery(q), q, { namesTable: 'n', relation: () => 'e' }, { nowMs: 0, limit: 10 }).prune !== null;
  assert.equal(prune('filter @message like "ERROR"'), true);
  assert.equal(prune('filter @message like /ERROR|WARN/'), true);
  assert.equal(prune('filter eventName = "ConsoleLogin"'), true);
  assert.equal(prune('filter @message like "ERROR" or level = 5'), false);
  assert.equal(prune('filter @message like /(?i)error/'), false);
  assert.equal(prune('filter @message not like "ERROR"'), false);
  assert.equal(prune('limit 10 | filter @message like "ERROR"'), false, 'a filter after limit must not prune what limit sees');
  assert.equal(prune('stats count(*) by level | filter level = "error"'), false);
  assert.equal(prune('parse @message "* *" as a, b | filter a = "ERROR"'), false, 'a parsed field is not JSON');
});

test('@ptr values point at their events through GetLogRecord', async () => {
  assert.deepEqual(decodePtr(encodePtr(12, 345)), { groupId: 12, seq: 345 });
  assert.equal(decodePtr('not a pointer'), null);
  const dir = mkdtempSync(join(tmpdir(), 'lw-insights-ptr-'));
  const clock = new FakeClock(T0 + 2_000_000);
  let store = await open(dir, clock);
  try {
    const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    const seq = await put(store, g, [{ timestamp: T0 + 5, message: '2026-11-01 INFO {"user":{"id":"u1"},"tags":["a","b"]}' }]);
    const want = {
      '@timestamp': String(T0 + 5),
      '@ingestionTime': String(T0),
      '@message': '2026-11-01 INFO {"user":{"id":"u1"},"tags":["a","b"]}',
      '@logStream': 's',
      '@log': '000000000000:g',
      'user.id': 'u1',
      'tags.0': 'a',
      'tags.1': 'b',
    };
    assert.deepEqual(await getLogRecord(store, encodePtr(g.id, seq)), want, 'hot');
    await store.close();
    store = await open(dir, clock);
    assert.deepEqual(await getLogRecord(store, encodePtr(g.id, seq)), want, 'sealed');
    assert.equal(await getLogRecord(store, encodePtr(g.id, seq + 1)), null);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a query whose rows would exceed the memory budget fails cleanly, and the store keeps serving', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-insights-budget-'));
  const clock = new FakeClock(T0 + 2_000_000);
  const store = await open(dir, clock);
  try {
    const g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    await put(store, g, Array.from({ length: 200 }, (_, i) => ({ timestamp: T0 + i, message: 'x'.repeat(10_000) })));
    const run = (q: string, maxResultBytes?: number) =>
      runInsightsQuery(store, { groups: [g], startMs: T0, endMs: T0 + 1_000_000, query: parseQuery(q), queryString: q, limit: 10_000, signal: new AbortController().signal, maxResultBytes });
    await assert.rejects(run('fields @message', 1_000_000), (e: Error) => e.name === 'ResultTooLargeError' && /more than 1 MiB/.test(e.message));
    // A pattern stage reads at most 1,500 characters of each value: 200 of them fit in 1 MB, not in 100 kB.
    assert.ok((await run('pattern @message', 1_000_000)).rows.length > 0);
    await assert.rejects(run('pattern @message', 100_000), (e: Error) => e.name === 'ResultTooLargeError');
    assert.equal((await run('fields @message | limit 5', 1_000_000)).rows.length, 5, 'smaller results still fit');
    assert.equal((await run('stats count(*)')).rows[0]?.[0]?.value, '200');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a seal that commits while a query prunes moves events from the hot tier to a segment: the query counts each once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-insights-seal-race-'));
  const clock = new FakeClock(T0 + 1_000_000);
  let store = await openTestStore(dir, clock, { walSealBytes: 1 << 30 }); // seals only when told
  try {
    let g = await store.catalog.createGroup('g', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 's', T0);
    let n = 0;
    const add = (count: number) => put(store, g, Array.from({ length: count }, () => ({ timestamp: T0 + n, message: `line ${n} ${n++ % 10 === 0 ? 'rareword' : 'common'}` })));
    await add(300);
    await store.close(); // the first 300 sealed
    store = await openTestStore(dir, clock, { walSealBytes: 1 << 30 });
    g = store.catalog.groups.get('g')!;
    const s = store;
    // The store seals its hot events the first time a query asks for bitmaps (pruning), after it took its sources.
    const bitmapsFor = s.bitmapsFor.bind(s);
    let sealDuringQuery = false;
    s.bitmapsFor = async (group, blocks) => {
      if (sealDuringQuery) {
        sealDuringQuery = false;
        const wal = (s as unknown as { wal: { rotate(): void; flush(): Promise<void> } }).wal;
        wal.rotate();
        await wal.flush();
        await s.idle();
        assert.equal(s.hot.batches(group.id).length, 0, 'the hot events were sealed under way');
      }
      return bitmapsFor(group, blocks);
    };
    for (const [q, count] of [['filter @message like /rareword/ | stats count(*) as n', () => Math.ceil(n / 10)], ['filter @message like /line/ | stats count(*) as n', () => n]] as const) {
      await add(200);
      assert.ok(s.hot.batches(g.id).length > 0);
      const sealedRows = (): number => g.segments.reduce((a, x) => a + x.rows, 0);
      const before = sealedRows();
      sealDuringQuery = true;
      const r = await runInsightsQuery(s, { groups: [g], startMs: T0, endMs: T0 + 1_000_000, query: parseQuery(q), queryString: q, limit: 10, signal: new AbortController().signal });
      assert.ok(!sealDuringQuery && sealedRows() === before + 200, 'a seal committed during the query');
      assert.equal(r.rows[0]!.find((f) => f.field === 'n')!.value, String(count()), q);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
