/**
 * The write-ahead log: where an acknowledged event lives until it is sealed into a Parquet segment.
 *
 * Files are `wal/<number>.wal`, numbered upwards; each holds newline-delimited records, one per
 * accepted PutLogEvents batch. A record is a JSON object with a small header and, under "b", the
 * request body exactly as the client sent it (raw newlines turned into spaces, which is safe because
 * in valid JSON they can only be whitespace). Keeping the body verbatim means the ingest path encodes
 * nothing; DuckDB reads the same lines when it seals the file (see sealer.ts). With encryption at rest
 * a record is instead a header line with the ciphertext's length ("n"), the ciphertext of the body
 * (at-rest.ts), and a newline (encodeSealed); the sealer gives DuckDB their plaintext from memory.
 *
 * Contract: append() resolves only once the record is on disk (fdatasync); records are written in the
 * order append() was called, and a record's file is fixed when append() is called. Each record's
 * onDurable callback runs in that same order, and a file's onFileClosed only after all of them. Concurrent appends
 * share one write and one sync (group commit), and writing is pipelined with syncing (drain). After a
 * crash, a file may end in a torn record: only the unacknowledged tail, which recovery cuts off.
 */
import { promises as fsp, constants as fsc } from 'node:fs';
import { join } from 'node:path';

export interface WalRecordHeader {
  /** Log group id and log stream id (catalog ids, never names). */
  g: number;
  s: number;
  /** Ingestion time, ms. */
  i: number;
  /** Sequence number of the first accepted event in the group. */
  q: number;
  /** Accepted events are logEvents[lo, hi) of the body. */
  lo: number;
  hi: number;
  /** UTF-8 bytes of the accepted messages. */
  u: number;
}

const FILE_RE = /^(\d{10})\.wal$/;
export const walFileName = (n: number): string => `${String(n).padStart(10, '0')}.wal`;

/** The bytes that end a plaintext record, and a sealed one. Shared, never written to. */
const RECORD_END = Buffer.from('}\n');
const NEWLINE = Buffer.from('\n');

/** Records written together, and the fdatasync that makes them durable. */
interface Group {
  file: number;
  batch: Pending[];
  bytes: number;
  sync: Promise<void>;
}

interface Pending {
  file: number;
  /** The record's bytes in pieces (written with one writev); none for a file's closing marker. */
  bufs: Buffer[];
  /** Runs synchronously once the record is durable, before anything queued after it. */
  onDurable?: (() => void) | undefined;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class WalError extends Error {
  override readonly name = 'WalError';
}

export class Wal {
  private active: number;
  private activeBytes = 0;
  private activeSince = 0;
  private fd: fsp.FileHandle | undefined;
  private fdFile = -1;
  private durableSize = 0;
  /** Bytes of the open file written (durable or being synced): where the next group is written. */
  private writtenSize = 0;
  private queue: Pending[] = [];
  private writing = false;
  private broken: Error | undefined;
  private pendingBytes = 0;
  /** Wakes drain when a record is queued while it waits for a sync. */
  private arrival: (() => void) | undefined;
  /** Called once every record of a closed file is durable: the file may now be sealed. */
  onFileClosed: (file: number) => void = () => {};

  private constructor(
    readonly dir: string,
    firstFile: number,
    private readonly now: () => number,
  ) {
    this.active = firstFile;
  }

  static async open(dir: string, firstFile: number, now: () => number): Promise<Wal> {
    await fsp.mkdir(dir, { recursive: true });
    return new Wal(dir, firstFile, now);
  }

  path(file: number): string {
    return join(this.dir, walFileName(file));
  }

  get activeFile(): number {
    return this.active;
  }

  /** Bytes accepted but not yet durable. */
  get backlogBytes(): number {
    return this.pendingBytes;
  }

  /** Encodes a record line around the raw body. The body buffer may be modified (newlines). */
  static encode(h: WalRecordHeader, body: Buffer): Buffer {
    return Buffer.concat(Wal.encodeParts(h, body));
  }

