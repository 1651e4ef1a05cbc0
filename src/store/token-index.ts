/**
 * Token index of a sealed segment: for every word in its messages, which events hold it, so that a
 * Logs Insights test `@message like /error/` (or `like "error"`) on a term no query asked before is
 * answered without reading a single message.
 *
 * A word (token) is a maximal run of ASCII letters. A term of ASCII letters only can occur in a message
 * only inside one such run, so "the message contains the term" is exactly "some token of the message
 * contains the term": the events of a term are the union of the posting lists of the tokens that
 * contain it, found by scanning the segment's dictionary (a few thousand words). Tokens shorter than
 * MIN_TERM letters are not kept, and terms shorter than that are not answered here.
 *
 * A token in more than FREQUENT_SHARE of the segment's events (`level`, `GET`, `HTTP`) is listed without
 * its posting list, which would cost a bit per event; a term inside such a token is not answered here
 * (the query reads the messages), nor is a term with anything but ASCII letters, nor a regular
 * expression. Measured on the benchmark's events, the index costs about 7 bytes an event stored and
 * 1.5 µs an event to build; it is built where segments are rewritten when ingest is quiet (compaction
 * and shredding, compactor.ts), so sustained ingest never pays for it.
 *
 * Format, laid out to be used where it lies (no object per word, so reading 10M events' worth takes
 * milliseconds): "LWT1" | rows | words | word bytes | list bytes (u32 LE), then as int32 LE arrays
 * each word's start in the word bytes (and the end), count << 1 | frequent, and its posting list's
 * start (and the end); then the words, each followed by NUL, so that one indexOf over them finds every
 * word holding a term; then the posting lists: each event's offset in the segment (seq - minSeq),
 * ascending, as LEB128 gaps. With encryption at rest the file is sealed under the group's data key
 * (sealed-index.ts), in frames cut where the posting lists start: a query after a restart decrypts the
 * words and their arrays (about an eighth of the index on the benchmark's logs), and of the posting
 * lists only the frames holding those of the words it matched.
 */
import type { MessageTest } from './message-tests.js';

export const MIN_TERM = 3;
const FREQUENT_SHARE = 0.1;
/** Below this count a token always has its posting list (small segments). */
const FREQUENT_MIN = 64;
const MAGIC = 'LWT1';
/** MAGIC, rows, words, word bytes, list bytes. */
const HEADER_BYTES = 20;

/** An index whose bytes do not hold what its format says (queries then read the messages). */
export class DamagedIndexError extends Error {
  override readonly name = 'DamagedIndexError';
}

/**
 * Reads ranges of an index's posting lists (offsets in its lists section), for an index opened without
 * them (TokenIndex.withLists: a sealed index decrypts them as asked).
 */
export type ListReader = (ranges: ReadonlyArray<readonly [number, number]>) => Promise<Buffer[]>;

/** Bytes of an index's header (MAGIC, rows, words, word bytes, list bytes): the first thing in it. */
export const TOKEN_INDEX_HEADER_BYTES = HEADER_BYTES;

/** From an index's header: its bytes before the posting lists (header, arrays, words), and in all. */
export function tokenIndexShape(header: Uint8Array): { headBytes: number; total: number } {
  if (header.length < HEADER_BYTES || !isTokenIndex(header)) throw new DamagedIndexError('not a token index');
  const b = Buffer.from(header.buffer, header.byteOffset, HEADER_BYTES);
  const headBytes = HEADER_BYTES + (3 * b.readUInt32LE(8) + 2) * 4 + b.readUInt32LE(12);
  return { headBytes, total: headBytes + b.readUInt32LE(16) };
}

/** Whether the index can answer this test (when no token containing the term is a frequent one). */
export function indexableTest(t: MessageTest): boolean {
  return t.kind === 'contains' && t.pattern.length >= MIN_TERM && /^[A-Za-z]+$/.test(t.pattern);
}

/** Whether `bytes` is an index as finish() wrote it (not sealed). */
export function isTokenIndex(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && Buffer.from(bytes.buffer, bytes.byteOffset, MAGIC.length).toString('latin1') === MAGIC;
}

