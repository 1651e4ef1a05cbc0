/** Folders clients name stay clear of the data dir, however the path is spelled. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderLister } from '../sources/folder-lister.js';
import { FolderRefusedError, refusedFolder } from './private-paths.js';

test('the data dir, anything inside it or holding it, and links to it are refused; a neighbour is not', async () => {
  const base = await mkdtemp(join(tmpdir(), 'logward-protected-'));
  try {
    const data = join(base, 'srv', 'data');
    await mkdir(join(data, 'segments'), { recursive: true });
    await writeFile(join(data, 'master.key'), 'not for a source\n');
    await mkdir(join(base, 'srv', 'delivered'));
    await symlink(data, join(base, 'link'));
    const guarded = [data];
    assert.match((await refusedFolder(data, guarded))!, /inside/);
    assert.match((await refusedFolder(join(data, 'segments'), guarded))!, /inside/);
    assert.match((await refusedFolder(join(base, 'srv', 'delivered', '..', 'data'), guarded))!, /inside/);
    assert.match((await refusedFolder(join(base, 'link'), guarded))!, /inside/);
    assert.match((await refusedFolder(join(base, 'srv'), guarded))!, /holds/);
    assert.match((await refusedFolder(base, guarded))!, /holds/);
    assert.equal(await refusedFolder(join(base, 'srv', 'delivered'), guarded), undefined);
    // A path that only starts with the data dir's name is another folder.
    await mkdir(join(base, 'srv', 'data-old'));
    assert.equal(await refusedFolder(join(base, 'srv', 'data-old'), guarded), undefined);
    // A folder not made yet is judged by where it would be.
    assert.match((await refusedFolder(join(base, 'link', 'new', 'deeper'), guarded))!, /inside/);
    assert.equal(await refusedFolder(join(base, 'srv', 'delivered', 'new'), guarded), undefined);

    // The lister checks its root again when it resolves it: a folder replaced by a link since is refused.
    const lister = new FolderLister(join(base, 'link'), '', guarded);
    await assert.rejects(lister.list({ startAfter: () => '', handled: () => false }, 10, new AbortController().signal), FolderRefusedError);
    await assert.rejects(lister.read('master.key', 1024), FolderRefusedError);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
