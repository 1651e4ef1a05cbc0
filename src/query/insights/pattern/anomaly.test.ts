import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anomalyStage, ANOMALY_FIELDS } from './anomaly.js';
import { PATTERN_FIELDS, type Row } from './stage.js';
import { anomalyFixture } from '../testdata/anomaly-fixture.js';

const T0 = Date.UTC(2026, 10, 1, 0, 0, 0);
const MIN = 60_000;
const END = T0 + 60 * MIN - 1;

function run(events: Array<{ ts: number; message: string }>): Row[] {
  return anomalyStage({ values: events.map((e) => e.message), timestamps: events.map((e) => e.ts), startMs: T0, endMs: END });
}

const byPrefix = (rows: Row[], prefix: string): Row => {
  const r = rows.find((x) => String(x['@pattern']).startsWith(prefix));
  assert.ok(r, `no pattern starting with ${prefix}: ${rows.map((x) => x['@pattern']).join(' | ')}`);
  return r;
};

test('each kind of anomaly is found where the fixture put it, and nowhere else', () => {
  const rows = run(anomalyFixture(T0));
  const types = Object.fromEntries(rows.map((r) => [r['@pattern'], r['@anomalyType']]));
  assert.equal(byPrefix(rows, 'request served in')['@anomalyType'], 'NumericToken', JSON.stringify(types));
  assert.equal(byPrefix(rows, 'upstream answered')['@anomalyType'], 'HttpErrorCode', JSON.stringify(types));
  assert.equal(byPrefix(rows, 'cache state is')['@anomalyType'], 'TokenVariation', JSON.stringify(types));
  assert.equal(byPrefix(rows, 'heartbeat ok')['@anomalyType'], 'PatternFrequency', JSON.stringify(types));
  assert.equal(byPrefix(rows, 'ERROR disk full')['@anomalyType'], 'NewPattern', JSON.stringify(types));
  assert.equal(byPrefix(rows, 'login succeeded')['@anomalyType'], null, JSON.stringify(types));
});

test('priorities, descriptions, first and last seen, order, and every pattern field kept', () => {
  const events = anomalyFixture(T0);
  const rows = run(events);
  assert.deepEqual(Object.keys(rows[0]!), ANOMALY_FIELDS.map((f) => f.name));
  assert.deepEqual(ANOMALY_FIELDS.slice(0, PATTERN_FIELDS.length), PATTERN_FIELDS);
  assert.equal(byPrefix(rows, 'upstream answered')['@priority'], 'HIGH');
  assert.equal(byPrefix(rows, 'ERROR disk full')['@priority'], 'HIGH', 'an ERROR pattern');
  assert.equal(byPrefix(rows, 'request served in')['@priority'], 'MEDIUM');
  assert.equal(byPrefix(rows, 'heartbeat ok')['@priority'], 'MEDIUM');
  assert.equal(byPrefix(rows, 'cache state is')['@priority'], 'LOW');
  assert.equal(byPrefix(rows, 'login succeeded')['@priority'], null);
  // Anomalies first, by priority; the pattern without one last.
  assert.deepEqual(rows.map((r) => r['@priority']), ['HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'LOW', null]);
  assert.match(String(byPrefix(rows, 'heartbeat ok')['@description']), /^60 events in the window from 2026-11-01T00:40:00.000Z against a median of 3 per window/);
  assert.match(String(byPrefix(rows, 'cache state is')['@description']), /took new values "corrupted"/);
  assert.match(String(byPrefix(rows, 'request served in')['@description']), /moved from 26.5 to 251.5/);
  const disk = events.filter((e) => e.message.startsWith('ERROR disk'));
  assert.equal(byPrefix(rows, 'ERROR disk full')['@firstSeen'], Math.min(...disk.map((e) => e.ts)));
  assert.equal(byPrefix(rows, 'ERROR disk full')['@lastSeen'], Math.max(...disk.map((e) => e.ts)));
  assert.equal(byPrefix(rows, 'heartbeat ok')['@sampleCount'], 59 * 3 + 60);
});

test('numbers between 100 and 599 that are not error codes are checked as numbers', () => {
  const events: Array<{ ts: number; message: string }> = [];
  for (let m = 0; m < 60; m++) for (let k = 0; k < 3; k++) events.push({ ts: T0 + m * MIN + k, message: `query took ${(m >= 30 ? 480 : 120) + k} ms` });
  const rows = run(events);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!['@anomalyType'], 'HttpErrorCode', 'values 480-482 are 4xx codes as far as anyone can tell');
  const low = events.map((e) => ({ ts: e.ts, message: e.message.replace(/took (\d+)/, (_, n: string) => `took ${Number(n) < 300 ? n : Number(n) - 150}`) }));
  assert.equal(run(low)[0]!['@anomalyType'], 'NumericToken', 'values 330-332 against 120-122: no error code, a numeric change');
});

test('deterministic: the same events give the same rows, whatever their order', () => {
  const events = anomalyFixture(T0);
  const a = run(events);
  const b = run([...events].reverse());
  assert.deepEqual(
    a.map((r) => [r['@PatternId'], r['@anomalyType'], r['@priority']]),
    b.map((r) => [r['@PatternId'], r['@anomalyType'], r['@priority']]),
  );
});

test('a steady log has no anomaly; without timestamps nothing is placed in time', () => {
  const steady: Array<{ ts: number; message: string }> = [];
  for (let m = 0; m < 60; m++) for (let k = 0; k < 5; k++) steady.push({ ts: T0 + m * MIN + k, message: `request served in ${20 + k} ms status ${k === 0 ? 404 : 200}` });
  for (const r of run(steady)) assert.equal(r['@anomalyType'], null, String(r['@description']));
  const rows = anomalyStage({ values: ['a b c', 'a b d'] });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!['@anomalyType'], null);
  assert.equal(rows[0]!['@firstSeen'], null);
});
