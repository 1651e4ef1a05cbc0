/**
 * Shredded JSON fields (shred.ts): a shredded column holds exactly what extraction from the message
 * gives, for every event of every segment (seal and compaction), and Logs Insights answers the same
 * rows from hot events, from segments with shredded columns, and from segments whose layouts differ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock.js';
import type { LogStore } from './store.js';
import { appendEvents, openTestStore } from './testing.js';
import { quoteLiteral } from './db.js';
import { jsonDocSql } from './shred.js';
import { mergeSegments } from './compactor.js';
import type { LogGroup, Segment } from './catalog.js';
import { parseQuery } from '../query/insights/parse.js';
import { runInsightsQuery } from '../query/insights/engine.js';

const T0 = Date.UTC(2026, 10, 1);
const LEVELS = ['info', 'warn', 'error', 'debug'];

/** Mostly JSON application logs with awkward values, some text, some text-prefixed JSON, some broken JSON. */
function message(i: number, keys: 'a' | 'b'): string {
  if (i % 17 === 0) return `plain text line ${i} level=info`;
  if (i % 23 === 0) return `{"level": "broken ${i}"`;
  if (i % 19 === 0) return `2026-11-01T00:00:00Z req-${i} INFO ${JSON.stringify({ level: 'info', dur: i })}`;
  const msg = ['request served', 'quote " and \\ backslash', 'unicode \u00e9\u4e2d \ud83d\ude00', 'tab\tand\nnewline', ''][i % 5]!;
  if (keys === 'b') return JSON.stringify({ svc: `svc-${i % 3}`, code: i % 7 });
  const dur: unknown = [i, i / 8, -i, 1e21 + i, '12', null][i % 6];
  const doc: Record<string, unknown> = { level: LEVELS[i % 4], msg, dur, rid: `r-${i}-${(i * 7919) % 10007}`, flag: i % 3 === 0, nested: { a: i % 2 } };
  if (i % 11 === 0) doc['weird.key'] = 'dotted';
  if (i % 13 === 0) delete doc.level;
  const text = JSON.stringify(doc);
  // A duplicate key: extraction's choice (whichever it is) must be what the column holds too.
  return i % 29 === 0 ? text.replace('{', '{"level":"shadowed",') : text;
}

interface Env {
  dir: string;
  clock: FakeClock;
  store: LogStore;
}

const open = (dir: string, clock: FakeClock): Promise<LogStore> => openTestStore(dir, clock);

/** Closes (sealing everything) and opens again, then waits for the background shredding. */
async function reopen(env: Env, name = '/app'): Promise<LogGroup> {
  await env.store.close();
  env.store = await open(env.dir, env.clock);
  await env.store.idle();
  return env.store.catalog.groups.get(name)!;
}

async function append(env: Env, g: LogGroup, from: number, to: number, keys: 'a' | 'b'): Promise<void> {
  const events = [];
  for (let i = from; i < to; i++) events.push({ timestamp: T0 + i * 1000, message: message(i, keys) });
  await appendEvents(env.store, g, 's', events, T0 + to * 1000);
}

async function createGroup(store: LogStore, name: string): Promise<LogGroup> {
  const g = await store.catalog.createGroup(name, T0, {}, null, 'STANDARD');
  await store.catalog.createStream(g, 's', T0);
  return g;
}

async function query(store: LogStore, g: LogGroup, q: string): Promise<string> {
  const out = await runInsightsQuery(store, {
    groups: [g],
    startMs: T0,
    endMs: T0 + 10_000_000,
    query: parseQuery(q),
    queryString: q,
    limit: 10_000,
    signal: new AbortController().signal,
  });
  return JSON.stringify(out.rows.map((r) => r.filter((f) => f.field !== '@ptr')));
}

/** Every shredded column of the segment equals extraction from its messages, row by row. */
async function assertColumnsExact(store: LogStore, seg: Segment): Promise<void> {
  const lease = await store.leaseSegments([seg]);
  try {
    const file = quoteLiteral(lease.path(seg.path));
    assert.notEqual(seg.fields, null, `${seg.path} is shredded`);
    for (const [k, path] of (seg.fields ?? []).entries()) {
      const rows = await store.db.all(
        `SELECT count(*) AS bad, count(j${k}) AS present FROM read_parquet(${file})
         WHERE j${k} IS DISTINCT FROM json_extract_string(${jsonDocSql('message', 'json_off')}, ${quoteLiteral(path)})`,
      );
      assert.equal(Number(rows[0]!.bad), 0, `${seg.path} ${path}: shredded column differs from extraction`);
    }
  } finally {
    lease.release();
  }
}

