/**
 * Fields of line formats in Logs Insights (compile/line-fields.ts): for every line of every format's
 * golden fixtures, in a log group tagged with that format, the fields a query reads from @message in
 * DuckDB are exactly the fields the format's JavaScript parser gives (src/formats). The same holds
 * for lines mutated at random (quotes, backslashes, tabs, non-ASCII), so that the two regular
 * expression engines (V8 and RE2) are seen to read the shared pattern alike. Also: groups of
 * different formats in one query, and a group without a format next to one with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FakeClock } from '../../clock.js';
import type { LogGroup } from '../../store/catalog.js';
import type { LogStore } from '../../store/store.js';
import { appendEvents, openTestStore } from '../../store/testing.js';
import { FORMATS, FORMAT_TAG, type Fields, type FormatName } from '../../formats/index.js';
import { parseLine, parseLines } from '../../formats/line-regex.js';
import { FALLBACK_MS, formatFixtures } from '../../formats/testing.js';
import { parseQuery } from './parse.js';
import { getLogRecord, runInsightsQuery } from './engine.js';

const NOW = Date.UTC(2030, 0, 1);
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

async function query(store: LogStore, groups: LogGroup[], q: string): Promise<Array<Record<string, string>>> {
  const out = await runInsightsQuery(store, { groups, startMs: 0, endMs: NOW, query: parseQuery(q), queryString: q, limit: 10_000, signal: new AbortController().signal });
  return out.rows.map((r) => Object.fromEntries(r.filter((f) => f.field !== '@ptr').map((f) => [f.field, f.value])));
}

/** The header line of a fixture that names its fields (VPC flow logs from S3, CloudFront's #Fields). */
function fieldListOf(format: FormatName, text: string): string | undefined {
  const first = text.split('\n').find((l) => l.startsWith('#Fields:') || (format === 'vpc-flow' && /^[a-z]/.test(l)));
  return first?.replace(/^#Fields:\s*/, '');
}

async function withStore(fn: (store: LogStore, group: (name: string, tag?: string) => Promise<LogGroup>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'logward-line-fields-'));
  const store = await openTestStore(dir, new FakeClock(NOW));
  try {
    await fn(store, async (name, tag) => {
      const g = await store.catalog.createGroup(name, 0, tag ? { [FORMAT_TAG]: tag } : {}, null, 'STANDARD');
      await store.catalog.createStream(g, 's', 0);
      return g;
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stores `lines` in a group of `format` and checks every event's fields in Insights against `expected`. */
async function checkAgreement(store: LogStore, g: LogGroup, fieldNames: readonly string[], lines: Array<{ line: string; fields: Fields }>): Promise<void> {
  await appendEvents(store, g, 's', lines.map((l, i) => ({ timestamp: Date.UTC(2020, 0, 1) + i, message: l.line })), NOW);
  const q = `fields @message, ${fieldNames.map((n) => `\`${n}\``).join(', ')}`;
  const rows = await query(store, [g], q);
  assert.equal(rows.length, lines.length);
  const want = new Map(lines.map((l) => [l.line, l.fields]));
  for (const row of rows) {
    const { '@message': message, ...fields } = row;
    assert.ok(want.has(message!), `unexpected message ${message}`);
    assert.deepEqual(fields, want.get(message!), `fields of ${JSON.stringify(message)}`);
  }
}

const lineFormats = (): Array<{ fx: ReturnType<typeof formatFixtures>[number]; names: readonly string[]; tag: string; fieldList?: string }> =>
  formatFixtures().flatMap((fx) => {
    const f = FORMATS[fx.format];
    if (f.kind !== 'lines' || !f.extraction) return [];
    const fieldList = fieldListOf(fx.format, fx.text);
    const ex = f.extraction(fieldList);
    return ex ? [{ fx, names: ex.fields, tag: fieldList ? `${fx.format} ${fieldList}` : fx.format, fieldList }] : [];
  });

test('Insights reads the same fields as the JavaScript parser on every fixture line', async () => {
  await withStore(async (store, group) => {
    const cases = lineFormats();
    assert.ok(cases.length >= 12, 'line formats with fixtures');
    for (const [i, c] of cases.entries()) {
      const f = FORMATS[c.fx.format];
      assert.equal(f.kind, 'lines');
      if (f.kind !== 'lines') continue;
      const parsed = parseLines(f.lineParser({ fallbackMs: FALLBACK_MS, fieldList: c.fieldList }), c.fx.text, FALLBACK_MS).events();
      const g = await group(`/fixture/${i}`, c.tag);
      await checkAgreement(store, g, c.names, parsed.map((e) => ({ line: e.message, fields: e.fields })));
    }
  });
});

test('JavaScript and RE2 read the shared patterns alike on mutated lines (property)', async () => {
  const cases = lineFormats();
  const mutation = fc.record({
    at: fc.nat(),
    cut: fc.nat({ max: 6 }),
    insert: fc.string({ unit: fc.constantFrom('"', '\\', ' ', '\t', '-', ':', '[', ']', 'a', '7', 'é', '漢', '😀', 'Z', '.', '/'), maxLength: 6 }),
  });
  const sample = fc.sample(fc.array(mutation, { minLength: 1, maxLength: 3 }), { numRuns: 40 * cases.length, seed: 20261127 });
  await withStore(async (store, group) => {
    for (const [i, c] of cases.entries()) {
      const f = FORMATS[c.fx.format];
      if (f.kind !== 'lines') continue;
      const base = c.fx.text.split('\n').filter((l) => l !== '' && !l.startsWith('#') && !(c.fx.format === 'vpc-flow' && /^[a-z]/.test(l)));
      const lines = new Map<string, Fields>();
      sample.slice(i * 40, (i + 1) * 40).forEach((muts, k) => {
        let line = base[k % base.length]!;
        for (const m of muts) {
          const at = m.at % (line.length + 1);
          line = line.slice(0, at) + m.insert + line.slice(at + m.cut);
        }
        // (A cut may split a surrogate pair: such a string is not text a log could hold.)
        if (line === '' || line.startsWith('#') || (c.fx.format === 'vpc-flow' && /^[a-z]/.test(line)) || LONE_SURROGATE.test(line)) return;
        const e = parseLine(f.lineParser({ fallbackMs: FALLBACK_MS, fieldList: c.fieldList }), line, FALLBACK_MS);
        // VPC flow logs and CloudFront split rather than match: a line is theirs when the count of
        // fields is right, which the pattern states too; only their own fields are compared.
        if (e) lines.set(line, e.fields);
      });
      assert.ok([...lines.values()].some((f) => Object.keys(f).length > 0), `some mutated ${c.fx.format} lines still parse`);
      const g = await group(`/mutated/${i}`, c.tag);
      await checkAgreement(store, g, c.names, [...lines].map(([line, fields]) => ({ line, fields })));
    }
  });
});

test('groups of different formats in one query, and a group without a format', async () => {
  await withStore(async (store, group) => {
    const vpc = await group('/vpc', 'vpc-flow');
    const r53 = await group('/r53', 'route53-dns');
    const plain = await group('/json');
    const t = Date.UTC(2020, 0, 1);
    await appendEvents(store, vpc, 's', [{ timestamp: t, message: '2 123456789010 eni-1 10.0.0.1 10.0.0.2 443 5000 6 1 60 1418530010 1418530070 ACCEPT OK' }], NOW);
    await appendEvents(store, r53, 's', [{ timestamp: t + 1, message: '1.0 2017-12-13T08:16:02.130Z Z1 example.com A NOERROR UDP FRA6 192.168.1.1 -' }], NOW);
    await appendEvents(store, plain, 's', [{ timestamp: t + 2, message: '{"protocol":"h2","srcAddr":"json-value"}' }], NOW);
    const rows = await query(store, [vpc, r53, plain], 'fields srcAddr, protocol, queryName | sort @timestamp asc');
    assert.deepEqual(rows, [
      { srcAddr: '10.0.0.1', protocol: '6' },
      { protocol: 'UDP', queryName: 'example.com' },
      { srcAddr: 'json-value', protocol: 'h2' },
    ]);
    // A filter on a line field keeps what it should (no JSON text requirement prunes the events).
    assert.deepEqual(await query(store, [vpc, r53, plain], 'filter protocol = 6 | fields srcAddr'), [{ srcAddr: '10.0.0.1' }]);
    assert.deepEqual(await query(store, [vpc], 'stats sum(bytes) as b by action'), [{ action: 'ACCEPT', b: '60' }]);
    // GetLogRecord gives the format's fields too.
    const out = await runInsightsQuery(store, { groups: [vpc], startMs: 0, endMs: NOW, query: parseQuery('fields @message'), limit: 1, signal: new AbortController().signal });
    const ptr = out.rows[0]!.find((f) => f.field === '@ptr')!.value;
    const record = await getLogRecord(store, ptr);
    assert.equal(record?.srcAddr, '10.0.0.1');
    assert.equal(record?.logStatus, 'OK');
  });
});
