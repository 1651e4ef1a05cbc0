/**
 * Message tests and their per-segment result cache: which events of a sealed segment a text test on
 * the whole message (Logs Insights `@message like /error/`, `like "x"`, `=~ /re/`) keeps, as a bitmap.
 *
 * A frequent term is in every block, so trigram pruning (trigram.ts) cannot skip anything and the test
 * reads every message. Interactive analysis repeats the same filter while it changes the rest of the
 * query (another `stats`, a `sort`, a `limit`), as do dashboards. Like the filter caches of Lucene
 * (per segment) and ClickHouse's query condition cache, a segment's result for a test is kept once
 * computed, and later queries read one bit per event instead of its message.
 *
 * Segments are immutable: a file's path names its content (merging and shredding write new files), so
 * a cached result never goes stale; entries of rewritten files simply age out. The cache holds which
 * events matched, not their text; a deleted or shredded group's entries are dropped at once. It is
 * bounded in bytes and evicts the least recently used entries.
 *
 * Bitmaps: bit (seq - base) is byte (seq - base) >> 3, mask 0x80 >> ((seq - base) & 7) (DuckDB's BIT
 * layout from a BLOB), with `base` a multiple of 8 so that bitmaps of adjacent segments combine by
 * whole bytes.
 */
import type { Segment } from './catalog.js';

/** A test on the raw message: a substring (DuckDB `contains`) or an RE2 regular expression. */
export interface MessageTest {
  kind: 'contains' | 'regexp';
  pattern: string;
}

export const sameTest = (a: MessageTest, b: MessageTest): boolean => a.kind === b.kind && a.pattern === b.pattern;

/** The test's SQL over the message column `column`, its pattern bound with `param`. */
export function testSql(t: MessageTest, column: string, param: (v: string) => string): string {
  return t.kind === 'contains' ? `contains(${column}, ${param(t.pattern)})` : `regexp_matches(${column}, ${param(t.pattern)})`;
}

/** `, <test 1> AS __mt1, ...` over the message column `column`: what a relation without cached results adds. */
export function testColumns(tests: readonly MessageTest[], column: string, param: (v: string) => string): string {
  return tests.map((t, n) => `, ${testSql(t, column, param)} AS __mt${n + 1}`).join('');
}

export interface SeqBitmap {
  /** Sequence number of bit 0: a multiple of 8. */
  base: number;
  bits: Uint8Array;
}

/** The bitmap frame of a segment: [base, top] with base ≤ minSeq, top ≥ maxSeq, a whole number of bytes. */
export function segmentFrame(s: Pick<Segment, 'minSeq' | 'maxSeq'>): { base: number; top: number } {
  const base = Math.floor(s.minSeq / 8) * 8;
  return { base, top: base + Math.ceil((s.maxSeq - base + 1) / 8) * 8 - 1 };
}

/** One bitmap over the frames of `parts` (OR where two frames share a byte). */
export function combineBitmaps(parts: readonly SeqBitmap[]): SeqBitmap {
  if (parts.length === 1) return parts[0]!;
  let base = Infinity;
  let end = -Infinity;
  for (const p of parts) {
    base = Math.min(base, p.base);
    end = Math.max(end, p.base + p.bits.length * 8);
  }
  const bits = new Uint8Array((end - base) / 8);
  for (const p of parts) {
    const at = (p.base - base) / 8;
    for (let i = 0; i < p.bits.length; i++) bits[at + i] = bits[at + i]! | p.bits[i]!;
  }
  return { base, bits };
}

interface Entry {
  groupId: number;
  bitmap: SeqBitmap;
}

const key = (path: string, t: MessageTest): string => `${path}\u0000${t.kind}\u0000${t.pattern}`;

export class MessageTestCache {
  /** Insertion order is recency order (get() re-inserts). */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(readonly maxBytes: number) {}

  get(path: string, t: MessageTest): SeqBitmap | undefined {
    const k = key(path, t);
    const e = this.entries.get(k);
    if (!e) return undefined;
    this.entries.delete(k);
    this.entries.set(k, e);
    return e.bitmap;
  }

  set(path: string, groupId: number, t: MessageTest, bitmap: SeqBitmap): void {
    const size = bitmap.bits.length + 64;
    if (size > this.maxBytes) return;
    const k = key(path, t);
    const old = this.entries.get(k);
    if (old) {
      this.entries.delete(k);
      this.bytes -= old.bitmap.bits.length + 64;
    }
    this.entries.set(k, { groupId, bitmap });
    this.bytes += size;
    for (const [k2, e] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k2);
      this.bytes -= e.bitmap.bits.length + 64;
    }
  }

  /** Forgets every result of a group (deleted or shredded). */
  dropGroup(groupId: number): void {
    for (const [k, e] of this.entries) {
      if (e.groupId !== groupId) continue;
      this.entries.delete(k);
      this.bytes -= e.bitmap.bits.length + 64;
    }
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }
}
