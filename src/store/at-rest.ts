/**
 * Encryption at rest of what the store writes (docs/encryption.md): write-ahead log records, sealed
 * segments, their token indexes and trigram bitmaps are sealed with their log group's data key (src/kms KeyService:
 * AES-256-GCM, per-group keys wrapped by the local master key or an AWS KMS key). Plaintext exists only in
 * memory: in the process and in a private directory on a memory file system (/dev/shm), where
 * DuckDB finds its spill space, the files being sealed or merged, and a bounded cache of decrypted
 * segments that queries read.
 *
 * With encryption off (StoreOptions.encryption null, for comparison benchmarks only) the same calls
 * pass plaintext through and the scratch space is the data dir's tmp/. The other way round fails
 * closed: with encryption on, plaintext where sealed data belongs (a segment starting with Parquet's
 * magic, a bitmap of the raw size, an unsealed token index, WAL record or value) is refused
 * (UnsealedDataError), since anyone who can write the data dir could otherwise forge what queries see.
 */
import { createReadStream, createWriteStream, promises as fsp } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { context, open as openSealed, openChunks, readHeader, seal, sealChunks, sealParts, textTag, type DataKey } from '../kms/envelope.js';
import type { KeyService } from '../kms/key-service.js';
import { UnsealedDataError } from '../kms/errors.js';
import { BITMAP_BYTES } from './trigram.js';
import { isTokenIndex, TokenIndex } from './token-index.js';
import { openSealedIndex, SEALED_INDEX_HEAD_BYTES, sealIndex } from './sealed-index.js';
import { PartialPlaintext } from './partial-plaintext.js';
import { PlaintextCache, type SegmentLease, type SegmentRef } from './plaintext-cache.js';
import { encodeLayout, frameCuts, layoutOfFile, signLayout, type SegmentLayout } from './segment-layout.js';

export type { SegmentLease, SegmentRef } from './plaintext-cache.js';

/** A segment put in its place by storeSegment(). */
export interface StoredSegment {
  fileBytes: number;
  /** Its plaintext's layout as the catalog keeps it (segment-layout.ts); null when stored as plaintext. */
  layout: string | null;
}

export interface EncryptionOptions {
  keys: KeyService;
  /** Where the private plaintext directory is made; a memory file system (default /dev/shm). */
  plaintextRoot?: string;
  /** Bytes of decrypted segments kept for queries (least recently used go first). */
  cacheBytes?: number;
  /** The key-encryption key for a group's new data keys (AssociateKmsKey), by group id. */
  kekFor?: (groupId: number) => string | undefined;
  /** Plaintext bytes per frame of newly sealed segments (default SEGMENT_FRAME; small in tests, to exercise partial reads). */
  segmentFrameBytes?: number;
}

/**
 * Largest plaintext frame of a sealed segment: the unit a query decrypts (partial-plaintext.ts). Frames are
 * also cut at every column chunk and at the footer (segment-layout.ts frameCuts), so a column's chunk is
 * decrypted alone, not with the 64 KiB around it; within a chunk, frames of this size keep AES-GCM's
 * per-frame cost negligible. Segments sealed before 2026-11-28 have fixed frames (envelope format 1: 64 KiB,
 * or 1 MiB before 2026-11-27); the frame size is in each file's header.
 */
const SEGMENT_FRAME = 64 * 1024;
/** Bytes read from a plaintext file at a time while sealing it. */
const SEGMENT_READ = 1 << 20;
const DEFAULT_CACHE_BYTES = 2 * 1024 ** 3;

export class AtRest {
  private readonly current = new Map<number, DataKey>();
  private readonly preparing = new Map<number, Promise<void>>();
  /** Decrypted segments for queries (null without encryption: segments are read in place). */
  private readonly cache: PlaintextCache | null;
  private scratchSeq = 0;
  /** readIndex()'s buffer for sealed bytes, kept between reads (null while a read holds it). */
  private indexReadBuffer: Buffer | null = null;

  private constructor(
    readonly dataDir: string,
    private readonly enc: EncryptionOptions | null,
    /** Private scratch space: DuckDB spills, files being written, decrypted write-ahead log files. */
    readonly scratchDir: string,
    cacheDir: string,
    cacheLimit: number,
    logger: Logger,
  ) {
    this.cache = enc === null ? null : new PlaintextCache(dataDir, cacheDir, cacheLimit, (rel, file, layout) => this.openPlaintext(rel, file, layout), logger);
  }

