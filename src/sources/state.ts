/**
 * A source's progress, kept in `<data dir>/sources/state/<name>.json` and replaced atomically (written
 * to a temporary file, fsynced, renamed, directory fsynced) at every step that must survive a crash.
 *
 * Exactly once: before a batch of an object's events is appended, the state records it as `pending`,
 * with the group's next sequence number at that moment and the identity of the batch's first event
 * (stream, timestamp, SHA-256 of the message). A batch is one write-ahead log record, so after a crash
 * it is in the store entirely or not at all; recovery (runner.ts) looks for that first event among the
 * group's events from that sequence number on, and counts the batch as done if it is there. Since
 * `pending` is durable before the append starts, and `done` is advanced only after the append is
 * durable, no batch is appended twice and none is skipped.
 */
import { promises as fsp } from 'node:fs';
import { writePrivateFileDurably } from '../kms/secure-file.js';

export interface PartitionState {
  /** Every key of the partition up to this one (in key order) is handled. */
  marker: string;
  /** Keys after the marker already handled, with their LastModified: kept until they settle. */
  recent: Record<string, number>;
}

export interface FailedObject {
  key: string;
  reason: string;
  atMs: number;
}

export interface InProgress {
  key: string;
  partition: string;
  lastModifiedMs: number;
  /** Events of the object (after parsing), and how many of them are durably in the store. */
  events: number;
  done: number;
  /**
   * The batch being appended: `sha256` is the SHA-256 of its first message, sealed under the group's
   * data key (AtRest.sealValue; plain hex from earlier versions or without encryption), since a bare
   * hash of log content lets anyone with the file confirm a guessed message.
   */
  pending?: { count: number; fromSeq: number; streamId: number; timestamp: number; sha256: string };
}

export interface SourceState {
  partitions: Record<string, PartitionState>;
  current: InProgress | null;
  /** The most recent failures (bounded). */
  failed: FailedObject[];
  counts: { objects: number; events: number; parseErrors: number; expired: number; failed: number; skipped: number };
  lastPollMs: number | null;
  lastError: string | null;
}

export const MAX_FAILED_KEPT = 50;

/**
 * A record keyed by untrusted text (object keys): no prototype, so that a key like `__proto__` is an
 * entry like any other.
 */
export function dict<T>(from: Record<string, T> = {}): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, from);
}

export function emptyState(): SourceState {
  return { partitions: dict(), current: null, failed: [], counts: { objects: 0, events: 0, parseErrors: 0, expired: 0, failed: 0, skipped: 0 }, lastPollMs: null, lastError: null };
}

export async function readState(path: string): Promise<SourceState> {
  let text: string;
  try {
    text = await fsp.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
    throw e;
  }
  const read = { ...emptyState(), ...(JSON.parse(text) as Partial<SourceState>) };
  read.partitions = dict(read.partitions);
  for (const p of Object.values(read.partitions)) p.recent = dict(p.recent);
  return read;
}

/** Replaces the file at `path` with `value` as JSON, durably and atomically. */
export function writeJsonDurably(path: string, value: unknown): Promise<void> {
  return writePrivateFileDurably(path, JSON.stringify(value));
}
