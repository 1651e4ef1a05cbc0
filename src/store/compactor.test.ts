/**
 * Quiet-time merging (compactor.ts pickQuietRun, settling.ts step): segments sealed during sustained
 * ingest are merged, when ingest calms down, into one segment of up to TARGET_ROWS events that holds
 * the same events in sequence order, with its token index and layout; retention, deleted streams,
 * reads by sequence and crashes on either side of the swap keep their guarantees.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock.js';
import type { LogStore } from './store.js';
import { appendEvents, openTestStore } from './testing.js';
import { quoteLiteral } from './db.js';
import { LARGE_ROWS, MAX_SPAN_MS, mergeSegments, pickQuietRun, SMALL_ROWS, TARGET_ROWS } from './compactor.js';
import type { LogGroup, Segment } from './catalog.js';
import { decodeLayout } from './segment-layout.js';
import { readBySeq } from './read-seq.js';
import { parseQuery } from '../query/insights/parse.js';
import { runInsightsQuery } from '../query/insights/engine.js';

const T0 = Date.UTC(2026, 10, 1);
/** Event i's timestamp: 10 ms apart, so that a run of 60k events spans 10 minutes (under MAX_SPAN_MS). */
const ts = (i: number): number => T0 + i * 10;

function seg(id: number, minSeq: number, rows: number, fields: string[] | null, minTs = T0 + minSeq, maxTs = minTs + rows): Segment {
  return { id, groupId: 1, path: `segments/1/${id}.parquet`, walFile: id, rows, rawBytes: rows, fileBytes: rows, minTs, maxTs, minSeq, maxSeq: minSeq + rows - 1, fields, layout: null };
}

test('pickQuietRun: the first unshredded segment by sequence and the unshredded, not large ones after it', () => {
  const medium = SMALL_ROWS * 8;
  // Listed out of order: the run follows sequence numbers.
  const a = seg(1, 0, medium, ['$."x"']);
  const b = seg(2, medium, medium, null);
  const c = seg(3, 2 * medium, medium, null);
  const d = seg(4, 3 * medium, medium, null);
  assert.deepEqual(pickQuietRun([d, a, c, b])?.map((s) => s.id), [2, 3, 4]);
  assert.equal(pickQuietRun([a]), null);
  // A shredded segment ends the run: it is not rewritten again.
  const e = seg(5, 4 * medium, medium, ['$."x"']);
  const f = seg(6, 5 * medium, medium, null);
  assert.deepEqual(pickQuietRun([b, c, e, f])?.map((s) => s.id), [2, 3]);
  // A large segment ends it, and one that starts it is rewritten alone.
  const big = seg(7, 2 * medium, LARGE_ROWS, null);
  assert.deepEqual(pickQuietRun([b, big, d])?.map((s) => s.id), [2]);
  assert.deepEqual(pickQuietRun([big, d])?.map((s) => s.id), [7]);
  // At most TARGET_ROWS events.
  const many = Array.from({ length: 20 }, (_, k) => seg(10 + k, k * medium, medium, null));
  const run = pickQuietRun(many)!;
  assert.equal(run.length, TARGET_ROWS / medium);
  assert.ok(run.reduce((n, s) => n + s.rows, 0) <= TARGET_ROWS);
  // At most MAX_SPAN_MS of event time (retention drops whole segments).
  const late = seg(30, medium, medium, null, T0 + MAX_SPAN_MS + 1);
  assert.deepEqual(pickQuietRun([seg(31, 0, medium, null, T0, T0 + 1000), late])?.map((s) => s.id), [31]);
});

const message = (i: number, stream: string): string =>
  i % 3 === 0 ? JSON.stringify({ level: ['info', 'warn', 'error'][i % 9 === 0 ? 2 : i % 2], n: i % 100, stream, pad: 'x'.repeat(40) }) : `plain line ${i} of ${stream} ${i % 1000 === 7 ? 'rareword' : 'common'} ${'y'.repeat(60)}`;

/** Appends events from..to-1 alternating between streams a and b, in batches of 1,000. */
async function append(store: LogStore, g: LogGroup, from: number, to: number): Promise<void> {
  for (let lo = from; lo < to; lo += 1000) {
    for (const stream of ['a', 'b']) {
      const events = [];
      for (let i = lo; i < Math.min(lo + 1000, to); i++) if ((i % 2 === 0) === (stream === 'a')) events.push({ timestamp: ts(i), message: message(i, stream) });
      await appendEvents(store, g, stream, events, ts(to));
    }
  }
}

const QUERIES = [
  'stats count(*) by bin(1m)',
  'stats count(*) by level, @logStream',
  'filter @message like /rareword/ | fields @timestamp, @message, @logStream | sort @timestamp asc',
  'filter @message like /error/ | stats count(*) by @logStream',
  'filter n > 90 | stats count(*), sum(n) by level',
];

async function answers(store: LogStore, g: LogGroup): Promise<string[]> {
  const out: string[] = [];
  for (const q of QUERIES) {
    const r = await runInsightsQuery(store, { groups: [g], startMs: T0, endMs: T0 + 10_000_000, query: parseQuery(q), queryString: q, limit: 10_000, signal: new AbortController().signal });
    out.push(JSON.stringify(r.rows.map((row) => row.filter((f) => f.field !== '@ptr'))));
  }
  return out;
}

