/**
 * Golden tests of Logs Insights, one case per file in test/golden/insights/: the query, the SQL it
 * compiles to (so that a change in the SQL is reviewed), and either the rows it returns over the
 * fixture (testdata/fixture.ts) or the error with its span. Every query runs twice: with all events
 * in the hot tier, and after they were sealed into segments; both must give the golden rows.
 *
 * File format (sections in this order; `# ...` lines before the first section are comments):
 *   -- query --        the query string (group selection: a `-- groups --` section, default /app/api)
 *   -- groups --       optional: group names, one per line
 *   -- sql --          the compiled SQL over the placeholder relation `events` (nested queries first)
 *   -- rows --         one JSON object per row (fields in order, @ptr left out)
 *   -- error --        instead of rows: `<start>-<end> <message>`
 *
 * `UPDATE_GOLDEN=1 npm test` rewrites the sql, rows and error sections from what the code does now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { QueryError } from './ast.js';
import { COMMAND_NAMES, parseQuery } from './parse.js';
import { DOCUMENTED_FUNCTIONS } from './functions/index.js';
import { compileQuery, materializeSql } from './compile/index.js';
import type { CompileState } from './compile/state.js';
import { extractedRelation } from '../../store/shred.js';
import { decodeLayout } from '../../store/segment-layout.js';
import { testColumns } from '../../store/message-tests.js';
import { fieldIndexLookup, lookupResolver, nestedQueries, runInsightsQuery, type ResultField } from './engine.js';
import { FIXTURE_END, T0, openFixtureStore, type FixtureStore } from './testdata/fixture.js';

const DIR = fileURLToPath(new URL('../../../../test/golden/insights/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

interface Golden {
  file: string;
  comments: string[];
  query: string;
  groups: string[] | null;
  sql: string | null;
  rows: string[] | null;
  error: string | null;
}

function readGolden(file: string): Golden {
  const text = readFileSync(join(DIR, file), 'utf8');
  const g: Golden = { file, comments: [], query: '', groups: null, sql: null, rows: null, error: null };
  let section: string | null = null;
  const lines: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    const m = /^-- (query|groups|sql|rows|error) --$/.exec(line);
    if (m) {
      section = m[1]!;
      lines[section] = [];
    } else if (section === null) g.comments.push(line);
    else lines[section]!.push(line);
  }
  const body = (k: string): string | null => (lines[k] ? lines[k].join('\n').trim() : null);
  g.query = body('query') ?? '';
  g.groups = lines.groups ? body('groups')!.split('\n').filter(Boolean) : null;
  g.sql = body('sql');
  g.rows = lines.rows ? body('rows')!.split('\n').filter(Boolean) : null;
  g.error = body('error');
  return g;
}

function writeGolden(g: Golden): void {
  const parts = [...g.comments.filter((l, i, a) => l !== '' || i < a.length - 1)];
  parts.push('-- query --', g.query);
  if (g.groups) parts.push('-- groups --', ...g.groups);
  if (g.sql !== null) parts.push('-- sql --', g.sql);
  if (g.error !== null) parts.push('-- error --', g.error);
  else parts.push('-- rows --', ...(g.rows ?? []));
  writeFileSync(join(DIR, g.file), `${parts.join('\n')}\n`);
}

const rowText = (r: ResultField[]): string => JSON.stringify(Object.fromEntries(r.filter((f) => f.field !== '@ptr').map((f) => [f.field, f.value])));

async function run(fx: FixtureStore, g: Golden): Promise<string[]> {
  const groups = (g.groups ?? ['/app/api']).map((n) => fx.groups.get(n)!);
  const query = parseQuery(g.query);
  // A nested query's `SOURCE 'name'` (join, subquery): the fixture's group of that name.
  const nested = new Map(nestedQueries(query).flatMap((n) => (n.source ? [[n.key, { groups: n.source.names.map((name) => fx.groups.get(name)!) }] as const] : [])));
  const out = await runInsightsQuery(fx.store, {
    groups,
    startMs: T0,
    endMs: FIXTURE_END,
    nested,
    query,
    queryString: g.query,
    limit: 10_000,
    signal: new AbortController().signal,
  });
  return out.rows.map(rowText);
}

/** The fixture relation with the query's message tests (store/message-tests.ts), when it has any. */
function withTests(relation: string, st: CompileState): string {
  return st.messageTests.length === 0 ? relation : `SELECT *${testColumns(st.messageTests, '__msg', (v) => st.param(v))} FROM (${relation})`;
}

