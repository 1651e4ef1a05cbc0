/**
 * The server's private paths: its data directory (master key, credentials, key store, catalog, write-ahead
 * log) and the private directory of decrypted segments. Folders that clients name, and that the server
 * then reads or writes with its own permissions, must stay clear of them:
 * - a folder source (src/sources) stores every file under its folder as events that its group's readers
 *   can read: a folder that is, lies inside or holds a private path would hand over the master key or
 *   plaintext to whoever may create a source and read its group;
 * - a delivery target's local bucket (src/subscriptions/sinks/object-store.ts) writes files there.
 * Paths are compared by their real paths, so a symbolic link to the data directory, or `..` in the path,
 * is refused as the directory itself would be; a folder not made yet is judged by its nearest existing
 * ancestor's real path.
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import type { AtRest } from './at-rest.js';

/** The data dir and the decrypted segments' private directory (the scratch dir's parent). */
export function privatePaths(atRest: Pick<AtRest, 'dataDir' | 'scratchDir'>): string[] {
  return [atRest.dataDir, dirname(atRest.scratchDir)];
}

/** The real path of `path`, or of its nearest existing ancestor with the rest appended. */
async function realish(path: string): Promise<string> {
  try {
    return await fsp.realpath(path);
  } catch {
    const parent = dirname(path);
    return parent === path ? path : join(await realish(parent), basename(path));
  }
}

/** Why a folder is refused, or undefined when a source may read it. */
export async function refusedFolder(path: string, privatePaths: readonly string[]): Promise<string | undefined> {
  const real = await realish(path);
  for (const p of privatePaths) {
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

/** A folder that is refused (refusedFolder). */
export class FolderRefusedError extends Error {
  override readonly name = 'FolderRefusedError';
}