/** Where a segment's index is kept: next to it, `<id>.tokens` for `<id>.parquet`. */
export function indexPath(segmentPath: string): string {
  return segmentPath.replace(/\.parquet$/, '.tokens');
}

const isLetter = (c: number): boolean => ((c | 32) - 97) >>> 0 < 26;

/** Collects a segment's tokens; add() every event in ascending offset order, then finish(). */
export class TokenIndexBuilder {
  private cap = 1 << 14;
  private slotId = new Int32Array(this.cap).fill(-1);
  private slotH1 = new Int32Array(this.cap);
  private slotH2 = new Int32Array(this.cap);
  private readonly words: string[] = [];
  private counts = new Int32Array(1 << 12);
  private lastEvent = new Int32Array(1 << 12);
  private pairToken = new Int32Array(1 << 16);
  private pairEvent = new Int32Array(1 << 16);
  private pairs = 0;
  private lastOffset = -1;

  add(offset: number, text: string): void {
    if (offset <= this.lastOffset) throw new Error(`token index: event offsets must ascend (${offset} after ${this.lastOffset})`);
    this.lastOffset = offset;
    const n = text.length;
    let i = 0;
    while (i < n) {
      while (i < n && !isLetter(text.charCodeAt(i))) i++;
      const start = i;
      let h1 = 0x811c9dc5 | 0;
      let h2 = 0x2545f491 | 0;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (!isLetter(c)) break;
        h1 = Math.imul(h1 ^ c, 0x01000193);
        h2 = Math.imul(h2 + c, 0x5bd1e995) ^ (h2 >>> 13);
        i++;
      }
      if (i - start < MIN_TERM) continue;
      const id = this.tokenId(h1 ^ (i - start), h2, text, start, i);
      if (this.lastEvent[id] === offset) continue;
      this.lastEvent[id] = offset;
      this.counts[id]!++;
      if (this.pairs === this.pairToken.length) {
        this.pairToken = grow(this.pairToken);
        this.pairEvent = grow(this.pairEvent);
      }
      this.pairToken[this.pairs] = id;
      this.pairEvent[this.pairs++] = offset;
    }
  }

  /** The id of the token text[start, end): hashed, then compared letter by letter (no allocation). */
  private tokenId(h1: number, h2: number, text: string, start: number, end: number): number {
    const mask = this.cap - 1;
    let slot = (h1 ^ Math.imul(h2, 0x9e3779b1)) & mask;
    for (;;) {
      const id = this.slotId[slot]!;
      if (id < 0) break;
      if (this.slotH1[slot] === h1 && this.slotH2[slot] === h2 && sameWord(this.words[id]!, text, start, end)) return id;
      slot = (slot + 1) & mask;
    }
    const id = this.words.length;
    this.words.push(text.slice(start, end));
    if (id === this.counts.length) {
      this.counts = grow(this.counts);
      this.lastEvent = grow(this.lastEvent);
    }
    this.counts[id] = 0;
    this.lastEvent[id] = -1;
    this.slotId[slot] = id;
    this.slotH1[slot] = h1;
    this.slotH2[slot] = h2;
    if (this.words.length * 2 > this.cap) this.rehash();
    return id;
  }

  private rehash(): void {
    const { slotId, slotH1, slotH2 } = this;
    this.cap *= 2;
    this.slotId = new Int32Array(this.cap).fill(-1);
    this.slotH1 = new Int32Array(this.cap);
    this.slotH2 = new Int32Array(this.cap);
    const mask = this.cap - 1;
    for (let s = 0; s < slotId.length; s++) {
      const id = slotId[s]!;
      if (id < 0) continue;
      let slot = (slotH1[s]! ^ Math.imul(slotH2[s]!, 0x9e3779b1)) & mask;
      while (this.slotId[slot]! >= 0) slot = (slot + 1) & mask;
      this.slotId[slot] = id;
      this.slotH1[slot] = slotH1[s]!;
      this.slotH2[slot] = slotH2[s]!;
    }
  }

  /** The serialized index of a segment of `rows` events. */
  finish(rows: number): Buffer {
    const ntok = this.words.length;
    const frequentAbove = Math.max(FREQUENT_MIN, rows * FREQUENT_SHARE);
    // Counting sort of the (token, event) pairs by token; events stay ascending within a token.
    const start = new Int32Array(ntok + 1);
    for (let t = 0; t < ntok; t++) start[t + 1] = start[t]! + this.counts[t]!;
    const fill = start.slice(0, ntok);
    const events = new Int32Array(this.pairs);
    for (let k = 0; k < this.pairs; k++) events[fill[this.pairToken[k]!]!++] = this.pairEvent[k]!;
    // Words joined by NUL (a term of letters never spans two), then the posting lists.
    const wordAt = new Int32Array(ntok + 1);
    const info = new Int32Array(ntok);
    const listAt = new Int32Array(ntok + 1);
    let wordBytes = 0;
    for (let t = 0; t < ntok; t++) {
      wordAt[t] = wordBytes;
      wordBytes += this.words[t]!.length + 1;
    }
    wordAt[ntok] = wordBytes;
    const lists = new ByteWriter(this.pairs + 16);
    for (let t = 0; t < ntok; t++) {
      const count = this.counts[t]!;
      const frequent = count > frequentAbove;
      info[t] = count * 2 + (frequent ? 1 : 0);
      listAt[t] = lists.length;
      if (frequent) continue;
      let prev = -1;
      for (let k = start[t]!; k < start[t + 1]!; k++) {
        lists.varint(events[k]! - prev - 1);
        prev = events[k]!;
      }
    }
    listAt[ntok] = lists.length;
    const head = Buffer.alloc(HEADER_BYTES);
    head.write(MAGIC, 0, 'latin1');
    head.writeUInt32LE(rows, 4);
    head.writeUInt32LE(ntok, 8);
    head.writeUInt32LE(wordBytes, 12);
    head.writeUInt32LE(lists.length, 16);
    const words = Buffer.from(this.words.map((w) => `${w}\0`).join(''), 'latin1');
    return Buffer.concat([head, i32(wordAt), i32(info), i32(listAt), words, lists.bytes()]);
  }
}

