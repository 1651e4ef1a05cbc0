/**
 * The key store file (`<dataDir>/keys.json`, mode 0600): per log group, its wrapped data keys by version, and
 * tombstones of shredded groups. It never holds a plaintext key; every write replaces the whole file atomically
 * and durably (secure-file.ts), so after shred() no copy of a shredded wrapped key remains in it.
 *
 * Format 1:
 *   { "format": "logward-keys", "version": 1,
 *     "groups":   { "<groupId>": { "keyId": "k-…", "current": 2,
 *                                  "versions": [ { "version": 1, "kekId": "…", "wrapped": "<base64>", "createdAt": "<ISO>" } ] } },
 *     "shredded": { "<keyId>": { "groupId": "…", "at": "<ISO>" } } }
 */
import { z } from 'zod';
import { readPrivateFile, writePrivateFileAtomic } from './secure-file.js';

export const KEY_STORE_FILE = 'keys.json';

const versionSchema = z.strictObject({
  version: z.number().int().min(1).max(0xffffffff),
  kekId: z.string().min(1),
  wrapped: z.string().min(1),
  createdAt: z.string(),
});

const groupSchema = z.strictObject({
  keyId: z.string().min(1).max(255),
  current: z.number().int().min(1),
  versions: z.array(versionSchema).min(1),
});

const storeSchema = z.strictObject({
  format: z.literal('logward-keys'),
  version: z.literal(1),
  groups: z.record(z.string(), groupSchema),
  shredded: z.record(z.string(), z.strictObject({ groupId: z.string(), at: z.string() })),
});

export type KeyVersionRecord = z.infer<typeof versionSchema>;
export type GroupKeys = z.infer<typeof groupSchema>;
export type KeyStoreState = z.infer<typeof storeSchema>;

export function emptyKeyStore(): KeyStoreState {
  return { format: 'logward-keys', version: 1, groups: {}, shredded: {} };
}

/** The stored state, or an empty one when the file does not exist. */
export function loadKeyStore(path: string): KeyStoreState {
  const bytes = readPrivateFile(path);
  if (bytes === undefined) return emptyKeyStore();
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = storeSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path} is not a Logward key store (format 1): ${parsed.error.message}`);
  for (const [groupId, group] of Object.entries(parsed.data.groups)) {
    if (!group.versions.some((v) => v.version === group.current)) {
      throw new Error(`${path}: log group ${JSON.stringify(groupId)} has no wrapped key for its current version ${group.current}`);
    }
  }
  return parsed.data;
}

export function saveKeyStore(path: string, state: KeyStoreState): void {
  writePrivateFileAtomic(path, Buffer.from(`${JSON.stringify(state, null, 1)}\n`, 'utf8'));
}
