/**
 * Lists and reads a local folder laid out like a bucket: a file's key is its path relative to the root,
 * with `/` separators. Keys come from the directory listing, never from outside, and reads stay under
 * the root: symbolic links are not followed (a link is neither listed nor read), and a file is opened
 * with O_NOFOLLOW after checking that its directory's real path is still under the root's. A root that is,
 * lies inside or holds one of the server's private paths (store/private-paths.ts) is neither listed nor
 * read: checked when the lister first resolves its root (each start of the source; it may have become a
 * link since the source was made). A root swapped for a link afterwards fails the directory check above.
 */
import { constants, promises as fsp } from 'node:fs';
import { join, sep } from 'node:path';
import { partitionOf } from './origin.js';
import { ObjectRejectedError, type ListFrom, type Lister, type ObjectInfo } from './lister.js';
import { FolderRefusedError, refusedFolder } from '../store/private-paths.js';

/** Directories deeper than this below the root are not walked. */
const MAX_DEPTH = 16;

export class FolderLister implements Lister {
  private realRoot: string | undefined;

  constructor(
    private readonly root: string,
    private readonly prefix: string,
    private readonly privatePaths: readonly string[] = [],
  ) {}

  private async rootPath(): Promise<string> {
    if (this.realRoot !== undefined) return this.realRoot;
    const why = await refusedFolder(this.root, this.privatePaths);
    if (why !== undefined) throw new FolderRefusedError(`The folder ${this.root} cannot be a source: ${why}.`);
    return (this.realRoot = await fsp.realpath(this.root));
  }

  async list(from: ListFrom, limit: number, signal: AbortSignal): Promise<ObjectInfo[]> {
    const root = await this.rootPath();
    const found: ObjectInfo[] = [];
    const walk = async (rel: string, depth: number): Promise<void> => {
      signal.throwIfAborted();
      if (depth > MAX_DEPTH) return;
      const entries = await fsp.readdir(rel === '' ? root : join(root, ...rel.split('/')), { withFileTypes: true });
      for (const e of entries) {
        const key = rel === '' ? e.name : `${rel}/${e.name}`;
        // Only what could hold keys under the prefix is walked.
        if (!(key.startsWith(this.prefix) || this.prefix.startsWith(`${key}/`))) continue;
        if (e.isDirectory()) await walk(key, depth + 1);
        else if (e.isFile() && key.startsWith(this.prefix) && !e.name.endsWith('.tmp') && !e.name.startsWith('.')) {
          const partition = partitionOf(key);
          if (key <= from.startAfter(partition) || from.handled(partition, key)) continue;
          const st = await fsp.lstat(join(root, ...key.split('/'))).catch(() => null);
          if (st?.isFile()) found.push({ key, partition, lastModifiedMs: st.mtimeMs, size: st.size });
        }
      }
    };
    await walk('', 0);
    found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return found.slice(0, limit);
  }

  async read(key: string, maxBytes: number): Promise<Buffer> {
    const root = await this.rootPath();
    const parts = key.split('/');
    if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0') || p.includes(sep))) throw new ObjectRejectedError('the key is not a plain relative path');
    const path = join(root, ...parts);
    const dir = await fsp.realpath(join(root, ...parts.slice(0, -1)));
    if (dir !== root && !dir.startsWith(root + sep)) throw new ObjectRejectedError('the file is not under the source folder');
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new ObjectRejectedError('the file is a symbolic link', { cause: e });
      if (code === 'ENOENT') throw new ObjectRejectedError('the file is gone', { cause: e });
      throw e;
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new ObjectRejectedError('not a regular file');
      if (st.size > maxBytes) throw new ObjectRejectedError(`the file is larger than ${maxBytes} bytes`);
      return await fh.readFile();
    } finally {
      await fh.close();
    }
  }

  close(): void {}
}