/** A segment's index, read back: views of its bytes, no object per word. */
export class TokenIndex {
  private constructor(
    readonly rows: number,
    /** Where each word starts in `words` (one more entry: the end). */
    private readonly wordAt: Int32Array,
    /** Per word: count << 1 | frequent. */
    private readonly info: Int32Array,
    /** Where each word's posting list starts in `lists` (one more entry: the end). */
    private readonly listAt: Int32Array,
    private readonly words: Buffer,
    /** The posting lists, or how to read them (withLists). */
    private readonly lists: Buffer | ListReader,
    /** Bytes held in memory. */
    readonly bytes: number,
  ) {}

  /** An index from its bytes, all of them. */
  static parse(stored: Uint8Array): TokenIndex {
    return TokenIndex.parseHead(stored, null);
  }

  /**
   * An index from its bytes before the posting lists (tokenIndexShape's headBytes), whose lists `lists`
   * reads when markEvents needs them.
   */
  static withLists(head: Uint8Array, lists: ListReader): TokenIndex {
    return TokenIndex.parseHead(head, lists);
  }

  private static parseHead(stored: Uint8Array, reader: ListReader | null): TokenIndex {
    if (!isTokenIndex(stored) || stored.length < HEADER_BYTES) throw new DamagedIndexError('not a token index');
    // Int32Array views need 4-byte alignment: a decrypted or read buffer has it (else it is copied).
    const buf = stored.byteOffset % 4 === 0 ? Buffer.from(stored.buffer, stored.byteOffset, stored.length) : Buffer.from(stored);
    const rows = buf.readUInt32LE(4);
    const ntok = buf.readUInt32LE(8);
    const wordBytes = buf.readUInt32LE(12);
    const listBytes = buf.readUInt32LE(16);
    const arrays = (3 * ntok + 2) * 4;
    if (buf.length !== HEADER_BYTES + arrays + wordBytes + (reader === null ? listBytes : 0)) throw new DamagedIndexError('token index: sizes do not add up');
    let at = HEADER_BYTES;
    const view = (n: number): Int32Array => {
      const v = new Int32Array(buf.buffer, buf.byteOffset + at, n);
      at += n * 4;
      return v;
    };
    const wordAt = view(ntok + 1);
    const info = view(ntok);
    const listAt = view(ntok + 1);
    const words = buf.subarray(at, at + wordBytes);
    if (wordAt[ntok] !== wordBytes || listAt[ntok] !== listBytes) throw new DamagedIndexError('token index: sizes do not add up');
    return new TokenIndex(rows, wordAt, info, listAt, words, reader ?? buf.subarray(at + wordBytes), buf.length);
  }

