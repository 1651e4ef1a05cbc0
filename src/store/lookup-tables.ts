/**
 * Lookup tables (CreateLookupTable and its family; the Logs Insights `lookup` command reads them): the
 * metadata in the catalog's `lookup_tables` table, the CSV content in `lookup-tables/<file>` in the data
 * dir, sealed (at-rest.ts sealFile) under a data key of its own, one per content version, wrapped by the
 * table's AWS KMS key or the master key. Replacing or deleting the content destroys that key, so the
 * old content no longer opens anywhere, copies and backups included (docs/encryption.md).
 *
 * Ordering contract: the new content is durable in its own file before the metadata points at it; the
 * old file and key go only after. A crash in between leaves an unreferenced file, removed at the next
 * start (load()), never metadata pointing at nothing.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { AtRest } from './at-rest.js';
import { syncFile } from './at-rest.js';
import type { Db } from './db.js';

export interface LookupTableRecord {
  id: string;
  name: string;
  description: string;
  /** The header row's column names (metadata, as AWS lists them in DescribeLookupTables). */
  fields: string[];
  recordsCount: number;
  /** UTF-8 bytes of the CSV content. */
  sizeBytes: number;
  createdMs: number;
  lastUpdatedMs: number;
  kmsKeyId: string | null;
  tags: Record<string, string>;
  /** The content's file under lookup-tables/, and the data key it is sealed under (null: stored plain). */
  file: string;
  keyId: string | null;
}

/** What a put gives: everything but where the content goes, which the store chooses. */
export type LookupTableInput = Omit<LookupTableRecord, 'file' | 'keyId'>;

const DIR = 'lookup-tables';
/** CSV bytes of the tables whose parsed content queries keep in memory. */
const PARSED_CACHE_BYTES = 32 * 1024 * 1024;
const SCHEMA = `CREATE TABLE IF NOT EXISTS lookup_tables (
  id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, description VARCHAR NOT NULL, fields VARCHAR NOT NULL,
  records_count BIGINT NOT NULL, size_bytes BIGINT NOT NULL, created_ms BIGINT NOT NULL, last_updated_ms BIGINT NOT NULL,
  kms_key_id VARCHAR, tags VARCHAR NOT NULL, file VARCHAR NOT NULL, key_id VARCHAR)`;

export class LookupTables {
  /** By name. */
  readonly tables = new Map<string, LookupTableRecord>();
  /** Parsed content kept in memory for queries, by file (a file's content never changes), oldest first. */
  private readonly parsed = new Map<string, { value: unknown; bytes: number }>();
  private parsedBytes = 0;

  constructor(
    private readonly db: Db,
    private readonly atRest: AtRest,
    private readonly dataDir: string,
  ) {}

  async load(): Promise<void> {
    await this.db.run(SCHEMA);
    await fsp.mkdir(join(this.dataDir, DIR), { recursive: true, mode: 0o700 });
    for (const r of await this.db.all(`SELECT * FROM lookup_tables`)) {
      const t: LookupTableRecord = {
        id: String(r.id),
        name: String(r.name),
        description: String(r.description),
        fields: JSON.parse(String(r.fields)) as string[],
        recordsCount: Number(r.records_count),
        sizeBytes: Number(r.size_bytes),
        createdMs: Number(r.created_ms),
        lastUpdatedMs: Number(r.last_updated_ms),
        kmsKeyId: (r.kms_key_id as string | null) ?? null,
        tags: JSON.parse(String(r.tags)) as Record<string, string>,
        file: String(r.file),
        keyId: (r.key_id as string | null) ?? null,
      };
      this.tables.set(t.name, t);
    }
    // Files a crash left between writing new content and recording it.
    const known = new Set([...this.tables.values()].map((t) => t.file));
    for (const f of await fsp.readdir(join(this.dataDir, DIR))) if (!known.has(f)) await fsp.rm(join(this.dataDir, DIR, f), { force: true });
  }

