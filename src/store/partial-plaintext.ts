/**
 * A sealed segment (at-rest.ts) decrypted into a sparse plaintext file frame by frame, as readers need
 * its parts: the Parquet footer first, then the chunks of the columns a query's SQL names (DuckDB reads
 * no other column of a local Parquet file). A query after a restart then decrypts the timestamps it
 * counts, not the messages beside them; on these machines most of a decryption's cost is the fresh
 * memory pages of the plaintext, so what is not decrypted is not paid for.
 *
 * Frames are authenticated one by one (envelope.ts openFrameAt); the last one, which carries the footer
 * and the stream's final flag, is opened by open(), so a segment cut short or padded is refused before
 * anything reads it. Segments sealed since 2026-11-28 have a frame starting at each column chunk (envelope
 * format 2), so a column's chunks are decrypted without their neighbours; where those frames lie comes from
 * the cuts in the recorded layout (or the frame headers), a table that a frame it misplaces fails to
 * authenticate against. Which frames hold a column comes from the layout recorded when the segment was
 * sealed (segment-layout.ts), once its tag verifies under the segment's data key, or else from its
 * footer, parsed once. Parts not decrypted read as zeros,
 * which can decode as values: a reader must make every column it names readable (ensure) before
 * reading. Calls are serialised per segment.
 */
import { closeSync, fstatSync, ftruncateSync, open as openCb, openSync, promises as fsp, read as readCb, readSync, writeSync, writevSync } from 'node:fs';
import type { AsyncBuffer } from 'hyparquet';
import { timingSafeEqual } from 'node:crypto';
import { chunkLayout, frameSpan, frameStarts, frameTable, openFrameAt, streamHeader, STREAM_HEADER_MAX_BYTES, textTag, type ChunkLayout, type DataKey, type KeyRef } from '../kms/envelope.js';
import { DecryptionFailedError, EnvelopeFormatError, TruncatedStreamError } from '../kms/errors.js';
import { readLayout, type ColumnRanges, type Range, type SegmentLayout } from './segment-layout.js';

export type { ColumnRanges, Range } from './segment-layout.js';

const PARQUET_MAGIC = Buffer.from('PAR1', 'latin1');

/** Bytes read first from a sealed segment: its stream header, and in one cut at its column chunks the first frame (Parquet's magic). */
const HEAD_BYTES = 512;
/** A frame's bytes besides its plaintext: flags, length and tag (envelope.ts). */
const FRAME_OVERHEAD = 5 + 16;

/** Sealed bytes read in one system call, at most (a single frame may be more). */
const READ_BYTES = 1 << 20;
/** Sealed bytes of a segment read at once (its reads in flight together), at most, before their frames are opened. */
const BATCH_BYTES = 4 << 20;
/**
 * Undecrypted plaintext between two frames to decrypt, at most, that is decrypted with them: one read and
 * one write instead of two each (a trip to the thread pool costs about what decrypting some KiB does),
 * for the small column chunks of one row group that frames cut at every chunk leave apart.
 */
const GAP_BYTES = 32 * 1024;
/**
 * Frames smaller than this (tests seal small segments in tiny frames, so that a column read but not named
 * shows as wrong rows) fill no gaps: a filled gap would hide such a column.
 */
const GAP_MIN_FRAME = 16 * 1024;

export class PartialPlaintext {
  private readonly have: Uint8Array;
  private missing: number;
  private decrypted = 0;
  private work: Promise<unknown> = Promise.resolve();
  private columnsOf: Promise<ColumnRanges> | undefined;
  /** The Parquet footer's bytes at the end of the file, with its length and magic. */
  private footerBytes = 8;
  private fromLayout = false;

  private constructor(
    private readonly src: string,
    readonly file: string,
    private readonly layout: ChunkLayout,
    readonly key: DataKey,
    private readonly aad: Uint8Array,
  ) {
    this.have = new Uint8Array(layout.frames);
    this.missing = layout.frames;
  }

