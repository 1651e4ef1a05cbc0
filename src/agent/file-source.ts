/**
 * One `collect_list` entry: finds its files by glob, follows them through rotation, and reads them into
 * events. See docs/agent.md for the design.
 *
 * A file is known by a fingerprint of its content (a hash of its first bytes, up to FINGERPRINT_BYTES),
 * not by its name: renamed, it is the same file; a new file under an old name is a new one. Its device
 * and inode only follow an open file through renames. Checkpoints are keyed by the fingerprint and hold
 * the offset up to which events were handed on (`Assembler.committed`).
 *
 * - rename rotation: the open file keeps being read (found at its new name by inode, or read through its
 *   descriptor when the new name is not matched) until it stops growing, then finished; the new file is
 *   read from its start.
 * - copytruncate: the tracked file is shorter than what was read, or its first bytes changed; a matched
 *   copy with the old fingerprint goes on from the checkpoint, and the truncated file starts over.
 * - deletion: the open descriptor is read to its end, then closed, and the checkpoint dropped.
 * - restart: a matched file whose fingerprint has a checkpoint goes on from it; a file never seen is read
 *   from its start when it is the newest match or changed since the previous scan (so rotations while the
 *   agent was stopped lose nothing), else left alone as the CloudWatch agent leaves older files.
 */
