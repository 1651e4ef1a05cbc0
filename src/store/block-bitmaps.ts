/**
 * The trigram bitmaps of a log group's blocks of events (trigram.ts), which searches use to skip blocks
 * that cannot hold a term: live ones for blocks that still receive events, built as batches become
 * visible; persisted ones (sealed with the group's data key, in the catalog) once a block's events are
 * all sealed, read back for queries through a bounded cache.
 */
import type { AtRest } from './at-rest.js';
import type { Catalog, LogGroup } from './catalog.js';
import type { HotBatch, HotTier } from './hot.js';
import { addText, blockOf, blocksSpanned, newBitmap, BLOCK_EVENTS } from './trigram.js';

/** Persisted bitmaps kept in memory for queries. */
const CACHE_ENTRIES = 4096;

export class BlockBitmaps {
  /** Bitmaps of blocks that still receive events (and of recently sealed ones), by group and block. */
  private readonly live = new Map<number, Map<number, Uint8Array>>();
  /** Bitmaps read back from the catalog for queries, by `group:block`; bounded. */
  private readonly cache = new Map<string, Uint8Array>();

  constructor(
    private readonly catalog: Catalog,
    private readonly atRest: AtRest,
  ) {}

  private liveOf(groupId: number): Map<number, Uint8Array> {
    let m = this.live.get(groupId);
    if (!m) this.live.set(groupId, (m = new Map()));
    return m;
  }

  /**
   * At start-up, before replayed batches are added: live bitmaps of blocks partly sealed start from
   * their persisted bits (the blocks the replayed batches touch, and each group's current block, which
   * new events will extend).
   */
  async resume(batches: readonly HotBatch[]): Promise<void> {
    const blocks = new Map<number, Set<number>>();
    for (const g of this.catalog.groupsById.values()) if (g.nextSeq > 0) blocks.set(g.id, new Set([blockOf(g.nextSeq)]));
    for (const b of batches) {
      let set = blocks.get(b.groupId);
      if (!set) blocks.set(b.groupId, (set = new Set()));
      for (const k of blocksSpanned(b.firstSeq, b.timestamps.length)) set.add(k);
    }
    for (const [gid, set] of blocks) {
      const ks = [...set].sort((a, b) => a - b);
      const persisted = await this.load(gid, ks[0]!, ks.at(-1)!);
      for (const [k, bits] of persisted) this.liveOf(gid).set(k, Uint8Array.from(bits));
    }
  }

  /** A batch becomes visible: its messages' trigrams go into the live bitmaps of its blocks. */
  add(b: Readonly<HotBatch>): void {
    const maps = this.liveOf(b.groupId);
    let block = -1;
    let bits: Uint8Array | undefined;
    for (let k = 0; k < b.timestamps.length; k++) {
      const kb = blockOf(b.firstSeq + k);
      if (kb !== block) {
        block = kb;
        bits = maps.get(kb);
        if (!bits) maps.set(kb, (bits = newBitmap()));
      }
      addText(bits!, b.messages[k]!);
    }
  }

  /** The bitmaps of the blocks these batches (being sealed) touch, sealed for the catalog. */
  async sealedFor(batches: readonly HotBatch[]): Promise<Array<{ groupId: number; block: number; bits: Uint8Array }>> {
    const out: Array<{ groupId: number; block: number; bits: Uint8Array }> = [];
    const seen = new Set<string>();
    for (const b of batches) {
      if (!this.catalog.groupsById.has(b.groupId)) continue;
      const maps = this.liveOf(b.groupId);
      for (const k of blocksSpanned(b.firstSeq, b.timestamps.length)) {
        const bits = maps.get(k);
        const key = `${b.groupId}:${k}`;
        if (!bits || seen.has(key)) continue;
        seen.add(key);
        out.push({ groupId: b.groupId, block: k, bits: await this.atRest.sealBitmap(b.groupId, k, Uint8Array.from(bits)) });
      }
    }
    return out;
  }

  /** After a seal: blocks wholly below the group's oldest hot event are persisted and no longer change. */
  evictSealed(g: LogGroup, hot: HotTier): void {
    const minHot = hot.batches(g.id).reduce((m, b) => Math.min(m, b.firstSeq), g.nextSeq);
    const maps = this.live.get(g.id);
    if (!maps) return;
    for (const k of maps.keys()) if ((k + 1) * BLOCK_EVENTS <= minHot) maps.delete(k);
  }

  /** The bitmap of each block: the live one if it still changes, else the persisted one (cached). */
  async get(g: LogGroup, blocks: number[]): Promise<Map<number, Uint8Array>> {
    const out = new Map<number, Uint8Array>();
    const live = this.live.get(g.id);
    const need: number[] = [];
    for (const k of blocks) {
      const l = live?.get(k) ?? this.cache.get(`${g.id}:${k}`);
      if (l) out.set(k, l);
      else need.push(k);
    }
    if (need.length > 0) {
      need.sort((a, b) => a - b);
      const loaded = await this.load(g.id, need[0]!, need.at(-1)!);
      for (const [k, bits] of loaded) {
        out.set(k, bits);
        if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
        this.cache.set(`${g.id}:${k}`, bits);
      }
    }
    return out;
  }

  /** The group is deleted. */
  dropGroup(groupId: number): void {
    this.live.delete(groupId);
    for (const k of [...this.cache.keys()]) if (k.startsWith(`${groupId}:`)) this.cache.delete(k);
  }

  /** Persisted bitmaps of blocks fromBlock..toBlock, decrypted. */
  private async load(groupId: number, fromBlock: number, toBlock: number): Promise<Map<number, Uint8Array>> {
    const stored = await this.catalog.loadBitmaps(groupId, fromBlock, toBlock);
    const out = new Map<number, Uint8Array>();
    for (const [k, bits] of stored) out.set(k, await this.atRest.openBitmap(groupId, k, bits));
    return out;
  }
}
