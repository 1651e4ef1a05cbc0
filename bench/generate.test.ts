import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventGenerator, logEventsJson, Rng, spreadPositions, type GeneratorSpec } from './generate.js';

const spec: GeneratorSpec = {
  seed: 20240601,
  startMs: Date.UTC(2024, 5, 1),
  stepMs: 2.5,
  markers: { term: 'zqxjkvbw', positions: [5, 1999, 123456] },
};

test('the same spec and batch give the same events, byte for byte', () => {
  const a = new EventGenerator(spec).batch(1000, 1000);
  const b = new EventGenerator(spec).batch(1000, 1000);
  assert.deepEqual(a, b);
  assert.equal(logEventsJson(a), logEventsJson(b));
});

test('a batch does not depend on which batches were generated before it', () => {
  const g = new EventGenerator(spec);
  g.batch(0, 1000);
  assert.deepEqual(g.batch(5000, 1000), new EventGenerator(spec).batch(5000, 1000));
});

test('another seed gives other data', () => {
  const a = new EventGenerator(spec).batch(0, 100).messages;
  const b = new EventGenerator({ ...spec, seed: spec.seed + 1 }).batch(0, 100).messages;
  assert.ok(a.filter((m, i) => m === b[i]).length < 5);
});

test('events average about 200 bytes, one line each, in all three kinds', () => {
  const g = new EventGenerator(spec);
  let bytes = 0;
  let n = 0;
  const kinds = { nginx: 0, app: 0, trail: 0 };
  for (let b = 0; b < 50; b++) {
    for (const m of g.batch(b * 1000, 1000).messages) {
      bytes += Buffer.byteLength(m);
      n++;
      assert.ok(!m.includes('\n') && !m.includes('\r'), m);
      if (m.startsWith('{"ts"')) {
        kinds.app++;
        JSON.parse(m);
      } else if (m.startsWith('{"eventTime"')) {
        kinds.trail++;
        JSON.parse(m);
      } else {
        kinds.nginx++;
        assert.match(m, /^\d+\.\d+\.\d+\.\d+ - \S+ \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "[A-Z]+ \S+ HTTP\/1\.1" \d{3} \d+ "[^"]*" "[^"]+" \d+\.\d{3}$/);
      }
    }
  }
  const avg = bytes / n;
  assert.ok(avg > 180 && avg < 225, `average ${avg}`);
  assert.ok(kinds.nginx > n * 0.4 && kinds.app > n * 0.35 && kinds.trail > n * 0.03, JSON.stringify(kinds));
});

test('timestamps ascend with the step; message times agree with them', () => {
  const batch = new EventGenerator(spec).batch(400, 1000);
  assert.equal(batch.timestamps[0], spec.startMs + 400 * spec.stepMs);
  for (let i = 1; i < batch.timestamps.length; i++) assert.ok((batch.timestamps[i] as number) >= (batch.timestamps[i - 1] as number));
  const app = batch.messages.find((m) => m.startsWith('{"ts"'));
  assert.ok(app !== undefined);
  const i = batch.messages.indexOf(app);
  assert.equal(Date.parse((JSON.parse(app) as { ts: string }).ts), batch.timestamps[i]);
});

test('markers appear exactly at their positions, as a whole word', () => {
  const g = new EventGenerator(spec);
  const found: number[] = [];
  for (const first of [0, 1000, 123000]) {
    const batch = g.batch(first, 1000);
    batch.messages.forEach((m, i) => {
      if (m.includes('zqxjkvbw')) found.push(first + i);
    });
    for (const i of batch.marked) assert.match(batch.messages[i] as string, /[^A-Za-z0-9]zqxjkvbw[^A-Za-z0-9]/);
  }
  assert.deepEqual(found, [5, 1999, 123456]);
});

test('markers at a rate', () => {
  const g = new EventGenerator({ ...spec, markers: { term: 'qqmarker', every: 250, offset: 3 } });
  const batch = g.batch(0, 1000);
  assert.deepEqual(batch.marked, [3, 253, 503, 753]);
});

test('spread positions are distinct, in range and ascending, for large and small totals', () => {
  for (const total of [10_000_000, 1_000_000, 100_000, 1000]) {
    const p = spreadPositions(total, 10);
    assert.equal(new Set(p).size, 10);
    for (let i = 0; i < p.length; i++) {
      assert.ok((p[i] as number) >= 0 && (p[i] as number) < total, `${total}: ${p}`);
      if (i > 0) assert.ok((p[i] as number) > (p[i - 1] as number));
    }
  }
});

test('the rng is uniform enough for picking', () => {
  const r = new Rng(1);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 40000; i++) counts[r.int(4)]!++;
  for (const c of counts) assert.ok(c > 9500 && c < 10500, String(counts));
});
