/**
 * Field index policies (PutIndexPolicy, DescribeIndexPolicies, DeleteIndexPolicy) and the windows of
 * ingestion time during which each field was indexed in each log group, which `filterIndex` and
 * DescribeFieldIndexes read.
 *
 * AWS indexes a field from the moment a policy names it: "it also returns only results from after the
 * field index was created" (filterIndex compared to filter). So every field keeps its history: the
 * ingestion time from which it was indexed and, once a later policy leaves it out (or the policy is
 * deleted), the time it stopped. DeleteIndexPolicy: "The indexing of the log events that happened before
 * you delete the policy will still be used for as many as 30 days", so a closed window still counts for
 * 30 days after it closed, and is forgotten after that.
 *
 * Kept in the catalog's database (table index_policies), committed before memory changes; callers hold
 * the store's write lock.
 */
import type { Db } from './db.js';

/** The fields AWS indexes in every Standard-class log group (CWL_QuerySyntax-FilterIndex). */
export const DEFAULT_INDEXED_FIELDS: readonly string[] = [
  '@logStream',
  '@aws.region',
  '@aws.account',
  '@source.log',
  '@data_source_name',
  '@data_source_type',
  '@data_format',
  'traceId',
  'severityText',
  'attributes.session.id',
];

/** How long a field stays usable after it stopped being indexed. */
export const INACTIVE_RETENTION_MS = 30 * 86_400_000;

/** One period during which a field was indexed: ingestion times in [fromMs, toMs). */
export interface IndexWindow {
  /** The field as queries name it (a policy's `@@x` is the event field `@x`). */
  field: string;
  fromMs: number;
  /** null: still indexed. */
  toMs: number | null;
}

export interface IndexPolicyRecord {
  groupId: number;
  /** The document as the caller sent it; null once deleted (the windows stay, see above). */
  document: string | null;
  lastUpdateMs: number;
  windows: IndexWindow[];
}

/** A policy's field name as queries name the field: `@@userId` indexes the event field `@userId`. */
export const queryFieldName = (policyField: string): string => (policyField.startsWith('@@') ? policyField.slice(1) : policyField);

export class IndexPolicies {
  private readonly byGroup = new Map<number, IndexPolicyRecord>();

  constructor(private readonly db: Db) {}

  async load(): Promise<void> {
    await this.db.run(
      `CREATE TABLE IF NOT EXISTS index_policies (group_id BIGINT PRIMARY KEY, document VARCHAR, last_update_ms BIGINT NOT NULL, windows VARCHAR NOT NULL)`,
    );
    for (const r of await this.db.all(`SELECT * FROM index_policies`)) {
      const rec: IndexPolicyRecord = {
        groupId: Number(r.group_id),
        document: (r.document as string | null) ?? null,
        lastUpdateMs: Number(r.last_update_ms),
        windows: JSON.parse(String(r.windows)) as IndexWindow[],
      };
      this.byGroup.set(rec.groupId, rec);
    }
  }

  get(groupId: number): IndexPolicyRecord | undefined {
    return this.byGroup.get(groupId);
  }

  /** Creates or replaces the group's policy: fields it adds open a window at `nowMs`, fields it drops close theirs. */
  async put(groupId: number, document: string, fields: readonly string[], nowMs: number): Promise<IndexPolicyRecord> {
    const old = this.byGroup.get(groupId);
    const names = new Set(fields.map(queryFieldName));
    const windows = (old?.windows ?? []).filter((w) => w.toMs === null || w.toMs > nowMs - INACTIVE_RETENTION_MS).map((w) => ({ ...w }));
    for (const w of windows) if (w.toMs === null && !names.has(w.field)) w.toMs = nowMs;
    for (const f of names) if (!windows.some((w) => w.field === f && w.toMs === null)) windows.push({ field: f, fromMs: nowMs, toMs: null });
    return this.save({ groupId, document, lastUpdateMs: nowMs, windows });
  }

  /** Deletes the policy; false when the group has none. Its windows close at `nowMs`. */
  async delete(groupId: number, nowMs: number): Promise<boolean> {
    const old = this.byGroup.get(groupId);
    if (!old || old.document === null) return false;
    await this.save({ groupId, document: null, lastUpdateMs: nowMs, windows: old.windows.map((w) => (w.toMs === null ? { ...w, toMs: nowMs } : w)) });
    return true;
  }

  /** Forgets a deleted group. */
  async dropGroup(groupId: number): Promise<void> {
    await this.db.run(`DELETE FROM index_policies WHERE group_id = $1`, [groupId]);
    this.byGroup.delete(groupId);
  }

  /**
   * The windows in which `field` is indexed in a group of class `logGroupClass`, as of `nowMs`: the
   * whole history for a default field of a Standard group, else the policy's windows still in use.
   */
  windowsOf(groupId: number, logGroupClass: string, field: string, nowMs: number): IndexWindow[] {
    if (logGroupClass === 'STANDARD' && DEFAULT_INDEXED_FIELDS.includes(field)) return [{ field, fromMs: 0, toMs: null }];
    const rec = this.byGroup.get(groupId);
    if (!rec) return [];
    return rec.windows.filter((w) => w.field === field && (w.toMs === null || w.toMs > nowMs - INACTIVE_RETENTION_MS));
  }

  private async save(rec: IndexPolicyRecord): Promise<IndexPolicyRecord> {
    await this.db.run(`INSERT OR REPLACE INTO index_policies VALUES ($1, $2, $3, $4)`, [rec.groupId, rec.document, rec.lastUpdateMs, JSON.stringify(rec.windows)]);
    this.byGroup.set(rec.groupId, rec);
    return rec;
  }
}