  /**
   * Creates the table or replaces it whole (same id: an update) with `content`, sealed. Throws, with
   * nothing changed, when the content cannot be sealed (a KMS key that cannot be used).
   */
  async put(input: LookupTableInput, content: string): Promise<LookupTableRecord> {
    const previous = [...this.tables.values()].find((t) => t.id === input.id);
    const file = `${input.id}-${randomUUID()}.csv`;
    const keyId = this.atRest.enabled ? `lookup-table:${file}` : null;
    const body = Buffer.from(content, 'utf8');
    const sealed = keyId === null ? null : await this.atRest.sealFile(keyId, input.kmsKeyId ?? undefined, join(DIR, file), body);
    const path = join(this.dataDir, DIR, file);
    try {
      await fsp.writeFile(`${path}.tmp`, sealed ?? body, { mode: 0o600 });
      await syncFile(`${path}.tmp`);
      await fsp.rename(`${path}.tmp`, path);
      const t: LookupTableRecord = { ...input, file, keyId };
      await this.db.run(`INSERT OR REPLACE INTO lookup_tables VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, [
        t.id, t.name, t.description, JSON.stringify(t.fields), t.recordsCount, t.sizeBytes, t.createdMs, t.lastUpdatedMs,
        t.kmsKeyId, JSON.stringify(t.tags), t.file, t.keyId,
      ]);
      this.tables.set(t.name, t);
      if (previous) await this.dropContent(previous);
      return t;
    } catch (e) {
      await fsp.rm(`${path}.tmp`, { force: true });
      await fsp.rm(path, { force: true });
      if (keyId !== null) await this.atRest.shredKey(keyId);
      throw e;
    }
  }

  async delete(t: LookupTableRecord): Promise<void> {
    await this.db.run(`DELETE FROM lookup_tables WHERE id = $1`, [t.id]);
    this.tables.delete(t.name);
    await this.dropContent(t);
  }

  /** The CSV content as it was put. */
  async read(t: LookupTableRecord): Promise<string> {
    const stored = await fsp.readFile(join(this.dataDir, DIR, t.file));
    const plain = t.keyId === null ? this.atRest.unsealed(stored, `the lookup table ${t.name}`) : await this.atRest.openFile(t.keyId, join(DIR, t.file), stored);
    return plain.toString('utf8');
  }

  /**
   * The content parsed by `parse`, kept in memory (never on disk) while the table keeps that content;
   * queries reading the same table parse it once.
   */
  async parsedContent<T>(t: LookupTableRecord, parse: (csv: string) => T): Promise<T> {
    const hit = this.parsed.get(t.file);
    if (hit !== undefined) {
      this.parsed.delete(t.file); // most recently used last
      this.parsed.set(t.file, hit);
      return hit.value as T;
    }
    const value = parse(await this.read(t));
    if (this.tables.get(t.name)?.file === t.file && !this.parsed.has(t.file)) {
      this.parsed.set(t.file, { value, bytes: t.sizeBytes });
      this.parsedBytes += t.sizeBytes;
      // Bounded by the CSV's size (the parsed rows take a few times that): the least recently used go.
      for (const [file, e] of this.parsed) {
        if (this.parsedBytes <= PARSED_CACHE_BYTES) break;
        this.forgetParsed(file, e.bytes);
      }
    }
    return value;
  }

  private forgetParsed(file: string, bytes: number): void {
    if (this.parsed.delete(file)) this.parsedBytes -= bytes;
  }

  /** Removes a content version: its decrypted copy, its key (shredding it) and its file. */
  private async dropContent(t: LookupTableRecord): Promise<void> {
    this.forgetParsed(t.file, this.parsed.get(t.file)?.bytes ?? 0);
    if (t.keyId !== null) await this.atRest.shredKey(t.keyId);
    await fsp.rm(join(this.dataDir, DIR, t.file), { force: true });
  }
}