  /**
   * Prepares the plaintext file `file` (private, sparse, of the plaintext's size) for the sealed segment
   * at `src`, and decrypts its first and last frames (Parquet's magic and footer). `known`: the
   * segment's layout as recorded when it was sealed (segment-layout.ts); its footer's frames are then
   * decrypted in the same pass, and columns() parses no footer. A layout whose footer is not the
   * decrypted footer (another file's) is not used: `layoutUsed` tells. null when `src` is a plaintext
   * Parquet file, not sealed (the caller refuses it: at-rest.ts).
   */
  static async open(src: string, file: string, keyFor: (ref: KeyRef) => Promise<DataKey>, aad: Uint8Array, known?: SegmentLayout | null): Promise<PartialPlaintext | null> {
    // One descriptor on each file for all of this. Reads of the sealed file are trips to the thread
    // pool (it may not be in the page cache); its size and closing wait for no disk, and are synchronous.
    const h = await openAsync(src);
    // The plaintext file is on the memory file system: its writes wait for no disk, and are made
    // synchronously (a trip to the thread pool costs more than writing some KiB into memory).
    let out: number | undefined;
    let opened = false;
    const create = (): number => {
      out = openSync(file, 'w+', 0o600);
      opened = true;
      return out;
    };
    try {
      const first = Buffer.allocUnsafe(HEAD_BYTES);
      // One read: a regular file reads short only at its end.
      const head = first.subarray(0, await readAsync(h, first, 0, first.length, 0));
      if (head.length >= 4 && head.subarray(0, 4).equals(PARQUET_MAGIC)) return null;
      const { size } = fstatSync(h);
      const fast = await PartialPlaintext.openKnown(h, head, size, src, file, keyFor, aad, known, create);
      if (fast !== undefined) return fast;
      const layout = await framesOf(h, head, size, known);
      const key = await keyFor(layout.ref);
      ftruncateSync(out ?? create(), layout.plaintextBytes);
      const p = new PartialPlaintext(src, file, layout, key, aad);
      const size0 = layout.plaintextBytes;
      const fits = known != null && known.footer[1] === size0;
      // The first frame (Parquet's magic), the frames of the last 8 bytes (the footer's length and magic),
      // and with a layout that fits, the footer's.
      await p.decryptWith(h, out!, [0, ...p.framesOf([[size0 - Math.min(8, size0), size0], ...(fits ? [known.footer] : [])])]);
      p.footerBytes = p.readFooterLength(out!);
      const footer: Range = [size0 - p.footerBytes, size0];
      await p.decryptWith(h, out!, p.framesOf([footer]));
      if (fits && known.footer[0] === footer[0] && layoutAuthentic(known, key, aad)) {
        p.columnsOf = Promise.resolve(known.columns);
        p.fromLayout = true;
      }
      return p;
    } catch (e) {
      const o = out as number | undefined;
      out = undefined;
      if (o !== undefined) closeSync(o);
      if (opened) await fsp.rm(file, { force: true });
      throw e;
    } finally {
      closeSync(h);
      if ((out as number | undefined) !== undefined) closeSync(out as unknown as number);
    }
  }

  /**
   * open() of a segment cut at its column chunks (format 2) whose recorded layout gives its frame table
   * (of a file of `size` bytes) and footer: the first frame taken from the bytes read for the header, the
   * footer's frames read at once, and their plaintext written without reading it back. undefined when the
   * layout does not apply (open() then goes the long way); `create` makes the plaintext file.
   */
  private static async openKnown(
    h: number,
    head: Buffer,
    size: number,
    src: string,
    file: string,
    keyFor: (ref: KeyRef) => Promise<DataKey>,
    aad: Uint8Array,
    known: SegmentLayout | null | undefined,
    create: () => number,
  ): Promise<PartialPlaintext | undefined> {
    if (known?.cuts === undefined || head.length < STREAM_HEADER_MAX_BYTES) return undefined;
    const header = streamHeader(head);
    const total = known.footer[1];
    const [footerStart] = known.footer;
    // The recorded sizes are checked against the file's before a frame table is derived from them (a forged
    // total far past the file's size would make a table of that many frames).
    if (header.version === 1 || total < 12 || total > size || footerStart < 4 || total - footerStart < 8) return undefined;
    const starts = frameStarts(known.cuts, header.chunkSize, total);
    const sealedBytes = header.headerLength + starts.length * FRAME_OVERHEAD + total;
    if (sealedBytes !== size) return undefined; // not this file's table
    let layout: ChunkLayout;
    try {
      layout = chunkLayout(head, size, starts);
    } catch (e) {
      if (e instanceof EnvelopeFormatError) return undefined;
      throw e;
    }
    const p = new PartialPlaintext(src, file, layout, await keyFor(layout.ref), aad);
    const frame0 = frameSpan(layout, 0);
    const tail = p.framesOf([known.footer]);
    if (frame0.offset + frame0.length > head.length || tail[0] === 0) return undefined;
    // The footer's frames, which end the stream.
    const from = frameSpan(layout, tail[0]!).offset;
    const buffer = takeReadBuffer();
    try {
      const sealed = buffer.take(sealedBytes - from);
      await readFully(h, sealed, from);
      const magic = openFrameAt(layout, p.key, 0, head.subarray(frame0.offset, frame0.offset + frame0.length), aad);
      const footer = tail.map((i) => {
        const span = frameSpan(layout, i);
        return openFrameAt(layout, p.key, i, sealed.subarray(span.offset - from, span.offset - from + span.length), aad);
      });
      const end = footer.at(-1)!;
      const lengthAndMagic = end.length >= 8 ? end.subarray(end.length - 8) : Buffer.concat(footer).subarray(-8);
      if (lengthAndMagic.toString('latin1', 4) !== 'PAR1' || lengthAndMagic.readUInt32LE(0) + 8 !== total - footerStart) {
        // Not the footer the layout says (another file's layout): parse this one the long way.
        return undefined;
      }
      const out = create();
      // The footer's frames end the file: writing them gives the sparse file its size.
      writeAllSync(out, [magic], 0);
      writeAllSync(out, footer, layout.starts[tail[0]!]!);
      for (const i of [0, ...tail]) {
        p.have[i] = 1;
        p.missing--;
      }
      p.decrypted = magic.length + footer.reduce((a, b) => a + b.length, 0);
      p.footerBytes = total - footerStart;
      if (layoutAuthentic(known, p.key, aad)) {
        p.columnsOf = Promise.resolve(known.columns);
        p.fromLayout = true;
      }
      return p;
    } finally {
      buffer.release();
    }
  }

