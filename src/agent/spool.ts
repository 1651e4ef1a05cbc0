/**
 * The agent's on-disk buffer: an append-only log of records (what was read from the files, and the file
 * positions after it) between the readers and the sender.
 *
 * Contract: positions are byte offsets in one growing address space, split over segment files named by
 * their first offset. A record is [u32 length][u32 crc32][payload] and never spans segments. `append`
 * returns once the record is written (to the page cache; `sync` forces it to disk); a record torn by a
 * crash fails its crc and is cut off on the next open. The owner says how far the server has acknowledged
 * (`release`), and whole segments below that go. `used` counts bytes between the release point and the
 * end: the owner stops reading files once it passes the bound.
 */
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

const SEGMENT_BYTES = 8 * 1024 * 1024;
const HEADER = 8;

export interface SpoolRecord {
  start: number;
  end: number;
  payload: Buffer;
}

function segmentName(start: number): string {
  return `${String(start).padStart(16, '0')}.seg`;
}

export class Spool {
  private writer: FileHandle | undefined;
  private writerStart = 0;
  private readers = new Map<number, FileHandle>();
  private block = Buffer.alloc(0);

  private constructor(
    private readonly dir: string,
    /** Start offsets of the segments, ascending; the last is the one written to. */
    private readonly segments: number[],
    private end: number,
    private released: number,
  ) {
    this.openedEnd = end;
  }

  /**
   * Records from here on were written by this process and are read back from the page cache: their
   * checksums are not checked again (those found at open were, and a torn record was cut off).
   */
  private readonly openedEnd: number;

  /** Opens (or creates) the spool in `dir`; `released` is the position the server had acknowledged. */
  static async open(dir: string, released: number): Promise<Spool> {
    await mkdir(dir, { recursive: true });
    const segments = (await readdir(dir))
      .filter((n) => /^\d{16}\.seg$/.test(n))
      .map((n) => Number(n.slice(0, 16)))
      .sort((a, b) => a - b);
    let end = released;
    const last = segments[segments.length - 1];
    if (last !== undefined) {
      const fh = await open(join(dir, segmentName(last)), 'r+');
      try {
        const valid = await validLength(fh);
        await fh.truncate(valid);
        end = Math.max(end, last + valid);
      } finally {
        await fh.close();
      }
    }
    const spool = new Spool(dir, segments, end, Math.min(released, end));
    await spool.release(spool.released);
    return spool;
  }

  /** The end of the last record. */
  get writePosition(): number {
    return this.end;
  }

  get releasedPosition(): number {
    return this.released;
  }

  /** Bytes held that the server has not acknowledged. */
  get used(): number {
    return this.end - this.released;
  }

  async append(payload: Buffer): Promise<number> {
    if (this.writer === undefined || this.end - this.writerStart >= SEGMENT_BYTES) {
      await this.writer?.close();
      this.writerStart = this.end;
      this.writer = await open(join(this.dir, segmentName(this.end)), 'a');
      if (this.segments[this.segments.length - 1] !== this.end) this.segments.push(this.end);
    }
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(payload.length, 0);
    header.writeUInt32LE(crc32(payload), 4);
    await this.writer.writev([header, payload]);
    this.end += HEADER + payload.length;
    return this.end;
  }

  async sync(): Promise<void> {
    await this.writer?.datasync();
  }

  /**
   * Records from `pos` on, up to about `maxBytes` of them (at least one when there is one), from one
   * segment. The payloads share one buffer that the next call reuses: decode them before reading again.
   */
  async read(pos: number, maxBytes: number): Promise<SpoolRecord[]> {
    let segIndex = this.segmentOf(pos);
    while (pos >= (this.segments[segIndex + 1] ?? this.end) && segIndex + 1 < this.segments.length) pos = this.segments[++segIndex] as number;
    if (pos >= this.end) return [];
    const segStart = this.segments[segIndex] as number;
    const segEnd = this.segments[segIndex + 1] ?? this.end;
    const fh = await this.reader(segStart);
    let want = Math.min(Math.max(maxBytes, HEADER), segEnd - pos);
    if (this.block.length < want) this.block = Buffer.allocUnsafe(want);
    let { bytesRead } = await fh.read(this.block, 0, want, pos - segStart);
    // A record larger than the block: grow the block to hold it whole.
    if (bytesRead >= HEADER && HEADER + this.block.readUInt32LE(0) > bytesRead) {
      want = HEADER + this.block.readUInt32LE(0);
      if (this.block.length < want) this.block = Buffer.allocUnsafe(want);
      ({ bytesRead } = await fh.read(this.block, 0, want, pos - segStart));
    }
    const out: SpoolRecord[] = [];
    let at = 0;
    while (at + HEADER <= bytesRead) {
      const len = this.block.readUInt32LE(at);
      if (at + HEADER + len > bytesRead) break;
      const payload = this.block.subarray(at + HEADER, at + HEADER + len);
      if (pos + at < this.openedEnd && crc32(payload) !== this.block.readUInt32LE(at + 4)) throw new Error(`spool record at ${pos + at} is damaged`);
      out.push({ start: pos + at, end: pos + at + HEADER + len, payload });
      at += HEADER + len;
    }
    if (out.length === 0) throw new Error(`spool record at ${pos} is damaged`);
    return out;
  }

  /** The server has everything before `pos`: segments wholly before it are deleted. */
  async release(pos: number): Promise<void> {
    this.released = Math.max(this.released, Math.min(pos, this.end));
    while (this.segments.length > 1 && (this.segments[1] as number) <= this.released) {
      const start = this.segments.shift() as number;
      await this.readers.get(start)?.close();
      this.readers.delete(start);
      await rm(join(this.dir, segmentName(start)), { force: true });
    }
  }

  async close(): Promise<void> {
    await this.writer?.close();
    this.writer = undefined;
    for (const fh of this.readers.values()) await fh.close();
    this.readers.clear();
  }

  private segmentOf(pos: number): number {
    let i = this.segments.length - 1;
    while (i > 0 && (this.segments[i] as number) > pos) i--;
    return i;
  }

  private async reader(start: number): Promise<FileHandle> {
    let fh = this.readers.get(start);
    if (fh === undefined) {
      fh = await open(join(this.dir, segmentName(start)), 'r');
      this.readers.set(start, fh);
    }
    return fh;
  }
}

/** The length of the segment's prefix made of whole records with good checksums. */
async function validLength(fh: FileHandle): Promise<number> {
  const { size } = await fh.stat();
  const buf = Buffer.allocUnsafe(size);
  await fh.read(buf, 0, size, 0);
  let pos = 0;
  while (pos + HEADER <= size) {
    const len = buf.readUInt32LE(pos);
    if (pos + HEADER + len > size || crc32(buf.subarray(pos + HEADER, pos + HEADER + len)) !== buf.readUInt32LE(pos + 4)) break;
    pos += HEADER + len;
  }
  return pos;
}