  static async open(dataDir: string, enc: EncryptionOptions | null, logger: Logger): Promise<AtRest> {
    if (enc === null) {
      const scratch = join(dataDir, 'tmp');
      await fsp.rm(scratch, { recursive: true, force: true });
      await fsp.mkdir(scratch, { recursive: true, mode: 0o700 });
      return new AtRest(dataDir, null, scratch, scratch, 0, logger);
    }
    let root = enc.plaintextRoot;
    if (root === undefined) {
      root = (await isDir('/dev/shm')) ? '/dev/shm' : tmpdir();
      if (root !== '/dev/shm') logger.warn({ dir: root }, 'no /dev/shm: decrypted data is kept under the temporary directory, which may be on disk');
    }
    await removeStale(root);
    const dir = await fsp.mkdtemp(join(root, `logward-${process.pid}-`));
    await fsp.chmod(dir, 0o700);
    await fsp.writeFile(join(dir, 'owner'), `${process.pid}\n`, { mode: 0o600 });
    const scratch = join(dir, 'scratch');
    const cache = join(dir, 'cache');
    await fsp.mkdir(scratch, { mode: 0o700 });
    await fsp.mkdir(cache, { mode: 0o700 });
    // The data dir's tmp/ held DuckDB's spills before encryption: nothing may stay there.
    await fsp.rm(join(dataDir, 'tmp'), { recursive: true, force: true });
    return new AtRest(dataDir, enc, scratch, cache, enc.cacheBytes ?? DEFAULT_CACHE_BYTES, logger);
  }

  /**
   * `plain`, found where sealed data belongs: given back as it is by a store without encryption (what
   * it wrote), refused by an encrypted one (UnsealedDataError). `what` names it for the operator.
   */
  unsealed<T>(plain: T, what: string): T {
    if (this.enc === null) return plain;
    throw unsealedError(what);
  }

  get enabled(): boolean {
    return this.enc !== null;
  }

  private get keys(): KeyService {
    return this.enc!.keys;
  }

  /** Loads (or creates) the group's current data key, so that sealRecord() can run synchronously. */
  prepare(groupId: number): Promise<void> {
    if (this.enc === null || this.current.has(groupId)) return Promise.resolve();
    let p = this.preparing.get(groupId);
    if (!p) {
      p = this.keys
        .currentKey(String(groupId), undefined, this.enc.kekFor?.(groupId))
        .then((k) => void this.current.set(groupId, k))
        .finally(() => this.preparing.delete(groupId));
      this.preparing.set(groupId, p);
    }
    return p;
  }

  ready(groupId: number): boolean {
    return this.enc === null || this.current.has(groupId);
  }

  /** Seals a write-ahead log record's body (after prepare()); bound to the group and the record's first seq. */
  sealRecord(groupId: number, firstSeq: number, body: Buffer): Buffer[] {
    const key = this.current.get(groupId);
    if (!key) throw new Error(`the data key of log group ${groupId} is not loaded`);
    return sealParts(body, key, aad(groupId, 'wal', String(firstSeq)));
  }

  async openRecord(groupId: number, firstSeq: number, sealed: Buffer): Promise<Buffer> {
    const key = await this.keys.keyFor(String(groupId), readHeader(sealed));
    return openSealed(sealed, key, aad(groupId, 'wal', String(firstSeq)));
  }

  async sealBitmap(groupId: number, block: number, bits: Uint8Array): Promise<Uint8Array> {
    if (this.enc === null) return bits;
    await this.prepare(groupId);
    return seal(bits, this.current.get(groupId)!, aad(groupId, 'bitmap', String(block)));
  }

  async openBitmap(groupId: number, block: number, stored: Uint8Array): Promise<Uint8Array> {
    if (stored.length === BITMAP_BYTES) return this.unsealed(stored, `the trigram bitmap of block ${block} of log group ${groupId}`);
    const key = await this.keys.keyFor(String(groupId), readHeader(stored));
    return openSealed(stored, key, aad(groupId, 'bitmap', String(block)));
  }

  /**
   * Writes a segment's token index (token-index.ts) to `rel` in the data dir, sealed under the group's
   * data key and bound to its place, durable when this resolves.
   */
  async storeIndex(groupId: number, rel: string, index: Uint8Array): Promise<void> {
    let bytes = index;
    if (this.enc !== null) {
      await this.prepare(groupId);
      bytes = await sealIndex(index, this.current.get(groupId)!, aad(groupId, 'tokens', rel));
    }
    const dest = join(this.dataDir, rel);
    await fsp.writeFile(`${dest}.tmp`, bytes, { mode: 0o600 });
    await syncFile(`${dest}.tmp`);
    await fsp.rename(`${dest}.tmp`, dest);
  }

