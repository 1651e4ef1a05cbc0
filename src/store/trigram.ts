/**
 * Trigram bitmaps: the term index that lets a search skip most of the stored events.
 *
 * Events of a log group are numbered by a per-group sequence (`seq`). Every BLOCK_EVENTS consecutive
 * sequence numbers form a block, and each block has one bitmap of BITMAP_BITS bits into which every
 * trigram (three consecutive UTF-16 code units) of every message in the block is hashed, one bit per
 * trigram. Filter-pattern terms match as case-sensitive substrings, so a block can hold a match for a
 * term only if every trigram of the term has its bit set: blocks that fail are never read.
 *
 * One hash function is enough: a term of n characters checks n-2 bits, so false positives fall
 * geometrically with the term's length. Bitmaps only grow (bits are OR-ed in), which makes rebuilding
 * them from the write-ahead log after a crash idempotent and a stale bitmap a safe superset.
 * Terms shorter than three characters cannot be pruned and always scan.
 */

export const BLOCK_SHIFT = 14;
export const BLOCK_EVENTS = 1 << BLOCK_SHIFT; // 16,384 events per block
export const BITMAP_BITS_LOG2 = 17;
export const BITMAP_BYTES = (1 << BITMAP_BITS_LOG2) >>> 3; // 16 KiB per block

export const blockOf = (seq: number): number => Math.floor(seq / BLOCK_EVENTS);

/** The blocks that the `count` events numbered from `firstSeq` fall in, ascending. */
export function blocksSpanned(firstSeq: number, count: number): number[] {
  const out: number[] = [];
  for (let k = blockOf(firstSeq); k <= blockOf(firstSeq + count - 1); k++) out.push(k);
  return out;
}

/**
 * Bit 0 is not a trigram's: it says that some message of the block contains `\u`, a JSON escape that
 * can spell any character (filter-pattern/prune.ts keeps such blocks for JSON literals). Trigrams that
 * hash to 0 use bit 1.
 */
export const ESCAPE_BIT = 0;

function bit(a: number, b: number, c: number): number {
  let x = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x2c1b3c6d);
  x ^= x >>> 12;
  return x >>> (32 - BITMAP_BITS_LOG2) || 1;
}

export function newBitmap(): Uint8Array {
  return new Uint8Array(BITMAP_BYTES);
}

/**
 * Sets the bits of every trigram of `text`. Hot path (every ingested event): no allocation, and bit()
 * spelled out so that each character is multiplied by each constant once, as it moves through the
 * three positions; `\u` is looked for once, by indexOf. Sets exactly the bits bit() gives.
 */
export function addText(bitmap: Uint8Array, text: string): void {
  const n = text.length;
  if (n < 3) return;
  if (text.indexOf('\\u') >= 0) bitmap[0]! |= 1 << ESCAPE_BIT;
  let b = text.charCodeAt(1);
  let ha = Math.imul(text.charCodeAt(0), 0x9e3779b1);
  let hb = Math.imul(b, 0x85ebca77);
  for (let i = 2; i < n; i++) {
    const c = text.charCodeAt(i);
    let x = ha ^ hb ^ Math.imul(c, 0xc2b2ae3d);
    x ^= x >>> 15;
    x = Math.imul(x, 0x2c1b3c6d);
    x ^= x >>> 12;
    x = x >>> (32 - BITMAP_BITS_LOG2) || 1;
    bitmap[x >>> 3]! |= 1 << (x & 7);
    ha = Math.imul(b, 0x9e3779b1);
    hb = Math.imul(c, 0x85ebca77);
    b = c;
  }
}

/**
 * addText for one message at a time without clearing (metric filters): `marks[x] === mark` for every
 * trigram bit x of `text` (and ESCAPE_BIT when it holds `\u`); a new `mark` per message forgets the last.
 * `marks` has one slot per bit (newTrigramMarks).
 */
export function markText(marks: Int32Array, text: string, mark: number): void {
  const n = text.length;
  if (n < 3) return;
  let a = text.charCodeAt(0);
  let b = text.charCodeAt(1);
  if (a === 0x5c && b === 0x75) marks[ESCAPE_BIT] = mark;
  for (let i = 2; i < n; i++) {
    const c = text.charCodeAt(i);
    marks[bit(a, b, c)] = mark;
    if (b === 0x5c && c === 0x75) marks[ESCAPE_BIT] = mark;
    a = b;
    b = c;
  }
}

export function newTrigramMarks(): Int32Array {
  return new Int32Array(1 << BITMAP_BITS_LOG2);
}

/** Clears what addText(bitmap, text) set, so one scratch bitmap serves event after event (metric filters). */
export function clearText(bitmap: Uint8Array, text: string): void {
  const n = text.length;
  bitmap[0] = 0;
  for (let i = 2; i < n; i++) {
    const x = bit(text.charCodeAt(i - 2), text.charCodeAt(i - 1), text.charCodeAt(i));
    bitmap[x >>> 3] = 0;
  }
}

/** The bit positions a term requires, or null when the term is too short to prune. */
export function termBits(term: string): number[] | null {
  if (term.length < 3) return null;
  const bits = new Set<number>();
  for (let i = 2; i < term.length; i++) bits.add(bit(term.charCodeAt(i - 2), term.charCodeAt(i - 1), term.charCodeAt(i)));
  return [...bits];
}

export function mayContain(bitmap: Uint8Array, bits: readonly number[]): boolean {
  for (const x of bits) if ((bitmap[x >>> 3]! & (1 << (x & 7))) === 0) return false;
  return true;
}

export function orInto(target: Uint8Array, source: Uint8Array): void {
  for (let i = 0; i < target.length; i++) target[i]! |= source[i]!;
}
