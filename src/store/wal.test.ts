/**
 * The write-ahead log's contract (wal.ts) with its pipelined writes and syncs: records are durable, and
 * their callbacks run, in append order; a file is reported closed only after all its records; a failed
 * sync rejects its records and those written behind it, and leaves the file holding exactly the records
 * that were acknowledged.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listWalFiles, readWalFile, Wal, type WalRecordHeader } from './wal.js';

const header = (q: number): WalRecordHeader => ({ g: 1, s: 1, i: 0, q, lo: 0, hi: 1, u: 1 });
const body = (q: number): Buffer => Buffer.from(JSON.stringify({ logEvents: [{ timestamp: q, message: `m${q}`.padEnd(2000, 'x') }] }));

test('records are durable in append order across groups and files; a file closes after its records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  try {
    const wal = await Wal.open(dir, 1, () => 0);
    const durableOrder: number[] = [];
    const resolvedOrder: number[] = [];
    const fileOf = new Map<number, number>();
    const closed: { file: number; after: number }[] = [];
    wal.onFileClosed = (file) => closed.push({ file, after: durableOrder.length });
    const all: Promise<void>[] = [];
    let q = 0;
    // Bursts of concurrent appends, some awaited in between, files rotated by size (about 20 records each).
    for (let burst = 0; burst < 30; burst++) {
      for (let k = 0; k < 1 + (burst % 7); k++) {
        const n = q++;
        const { file, durable } = wal.append(Wal.encodeParts(header(n), body(n)), 40_000, () => durableOrder.push(n));
        fileOf.set(n, file);
        all.push(durable.then(() => void resolvedOrder.push(n)));
      }
      if (burst % 3 === 0) await all[all.length - 1];
    }
    await Promise.all(all);
    wal.rotate();
    await wal.close();
    const expected = Array.from({ length: q }, (_, i) => i);
    assert.deepEqual(durableOrder, expected);
    assert.deepEqual(resolvedOrder, expected);
    const files = await listWalFiles(dir);
    assert.ok(files.length > 3, `${files.length} files`);
    const read: number[] = [];
    for (const f of files) for (const r of await readWalFile(wal.path(f))) read.push(r.q);
    assert.deepEqual(read, expected);
    // Each file's closing came after the last of its records was durable.
    assert.deepEqual(closed.map((c) => c.file), files);
    for (const c of closed) {
      const last = Math.max(...[...fileOf].filter(([, f]) => f === c.file).map(([n]) => n));
      assert.ok(c.after > last, `file ${c.file} closed after ${c.after} durable records, its last is ${last}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a failed sync rejects its records and those written behind it; the file keeps what was acknowledged', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wal-'));
  const probe = await fsp.open(join(dir, 'probe'), 'w');
  const proto = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
  await probe.close();
  const original = proto.datasync;
  try {
    const wal = await Wal.open(dir, 1, () => 0);
    const ok = async (n: number): Promise<void> => wal.append(Wal.encodeParts(header(n), body(n)), 1 << 30).durable;
    await ok(0);
    await ok(1);
    // The next sync fails (once); records appended while it runs are written behind it.
    let failNext = true;
    proto.datasync = function (this: unknown) {
      if (failNext) {
        failNext = false;
        return new Promise((_, reject) => setTimeout(() => reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' })), 30));
      }
      return original.call(this);
    };
    const failing = wal.append(Wal.encodeParts(header(2), body(2)), 1 << 30).durable;
    await new Promise((r) => setTimeout(r, 10));
    const behind = [3, 4].map((n) => wal.append(Wal.encodeParts(header(n), body(n)), 1 << 30).durable);
    const outcomes = await Promise.allSettled([failing, ...behind]);
    assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected']);
    // The log goes on: later records are durable after the acknowledged ones, nothing of the failed ones.
    await ok(5);
    await wal.close();
    const read = (await readWalFile(wal.path(1))).map((r) => r.q);
    assert.deepEqual(read, [0, 1, 5]);
  } finally {
    proto.datasync = original;
    rmSync(dir, { recursive: true, force: true });
  }
});