  /** Plaintext bytes of the largest frame (the sealed stream's chunk size). */
  get frameBytes(): number {
    return this.layout.chunkSize;
  }

  /** Plaintext bytes of the whole segment. */
  get size(): number {
    return this.layout.plaintextBytes;
  }

  /** Where the Parquet footer is, with its length and magic: the last bytes of the plaintext. */
  get footer(): Range {
    return [this.layout.plaintextBytes - this.footerBytes, this.layout.plaintextBytes];
  }

  /** Plaintext bytes decrypted so far. */
  get bytes(): number {
    return this.decrypted;
  }

  get complete(): boolean {
    return this.missing === 0;
  }

  /** Whether columns() comes from the recorded layout given to open() (no footer is parsed). */
  get layoutUsed(): boolean {
    return this.fromLayout;
  }

  /** Decrypts every frame not decrypted yet; resolves to the bytes this added. */
  ensureAll(): Promise<number> {
    return this.ensure([[0, this.layout.plaintextBytes]]);
  }

  /** Decrypts the frames covering `ranges` that are not decrypted yet; resolves to the bytes this added. */
  ensure(ranges: readonly Range[]): Promise<number> {
    const frames = this.framesOf(ranges);
    if (frames.length === 0) return Promise.resolve(0);
    return this.decryptFrames(frames);
  }

  /** Where each column's chunks are: from the recorded layout, or else from the footer (parsed once). */
  columns(): Promise<ColumnRanges> {
    this.columnsOf ??= this.parseColumns();
    return this.columnsOf;
  }

  /**
   * The frame cuts of this segment's sealed stream for the catalog's layout: `likely` (the cuts sealing
   * makes, frameCuts) when they give its frame table, else its frame starts; undefined for fixed frames
   * (format 1).
   */
  cutsFor(likely: readonly number[]): readonly number[] | undefined {
    const { version, starts, chunkSize, plaintextBytes } = this.layout;
    if (version === 1) return undefined;
    const derived = frameStarts(likely, chunkSize, plaintextBytes);
    return derived.length === starts.length && derived.every((x, i) => x === starts[i]) ? likely : starts.slice(1);
  }