  /**
   * A plaintext record as the pieces written one after the other: header, the body itself (not copied;
   * its raw newlines become spaces, in place: in JSON they can only be whitespace), closing brace.
   */
  static encodeParts(h: WalRecordHeader, body: Buffer): Buffer[] {
    for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) body[i] = 32;
    for (let i = body.indexOf(13); i !== -1; i = body.indexOf(13, i + 1)) body[i] = 32;
    return [Buffer.from(`{"g":${h.g},"s":${h.s},"i":${h.i},"q":${h.q},"lo":${h.lo},"hi":${h.hi},"u":${h.u},"b":`), body, RECORD_END];
  }

  /**
   * A record around a sealed body (encryption at rest, at-rest.ts), as pieces: a header line that says
   * how many bytes of ciphertext follow ("n"), the ciphertext as it is (its pieces, not copied), and a
   * newline. The header stays readable (ids and counts); nothing is encoded (no base64).
   */
  static encodeSealed(h: WalRecordHeader, sealed: Buffer[]): Buffer[] {
    const n = sealed.reduce((a, b) => a + b.length, 0);
    return [Buffer.from(`{"g":${h.g},"s":${h.s},"i":${h.i},"q":${h.q},"lo":${h.lo},"hi":${h.hi},"u":${h.u},"n":${n}}\n`), ...sealed, NEWLINE];
  }

  /**
   * Queues a record; returns the file it belongs to and a promise that resolves once it is durable.
   * The file is decided now, so the caller can account the record to it synchronously.
   */
  append(line: Buffer[], rotateAtBytes: number, onDurable?: () => void): { file: number; durable: Promise<void> } {
    if (this.broken) return { file: this.active, durable: Promise.reject(this.broken) };
    const length = line.reduce((a, b) => a + b.length, 0);
    if (this.activeBytes > 0 && this.activeBytes + length > rotateAtBytes) this.rotate();
    if (this.activeBytes === 0) this.activeSince = this.now();
    this.activeBytes += length;
    this.pendingBytes += length;
    const file = this.active;
    const durable = new Promise<void>((resolve, reject) => this.queue.push({ file, bufs: line, onDurable, resolve, reject }));
    if (!this.writing) void this.drain();
    else this.arrival?.();
    return { file, durable };
  }

  /** Closes the active file if it holds anything; later records go to the next file. */
  rotate(): void {
    if (this.activeBytes === 0) return;
    const closed = this.active;
    this.active += 1;
    this.activeBytes = 0;
    // The closing marker: once everything queued before it is durable, the file may be sealed.
    this.queue.push({ file: closed, bufs: [], resolve: () => this.onFileClosed(closed), reject: () => {} });
    if (!this.writing) void this.drain();
    else this.arrival?.();
  }

  /** Rotates when the active file has held data for longer than maxAgeMs. */
  rotateIfOlderThan(maxAgeMs: number): void {
    if (this.activeBytes > 0 && this.now() - this.activeSince >= maxAgeMs) this.rotate();
  }

