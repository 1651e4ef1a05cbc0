/** MetricDb.write: points (written as one JSON text) read back exactly, with the progress of the same transaction. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MetricDb, type PointRow } from './metric-db.js';

test('points read back exactly as written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-metric-db-'));
  const db = await MetricDb.open(dir, { memoryLimit: '64MB', tempDir: dir });
  try {
    const values = [0.1, 1 / 3, -2.5e-300, 1.7976931348623157e308, 2 ** 53 + 2, 123456789.000001, -0.30000000000000004];
    const points: PointRow[] = values.map((v, i) => ({ seriesId: 1, ts: 1_800_000_000 + i, unit: i % 2 ? 'Seconds' : 'None', n: i + 1, sum: v, min: v, max: v, sketch: i % 3 ? null : `{"${i}":1}` }));
    await db.write([{ id: 1, namespace: 'N', metricName: 'M', dimensions: '[]', lastTs: 1_800_000_100, keyGroup: null }], points, new Map([[1, 1_800_000_100]]), new Map([[7, 42]]));
    const got = await db.periods(1, 1_700_000_000, 1_900_000_000, 1, { sketches: true });
    assert.deepEqual(
      got.map((r) => ({ ts: r.bucket, unit: r.unit, n: r.n, sum: r.sum, min: r.min, max: r.max, sketch: r.complete ? r.sketches![0] : null })),
      points.map((p) => ({ ts: p.ts, unit: p.unit, n: p.n, sum: p.sum, min: p.min, max: p.max, sketch: p.sketch })),
    );
    assert.deepEqual([...(await db.loadFilterProgress())], [[7, 42]]);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