  /** The frames covering `ranges` not decrypted yet. */
  private framesOf(ranges: readonly Range[]): number[] {
    const frames: number[] = [];
    const starts = this.layout.starts;
    for (const [start, end] of ranges) {
      // The last frame starting at or before `start`, then every frame starting before `end`.
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid]! <= start) lo = mid;
        else hi = mid - 1;
      }
      for (let i = lo; i < starts.length && starts[i]! < end; i++) if (this.have[i] === 0) frames.push(i);
    }
    return frames;
  }

  /** Reads `length` plaintext bytes at `start`, decrypting them first where needed. */
  private async read(start: number, length: number): Promise<Uint8Array> {
    await this.ensure([[start, start + length]]);
    const out = new Uint8Array(length);
    // The plaintext file is in memory: read synchronously.
    const h = openSync(this.file, 'r');
    try {
      for (let got = 0; got < length; ) {
        const n = readSync(h, out, got, length - got, start + got);
        if (n === 0) throw new Error(`unexpected end of file at ${start + got}`);
        got += n;
      }
    } finally {
      closeSync(h);
    }
    return out;
  }

  /** The footer's length, with the 8 bytes of its length and magic after it (Parquet's file layout); its frames are decrypted. */
  private readFooterLength(out: number): number {
    const size = this.layout.plaintextBytes;
    if (size < 12) throw new Error(`segment ${this.src} is too short for a Parquet file`);
    const tail = Buffer.alloc(8);
    if (readSync(out, tail, 0, 8, size - 8) !== 8) throw new Error(`segment ${this.src}: could not read its decrypted footer length`);
    if (tail.toString('latin1', 4) !== 'PAR1') throw new Error(`segment ${this.src} is not a Parquet file (footer magic)`);
    const length = tail.readUInt32LE(0) + 8;
    if (length > size - 4) throw new Error(`segment ${this.src} has a footer longer than itself`);
    return length;
  }

  private async parseColumns(): Promise<ColumnRanges> {
    const buffer: AsyncBuffer = {
      byteLength: this.layout.plaintextBytes,
      slice: async (start: number, end = this.layout.plaintextBytes): Promise<ArrayBuffer> => (await this.read(start, end - start)).buffer as ArrayBuffer,
    };
    return (await readLayout(buffer, this.footerBytes, this.layout.chunkSize)).columns;
  }

  /** Decrypts these frames (indexes, any order) into the plaintext file, skipping those already there. */
  private decryptFrames(frames: readonly number[]): Promise<number> {
    const run = this.work.then(async () => {
      if (frames.every((i) => this.have[i] !== 0)) return 0;
      const src = await openAsync(this.src);
      try {
        const dst = openSync(this.file, 'r+');
        try {
          return await this.decryptWith(src, dst, frames);
        } finally {
          closeSync(dst);
        }
      } finally {
        closeSync(src);
      }
    });
    this.work = run.catch(() => undefined);
    return run;
  }

  /**
   * decryptFrames() through an open handle on the sealed file and the plaintext file's descriptor
   * (unserialised: the caller orders calls). Runs of consecutive frames are read together, several
   * reads in flight at once (each is a trip to the thread pool), then opened and written.
   */
  private async decryptWith(src: number, dst: number, frames: readonly number[]): Promise<number> {
    const want = [...new Set(frames)].filter((i) => this.have[i] === 0).sort((a, b) => a - b);
    const { starts } = this.layout;
    const gap = this.layout.chunkSize >= GAP_MIN_FRAME ? GAP_BYTES : 0;
    const todo: number[] = [];
    for (const i of want) {
      const prev = todo.at(-1);
      if (prev !== undefined && i > prev + 1 && starts[i]! - starts[prev + 1]! <= gap && this.have.subarray(prev + 1, i).every((x) => x === 0)) {
        for (let j = prev + 1; j < i; j++) todo.push(j);
      }
      todo.push(i);
    }
    // Runs of consecutive frames, a read each: [first index in todo, frames].
    const runs: Array<[number, number]> = [];
    for (let k = 0; k < todo.length; ) {
      let n = 1;
      const from = frameSpan(this.layout, todo[k]!).offset;
      while (k + n < todo.length && todo[k + n] === todo[k]! + n) {
        const next = frameSpan(this.layout, todo[k + n]!);
        if (next.offset + next.length - from > READ_BYTES) break;
        n++;
      }
      runs.push([k, n]);
      k += n;
    }
    const sealedOf = (k: number, n: number): { offset: number; length: number } => {
      const first = frameSpan(this.layout, todo[k]!);
      const last = frameSpan(this.layout, todo[k + n - 1]!);
      return { offset: first.offset, length: last.offset + last.length - first.offset };
    };
    let added = 0;
    const buffer = takeReadBuffer();
    try {
      for (let r = 0; r < runs.length; ) {
        // A batch of runs read at once, into one buffer.
        let bytes = 0;
        let m = 0;
        while (r + m < runs.length && (m === 0 || bytes + sealedOf(...runs[r + m]!).length <= BATCH_BYTES)) bytes += sealedOf(...runs[r + m++]!).length;
        const all = buffer.take(bytes);
        let at = 0;
        const batch = runs.slice(r, r + m).map(([k, n]) => {
          const { offset, length } = sealedOf(k, n);
          const b = { k, n, offset, sealed: all.subarray(at, at + length) };
          at += length;
          return b;
        });
        await Promise.all(batch.map((b) => readFully(src, b.sealed, b.offset)));
        for (const { k, n, offset, sealed } of batch) {
          // Consecutive frames are consecutive plaintext: opened in memory, written with one call.
          const plains: Buffer[] = [];
          for (let j = 0; j < n; j++) {
            const i = todo[k + j]!;
            const span = frameSpan(this.layout, i);
            plains.push(openFrameAt(this.layout, this.key, i, sealed.subarray(span.offset - offset, span.offset - offset + span.length), this.aad));
          }
          writeAllSync(dst, plains, this.layout.starts[todo[k]!]!);
          for (let j = 0; j < n; j++) {
            this.have[todo[k + j]!] = 1;
            this.missing--;
            added += plains[j]!.length;
          }
        }
        r += m;
      }
    } finally {
      buffer.release();
    }
    this.decrypted += added;
    return added;
  }
}