const QUERIES = [
  'stats count(*) by level',
  'filter ispresent(dur) | stats count(*), sum(dur), min(dur), max(dur) by level',
  'filter dur > 100 | stats avg(dur), pct(dur, 90) by flag',
  'fields level, msg, rid, flag, dur, nested.a | sort @timestamp desc | limit 40',
  'filter level = "error" and msg like /quote/ | stats count(*) by svc, code',
  'parse msg "* *" as first, rest | stats count(*) by first, level',
  'fields `weird.key`, svc, code | filter ispresent(svc) or ispresent(`weird.key`) | sort @timestamp asc | limit 30',
];

test('shredded JSON fields: exact columns, same Insights rows hot, sealed, mixed layouts and merged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logward-shred-'));
  const clock = new FakeClock(T0 + 20_000_000);
  const env: Env = { dir, clock, store: await open(dir, clock) };
  try {
    let g = await createGroup(env.store, '/app');
    await append(env, g, 0, 1500, 'a');
    const hot = await Promise.all(QUERIES.map((q) => query(env.store, g, q)));
    // Another group sealed with it: its file has as many columns as /app's needs, most of them empty.
    const other = await createGroup(env.store, '/other');
    await append(env, other, 0, 300, 'b');

    g = await reopen(env);
    assert.equal(g.segments.length, 1);
    const first = g.segments[0]!;
    const firstFields = first.fields ?? [];
    for (const p of ['$."level"', '$."dur"', '$."flag"', '$."msg"']) assert.ok(firstFields.includes(p), `${p} shredded: ${firstFields.join(' ')}`);
    for (const p of ['$."rid"', '$."weird.key"']) assert.ok(!firstFields.includes(p), `${p} not shredded`);
    await assertColumnsExact(env.store, first);
    for (const [i, q] of QUERIES.entries()) assert.equal(await query(env.store, g, q), hot[i], `sealed: ${q}`);

    // A second seal with other keys: two layouts (and a different number of columns) in one query.
    await append(env, g, 1500, 2100, 'b');
    const hot2 = await Promise.all(QUERIES.map((q) => query(env.store, g, q)));
    g = await reopen(env);
    assert.equal(g.segments.length, 2);
    assert.notDeepEqual(g.segments[0]!.fields, g.segments[1]!.fields);
    await assertColumnsExact(env.store, g.segments[1]!);
    for (const [i, q] of QUERIES.entries()) assert.equal(await query(env.store, g, q), hot2[i], `two layouts: ${q}`);

    // Compaction chooses the merged segment's fields afresh; the answers do not change.
    // /other sealed alone: the same fields as its first segment, in a file with fewer columns.
    await append(env, env.store.catalog.groups.get('/other')!, 300, 600, 'b');
    const otherHot = await Promise.all(QUERIES.map((q) => query(env.store, env.store.catalog.groups.get('/other')!, q)));
    const otherSealed = await reopen(env, '/other');
    g = env.store.catalog.groups.get('/app')!;
    assert.equal(otherSealed.segments.length, 2);
    for (const x of otherSealed.segments) assert.ok(x.fields?.includes('$."code"') && x.fields.includes('$."svc"'), String(x.fields));
    for (const [i, q] of QUERIES.entries()) assert.equal(await query(env.store, otherSealed, q), otherHot[i], `/other: ${q}`);

    const conn = await env.store.db.connect();
    let merged: Segment;
    try {
      merged = await mergeSegments(env.store.db, conn, env.store.atRest, g, g.segments, await env.store.catalog.nextId(), true);
    } finally {
      conn.closeSync();
    }
    assert.ok(merged.fields?.includes('$."level"') && merged.fields.includes('$."svc"'), String(merged.fields));
    await assertColumnsExact(env.store, merged);
    await env.store.catalog.replaceSegments(g, [...g.segments], merged);
    for (const [i, q] of QUERIES.entries()) assert.equal(await query(env.store, g, q), hot2[i], `merged: ${q}`);
  } finally {
    await env.store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
