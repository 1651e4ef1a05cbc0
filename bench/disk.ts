/** Bytes on disk of a data directory: the sum of file sizes (apparent size, not allocated blocks). */
import { lstat, readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';

export interface DiskUsage {
  bytes: number;
  files: number;
  /** Bytes by top-level entry of the directory (e.g. wal/, segments/, the DuckDB file). */
  byTopLevel: Record<string, number>;
  /** Bytes by file extension ('' for none). */
  byExtension: Record<string, number>;
}

export async function diskUsage(dir: string): Promise<DiskUsage> {
  const usage: DiskUsage = { bytes: 0, files: 0, byTopLevel: {}, byExtension: {} };
  async function walk(path: string, top: string | undefined): Promise<void> {
    for (const entry of await readdir(path, { withFileTypes: true })) {
      const p = join(path, entry.name);
      const key = top ?? (entry.isDirectory() ? `${entry.name}/` : entry.name);
      if (entry.isDirectory()) {
        await walk(p, key);
      } else if (entry.isFile()) {
        const size = (await lstat(p)).size;
        usage.bytes += size;
        usage.files++;
        usage.byTopLevel[key] = (usage.byTopLevel[key] ?? 0) + size;
        const ext = extname(entry.name);
        usage.byExtension[ext] = (usage.byExtension[ext] ?? 0) + size;
      }
    }
  }
  await walk(dir, undefined);
  return usage;
}
