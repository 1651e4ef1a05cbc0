/**
 * Delivery positions, persisted to a small file of their own rather than to the catalog database: a
 * consumer moves its position after every acknowledged batch, in memory, and this file takes the
 * positions at most once a second (and at shutdown), written to a temporary name, synced, renamed over
 * the old one and the directory synced. A crash therefore redelivers at most about a second of events,
 * and never skips one: a position is only ever written after its batch was acknowledged.
 *
 * The catalog's sub_checkpoints row of a filter keeps its start position and whether its CONTROL_MESSAGE
 * went out. At start-up a filter resumes from the larger of the row and the file: a filter deleted and
 * created again under the same name starts at the group's end at that time, which is past any position
 * the file may still hold for the old one, so a stale entry never applies.
 */
import { promises as fsp } from 'node:fs';
import { z } from 'zod';
import { writePrivateFileDurably } from '../kms/secure-file.js';

export const CHECKPOINT_FILE = 'subscription-checkpoints.json';

const fileSchema = z.object({
  version: z.literal(1),
  checkpoints: z.array(z.object({ groupId: z.number().int().nonnegative(), filterName: z.string(), nextSeq: z.number().int().nonnegative() })),
});

export type FilePositions = z.infer<typeof fileSchema>['checkpoints'];

/** The positions the file holds; none when it does not exist. */
export async function readCheckpointFile(path: string): Promise<FilePositions> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return fileSchema.parse(JSON.parse(text)).checkpoints;
}

/** Replaces the file with these positions, durably (temporary file, fsync, rename, fsync of the directory). */
export function writeCheckpointFile(path: string, positions: FilePositions): Promise<void> {
  return writePrivateFileDurably(path, JSON.stringify({ version: 1, checkpoints: positions }));
}