  /**
   * A segment's token index as storeIndex() wrote it, opened; null when it has none. A sealed one opens
   * without its posting lists (sealed-index.ts); one stored in plaintext, or sealed whole before that
   * format, is read whole.
   */
  async openIndex(groupId: number, rel: string): Promise<TokenIndex | null> {
    const path = join(this.dataDir, rel);
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    // Whole reads go into a buffer reused from one read to the next: after a start, every page of a new
    // buffer costs a fault (2 to 6 µs each on these VMs, docs/encryption.md), and only the opened index is kept.
    let buf = this.indexReadBuffer;
    this.indexReadBuffer = null; // taken: a read that overlaps this one allocates its own
    try {
      const { size } = await fh.stat();
      const first = Math.min(size, SEALED_INDEX_HEAD_BYTES);
      if (buf === null || buf.length < first) buf = Buffer.allocUnsafe(Math.max(size, 1 << 20));
      let got = await readInto(fh, buf, 0, first);
      if (got >= 3 && buf.toString('latin1', 0, 3) === 'LWS') {
        return await openSealedIndex(fh, path, Buffer.from(buf.subarray(0, got)), size, (ref) => this.keys.keyFor(String(groupId), ref), aad(groupId, 'tokens', rel));
      }
      if (buf.length < size) {
        const bigger = Buffer.allocUnsafe(size);
        buf.copy(bigger, 0, 0, got);
        buf = bigger;
      }
      got += await readInto(fh, buf, got, size);
      const stored = buf.subarray(0, got);
      if (isTokenIndex(stored)) return TokenIndex.parse(this.unsealed(Buffer.from(stored), `the token index ${rel}`));
      const key = await this.keys.keyFor(String(groupId), readHeader(stored));
      return TokenIndex.parse(openSealed(stored, key, aad(groupId, 'tokens', rel)));
    } finally {
      await fh.close();
      const kept = this.indexReadBuffer as Buffer | null; // another read may have put one back meanwhile
      if (buf !== null && (kept === null || buf.length > kept.length)) this.indexReadBuffer = buf;
    }
  }

  /**
   * Moves a Parquet file written in the scratch space to its place in the data dir (`rel`), sealed, and
   * durable when this resolves. The plaintext goes into the read cache, so the first queries of a new
   * segment find it decrypted. Returns the bytes stored and, when sealed, the plaintext's layout for
   * the catalog (segment-layout.ts: a query after a restart then parses no footer).
   */
  async storeSegment(groupId: number, plain: string, rel: string): Promise<StoredSegment> {
    const dest = join(this.dataDir, rel);
    const tmp = `${dest}.tmp`;
    if (this.enc === null) {
      await syncFile(plain);
      await fsp.rename(plain, dest);
      return { fileBytes: (await fsp.stat(dest)).size, layout: null };
    }
    const frameBytes = this.enc.segmentFrameBytes ?? SEGMENT_FRAME;
    const parts = await layoutOfFile(plain, frameBytes);
    // Frames start at every column chunk: a query reading a column decrypts its chunks, not their neighbours.
    const cuts = frameCuts(parts, frameBytes);
    await this.prepare(groupId);
    const key = this.current.get(groupId)!;
    const place = aad(groupId, 'segment', rel);
    const body = encodeLayout({ ...parts, cuts });
    const layout = signLayout(body, textTag(key, place, body));
    await writeAll(tmp, sealChunks(createReadStream(plain, { highWaterMark: SEGMENT_READ }), key, place, frameBytes, { cuts }));
    await syncFile(tmp);
    await fsp.rename(tmp, dest);
    const fileBytes = (await fsp.stat(dest)).size;
    await this.cache!.adopt(rel, plain);
    return { fileBytes, layout };
  }

  /**
   * Files DuckDB can read for these segments, decrypting into the cache what is not there yet: every
   * byte, or with `partial` only their footers until the lease's readColumns() asks for more.
   */
  async lease(refs: readonly SegmentRef[], opts: { partial?: boolean } = {}): Promise<SegmentLease> {
    if (this.cache === null) return { path: (rel) => join(this.dataDir, rel), readColumns: () => Promise.resolve(), release: () => {} };
    return this.cache.lease(refs, opts);
  }

