/**
 * A sealed segment (at-rest.ts) decrypted into a sparse plaintext file frame by frame, as readers need
 * its parts: the Parquet footer first, then the chunks of the columns a query's SQL names (DuckDB reads
 * no other column of a local Parquet file). A query after a restart then decrypts the timestamps it
 * counts, not the messages beside them; on these machines most of a decryption's cost is the fresh
 * memory pages of the plaintext, so what is not decrypted is not paid for.
 *
 * Frames are authenticated one by one (envelope.ts openFrameAt); the last one, which carries the footer
 * and the stream's final flag, is opened first, so a segment cut short or padded is refused before
 * anything reads it. Parts not decrypted read as zeros, which can decode as values: a reader must make
 * every column it names readable (ensure) before reading. Calls are serialised per segment.
 */
import { promises as fsp } from 'node:fs';
import { parquetMetadataAsync, type AsyncBuffer } from 'hyparquet';
import { chunkLayout, frameSpan, openFrameAt, STREAM_HEADER_MAX_BYTES, type ChunkLayout, type DataKey, type KeyRef } from '../kms/envelope.js';

/** A byte range of the plaintext, [start, end). */
export type Range = readonly [number, number];

/** Where a column of the Parquet file is, by name: its chunks in every row group (with dictionary and bloom filter). */
export type ColumnRanges = ReadonlyMap<string, readonly Range[]>;

/** Frames read from the sealed file in one system call, at most. */
const FRAMES_PER_READ = 16;

export class PartialPlaintext {
  private readonly have: Uint8Array;
  private missing: number;
  private decrypted = 0;
  private work: Promise<unknown> = Promise.resolve();
  private columnsOf: Promise<ColumnRanges> | undefined;
  /** The Parquet footer's bytes at the end of the file, with its length and magic. */
  private footerBytes = 8;

  private constructor(
    private readonly src: string,
    readonly file: string,
    private readonly layout: ChunkLayout,
    private readonly key: DataKey,
    private readonly aad: Uint8Array,
  ) {
    this.have = new Uint8Array(layout.frames);
    this.missing = layout.frames;
  }

  /**
   * Prepares the plaintext file `file` (private, sparse, of the plaintext's size) for the sealed segment
   * at `src`, and decrypts its first and last frames (Parquet's magic and footer).
   */
  static async open(src: string, file: string, keyFor: (ref: KeyRef) => Promise<DataKey>, aad: Uint8Array): Promise<PartialPlaintext> {
    const h = await fsp.open(src, 'r');
    let layout: ChunkLayout;
    try {
      const { size } = await h.stat();
      const head = Buffer.alloc(Math.min(size, STREAM_HEADER_MAX_BYTES));
      await readFully(h, head, 0);
      layout = chunkLayout(head, size);
    } finally {
      await h.close();
    }
    const key = await keyFor(layout.ref);
    const out = await fsp.open(file, 'w', 0o600);
    try {
      await out.truncate(layout.plaintextBytes);
    } finally {
      await out.close();
    }
    const p = new PartialPlaintext(src, file, layout, key, aad);
    await p.decryptFrames([0, layout.frames - 1]);
    p.footerBytes = await p.readFooterLength();
    await p.ensure([[layout.plaintextBytes - p.footerBytes, layout.plaintextBytes]]);
    return p;
  }

  /** Plaintext bytes of the whole segment. */
  get size(): number {
    return this.layout.plaintextBytes;
  }

  /** Plaintext bytes decrypted so far. */
  get bytes(): number {
    return this.decrypted;
  }

  get complete(): boolean {
    return this.missing === 0;
  }

  /** Decrypts every frame not decrypted yet; resolves to the bytes this added. */
  ensureAll(): Promise<number> {
    return this.ensure([[0, this.layout.plaintextBytes]]);
  }

  /** Decrypts the frames covering `ranges` that are not decrypted yet; resolves to the bytes this added. */
  ensure(ranges: readonly Range[]): Promise<number> {
    const frames: number[] = [];
    const size = this.layout.chunkSize;
    for (const [start, end] of ranges) {
      const last = Math.min(Math.ceil(end / size), this.layout.frames);
      for (let i = Math.max(0, Math.floor(start / size)); i < last; i++) if (this.have[i] === 0) frames.push(i);
    }
    if (frames.length === 0) return Promise.resolve(0);
    return this.decryptFrames(frames);
  }

  /** Where each column's chunks are, from the footer (read once). */
  columns(): Promise<ColumnRanges> {
    this.columnsOf ??= this.readColumns();
    return this.columnsOf;
  }