  /**
   * Writes and syncs what is queued, one group of records of one file at a time, pipelined: a group is
   * written while the previous group's fdatasync runs, its own sync starts as soon as that one ends,
   * and only then do the previous group's callbacks run (onDurable makes batches visible: milliseconds
   * of work that would otherwise leave the disk idle). A record is acknowledged only by a sync that
   * started after its write ended. Never two files at once: a group of another file waits until the
   * previous group is durable (and its file closed, when that group holds the closing marker).
   */
  private async drain(): Promise<void> {
    this.writing = true;
    let prev: Group | undefined;
    try {
      for (;;) {
        const head = this.queue[0];
        if (head === undefined && prev !== undefined) {
          // Records that come while the sync runs are written meanwhile.
          const arrived = new Promise<boolean>((resolve) => (this.arrival = () => resolve(false)));
          const synced = await Promise.race([prev.sync.then(() => true, () => true), arrived]);
          this.arrival = undefined;
          if (!synced) continue;
        }
        if (head === undefined || (prev !== undefined && prev.file !== head.file)) {
          if (prev === undefined) break;
          await this.finish(prev);
          prev = undefined;
          continue;
        }
        const file = head.file;
        let n = 0;
        while (n < this.queue.length && this.queue[n]!.file === file) n++;
        const batch = this.queue.splice(0, n);
        const bufs = batch.flatMap((p) => p.bufs).filter((b) => b.length > 0);
        const bytes = bufs.reduce((a, b) => a + b.length, 0);
        let fd: fsp.FileHandle | undefined;
        try {
          if (bufs.length > 0) {
            fd = await this.handleFor(file);
            let written = 0;
            while (written < bytes) {
              const { bytesWritten } = await fd.writev(sliceFrom(bufs, written), this.writtenSize + written);
              written += bytesWritten;
            }
            this.writtenSize += bytes;
          }
        } catch (e) {
          // What was queued before is settled first: the cut below goes back to its end when it is durable.
          if (prev !== undefined) await this.finish(prev);
          prev = undefined;
          await this.recoverFromWriteError(e);
          this.fail(batch, bytes, e);
          continue;
        }
        const done = prev;
        if (done !== undefined) {
          prev = undefined;
          try {
            await done.sync;
          } catch (e) {
            // The cut goes back to before the failed group, and so takes this group's bytes too.
            await this.recoverFromWriteError(e);
            this.fail(done.batch, done.bytes, e);
            this.fail(batch, bytes, e);
            continue;
          }
          this.durableSize += done.bytes;
        }
        const sync = fd !== undefined ? fd.datasync() : Promise.resolve();
        // Handled where it is awaited (above or in finish); meanwhile it must not count as unhandled.
        sync.catch(() => undefined);
        prev = { file, batch, bytes, sync };
        if (done !== undefined) this.durable(done);
      }
    } finally {
      this.writing = false;
    }
  }

  /** Waits for the group's sync, then closes its file if the group closes it and runs its callbacks. */
  private async finish(g: Group): Promise<void> {
    try {
      await g.sync;
      this.durableSize += g.bytes;
      if (this.fdFile === g.file && g.batch.some((p) => p.bufs.length === 0)) await this.closeHandle();
    } catch (e) {
      await this.recoverFromWriteError(e);
      this.fail(g.batch, g.bytes, e);
      return;
    }
    this.durable(g);
  }

  private durable(g: Group): void {
    this.pendingBytes -= g.bytes;
    for (const p of g.batch) {
      p.onDurable?.();
      p.resolve();
    }
  }

  private fail(batch: Pending[], bytes: number, e: unknown): void {
    this.pendingBytes -= bytes;
    for (const p of batch) p.reject(this.broken ?? e);
  }

  private async handleFor(file: number): Promise<fsp.FileHandle> {
    if (this.fd && this.fdFile === file) return this.fd;
    await this.closeHandle();
    const path = this.path(file);
    this.fd = await fsp.open(path, fsc.O_CREAT | fsc.O_WRONLY, 0o600);
    this.fdFile = file;
    this.durableSize = (await this.fd.stat()).size;
    this.writtenSize = this.durableSize;
    // Make the new file's directory entry durable too.
    await syncDir(this.dir);
    return this.fd;
  }

  private async closeHandle(): Promise<void> {
    const fd = this.fd;
    this.fd = undefined;
    this.fdFile = -1;
    this.durableSize = 0;
    this.writtenSize = 0;
    if (fd) await fd.close();
  }

  /** A failed write may have left part of a record: cut the file back to its last durable size. */
  private async recoverFromWriteError(e: unknown): Promise<void> {
    try {
      if (this.fd) {
        this.writtenSize = this.durableSize;
        await this.fd.truncate(this.durableSize);
        await this.fd.datasync();
      }
    } catch (e2) {
      this.broken = new WalError('write-ahead log unusable after a failed write', { cause: e2 });
    }
    if (!this.broken && e instanceof Error && (e as NodeJS.ErrnoException).code === 'EBADF') {
      this.broken = new WalError('write-ahead log file handle lost', { cause: e });
    }
  }

  /** Waits until everything queued so far is durable (or failed). */
  async flush(): Promise<void> {
    while (this.writing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 2));
  }

  async close(): Promise<void> {
    await this.flush();
    await this.closeHandle();
  }
}