  /**
   * The layout of a sealed segment's plaintext read from its footer, as the catalog keeps it (for
   * segments sealed before layouts were recorded); null for a segment stored as plaintext. Only the
   * frames of its ends are decrypted, into a scratch file removed before this resolves.
   */
  async segmentLayout(rel: string): Promise<string | null> {
    if (this.enc === null) return null;
    const file = join(this.scratchDir, `layout-${++this.scratchSeq}.parquet`);
    try {
      const plain = await this.openPlaintext(rel, file, null);
      if (plain === null) return null;
      const parts = { footer: plain.footer, columns: await plain.columns() };
      const body = encodeLayout({ ...parts, cuts: plain.cutsFor(frameCuts(parts, plain.frameBytes)) });
      return signLayout(body, textTag(plain.key, aad(Number(rel.split('/')[1]), 'segment', rel), body));
    } finally {
      await fsp.rm(file, { force: true });
    }
  }

  /** The group's data key versions (ids, KEKs, dates; never key material), or undefined. */
  describe(groupId: number): { keyId: string; current: number; versions: Array<{ version: number; kekId: string; createdAt: string }> } | undefined {
    return this.enc === null ? undefined : this.keys.describe(String(groupId));
  }

  /** The master key's KEK id (new data keys of groups without a KMS key). */
  defaultKek(): string | undefined {
    return this.enc === null ? undefined : this.keys.defaultKekId;
  }

  /** Starts a new data key version for the group's new data; older data keeps opening. */
  async rotate(groupId: number, kekId?: string): Promise<void> {
    if (this.enc === null) return;
    const kek = kekId ?? this.enc.kekFor?.(groupId);
    // A group without keys yet gets its first one under `kek`, not a first one and a second.
    if (this.keys.describe(String(groupId)) === undefined) await this.keys.currentKey(String(groupId), undefined, kek);
    else await this.keys.rotate(String(groupId), undefined, kek);
    this.current.set(groupId, await this.keys.currentKey(String(groupId)));
  }

  /**
   * Seals a small value that holds log content kept outside the log store (a metric dimension value a
   * metric filter took from a group's events) under the group's data key, so that shredding the group
   * reaches it too; `groupId` null: under the key of values that come from no group (PutMetricData).
   * Gives `lw1:` and base64; without encryption, the value as it is. `place` binds it to where it is kept.
   */
  async sealValue(groupId: number | null, place: string, text: string): Promise<string> {
    if (this.enc === null) return text;
    const id = groupId === null ? VALUES_KEY : String(groupId);
    return SEALED_VALUE + (await this.keys.seal(id, Buffer.from(text, 'utf8'), context('logward:value', id, place))).toString('base64');
  }

  /** What sealValue() sealed; a value stored without encryption comes back as it is from a store without encryption, and is refused by an encrypted one. Throws once the key is shredded. */
  async openValue(groupId: number | null, place: string, stored: string): Promise<string> {
    if (!stored.startsWith(SEALED_VALUE)) return this.unsealed(stored, `the value at ${place}`);
    if (this.enc === null) throw new Error('this value was stored encrypted; it cannot be read with encryption at rest turned off');
    const id = groupId === null ? VALUES_KEY : String(groupId);
    return (await this.keys.open(id, Buffer.from(stored.slice(SEALED_VALUE.length), 'base64'), context('logward:value', id, place))).toString('utf8');
  }

  /**
   * Seals an object Logward writes outside its data dir (a subscription delivery into object storage)
   * under the group's data key: shredding the group makes every such copy unreadable, wherever it is.
   * Not bound to the object's name, so that a copy moved elsewhere still opens (openObject) while the
   * group's keys exist. Without encryption: null (the caller writes the object as it is).
   */
  async sealObject(groupId: number, body: Buffer): Promise<Buffer | null> {
    if (this.enc === null) return null;
    return this.keys.seal(String(groupId), body, aad(groupId, 'object', 'delivery'));
  }

  async openObject(groupId: number, sealed: Buffer): Promise<Buffer> {
    if (this.enc === null) throw new Error('this server stores data without encryption: it has no keys to open an object with');
    return this.keys.open(String(groupId), sealed, aad(groupId, 'object', 'delivery'));
  }

  /**
   * Seals a whole file that is no log group's (a lookup table's CSV) under the data key `keyId`, made on
   * first use and wrapped by `kekId` (an AWS KMS key) or the master key; `place` binds it to where it is
   * kept. Without encryption: null (the caller writes the plaintext). shredKey(keyId) makes it unreadable.
   */
  async sealFile(keyId: string, kekId: string | undefined, place: string, body: Uint8Array): Promise<Buffer | null> {
    if (this.enc === null) return null;
    await this.keys.currentKey(keyId, undefined, kekId);
    return this.keys.seal(keyId, body, context('logward:file', keyId, place));
  }

  async openFile(keyId: string, place: string, sealed: Uint8Array): Promise<Buffer> {
    if (this.enc === null) throw new Error('this file was stored encrypted; it cannot be read with encryption at rest turned off');
    return this.keys.open(keyId, sealed, context('logward:file', keyId, place));
  }