/** Every event of the segment's file is in sequence order, and its rows and range are as recorded. */
async function assertInSeqOrder(store: LogStore, s: Segment): Promise<void> {
  const lease = await store.leaseSegments([s]);
  try {
    const [r] = await store.db.all(
      `SELECT count(*) AS n, count(*) FILTER (WHERE file_row_number <> r) AS misplaced, min(seq) AS lo, max(seq) AS hi
       FROM (SELECT seq, file_row_number, row_number() OVER (ORDER BY seq) - 1 AS r FROM read_parquet(${quoteLiteral(lease.path(s.path))}, file_row_number = true))`,
    );
    assert.equal(Number(r!.n), s.rows);
    assert.equal(Number(r!.misplaced), 0, `${s.path}: rows out of sequence order`);
    assert.equal(Number(r!.lo), s.minSeq);
    assert.equal(Number(r!.hi), s.maxSeq);
  } finally {
    lease.release();
  }
}

/** The seqs readBySeq gives for [0, toSeq), page after page (a page stops at 16 MiB). */
async function readAllBySeq(store: LogStore, g: LogGroup, toSeq: number): Promise<number[]> {
  const out: number[] = [];
  for (let from = 0; from < toSeq; ) {
    const page = await readBySeq(store, g, from, toSeq, 100_000);
    for (const e of page!.events) out.push(e.seq);
    from = page!.nextSeq;
  }
  return out;
}

async function assertSettled(store: LogStore, s: Segment): Promise<void> {
  await assertInSeqOrder(store, s);
  assert.notEqual(s.fields, null, `${s.path} shredded`);
  assert.ok(s.fields!.includes('$."level"'), String(s.fields));
  assert.notEqual(decodeLayout(s.layout), null, `${s.path} has its layout recorded`);
  const index = await store.tokenIndex(s);
  assert.equal(index?.rows, s.rows, `${s.path} has a token index of its rows`);
}

