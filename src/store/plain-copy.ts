/**
 * The plaintext copy of an encrypted WAL file, kept in the private scratch space (memory) for the
 * sealer: DuckDB's JSON reader reads this copy, so sealing never decrypts the WAL. Records are collected
 * as they are appended and written in pieces of a few MiB (one writev each, off the event loop), not
 * one write per record. A failed write drops the copy: the sealer then decrypts the WAL file instead.
 */
import { promises as fsp } from 'node:fs';
import type { Logger } from 'pino';
import { sliceFrom } from './wal.js';

const WRITE_BYTES = 4 * 1024 * 1024;

export class PlainWalCopy {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The chain of writes; resolves to the open file, or undefined once a write failed. */
  private writes: Promise<fsp.FileHandle | undefined>;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {
    this.writes = fsp.open(path, 'wx', 0o600).catch((e) => {
      logger.warn({ err: e, path }, 'the in-memory copy of a WAL file could not be created; the file will be decrypted when sealed');
      return undefined;
    });
  }

  /** Appends a record's plaintext, in the order records are appended to the WAL file. */
  add(record: Buffer[]): void {
    for (const b of record) {
      this.pending.push(b);
      this.pendingBytes += b.length;
    }
    if (this.pendingBytes >= WRITE_BYTES) this.write();
  }

  /** Writes what is left and closes the copy: true if it holds every record, false if it was dropped (and removed). */
  async finish(): Promise<boolean> {
    this.write();
    const fh = await this.writes;
    if (fh === undefined) {
      await fsp.rm(this.path, { force: true });
      return false;
    }
    await fh.close();
    return true;
  }

  private write(): void {
    if (this.pending.length === 0) return;
    const bufs = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.writes = this.writes.then(async (fh) => {
      if (fh === undefined) return undefined;
      try {
        const total = bufs.reduce((a, b) => a + b.length, 0);
        for (let written = 0; written < total; ) written += (await fh.writev(sliceFrom(bufs, written))).bytesWritten;
        return fh;
      } catch (e) {
        this.logger.warn({ err: e, path: this.path }, 'the in-memory copy of a WAL file failed; the file will be decrypted when sealed');
        await fh.close().catch(() => undefined);
        return undefined;
      }
    });
  }
}
