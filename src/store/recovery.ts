/**
 * What a start finds on disk (LogStore.open): write-ahead log files already sealed are removed, segment
 * files the catalog does not know (a crash between writing a segment and committing it, a deleted group)
 * are removed, and the records of the files not sealed yet are read back as hot batches, in WAL order.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AtRest } from './at-rest.js';
import type { Catalog } from './catalog.js';
import type { HotBatch } from './hot.js';
import { indexPath } from './token-index.js';
import { listWalFiles, readWalFile, walFileName, type WalRecord } from './wal.js';

/** Removes the WAL files the catalog says are sealed; returns the others, ascending. */
export async function pendingWalFiles(walDir: string, catalog: Catalog): Promise<number[]> {
  const files = await listWalFiles(walDir);
  for (const f of files.filter((f) => f <= catalog.sealedThrough)) await fsp.rm(join(walDir, walFileName(f)), { force: true });
  return files.filter((f) => f > catalog.sealedThrough);
}

/**
 * Removes what the catalog does not know under `<dataDir>/segments` (files, and directories of groups
 * that are gone); returns the known files present (segments and token indexes).
 */
export async function removeOrphanSegments(dataDir: string, catalog: Catalog): Promise<Set<string>> {
  const root = join(dataDir, 'segments');
  const known = new Set<string>();
  for (const g of catalog.groupsById.values()) for (const s of g.segments) known.add(s.path).add(indexPath(s.path));
  const present = new Set<string>();
  for (const dir of await fsp.readdir(root)) {
    const full = join(root, dir);
    if (!/^\d+$/.test(dir)) {
      await fsp.rm(full, { recursive: true, force: true });
      continue;
    }
    for (const f of await fsp.readdir(full)) {
      const rel = join('segments', dir, f);
      if (!known.has(rel)) await fsp.rm(join(full, f), { force: true });
      else present.add(rel);
    }
    if (!catalog.groupsById.has(Number(dir))) await fsp.rm(full, { recursive: true, force: true });
  }
  return present;
}

/**
 * The hot batches of the records in these WAL files. Records of groups or streams deleted since are
 * skipped, and so is a record that does not open (altered on disk, or unsealed where the store encrypts:
 * AtRest.unsealed), with an error in the log.
 */
export async function replayWal(walDir: string, files: readonly number[], catalog: Catalog, atRest: AtRest, logger: Logger): Promise<{ batches: HotBatch[]; skipped: number }> {
  const batches: HotBatch[] = [];
  let skipped = 0;
  for (const f of files) {
    for (const r of await readWalFile(join(walDir, walFileName(f)))) {
      const g = catalog.groupsById.get(r.g);
      const s = g?.streamsById.get(r.s);
      if (g && s) {
        try {
          r.b = r.e !== undefined ? (JSON.parse((await atRest.openRecord(r.g, r.q, r.e)).toString('utf8')) as WalRecord['b']) : atRest.unsealed(r.b, `a record of write-ahead log file ${f}`);
        } catch (e) {
          r.b = undefined;
          logger.error({ err: e, walFile: f, logGroup: g.name }, 'a write-ahead log record does not open; skipped');
        }
      }
      const events = r.b?.logEvents;
      if (!g || !s || !Array.isArray(events)) {
        skipped++;
        continue;
      }
      const slice = events.slice(r.lo, r.hi);
      batches.push({
        groupId: g.id,
        streamId: s.id,
        walFile: f,
        ingestMs: r.i,
        firstSeq: r.q,
        timestamps: slice.map((e) => e.timestamp),
        messages: slice.map((e) => e.message),
        bytes: r.u,
      });
    }
  }
  return { batches, skipped };
}