function compiledSql(g: Golden, fx: FixtureStore): string {
  const fieldIndexes = fieldIndexLookup(fx.store, (g.groups ?? ['/app/api']).map((n) => fx.groups.get(n)!));
  const c = compileQuery(parseQuery(g.query), g.query, { namesTable: 'q_names', relation: (st) => withTests(extractedRelation('events', st.jsonFields(), (v) => st.param(v)), st) }, { nowMs: FIXTURE_END, startMs: T0, endMs: FIXTURE_END, limit: 10_000, lookupTables: lookupResolver(fx.store), fieldIndexes });
  // Nested queries (join, subquery) run first, each into its table.
  return [...c.nested.map((n) => `${materializeSql(n.nq.table, n.compiled)};`), c.sql].join('\n');
}

test('Logs Insights golden cases', async (t) => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.golden')).sort();
  assert.ok(files.length > 0, `no golden cases in ${DIR}`);
  const goldens = files.map(readGolden);
  const fx = await openFixtureStore();
  try {
    const hot = new Map<string, string[] | Error>();
    for (const g of goldens) {
      try {
        hot.set(g.file, await run(fx, g));
      } catch (e) {
        hot.set(g.file, e as Error);
      }
    }
    await fx.reopenSealed();
    const segments = [...fx.groups.values()].flatMap((grp) => grp.segments);
    assert.ok(segments.length > 0 && segments.every((x) => decodeLayout(x.layout) !== null), 'every sealed segment has its layout in the catalog');
    const sealed = new Map<string, string[] | null>();
    for (const g of goldens) {
      await t.test(g.file, async () => {
        let error: string | null = null;
        let sql: string | null = null;
        let rows: string[] | null = null;
        try {
          sql = compiledSql(g, fx);
          rows = await run(fx, g);
        } catch (e) {
          if (!(e instanceof QueryError)) throw e;
          error = `${e.span.start}-${e.span.end} ${e.message}`;
        }
        const hotRows = hot.get(g.file);
        if (rows !== null) {
          assert.ok(Array.isArray(hotRows), `hot tier run failed: ${String(hotRows)}`);
          assert.deepEqual(hotRows, rows, 'the hot tier and the sealed segments give different rows');
        }
        if (UPDATE) {
          writeGolden({ ...g, sql, rows, error });
          return;
        }
        assert.equal(error, g.error, 'error');
        if (g.error === null) {
          assert.equal(sql, g.sql, 'compiled SQL');
          assert.deepEqual(rows, g.rows, 'rows');
        }
        sealed.set(g.file, rows);
      });
    }
    // Segments sealed before layouts were recorded: each query parses the footers it needs instead.
    for (const x of segments) x.layout = null;
    for (const g of goldens) {
      if (g.error !== null || UPDATE) continue;
      await t.test(`${g.file} (segments without a recorded layout)`, async () => {
        assert.deepEqual(await run(fx, g), sealed.get(g.file));
      });
    }
  } finally {
    await fx.close();
  }
});

test('the golden cases use every command and every function', () => {
  const queries = readdirSync(DIR)
    .filter((f) => f.endsWith('.golden'))
    .map((f) => readGolden(f))
    .filter((g) => g.error === null)
    .map((g) => g.query);
  const used = (re: RegExp): boolean => queries.some((q) => re.test(q));
  const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const commands = COMMAND_NAMES.filter((c) => !used(new RegExp(`(^|\\|)\\s*${escape(c)}\\b`, 'im')));
  assert.deepEqual(commands, [], 'commands no golden case runs');
  const functions = DOCUMENTED_FUNCTIONS.filter((f) => !used(new RegExp(`\\b${escape(f)}\\s*\\(`, 'i')));
  assert.deepEqual(functions, [], 'functions no golden case runs');
});