  /** Reads `length` plaintext bytes at `start`, decrypting them first where needed. */
  private async read(start: number, length: number): Promise<Uint8Array> {
    await this.ensure([[start, start + length]]);
    const out = new Uint8Array(length);
    const h = await fsp.open(this.file, 'r');
    try {
      await readFully(h, out, start);
    } finally {
      await h.close();
    }
    return out;
  }

  /** The footer's length, with the 8 bytes of its length and magic after it (Parquet's file layout). */
  private async readFooterLength(): Promise<number> {
    const size = this.layout.plaintextBytes;
    if (size < 12) throw new Error(`segment ${this.src} is too short for a Parquet file`);
    const tail = Buffer.from(await this.read(size - 8, 8));
    if (tail.toString('latin1', 4) !== 'PAR1') throw new Error(`segment ${this.src} is not a Parquet file (footer magic)`);
    const length = tail.readUInt32LE(0) + 8;
    if (length > size - 4) throw new Error(`segment ${this.src} has a footer longer than itself`);
    return length;
  }

  private async readColumns(): Promise<ColumnRanges> {
    const buffer: AsyncBuffer = {
      byteLength: this.layout.plaintextBytes,
      slice: async (start: number, end = this.layout.plaintextBytes): Promise<ArrayBuffer> => (await this.read(start, end - start)).buffer as ArrayBuffer,
    };
    const meta = await parquetMetadataAsync(buffer, { initialFetchSize: this.footerBytes });
    const byName = new Map<string, Range[]>();
    for (const rg of meta.row_groups) {
      for (const c of rg.columns) {
        const m = c.meta_data;
        if (m === undefined) continue;
        const name = m.path_in_schema.join('.');
        let list = byName.get(name);
        if (!list) byName.set(name, (list = []));
        const start = Number(m.dictionary_page_offset ?? m.data_page_offset);
        list.push([Math.min(start, Number(m.data_page_offset)), Math.max(start, Number(m.data_page_offset)) + Number(m.total_compressed_size)]);
        if (m.bloom_filter_offset !== undefined) {
          const at = Number(m.bloom_filter_offset);
          // Without a length the filter runs to the next part of the file: take the rest of its frame and the next.
          list.push([at, at + (m.bloom_filter_length ?? this.layout.chunkSize + 1)]);
        }
      }
    }
    return byName;
  }

  /** Decrypts these frames (indexes, any order) into the plaintext file, skipping those already there. */
  private decryptFrames(frames: readonly number[]): Promise<number> {
    const run = this.work.then(async () => {
      const todo = [...new Set(frames)].filter((i) => this.have[i] === 0).sort((a, b) => a - b);
      if (todo.length === 0) return 0;
      let added = 0;
      const src = await fsp.open(this.src, 'r');
      const dst = await fsp.open(this.file, 'r+');
      try {
        for (let k = 0; k < todo.length; ) {
          // A run of consecutive frames is one read.
          let n = 1;
          while (k + n < todo.length && n < FRAMES_PER_READ && todo[k + n] === todo[k]! + n) n++;
          const first = frameSpan(this.layout, todo[k]!);
          const last = frameSpan(this.layout, todo[k + n - 1]!);
          const sealed = Buffer.allocUnsafe(last.offset + last.length - first.offset);
          await readFully(src, sealed, first.offset);
          // Consecutive frames are consecutive plaintext: opened in memory, written with one call.
          const plains: Buffer[] = [];
          for (let j = 0; j < n; j++) {
            const i = todo[k + j]!;
            const span = frameSpan(this.layout, i);
            plains.push(openFrameAt(this.layout, this.key, i, sealed.subarray(span.offset - first.offset, span.offset - first.offset + span.length), this.aad));
          }
          await dst.writev(plains, todo[k]! * this.layout.chunkSize);
          for (let j = 0; j < n; j++) {
            this.have[todo[k + j]!] = 1;
            this.missing--;
            added += plains[j]!.length;
          }
          k += n;
        }
      } finally {
        await src.close();
        await dst.close();
      }
      this.decrypted += added;
      return added;
    });
    this.work = run.catch(() => undefined);
    return run;
  }
}

async function readFully(h: fsp.FileHandle, into: Uint8Array, position: number): Promise<void> {
  let got = 0;
  while (got < into.length) {
    const { bytesRead } = await h.read(into, got, into.length - got, position + got);
    if (bytesRead === 0) throw new Error(`unexpected end of file at ${position + got}`);
    got += bytesRead;
  }
}
