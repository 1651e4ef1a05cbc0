/**
 * Golden tests of the format parsers: every input under test/golden/formats/<format>/ (and the real
 * CloudTrail files of test/fixtures/cloudtrail-stratus-red-team/) parsed with its format, against
 * <input>.golden: one JSON line per event (time, fields, parse error), then the counts. Each input
 * must also be recognised as its format by content sniffing, unless its name starts with `not-` or
 * `broken`. `UPDATE_GOLDEN=1` rewrites the .golden files from what the parsers do now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FORMATS, FORMAT_NAMES, parseText, sniffFormat } from './index.js';
import { FALLBACK_MS, GOLDEN_DIR, formatFixtures } from './testing.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

test('every format has golden fixtures', () => {
  const have = new Set(formatFixtures().map((f) => f.format));
  assert.deepEqual(FORMAT_NAMES.filter((n) => !have.has(n)), []);
});

for (const fx of formatFixtures()) {
  test(`golden ${fx.format}/${fx.name}`, () => {
    const format = FORMATS[fx.format];
    const r = parseText(format, fx.text, { fallbackMs: FALLBACK_MS });
    const events = r.events();
    const lines = events.map((e) => {
      if (format.kind === 'document' && e.parseError === undefined) assert.deepEqual(JSON.parse(e.message), e.fields, 'a record event is the record as JSON');
      const o: Record<string, unknown> = { time: new Date(e.timestamp).toISOString(), fields: e.fields };
      if (e.parseError !== undefined) Object.assign(o, { parseError: e.parseError, message: e.message });
      return JSON.stringify(o);
    });
    lines.push(JSON.stringify({ events: r.count, errors: r.errors, skipped: r.skipped }));
    assert.equal(r.errors, events.filter((e) => e.parseError !== undefined).length, 'errors counts the raw events');
    const golden = join(GOLDEN_DIR, fx.format, `${fx.name}.golden`);
    const got = `${lines.join('\n')}\n`;
    if (UPDATE || !existsSync(golden)) {
      assert.ok(UPDATE, `no golden file ${golden}: run with UPDATE_GOLDEN=1`);
      writeFileSync(golden, got);
    } else assert.equal(got, readFileSync(golden, 'utf8'));
    if (!/^(not-|broken)/.test(fx.name)) assert.equal(sniffFormat(fx.text), fx.format, 'recognised by its content');
  });
}

test('no line is dropped: every non-empty, non-header line is an event', () => {
  for (const fx of formatFixtures()) {
    const format = FORMATS[fx.format];
    if (format.kind !== 'lines') continue;
    const r = parseText(format, fx.text, { fallbackMs: FALLBACK_MS });
    const nonEmpty = fx.text.split('\n').filter((l) => l !== '').length;
    assert.equal(r.count + r.skipped, nonEmpty, `${fx.format}/${fx.name}`);
  }
});
