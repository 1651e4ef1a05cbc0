/**
 * Folders a source may not read: the server's data directory (master key, credentials, key store, catalog,
 * write-ahead log) and the private directory of decrypted segments. A folder source reads every file
 * under its path with the server's permissions and stores it as events that its log group's readers can
 * read: a folder that is, lies inside or holds one of these would hand the master key or plaintext to
 * whoever may create a source and read its group. Paths are compared by their real paths, so a symbolic
 * link to the data directory, or `..` in the path, is refused as the directory itself would be.
 */
import { promises as fsp } from 'node:fs';
import { sep } from 'node:path';

/** Why a folder is refused, or undefined when a source may read it. */
export async function refusedFolder(path: string, protectedPaths: readonly string[]): Promise<string | undefined> {
  const real = await fsp.realpath(path).catch(() => path);
  for (const p of protectedPaths) {
    const guarded = await fsp.realpath(p).catch(() => null);
    if (guarded === null) continue;
    if (within(real, guarded)) return 'it is inside the server\'s data directory or its decrypted cache';
    if (within(guarded, real)) return 'it holds the server\'s data directory or its decrypted cache';
  }
  return undefined;
}

/** `inner` is `outer` or below it (both real, absolute paths). */
function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

/** A folder source whose path is refused (refusedFolder). */
export class FolderRefusedError extends Error {
  override readonly name = 'FolderRefusedError';
}
