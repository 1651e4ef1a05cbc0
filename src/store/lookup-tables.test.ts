import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../clock.js';
import { openTestStore } from './testing.js';
import type { LookupTableInput } from './lookup-tables.js';

const CSV = 'id,secret\nu1,plaintext-one-7f3a\n';
const CSV2 = 'id,secret\nu1,plaintext-two-9c1d\n';
const table = (over: Partial<LookupTableInput> = {}): LookupTableInput => ({
  id: 't1', name: 'users', description: '', fields: ['id', 'secret'], recordsCount: 1, sizeBytes: CSV.length, createdMs: 1, lastUpdatedMs: 1, kmsKeyId: null, tags: {}, ...over,
});

async function filesHolding(dir: string, text: string): Promise<string[]> {
  const out: string[] = [];
  for (const f of await readdir(join(dir, 'lookup-tables'))) if ((await readFile(join(dir, 'lookup-tables', f))).includes(text)) out.push(f);
  return out;
}

test('content is sealed on disk, readable back, and an old version is shredded by an update', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-lookup-'));
  const clock = new FakeClock(1_000);
  let store = await openTestStore(dir, clock);
  try {
    const t = await store.lookupTables.put(table(), CSV);
    assert.equal(await store.lookupTables.read(t), CSV);
    assert.deepEqual(await filesHolding(dir, 'plaintext-one'), [], 'no plaintext in the sealed file');
    const oldSealed = await readFile(join(dir, 'lookup-tables', t.file));

    const t2 = await store.lookupTables.put(table({ lastUpdatedMs: 2 }), CSV2);
    assert.notEqual(t2.file, t.file);
    assert.deepEqual(await readdir(join(dir, 'lookup-tables')), [t2.file], 'the old version is removed');
    // A copy of the old version (a backup) no longer opens: its key is gone.
    await assert.rejects(store.atRest.openFile(t.keyId!, join('lookup-tables', t.file), oldSealed));

    // A file a crash left unrecorded is removed at the next start; the table is still there.
    await writeFile(join(dir, 'lookup-tables', 'orphan.csv'), 'x');
    await store.close();
    store = await openTestStore(dir, clock);
    assert.deepEqual(await readdir(join(dir, 'lookup-tables')), [t2.file]);
    const back = store.lookupTables.tables.get('users')!;
    assert.equal(await store.lookupTables.read(back), CSV2);
    assert.equal(await store.lookupTables.parsedContent(back, (s) => s.length), CSV2.length);

    await store.lookupTables.delete(back);
    assert.deepEqual(await readdir(join(dir, 'lookup-tables')), []);
    assert.equal(store.lookupTables.tables.size, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('without encryption the content is stored as it is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'lw-lookup-plain-'));
  const store = await openTestStore(dir, new FakeClock(1_000), { encryption: false });
  try {
    const t = await store.lookupTables.put(table(), CSV);
    assert.equal(t.keyId, null);
    assert.deepEqual(await filesHolding(dir, 'plaintext-one'), [t.file], 'the scan of the other test can fail');
    assert.equal(await store.lookupTables.read(t), CSV);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
