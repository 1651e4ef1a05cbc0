/**
 * The subscription catalog: targets (what a destination name is bound to), subscription filters, named
 * destinations and each subscription's delivery checkpoint, in the store's DuckDB beside the catalog.
 *
 * As in catalog.ts, a change is committed to DuckDB first and applied to memory after, so memory never
 * shows what the disk does not have. Values reach SQL only as bound parameters; structured values are
 * JSON text, only ever read back whole.
 */
import type { Db } from './db.js';
import { Mutex } from './db.js';

export type TargetKind = 'function' | 'stream' | 'delivery' | 'opensearch';
export const TARGET_KINDS: readonly TargetKind[] = ['function', 'stream', 'delivery', 'opensearch'];

/** A real destination bound to a name; `config` is the sink's own settings (validated by the sink). */
export interface Target {
  kind: TargetKind;
  name: string;
  config: Record<string, unknown>;
  createdMs: number;
}

export interface SubscriptionFilterRow {
  groupId: number;
  groupName: string;
  filterName: string;
  filterPattern: string;
  destinationArn: string;
  roleArn: string | null;
  distribution: 'ByLogStream' | 'Random';
  createdMs: number;
}

export interface DestinationRow {
  name: string;
  targetArn: string;
  roleArn: string;
  accessPolicy: string | null;
  createdMs: number;
}

/**
 * Where a subscription stands: every event of the group with a sequence number below `nextSeq` has been
 * delivered (or dead-lettered); `controlSent` once the CONTROL_MESSAGE was acknowledged.
 */