/** The pieces after the first `offset` bytes of `bufs` (to go on after a partial writev). */
export function sliceFrom(bufs: Buffer[], offset: number): Buffer[] {
  if (offset === 0) return bufs;
  const out: Buffer[] = [];
  let skip = offset;
  for (const b of bufs) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}

export async function syncDir(dir: string): Promise<void> {
  const h = await fsp.open(dir, fsc.O_RDONLY);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** WAL file numbers present in dir, ascending. */
export async function listWalFiles(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return names
    .map((n) => FILE_RE.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .sort((a, b) => a - b);
}

export interface WalRecord extends WalRecordHeader {
  /** The request body (a plaintext record)... */
  b?: { logEvents: Array<{ timestamp: number; message: string }> };
  /** ...or the length of its sealed form (an encrypted record), which readWalFile puts under `e`. */
  n?: number;
  e?: Buffer;
}

/**
 * The record that starts at `start` of a WAL file's bytes, and where the next one starts; undefined when
 * what is there is not a complete record (a torn tail). A plaintext record is one JSON line; an
 * encrypted one is a header line with "n", then n bytes of ciphertext and a newline.
 */
function nextRecord(data: Buffer, start: number): { rec: WalRecord; end: number; headEnd: number } | undefined {
  const nl = data.indexOf(10, start);
  if (nl === -1) return undefined;
  let rec: WalRecord;
  try {
    rec = JSON.parse(data.toString('utf8', start, nl)) as WalRecord;
  } catch {
    return undefined;
  }
  if (rec.n === undefined) return { rec, end: nl + 1, headEnd: nl };
  const end = nl + 1 + rec.n;
  if (!Number.isInteger(rec.n) || rec.n < 0 || end >= data.length || data[end] !== 10) return undefined;
  rec.e = data.subarray(nl + 1, end);
  return { rec, end: end + 1, headEnd: nl };
}

/**
 * Writes the plaintext form of a WAL file (every record with its body under "b", as Wal.encode makes
 * it) to `dest`, opening sealed records with `open` (null leaves a record out): what the sealer gives
 * DuckDB's JSON reader when the WAL is encrypted. A record that is not sealed is left out too: an
 * encrypted WAL holds none but what someone wrote into the file (recovery has logged it already).
 * `dest` must be in private memory (at-rest.ts scratch space).
 */
export async function writePlaintextWal(src: string, dest: string, open: (h: WalRecordHeader, sealed: Buffer) => Promise<Buffer | null>): Promise<void> {
  const data = await fsp.readFile(src);
  const out: Buffer[] = [];
  for (let start = 0, next = nextRecord(data, start); next !== undefined; start = next.end, next = nextRecord(data, start)) {
    const { rec, end, headEnd } = next;
    if (rec.e === undefined) continue; // not sealed: refused
    const body = await open(rec, rec.e);
    if (body === null) continue; // a record left out (its group is gone, and with it its keys)
    for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) body[i] = 32;
    for (let i = body.indexOf(13); i !== -1; i = body.indexOf(13, i + 1)) body[i] = 32;
    // The header line without its "n" and closing brace, then the body under "b".
    const head = data.toString('latin1', start, headEnd).replace(/,"n":\d+\}$/, '');
    out.push(Buffer.from(`${head},"b":`), body, Buffer.from('}\n'));
  }
  await fsp.writeFile(dest, Buffer.concat(out), { mode: 0o600 });
}

/**
 * Reads every complete record of a file. A torn tail (a last line without its newline, or one that
 * does not parse) is cut off the file, so later appends or seals never see it.
 */
export async function readWalFile(path: string): Promise<WalRecord[]> {
  const data = await fsp.readFile(path);
  const out: WalRecord[] = [];
  let goodEnd = 0;
  // Stops at a torn or corrupt record: from there on only unacknowledged records can be.
  for (let next = nextRecord(data, 0); next !== undefined; next = nextRecord(data, next.end)) {
    out.push(next.rec);
    goodEnd = next.end;
  }
  if (goodEnd < data.length) {
    const h = await fsp.open(path, fsc.O_WRONLY);
    try {
      await h.truncate(goodEnd);
      await h.datasync();
    } finally {
      await h.close();
    }
  }
  return out;
}