  /**
   * Sets bit (shift + offset) of `bits` for every event whose message contains `term` (indexableTest);
   * false, with `bits` untouched, when the index cannot say because a frequent token contains the term.
   */
  async markEvents(term: string, bits: Uint8Array, shift: number): Promise<boolean> {
    const hits: number[] = [];
    const n = this.info.length;
    for (let pos = this.words.indexOf(term, 0, 'latin1'); pos >= 0; ) {
      // The word holding `pos`: the last one starting at or before it.
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (this.wordAt[mid]! <= pos) lo = mid;
        else hi = mid - 1;
      }
      if ((this.info[lo]! & 1) === 1) return false;
      hits.push(lo);
      pos = this.words.indexOf(term, this.wordAt[lo + 1]!, 'latin1');
    }
    const ranges = hits.map((t) => [this.listAt[t]!, this.listAt[t + 1]!] as const);
    const all = this.lists;
    const lists = typeof all === 'function' ? await all(ranges) : ranges.map(([a, b]) => all.subarray(a, b));
    for (const list of lists) {
      const end = list.length;
      let at = 0;
      let offset = -1;
      while (at < end) {
        let gap = 0;
        let mul = 1;
        for (;;) {
          const b = list[at++]!;
          gap += (b & 0x7f) * mul;
          if (b < 0x80) break;
          mul *= 128;
        }
        offset += gap + 1;
        const bit = shift + offset;
        bits[bit >>> 3]! |= 0x80 >>> (bit & 7);
      }
    }
    return true;
  }
}

const i32 = (a: Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function sameWord(word: string, text: string, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let k = 0; k < word.length; k++) if (word.charCodeAt(k) !== text.charCodeAt(start + k)) return false;
  return true;
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

class ByteWriter {
  private buf: Buffer;
  length = 0;
  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }
  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + n));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  varint(v: number): void {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.length++] = v;
  }
  bytes(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

/**
 * Token indexes read back, by segment path: loads of the same path are shared, and past `limit` bytes
 * the least recently used go first. A segment's file never changes under its path, so neither does its
 * index (or its lack of one).
 */
export class TokenIndexCache {
  /** Insertion order is recency order (get() re-inserts). */
  private readonly entries = new Map<string, { value: Promise<TokenIndex | null>; bytes: number }>();
  private bytes = 0;

  constructor(private readonly limit: number) {}

  get(path: string, load: () => Promise<TokenIndex | null>): Promise<TokenIndex | null> {
    const hit = this.entries.get(path);
    if (hit) {
      this.entries.delete(path);
      this.entries.set(path, hit);
      return hit.value;
    }
    const entry = { value: load(), bytes: 0 };
    this.entries.set(path, entry);
    entry.value.then(
      (index) => {
        if (this.entries.get(path) !== entry) return; // dropped meanwhile
        entry.bytes = 64 + (index?.bytes ?? 0);
        this.bytes += entry.bytes;
        for (const [p, e] of this.entries) {
          if (this.bytes <= this.limit) break;
          if (e.bytes > 0) this.drop(p);
        }
      },
      () => {
        if (this.entries.get(path) === entry) this.entries.delete(path); // the next query tries again
      },
    );
    return entry.value;
  }

  drop(path: string): void {
    const e = this.entries.get(path);
    if (!e) return;
    this.entries.delete(path);
    this.bytes -= e.bytes;
  }
}