import { createHash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { Assembler } from './assembler.js';
import type { RecordWriter } from './record.js';
import type { FileEntry } from './config.js';
import { glob } from './glob.js';

export const FINGERPRINT_BYTES = 1024;
const READ_CHUNK = 1024 * 1024;

export interface Checkpoint {
  /** The collect_list entry (its index), so one file in two entries has two checkpoints. */
  entry: number;
  fpLen: number;
  hash: string;
  offset: number;
  path: string;
  dev: number;
  ino: number;
  /** When a matched file last had this fingerprint (checkpoints of files gone for long are dropped). */
  seenAt: number;
}

export function checkpointKey(entry: number, fpLen: number, hash: string): string {
  return `${entry}:${fpLen}:${hash}`;
}

export interface SourceTiming {
  /** A file no longer matched (or deleted) is finished once it has not grown for this long. */
  rotateWaitMs: number;
  /** A multi-line event with no new line for this long is sent as it is. */
  multiLineFlushMs: number;
}

interface Tracked {
  key: string | undefined;
  fpLen: number;
  hash: string;
  fh: FileHandle;
  devino: string;
  dev: number;
  ino: number;
  path: string;
  readPos: number;
  size: number;
  mtimeMs: number;
  assembler: Assembler;
  lastGrowthAt: number;
  gone: boolean;
  deleted: boolean;
}

/** What one read produced: events, and the checkpoints (by key) to keep or to drop once they are spooled. */
export interface SourceOutput {
  /** The events so far (the writer is shared by the sources, which read one at a time). */
  events: RecordWriter;
  checkpoints: Map<string, Checkpoint | null>;
  filtered: number;
}

export class FileSource {
  private readonly tracked = new Map<string, Tracked>();
  /** Files left alone (not read, or closed at their end), until their size or mtime changes. */
  private readonly quiet = new Map<string, string>();
  private readBuffer: Buffer | undefined;

  constructor(
    readonly index: number,
    readonly entry: FileEntry,
    /** Shared with the agent: every checkpoint, by key. */
    private readonly checkpoints: Map<string, Checkpoint>,
    private readonly timing: SourceTiming,
    private readonly now: () => number,
    private readonly writer: RecordWriter,
  ) {}

  get openFiles(): number {
    return this.tracked.size;
  }

  /**
   * One pass: finds the files, follows rotations, reads what is new. `emit` is called after each chunk
   * with the events and checkpoints so far; reading waits for it (and stops when it answers false, the
   * buffer being full). `lastScanAt` is when the previous pass began (undefined on a first start).
   */
  async scan(lastScanAt: number | undefined, emit: (out: SourceOutput) => Promise<boolean>, force = false): Promise<void> {
    const now = this.now();
    // The writer is shared: what a failed pass of another entry left in it is not this entry's.
    this.writer.clear();
    const out: SourceOutput = { events: this.writer, checkpoints: new Map(), filtered: 0 };
    const paths = await glob(this.entry.filePath);
    const matched = new Map<string, { path: string; st: Stats }>();
    for (const path of paths) {
      const st = await stat(path).catch(() => undefined);
      if (st === undefined || !st.isFile()) continue;
      const devino = `${st.dev}:${st.ino}`;
      if (!matched.has(devino)) matched.set(devino, { path, st });
    }
    const newest = [...matched.values()].reduce<number>((m, f) => Math.max(m, f.st.mtimeMs), -Infinity);

    // Tracked files: follow renames, notice truncation and deletion.
    const detached: Tracked[] = [];
    for (const t of [...this.tracked.values()]) {
      const st = await t.fh.stat();
      const at = matched.get(t.devino);
      t.gone = at === undefined;
      t.deleted = st.nlink === 0;
      if (at !== undefined) {
        t.path = at.path;
        matched.delete(t.devino);
      }
      if (st.size !== t.size) t.lastGrowthAt = now;
      // Truncated and written again to the same size is a change too: mtime tells.
      const changed = st.size !== t.size || st.mtimeMs !== t.mtimeMs;
      t.size = st.size;
      t.mtimeMs = st.mtimeMs;
      if (t.key !== undefined && (st.size < t.readPos || (changed && (await this.hashOf(t.fh, t.fpLen)) !== t.hash))) {
        detached.push({ ...t });
        this.checkpoints.delete(t.key);
        out.checkpoints.set(t.key, null);
        // The file starts over, and so does its fingerprint: left at the old length, fingerprint() would
        // take the new content of that length for already hashed and never give the file a checkpoint.
        t.key = undefined;
        t.fpLen = 0;
        t.hash = '';
        t.readPos = 0;
        t.assembler = this.assembler(0);
      }
    }

    // Files not tracked: known by fingerprint, new, or left alone.
    for (const [devino, { path, st }] of matched) {
      if (st.size === 0) continue;
      const stamp = `${st.size}:${st.mtimeMs}`;
      if (this.quiet.get(devino) === stamp) continue;
      const fh = await open(path, 'r').catch(() => undefined);
      if (fh === undefined) continue;
      const known = await this.identify(fh, st.size, detached);
      if (known === 'busy') {
        await fh.close();
        continue;
      }
      let offset: number;
      if (known !== undefined) {
        offset = known.offset <= st.size ? known.offset : 0;
        const d = detached.findIndex((x) => x.hash === known.hash && x.fpLen === known.fpLen);
        if (d >= 0) detached.splice(d, 1);
      } else if (this.entry.publishMultiLogs || st.mtimeMs === newest || (lastScanAt !== undefined && st.mtimeMs >= lastScanAt - 1000)) {
        offset = 0;
      } else {
        this.quiet.set(devino, stamp);
        await fh.close();
        continue;
      }
      this.quiet.delete(devino);
      const t: Tracked = {
        key: undefined,
        fpLen: 0,
        hash: '',
        fh,
        devino,
        dev: st.dev,
        ino: st.ino,
        path,
        readPos: offset,
        size: st.size,
        mtimeMs: st.mtimeMs,
        assembler: this.assembler(offset),
        lastGrowthAt: now,
        gone: false,
        deleted: false,
      };
      if (known !== undefined) {
        t.key = checkpointKey(this.index, known.fpLen, known.hash);
        t.fpLen = known.fpLen;
        t.hash = known.hash;
      }
      this.tracked.set(devino, t);
    }

    // Truncated files without a copy to go on from: what they held is finished.
    for (const d of detached) d.assembler.finish(out.events);

    // Read.
    const buf = (this.readBuffer ??= Buffer.allocUnsafe(READ_CHUNK));
    for (const t of [...this.tracked.values()]) {
      let more = true;
      while (more) {
        const { bytesRead } = await t.fh.read(buf, 0, READ_CHUNK, t.readPos);
        if (bytesRead === 0) break;
        t.readPos += bytesRead;
        t.assembler.push(buf.subarray(0, bytesRead), out.events);
        await this.fingerprint(t, out);
        more = bytesRead === READ_CHUNK;
        if (more) {
          this.checkpoint(t, out);
          if (!(await this.hand(out, emit))) return;
        }
      }
      await this.fingerprint(t, out);
      const idle = now - t.lastGrowthAt;
      if (t.assembler.holding && (force || idle >= this.timing.multiLineFlushMs)) {
        t.assembler.flushPending(out.events);
      }
      if ((t.gone || t.deleted) && (force || idle >= this.timing.rotateWaitMs)) {
        t.assembler.finish(out.events);
        this.checkpoint(t, out);
        if (t.deleted && t.key !== undefined) {
          this.checkpoints.delete(t.key);
          out.checkpoints.set(t.key, null);
        }
        await t.fh.close();
        this.tracked.delete(t.devino);
      } else {
        this.checkpoint(t, out);
      }
    }
    await this.hand(out, emit);
  }

  /** Seen-at for the files matched now, so that checkpoints of files long gone can be dropped. */
  async close(): Promise<void> {
    for (const t of this.tracked.values()) await t.fh.close();
    this.tracked.clear();
  }

  private async hand(out: SourceOutput, emit: (out: SourceOutput) => Promise<boolean>): Promise<boolean> {
    out.filtered = [...this.tracked.values()].reduce((n, t) => n + t.assembler.filtered, 0);
    for (const t of this.tracked.values()) t.assembler.filtered = 0;
    if (out.events.count === 0 && out.checkpoints.size === 0) return true;
    const go = await emit({ events: out.events, checkpoints: new Map(out.checkpoints), filtered: out.filtered });
    out.checkpoints.clear();
    return go;
  }

  private assembler(offset: number): Assembler {
    return new Assembler(this.entry, offset, this.now);
  }

  private checkpoint(t: Tracked, out: SourceOutput): void {
    if (t.key === undefined) return;
    const cp: Checkpoint = { entry: this.index, fpLen: t.fpLen, hash: t.hash, offset: t.assembler.committed, path: t.path, dev: t.dev, ino: t.ino, seenAt: this.now() };
    const old = this.checkpoints.get(t.key);
    if (old !== undefined && old.offset === cp.offset && old.path === cp.path && this.now() - old.seenAt < 60_000) return;
    this.checkpoints.set(t.key, cp);
    out.checkpoints.set(t.key, cp);
  }

  /** Gives the file its fingerprint once it has bytes, and a longer one as it grows to FINGERPRINT_BYTES. */
  private async fingerprint(t: Tracked, out: SourceOutput): Promise<void> {
    const want = Math.min(FINGERPRINT_BYTES, Math.max(t.size, t.readPos));
    if (want === 0 || want === t.fpLen) return;
    const hash = await this.hashOf(t.fh, want);
    if (t.key !== undefined) {
      this.checkpoints.delete(t.key);
      out.checkpoints.set(t.key, null);
    }
    t.fpLen = want;
    t.hash = hash;
    t.key = checkpointKey(this.index, want, hash);
    this.checkpoint(t, out);
  }

  private async hashOf(fh: FileHandle, len: number): Promise<string> {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, 0);
    return createHash('sha256').update(buf.subarray(0, bytesRead)).digest('hex').slice(0, 32);
  }

  /**
   * The checkpoint whose fingerprint the file has (the longest), 'busy' when that fingerprint belongs to
   * a file still being read (a copy being made of it), undefined when the file is new.
   */
  private async identify(fh: FileHandle, size: number, detached: Tracked[]): Promise<Checkpoint | 'busy' | undefined> {
    const lens = new Set<number>();
    for (const cp of this.checkpoints.values()) if (cp.entry === this.index && cp.fpLen <= size) lens.add(cp.fpLen);
    for (const d of detached) if (d.fpLen <= size) lens.add(d.fpLen);
    for (const len of [...lens].sort((a, b) => b - a)) {
      const hash = await this.hashOf(fh, len);
      const key = checkpointKey(this.index, len, hash);
      for (const t of this.tracked.values()) if (t.key === key) return 'busy';
      const cp = this.checkpoints.get(key);
      if (cp !== undefined) return cp;
      const d = detached.find((x) => x.fpLen === len && x.hash === hash);
      if (d !== undefined) {
        return { entry: this.index, fpLen: len, hash, offset: d.assembler.committed, path: d.path, dev: d.dev, ino: d.ino, seenAt: this.now() };
      }
    }
    return undefined;
  }
}
