/**
 * The two kinds of object store a source reads: an S3-compatible bucket and a local folder laid out the
 * same way. A lister names the objects that are new since the markers of their partitions (origin.ts),
 * and reads one object's bytes.
 */

export interface ObjectInfo {
  key: string;
  /** The partition whose marker this listing resumed from. */
  partition: string;
  lastModifiedMs: number;
  size: number;
}

export interface ListFrom {
  startAfter(partition: string): string;
  handled(partition: string, key: string): boolean;
}

export interface Lister {
  /**
   * Objects whose key sorts after their partition's marker (`from.startAfter(partition)`, '' for none)
   * and that are not handled yet (`from.handled(partition, key)`: those are passed over and not counted),
   * in key order within a partition, at most `limit`.
   */
  list(from: ListFrom, limit: number, signal: AbortSignal): Promise<ObjectInfo[]>;
  /** The object's bytes; rejects with ObjectTooLargeError past `maxBytes`. */
  read(key: string, maxBytes: number, signal: AbortSignal): Promise<Buffer>;
  close(): void;
}

/** The object cannot be read for good (too large, a symlink, gone): recorded as failed, not retried. */
export class ObjectRejectedError extends Error {
  override readonly name = 'ObjectRejectedError';
}