export interface Checkpoint {
  nextSeq: number;
  controlSent: boolean;
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS sub_targets (kind VARCHAR NOT NULL, name VARCHAR NOT NULL, config VARCHAR NOT NULL, created_ms BIGINT NOT NULL, PRIMARY KEY (kind, name))`,
  `CREATE TABLE IF NOT EXISTS sub_filters (
     group_id BIGINT NOT NULL, group_name VARCHAR NOT NULL, filter_name VARCHAR NOT NULL, filter_pattern VARCHAR NOT NULL,
     destination_arn VARCHAR NOT NULL, role_arn VARCHAR, distribution VARCHAR NOT NULL, created_ms BIGINT NOT NULL,
     PRIMARY KEY (group_id, filter_name))`,
  `CREATE TABLE IF NOT EXISTS sub_destinations (
     name VARCHAR PRIMARY KEY, target_arn VARCHAR NOT NULL, role_arn VARCHAR NOT NULL, access_policy VARCHAR, created_ms BIGINT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS sub_checkpoints (
     group_id BIGINT NOT NULL, filter_name VARCHAR NOT NULL, next_seq BIGINT NOT NULL, control_sent BOOLEAN NOT NULL,
     PRIMARY KEY (group_id, filter_name))`,
];

export const filterKey = (groupId: number, filterName: string): string => `${groupId}\u0000${filterName}`;
const targetKey = (kind: TargetKind, name: string): string => `${kind}\u0000${name}`;

export class SubscriptionCatalog {
  readonly targets = new Map<string, Target>();
  readonly filters = new Map<string, SubscriptionFilterRow>();
  readonly destinations = new Map<string, DestinationRow>();
  readonly checkpoints = new Map<string, Checkpoint>();
  /** Serializes changes: each is a read-check-write of memory and disk. */
  readonly lock = new Mutex();

  constructor(private readonly db: Db) {}

  async load(): Promise<void> {
    for (const s of SCHEMA) await this.db.run(s);
    for (const r of await this.db.all(`SELECT * FROM sub_targets`)) {
      const t: Target = { kind: String(r.kind) as TargetKind, name: String(r.name), config: JSON.parse(String(r.config)) as Record<string, unknown>, createdMs: Number(r.created_ms) };
      this.targets.set(targetKey(t.kind, t.name), t);
    }
    for (const r of await this.db.all(`SELECT * FROM sub_filters`)) {
      const f: SubscriptionFilterRow = {
        groupId: Number(r.group_id),
        groupName: String(r.group_name),
        filterName: String(r.filter_name),
        filterPattern: String(r.filter_pattern),
        destinationArn: String(r.destination_arn),
        roleArn: r.role_arn === null ? null : String(r.role_arn),
        distribution: String(r.distribution) === 'Random' ? 'Random' : 'ByLogStream',
        createdMs: Number(r.created_ms),
      };
      this.filters.set(filterKey(f.groupId, f.filterName), f);
    }
    for (const r of await this.db.all(`SELECT * FROM sub_destinations`)) {
      this.destinations.set(String(r.name), {
        name: String(r.name),
        targetArn: String(r.target_arn),
        roleArn: String(r.role_arn),
        accessPolicy: r.access_policy === null ? null : String(r.access_policy),
        createdMs: Number(r.created_ms),
      });
    }
    for (const r of await this.db.all(`SELECT * FROM sub_checkpoints`)) {
      this.checkpoints.set(filterKey(Number(r.group_id), String(r.filter_name)), { nextSeq: Number(r.next_seq), controlSent: Boolean(r.control_sent) });
    }
  }

  target(kind: TargetKind, name: string): Target | undefined {
    return this.targets.get(targetKey(kind, name));
  }

  async putTarget(t: Target): Promise<void> {
    await this.db.run(`INSERT OR REPLACE INTO sub_targets VALUES ($1, $2, $3, $4)`, [t.kind, t.name, JSON.stringify(t.config), t.createdMs]);
    this.targets.set(targetKey(t.kind, t.name), t);
  }

  async deleteTarget(kind: TargetKind, name: string): Promise<boolean> {
    if (!this.targets.has(targetKey(kind, name))) return false;
    await this.db.run(`DELETE FROM sub_targets WHERE kind = $1 AND name = $2`, [kind, name]);
    this.targets.delete(targetKey(kind, name));
    return true;
  }

  filtersOf(groupId: number): SubscriptionFilterRow[] {
    return [...this.filters.values()].filter((f) => f.groupId === groupId);
  }

  /** Creates or replaces a filter; a new one starts at `startSeq` (events ingested from now on). */
  async putFilter(f: SubscriptionFilterRow, startSeq: number): Promise<void> {
    const key = filterKey(f.groupId, f.filterName);
    const fresh = !this.checkpoints.has(key);
    await this.db.transaction(async () => {
      await this.db.run(`INSERT OR REPLACE INTO sub_filters VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        f.groupId, f.groupName, f.filterName, f.filterPattern, f.destinationArn, f.roleArn, f.distribution, f.createdMs,
      ]);
      if (fresh) await this.db.run(`INSERT OR REPLACE INTO sub_checkpoints VALUES ($1, $2, $3, false)`, [f.groupId, f.filterName, startSeq]);
    });
    this.filters.set(key, f);
    if (fresh) this.checkpoints.set(key, { nextSeq: startSeq, controlSent: false });
  }

  async deleteFilter(groupId: number, filterName: string): Promise<void> {
    await this.db.transaction(async () => {
      await this.db.run(`DELETE FROM sub_filters WHERE group_id = $1 AND filter_name = $2`, [groupId, filterName]);
      await this.db.run(`DELETE FROM sub_checkpoints WHERE group_id = $1 AND filter_name = $2`, [groupId, filterName]);
    });
    this.filters.delete(filterKey(groupId, filterName));
    this.checkpoints.delete(filterKey(groupId, filterName));
  }

  async setCheckpoint(groupId: number, filterName: string, cp: Checkpoint): Promise<void> {
    const key = filterKey(groupId, filterName);
    if (!this.filters.has(key)) return; // deleted meanwhile: nothing to resume
    await this.db.run(`UPDATE sub_checkpoints SET next_seq = $3, control_sent = $4 WHERE group_id = $1 AND filter_name = $2`, [groupId, filterName, cp.nextSeq, cp.controlSent]);
    this.checkpoints.set(key, { ...cp });
  }

  async putDestination(d: DestinationRow): Promise<void> {
    await this.db.run(`INSERT OR REPLACE INTO sub_destinations VALUES ($1, $2, $3, $4, $5)`, [d.name, d.targetArn, d.roleArn, d.accessPolicy, d.createdMs]);
    this.destinations.set(d.name, d);
  }

  async deleteDestination(name: string): Promise<void> {
    await this.db.run(`DELETE FROM sub_destinations WHERE name = $1`, [name]);
    this.destinations.delete(name);
  }
}