/**
 * Where the frames of the sealed segment open at `h` are: fixed frames (format 1) from its size; frames cut
 * at its column chunks (format 2) from the cuts of its recorded layout, or else, when it has none or they do
 * not fit the file's size, from its frame headers (the whole file is read once). A table that fits but is
 * wrong is refused when a frame it misplaces fails authentication.
 */
async function framesOf(h: number, head: Buffer, size: number, known: SegmentLayout | null | undefined): Promise<ChunkLayout> {
  const header = streamHeader(head);
  if (header.version === 1) return chunkLayout(head, size);
  const total = known?.footer[1];
  if (known?.cuts !== undefined && total !== undefined && total <= size) {
    try {
      return chunkLayout(head, size, frameStarts(known.cuts, header.chunkSize, total));
    } catch (e) {
      if (!(e instanceof EnvelopeFormatError)) throw e;
    }
  }
  const whole = Buffer.alloc(size);
  await readFully(h, whole, 0);
  return chunkLayout(head, size, frameTable(whole));
}

/**
 * Buffers for the sealed bytes being read, kept from one read to the next (one per segment being
 * decrypted, at most 8 kept): a new buffer of a MiB is fresh memory, whose every page costs a fault.
 */
const readBuffers: Buffer[] = [];

function takeReadBuffer(): { take(bytes: number): Buffer; release(): void } {
  let buf = readBuffers.pop();
  return {
    take(bytes) {
      if (buf === undefined || buf.length < bytes) buf = Buffer.allocUnsafe(Math.max(bytes, 1 << 20));
      return buf.subarray(0, bytes);
    },
    release() {
      if (buf !== undefined && readBuffers.length < 8) readBuffers.push(buf);
      buf = undefined;
    },
  };
}

/**
 * Writes every byte of `parts` at `position` into the plaintext file `fd` (writev may write less than
 * asked). Synchronous: the file is on the memory file system, so this waits for no disk; what it costs is
 * the copy and the fresh pages (about a millisecond for the largest run read at once, READ_BYTES).
 */
function writeAllSync(fd: number, parts: Buffer[], position: number): void {
  const total = parts.reduce((a, b) => a + b.length, 0);
  let done = writevSync(fd, parts, position);
  if (done === total) return;
  const rest = Buffer.concat(parts);
  while (done < total) {
    const written = writeSync(fd, rest, done, total - done, position + done);
    if (written === 0) throw new Error('could not write a decrypted frame');
    done += written;
  }
}

/** Opens a file for reading (on the thread pool): its descriptor. */
function openAsync(path: string): Promise<number> {
  return new Promise((resolve, reject) => openCb(path, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
}

/** One read (on the thread pool): the bytes read. */
function readAsync(fd: number, into: Uint8Array, offset: number, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => readCb(fd, into, offset, length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/** Fills `into` from the file `fd` at `position` (a regular file reads short only at its end). */
async function readFully(h: number, into: Uint8Array, position: number): Promise<void> {
  let got = 0;
  while (got < into.length) {
    const bytesRead = await readAsync(h, into, got, into.length - got, position + got);
    if (bytesRead === 0) throw new Error(`unexpected end of file at ${position + got}`);
    got += bytesRead;
  }
}

/**
 * Whether the column ranges of a recorded layout may be used for the segment sealed under `key` at the
 * place `aad`: false without a tag (the footer is parsed instead); a tag that does not verify is a
 * changed or moved layout, refused like a frame that does not open.
 */
function layoutAuthentic(known: SegmentLayout, key: DataKey, aad: Uint8Array): boolean {
  if (known.signed === undefined) return false;
  if (!timingSafeEqual(textTag(key, aad, known.signed.body), known.signed.tag)) {
    throw new DecryptionFailedError('the recorded layout of a segment does not authenticate under its data key: the catalog was changed');
  }
  return true;
}