  /** Destroys the data key `keyId` (sealFile's), durably: what it sealed no longer opens. */
  async shredKey(keyId: string): Promise<void> {
    if (this.enc !== null) await this.keys.shred(keyId);
  }

  /**
   * Crypto-shredding: destroys every data key of the group (durably, in the key store) and drops its
   * decrypted copies. From then on nothing the group sealed opens again, wherever a copy of it is.
   */
  async shred(groupId: number): Promise<void> {
    if (this.enc === null) return;
    await this.keys.shred(String(groupId));
    this.current.delete(groupId);
    await this.cache!.forgetUnder(join('segments', String(groupId)) + '/');
  }

  /** A segment's file is gone (retention, deletion, replaced): its decrypted copy goes too. */
  async forget(rel: string): Promise<void> {
    await this.cache?.forget(rel);
  }

  /** Removes the private directory (all plaintext). */
  async close(): Promise<void> {
    if (this.enc === null) return;
    this.cache!.clear();
    await fsp.rm(join(this.scratchDir, '..'), { recursive: true, force: true });
  }

  /** Bytes of decrypted segments held, for Logward's own metrics. */
  get cacheBytes(): number {
    return this.cache?.bytes ?? 0;
  }

  /** Starts the plaintext of a segment at `file` (its footer decrypted); a segment that is not sealed is refused. */
  private async openPlaintext(rel: string, file: string, layout: SegmentLayout | null): Promise<PartialPlaintext> {
    const src = join(this.dataDir, rel);
    const groupId = Number(rel.split('/')[1]);
    const plain = await PartialPlaintext.open(src, file, (ref) => this.keys.keyFor(String(groupId), ref), aad(groupId, 'segment', rel), layout);
    if (plain === null) throw unsealedError(`the segment ${rel}`); // the cache exists only with encryption on
    return plain;
  }
}

/**
 * The plaintext of the sealed segment at `src` whose place in the data dir is `rel`
 * (`segments/<group id>/<file>`), authenticated frame by frame; throws once the group's keys are shredded.
 */
export function openSegment(keys: KeyService, rel: string, src: string): AsyncGenerator<Buffer> {
  const groupId = Number(rel.split('/')[1]);
  return openChunks(createReadStream(src, { highWaterMark: SEGMENT_READ }), (ref) => keys.keyFor(String(groupId), ref), aad(groupId, 'segment', rel));
}

function unsealedError(what: string): UnsealedDataError {
  return new UnsealedDataError(`${what} is stored in plaintext, but this store is encrypted: it is refused (was the data dir changed, or written by a server run with --no-encryption?)`);
}

/** Reads bytes [from, to) of the file into `buf` at the same offsets, up to its end; returns the bytes read. */
async function readInto(fh: fsp.FileHandle, buf: Buffer, from: number, to: number): Promise<number> {
  let got = from;
  while (got < to) {
    const { bytesRead } = await fh.read(buf, got, to - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got - from;
}

/** Writes every piece of `source` to a new private file at `path` (removed on failure); returns the bytes. */
async function writeAll(path: string, source: AsyncIterable<Buffer>): Promise<number> {
  let bytes = 0;
  const counted = async function* (): AsyncGenerator<Buffer> {
    for await (const piece of source) {
      bytes += piece.length;
      yield piece;
    }
  };
  try {
    await pipeline(counted(), createWriteStream(path, { mode: 0o600 }));
  } catch (e) {
    await fsp.rm(path, { force: true });
    throw e;
  }
  return bytes;
}

/** Where a sealed piece belongs: its group, its kind and its place; a piece moved elsewhere does not open. */
/** The key store's id of the key for sealed values that come from no log group (see sealValue). */
const VALUES_KEY = 'values';
const SEALED_VALUE = 'lw1:';

function aad(groupId: number, kind: string, place: string): Buffer {
  return context('logward:log-group', String(groupId), kind, place);
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** Private directories of Logward processes that are gone (a crash leaves plaintext in memory otherwise). */
async function removeStale(root: string): Promise<void> {
  let names: string[];
  try {
    names = await fsp.readdir(root);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const m = /^logward-(\d+)-/.exec(name);
    if (!m) continue;
    const dir = join(root, name);
    try {
      const st = await fsp.stat(dir);
      if (uid !== undefined && st.uid !== uid) continue;
      if (alive(Number(m[1]))) continue;
      await fsp.rm(dir, { recursive: true, force: true });
    } catch {
      // Another process removed it first.
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function syncFile(path: string): Promise<void> {
  const h = await fsp.open(path, 'r+');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