test('segments sealed during ingest are merged when it is quiet: same answers, sequence order, index, layout; crashes around the swap; retention', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-merge-'));
  const clock = new FakeClock(T0 + 3_600_000);
  // WAL files of 2.5 MiB: about 20k of these events each, sealed while ingest is not quiet.
  const open = (): Promise<LogStore> => openTestStore(dir, clock, { walSealBytes: 2.5 * 1024 * 1024 });
  let store = await open();
  try {
    let g = await store.catalog.createGroup('/app', T0, {}, null, 'STANDARD');
    for (const s of ['a', 'b', 'c']) await store.catalog.createStream(g, s, T0);
    await appendEvents(store, g, 'c', [{ timestamp: ts(5), message: 'of a stream deleted later: level error' }], ts(5));
    await append(store, g, 0, 60_000);
    await store.deleteStream(g, g.streams.get('c')!);
    // Seals of the WAL files filled meanwhile end first: a query during a seal's commit may miss events
    // (seen here: a filter's rows of the segment being sealed), which is not what this test is about.
    await store.idle();
    const hot = await answers(store, g);
    await store.close();
    store = await open();
    g = store.catalog.groups.get('/app')!;
    await store.idle();
    // The segments sealed during ingest (the last one by close) were merged into one.
    assert.equal(g.segments.length, 1, `segments: ${g.segments.map((s) => `${s.minSeq}+${s.rows}`).join(' ')}`);
    const merged = g.segments[0]!;
    assert.equal(merged.rows, 60_000, 'every event once, without the deleted stream');
    await assertSettled(store, merged);
    assert.deepEqual(await answers(store, g), hot);
    const bySeq = await readAllBySeq(store, g, 60_001);
    assert.equal(bySeq.length, 60_000);
    assert.ok(bySeq.every((seq, k) => k === 0 || seq > bySeq[k - 1]!));

    // More ingest: its segments are merged with each other, not with the settled one.
    await append(store, g, 60_000, 110_000);
    await store.idle();
    const hot2 = await answers(store, g);
    const sealedDuringIngest = g.segments.filter((s) => s.fields === null);
    assert.ok(sealedDuringIngest.length >= 2 && sealedDuringIngest.every((s) => s.rows > SMALL_ROWS), `medium segments: ${sealedDuringIngest.map((s) => s.rows).join(' ')}`);
    await store.close();
    store = await open();
    g = store.catalog.groups.get('/app')!;
    await store.idle();
    assert.equal(g.segments.length, 2);
    assert.ok(g.segments.some((s) => s === merged || s.id === merged.id));
    for (const s of g.segments) await assertSettled(store, s);
    assert.deepEqual(await answers(store, g), hot2);

    // A crash after the merged file is written, before its commit: start-up removes the file.
    const [x, y] = [...g.segments].sort((p, q) => p.minSeq - q.minSeq) as [Segment, Segment];
    const conn = await store.db.connect();
    let uncommitted: Segment;
    try {
      uncommitted = await mergeSegments(store.db, conn, store.atRest, g, [x, y], await store.catalog.nextId(conn), true);
    } finally {
      conn.closeSync();
    }
    assert.ok(existsSync(join(dir, uncommitted.path)));
    await store.close();
    store = await open();
    g = store.catalog.groups.get('/app')!;
    await store.idle();
    assert.ok(!existsSync(join(dir, uncommitted.path)), 'an uncommitted merged file is removed at start-up');
    assert.deepEqual(g.segments.map((s) => s.id).sort(), [x.id, y.id].sort());
    assert.deepEqual(await answers(store, g), hot2);

    // A crash after the commit, before the inputs are unlinked: start-up removes the inputs.
    const conn2 = await store.db.connect();
    let both: Segment;
    try {
      both = await mergeSegments(store.db, conn2, store.atRest, g, g.segments, await store.catalog.nextId(conn2), true);
    } finally {
      conn2.closeSync();
    }
    await store.withWriteLock(() => store.catalog.replaceSegments(g, [...g.segments], both));
    await store.close();
    for (const s of [x, y]) assert.ok(existsSync(join(dir, s.path)), 'the inputs are still there, as after a crash');
    store = await open();
    g = store.catalog.groups.get('/app')!;
    await store.idle();
    for (const s of [x, y]) assert.ok(!existsSync(join(dir, s.path)), `${s.path}: an input of a committed merge is removed at start-up`);
    assert.equal(g.segments.length, 1);
    assert.equal(g.segments[0]!.rows, 110_000);
    await assertSettled(store, g.segments[0]!);
    assert.deepEqual(await answers(store, g), hot2);

    // Retention drops the merged segment only when its newest event expires; older ones are hidden meanwhile.
    const all = g.segments[0]!;
    await store.catalog.setRetention(g, 1);
    clock.set(all.minTs + 86_400_000 + 60_000);
    await store.sweepRetention();
    assert.deepEqual(g.segments, [all]);
    // Events 0..5,999 (the first minute) are past retention: hidden, though their segment stays.
    const q = 'stats count(*) as n';
    const r = await runInsightsQuery(store, { groups: [g], startMs: T0, endMs: T0 + 10_000_000, query: parseQuery(q), queryString: q, limit: 10, signal: new AbortController().signal });
    assert.equal(r.rows[0]?.find((f) => f.field === 'n')?.value, '104000');
    clock.set(all.maxTs + 86_400_000 + 1);
    await store.sweepRetention();
    assert.deepEqual(g.segments, []);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a merge of eighty small segments stays within DuckDB\'s memory limit (the fields are chosen from a sample of a few of them); an abandoned merge leaves nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-merge-small-'));
  const clock = new FakeClock(T0 + 3_600_000);
  const store = await openTestStore(dir, clock, { encryption: false });
  try {
    const g = await store.catalog.createGroup('/audit', T0, {}, null, 'STANDARD');
    await store.catalog.createStream(g, 'a', T0);
    // Segment files as sealing writes them (plaintext: the store runs without encryption), not in the catalog.
    const run: Segment[] = [];
    mkdirSync(join(dir, 'segments', String(g.id)), { recursive: true });
    for (let k = 0; k < 80; k++) {
      const path = join('segments', String(g.id), `small-${k}.parquet`);
      await store.db.run(
        `COPY (SELECT 1 AS stream_id, ${T0} + seq AS ts, ${T0} AS ingest_ts, seq, '{"level":"info","n":' || seq || ',"pad":"' || repeat('x', 300) || '"}' AS message, 0 AS json_off
               FROM (SELECT ${k * 125} + range AS seq FROM range(125)))
         TO ${quoteLiteral(join(dir, path))} (FORMAT parquet, COMPRESSION zstd)`,
      );
      run.push(seg(1000 + k, k * 125, 125, null, T0 + k * 125, T0 + k * 125 + 124));
      run[k]!.path = path;
      run[k]!.groupId = g.id;
    }
    const conn = await store.db.connect();
    let merged: Segment;
    try {
      // A merge given up (ingest resumed: settling.ts aborts it) leaves no file behind.
      const files = (): string[] => [...readdirSync(join(dir, 'segments', String(g.id))), ...readdirSync(store.atRest.scratchDir)].sort();
      const before = files();
      const abandon = new AbortController();
      const given = mergeSegments(store.db, conn, store.atRest, g, run, await store.catalog.nextId(conn), true, abandon.signal);
      setImmediate(() => abandon.abort());
      await assert.rejects(given, (e: Error) => e.name === 'AbortError' || /INTERRUPT/i.test(e.message));
      assert.deepEqual(files(), before);
      merged = await mergeSegments(store.db, conn, store.atRest, g, run, await store.catalog.nextId(conn), true);
    } finally {
      conn.closeSync();
    }
    assert.equal(merged.rows, 80 * 125);
    assert.deepEqual([merged.minSeq, merged.maxSeq], [0, 80 * 125 - 1]);
    assert.deepEqual(merged.fields, ['$."level"', '$."n"']);
    await store.catalog.replaceSegments(g, [], merged);
    await assertInSeqOrder(store, merged);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
