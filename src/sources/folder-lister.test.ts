/** The folder lister reads only regular files under its root, named by the listing: no `..`, no links. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FolderLister } from './folder-lister.js';
import { ObjectRejectedError } from './lister.js';

test('keys stay under the root: links are neither listed nor read, odd keys are refused', async () => {
  const base = await mkdtemp(join(tmpdir(), 'logward-folder-lister-'));
  try {
    const root = join(base, 'root');
    await mkdir(join(root, 'logs', '2024'), { recursive: true });
    await mkdir(join(base, 'outside'));
    await writeFile(join(root, 'logs', '2024', 'a.log'), 'in\n');
    await writeFile(join(root, 'logs', '.partial.tmp'), 'not yet\n');
    await writeFile(join(base, 'outside', 'secret.log'), 'secret\n');
    await symlink(join(base, 'outside', 'secret.log'), join(root, 'logs', 'link.log'));
    await symlink(join(base, 'outside'), join(root, 'logs', '2025'));
    const lister = new FolderLister(root, '');
    const listed = await lister.list({ startAfter: () => '', handled: () => false }, 100, new AbortController().signal);
    assert.deepEqual(listed.map((o) => [o.key, o.partition]), [['logs/2024/a.log', 'logs/']]);
    assert.equal((await lister.read('logs/2024/a.log', 1024)).toString(), 'in\n');
    for (const key of ['logs/link.log', 'logs/2025/secret.log', '../outside/secret.log', 'logs/../../outside/secret.log', '/etc/passwd', 'logs//a.log']) {
      await assert.rejects(lister.read(key, 1024), ObjectRejectedError, key);
    }
    await assert.rejects(lister.read('logs/2024/a.log', 2), /larger than 2 bytes/);
    const prefixed = new FolderLister(root, 'other/');
    assert.deepEqual(await prefixed.list({ startAfter: () => '', handled: () => false }, 100, new AbortController().signal), []);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
});
