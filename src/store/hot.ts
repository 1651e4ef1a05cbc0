/**
 * The hot tier: events that are durable in the write-ahead log but not yet sealed into segments,
 * kept in memory as the batches they arrived in, so they are searchable the moment they are
 * acknowledged. A batch leaves once the WAL file holding it has been sealed.
 */

export interface HotBatch {
  groupId: number;
  streamId: number;
  walFile: number;
  ingestMs: number;
  /** Sequence number of events[0]; the rest follow consecutively. */
  firstSeq: number;
  timestamps: number[];
  messages: string[];
  /** UTF-8 bytes of the messages. */
  bytes: number;
}

/** A stored event as the query layer sees it, wherever it lives. */
export interface StoredEvent {
  streamId: number;
  timestamp: number;
  ingestMs: number;
  seq: number;
  message: string;
}

export class HotTier {
  private readonly byGroup = new Map<number, HotBatch[]>();
  private totalBytes = 0;

  get bytes(): number {
    return this.totalBytes;
  }

  add(b: HotBatch): void {
    let list = this.byGroup.get(b.groupId);
    if (!list) this.byGroup.set(b.groupId, (list = []));
    list.push(b);
    this.totalBytes += b.bytes;
  }

  batches(groupId: number): readonly HotBatch[] {
    return this.byGroup.get(groupId) ?? [];
  }

  /**
   * The group's batches now, as a list of their own: a reader takes it in the same turn of the event
   * loop as the group's segments (g.segments), and then sees every visible event exactly once, in
   * one or the other, whatever seals meanwhile (a seal adds its segments and drops its batches in one
   * turn: LogStore.seal).
   */
  snapshot(groupId: number): HotBatch[] {
    return [...this.batches(groupId)];
  }

  groupBytes(groupId: number): number {
    let n = 0;
    for (const b of this.batches(groupId)) n += b.bytes;
    return n;
  }

  /** Drops every batch of WAL files up to and including `walFile`. */
  dropSealed(walFile: number): void {
    for (const [g, list] of this.byGroup) {
      const keep = list.filter((b) => b.walFile > walFile);
      for (const b of list) if (b.walFile <= walFile) this.totalBytes -= b.bytes;
      if (keep.length === 0) this.byGroup.delete(g);
      else this.byGroup.set(g, keep);
    }
  }

  dropStream(groupId: number, streamId: number): void {
    const list = this.byGroup.get(groupId);
    if (!list) return;
    for (const b of list) if (b.streamId === streamId) this.totalBytes -= b.bytes;
    this.byGroup.set(groupId, list.filter((b) => b.streamId !== streamId));
  }

  dropGroup(groupId: number): void {
    for (const b of this.batches(groupId)) this.totalBytes -= b.bytes;
    this.byGroup.delete(groupId);
  }

  /** Events of a group passing `keep`, in no particular order; whole batches failing `keepBatch` are skipped. */
  events(
    groupId: number,
    keep: (streamId: number, ts: number, seq: number) => boolean,
    keepBatch: (b: HotBatch) => boolean = () => true,
  ): Generator<StoredEvent> {
    return eventsOf(this.batches(groupId), keep, keepBatch);
  }
}

/** Events of `batches` passing `keep`, in no particular order; whole batches failing `keepBatch` are skipped. */
export function* eventsOf(
  batches: readonly HotBatch[],
  keep: (streamId: number, ts: number, seq: number) => boolean,
  keepBatch: (b: HotBatch) => boolean = () => true,
): Generator<StoredEvent> {
  for (const b of batches) {
    if (!keepBatch(b)) continue;
    for (let k = 0; k < b.timestamps.length; k++) {
      const ts = b.timestamps[k]!;
      const seq = b.firstSeq + k;
      if (!keep(b.streamId, ts, seq)) continue;
      yield { streamId: b.streamId, timestamp: ts, ingestMs: b.ingestMs, seq, message: b.messages[k]! };
    }
  }
}
