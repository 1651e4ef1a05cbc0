/**
 * The log store of one data dir: write-ahead log → hot tier → sealed Parquet segments, with the
 * catalog and trigram bitmaps beside them. The API layer calls it; it never calls the API layer.
 *
 * Data dir layout:
 *   catalog.duckdb            catalog tables (DuckDB)
 *   wal/<n>.wal               write-ahead log files (records not yet sealed)
 *   keys/keys.json            the groups' data keys, wrapped (src/kms)
 *   segments/<group id>/<segment id>.parquet
 *   lookup-tables/<id>-<n>.csv   lookup tables' content, sealed (lookup-tables.ts)
 *
 * With encryption at rest (the default; at-rest.ts, docs/encryption.md) WAL record bodies, segments and
 * bitmaps are sealed with their group's data key, and DuckDB's spill space, files being written and
 * decrypted segments live in a private directory in memory (/dev/shm). Without it, tmp/ is the spill space.
 *
 * Ordering contract: append() assigns sequence numbers and WAL positions synchronously, in call order;
 * a batch becomes visible (hot tier, stream stats, bitmaps) in that same order once durable, before
 * its promise resolves. A WAL file is sealed only after all its records are visible.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { Catalog, type LogGroup, type LogStream, type Segment } from './catalog.js';
import { LookupTables } from './lookup-tables.js';
import { Db, Mutex } from './db.js';
import { HotTier, type HotBatch } from './hot.js';
import { Wal, listWalFiles, walFileName, writePlaintextWal, type WalRecordHeader } from './wal.js';
import { pendingWalFiles, removeOrphanSegments, replayWal } from './recovery.js';
import { PlainWalCopy } from './plain-copy.js';
import { AtRest, type EncryptionOptions, type SegmentLease } from './at-rest.js';
import { sealWalFile } from './sealer.js';
import { MessageTestCache } from './message-tests.js';
import type { TokenIndex } from './token-index.js';
import { Settling } from './settling.js';
import { BlockBitmaps } from './block-bitmaps.js';

export interface StoreOptions {
  dataDir: string;
  clock: Clock;
  logger: Logger;
  walSealBytes: number;
  walSealAgeMs: number;
  maxHotBytes: number;
  duckdbMemoryLimit: string;
  duckdbThreads: number;
  retentionSweepMs: number;
  /** Encryption at rest (at-rest.ts); null writes plaintext (benchmark comparisons only). */
  encryption: EncryptionOptions | null;
}

export interface AppendRequest {
  group: LogGroup;
  stream: LogStream;
  /** The raw request body (its newlines are blanked in place). */
  body: Buffer;
  /** All events of the body, and the accepted range [lo, hi). */
  timestamps: number[];
  messages: string[];
  lo: number;
  hi: number;
  /** UTF-8 bytes of the accepted messages. */
  bytes: number;
  ingestMs: number;
  /** Where ingest read each event's message literal in the body (BatchSource.spans), when it knows. */
  spans?: Int32Array | undefined;
}

/**
 * Called with every batch as it becomes durable and visible, in append order, synchronously on the
 * ingest path: it must be quick and must not throw (a throw is logged and ignored). Batches replayed
 * from the WAL at start-up are not passed on: listeners subscribe after open(), and what they saw of
 * those batches before the restart they have already handled.
 */
export type BatchListener = (group: LogGroup, stream: LogStream, batch: Readonly<HotBatch>, source?: BatchSource) => void;

/**
 * The PutLogEvents body a batch was read from, for listeners that can use its bytes (subscriptions write
 * the messages' JSON from it): the batch's events are its logEvents[lo...]. Not kept by the store; not
 * given for batches replayed from the WAL.
 */
export interface BatchSource {
  body: Buffer;
  lo: number;
  /**
   * Where ingest read logEvents[k].message in the body, quotes included: [start, end) at 2k and 2k + 1
   * (ingest/put-body.ts messageSpans); absent when ingest did not read the body itself.
   */
  spans?: Int32Array | undefined;
}

export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

export class LogStore {
  readonly catalog: Catalog;
  /** Lookup tables for Logs Insights' `lookup` (lookup-tables.ts). */
  readonly lookupTables: LookupTables;
  readonly hot = new HotTier();
  /** Which events of a sealed segment a message test keeps (message-tests.ts), for Insights. */
  readonly messageTests = new MessageTestCache(MESSAGE_TEST_CACHE_BYTES);
  /** Merging, shredding and token indexes of sealed segments, and warming after a start. */
  private readonly settling: Settling;
  /** Trigram bitmaps of the groups' blocks of events, for searches. */
  private readonly bitmaps: BlockBitmaps;
  private readonly sealQueue: number[] = [];
  private sealing: Promise<void> | undefined;
  private warming: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  /**
   * Files that compaction or shredding replaced, or retention dropped, unlinked a while later: a query
   * that listed the segments before the swap may still be reading them. (At start-up, files the catalog
   * does not know are removed anyway.)
   */
  private readonly replaced: Array<{ path: string; atMs: number }> = [];
  /** Bytes appended in the current and the previous window of QUIET_WINDOW_MS (see quiet()). */
  private readonly ingestWindow = { startMs: performance.now(), bytes: 0, previous: 0 };
  private closed = false;
  /** Leases of segments held now by queries and searches (leaseSegments). */
  private reads = 0;
  private sealError: unknown;
  /** Serializes catalog changes, seal commits and retention. */
  readonly writeLock = new Mutex();
  private readonly listeners: BatchListener[] = [];
  private readonly groupGoneListeners: Array<(groupId: number, name: string) => Promise<void>> = [];
  /**
   * With encryption: the plaintext form of each WAL file this process writes, kept in private memory
   * (at-rest.ts scratch space) as its records are appended, for the sealer's JSON reader; a WAL file
   * without one (written before a restart, or whose copy failed) is decrypted when it is sealed.
   */
  private readonly plainWal = new Map<number, PlainWalCopy>();

  /** Opened once recovery has replayed what the previous run left (see open()). */
  private wal!: Wal;

  private constructor(
    readonly opts: StoreOptions,
    readonly db: Db,
    /**
     * Sealing's own in-memory DuckDB, on one thread. Writing Parquet in the WAL's order
     * (preserve_insertion_order) on two threads took three times the CPU of one thread on the
     * benchmark machine (measured: 1.9 against 0.7 CPU-seconds per million events), and sealing
     * competes with ingest for the same cores; one thread also leaves the other to queries.
     */
    private readonly sealDb: Db,
    readonly atRest: AtRest,
  ) {
    this.catalog = new Catalog(db);
    this.bitmaps = new BlockBitmaps(this.catalog, atRest);
    this.lookupTables = new LookupTables(db, atRest, opts.dataDir);
    this.settling = new Settling({
      catalog: this.catalog,
      db,
      atRest,
      writeLock: this.writeLock,
      logger: opts.logger,
      closed: () => this.closed,
      quiet: () => this.quiet(),
      querying: () => this.reads > 0,
      replaced: (path) => this.replaced.push({ path, atMs: performance.now() }),
      remove: (path) => this.removeSegmentFile(path),
    });
  }

  static async open(opts: StoreOptions): Promise<LogStore> {
    const dataDir = opts.dataDir;
    await fsp.mkdir(join(dataDir, 'segments'), { recursive: true, mode: 0o700 });
    // New data keys of a group given a KMS key (CreateLogGroup, AssociateKmsKey) are wrapped by it.
    let store: LogStore | undefined;
    const kekFor = (groupId: number): string | undefined => store?.catalog.groupsById.get(groupId)?.kmsKeyId ?? undefined;
    const atRest = await AtRest.open(dataDir, opts.encryption && { kekFor, ...opts.encryption }, opts.logger);
    const db = await Db.open(join(dataDir, 'catalog.duckdb'), {
      memoryLimit: opts.duckdbMemoryLimit,
      threads: opts.duckdbThreads,
      tempDir: atRest.scratchDir,
    });
    const sealDb = await Db.open(':memory:', { memoryLimit: opts.duckdbMemoryLimit, threads: 1, tempDir: atRest.scratchDir });
    const walDir = join(dataDir, 'wal');
    store = new LogStore(opts, db, sealDb, atRest);
    await store.catalog.load();
    await store.lookupTables.load();
    const replayed = await store.recover(walDir);
    const files = await listWalFiles(walDir);
    const next = Math.max(store.catalog.sealedThrough, files.at(-1) ?? 0) + 1;
    store.wal = await Wal.open(walDir, next, () => opts.clock.now());
    store.wal.onFileClosed = (f) => store.enqueueSeal(f);
    for (const f of replayed) store.sealQueue.push(f);
    store.kickSealer(); // seals what was replayed, then compacts what earlier runs left small
    store.warming = store.settling.warm().catch((e: unknown) => {
      if (!store.closed) opts.logger.warn({ err: e }, 'warming the caches after the start failed');
    });
    store.timers.push(setInterval(() => store.wal.rotateIfOlderThan(opts.walSealAgeMs), Math.min(1000, opts.walSealAgeMs)).unref());
    store.timers.push(setInterval(() => void store.unlinkReplaced(false), 5_000).unref());
    // Shredding, indexing and recording old segments' layouts and density wait for quiet times; this starts them once ingest has calmed down.
    const left = (): boolean => store.unshreddedSegments > 0 || store.unindexedSegments > 0 || store.settling.unlaid > 0 || store.settling.unchecked > 0;
    store.timers.push(setInterval(() => left() && store.quiet() && store.kickSealer(), QUIET_WINDOW_MS).unref());
    store.timers.push(setInterval(() => void store.sweepRetention().catch((e) => opts.logger.error({ err: e }, 'retention sweep failed')), opts.retentionSweepMs).unref());
    return store;
  }

  /** Replays unsealed WAL files into the hot tier; removes what a crash left half-done (recovery.ts). */
  private async recover(walDir: string): Promise<number[]> {
    const pending = await pendingWalFiles(walDir, this.catalog);
    this.settling.indexFilesFound(await removeOrphanSegments(this.opts.dataDir, this.catalog));
    const { batches, skipped } = await replayWal(walDir, pending, this.catalog, this.atRest, this.opts.logger);
    await this.bitmaps.resume(batches);
    for (const b of batches) this.makeVisible(b);
    if (pending.length > 0) this.opts.logger.info({ walFiles: pending.length, batches: batches.length, skipped }, 'replayed write-ahead log');
    return pending;
  }

  /** Applies a durable batch: hot tier, stream stats, bitmaps. */
  private makeVisible(b: HotBatch, source?: BatchSource): void {
    const g = this.catalog.groupsById.get(b.groupId);
    const s = g?.streamsById.get(b.streamId);
    if (!g || !s) return; // deleted while its write was in flight
    const n = b.timestamps.length;
    g.nextSeq = Math.max(g.nextSeq, b.firstSeq + n);
    const first = b.timestamps[0]!;
    const last = b.timestamps[n - 1]!;
    s.firstEventMs = s.firstEventMs === null ? first : Math.min(s.firstEventMs, first);
    s.lastEventMs = s.lastEventMs === null ? last : Math.max(s.lastEventMs, last);
    s.lastIngestMs = s.lastIngestMs === null ? b.ingestMs : Math.max(s.lastIngestMs, b.ingestMs);
    s.dirty = true;
    this.bitmaps.add(b);
    this.hot.add(b);
    for (const l of this.listeners) {
      try {
        l(g, s, b, source);
      } catch (e) {
        this.opts.logger.error({ err: e, logGroup: g.name }, 'a batch listener failed');
      }
    }
  }

  /** Called once a log group is deleted (or shredded), for what other subsystems keep of its data. */
  onGroupDeleted(listener: (groupId: number, name: string) => Promise<void>): void {
    this.groupGoneListeners.push(listener);
  }

  /** Subscribes to durable batches (metric filters, subscriptions); see BatchListener. */
  onBatch(listener: BatchListener): void {
    this.listeners.push(listener);
  }

  /**
   * Appends events that Logward writes itself (dead letters; tests) as PutLogEvents would: the WAL gets
   * the request body a client would have sent.
   */
  appendEvents(group: LogGroup, stream: LogStream, events: ReadonlyArray<{ timestamp: number; message: string }>, ingestMs: number): Promise<{ firstSeq: number }> {
    const body = Buffer.from(JSON.stringify({ logGroupName: group.name, logStreamName: stream.name, logEvents: events }));
    return this.append({
      group,
      stream,
      body,
      timestamps: events.map((e) => e.timestamp),
      messages: events.map((e) => e.message),
      lo: 0,
      hi: events.length,
      bytes: events.reduce((a, e) => a + Buffer.byteLength(e.message), 0),
      ingestMs,
    });
  }

  /** Segments whose JSON fields are not shredded yet (background work left), for Logward's own metrics. */
  get unshreddedSegments(): number {
    return this.settling.unshredded;
  }

  /** Segments without a token index (built when the store is idle), for Logward's own metrics. */
  get unindexedSegments(): number {
    return this.settling.unindexed;
  }

  /** The segment's token index (token-index.ts), or null when it has none (not rewritten since sealing). */
  tokenIndex(s: Segment): Promise<TokenIndex | null> {
    return this.settling.tokenIndex(s);
  }

  /** Batches waiting to be sealed into Parquet (WAL files queued), for Logward's own metrics. */
  get sealQueueDepth(): number {
    return this.sealQueue.length;
  }

  /**
   * Is the store keeping up? Ingest answers ThrottlingException while it is not. Over the cap with the
   * sealer idle (the hot events all sit in the active WAL file), that file is closed so the sealer has
   * work that drains the hot tier. While the sealer is busy, rotating would only make small files.
   */
  overloaded(): boolean {
    if (this.hot.bytes <= this.opts.maxHotBytes) return false;
    if (!this.sealing && this.sealQueue.length === 0) this.wal.rotate();
    return true;
  }

  /**
   * Makes a batch durable, then visible. Resolves once it is both; rejects (and changes nothing
   * visible) when it cannot be made durable.
   */
  async append(req: AppendRequest): Promise<{ firstSeq: number }> {
    if (this.closed) throw new StoreUnavailableError('the store is shutting down');
    if (this.sealError) throw new StoreUnavailableError('the store cannot seal its write-ahead log', { cause: this.sealError });
    const g = req.group;
    // The group's data key, loaded once (from here on, sealing a record is synchronous).
    if (!this.atRest.ready(g.id)) await this.atRest.prepare(g.id);
    if (this.closed) throw new StoreUnavailableError('the store is shutting down');
    this.noteIngest(req.body.length);
    const n = req.hi - req.lo;
    const firstSeq = g.nextSeq;
    g.nextSeq += n;
    const header: WalRecordHeader = { g: g.id, s: req.stream.id, i: req.ingestMs, q: firstSeq, lo: req.lo, hi: req.hi, u: req.bytes };
    const batch: HotBatch = {
      groupId: g.id,
      streamId: req.stream.id,
      walFile: 0,
      ingestMs: req.ingestMs,
      firstSeq,
      timestamps: req.lo === 0 && req.hi === req.timestamps.length ? req.timestamps : req.timestamps.slice(req.lo, req.hi),
      messages: req.lo === 0 && req.hi === req.messages.length ? req.messages : req.messages.slice(req.lo, req.hi),
      bytes: req.bytes,
    };
    const plain = Wal.encodeParts(header, req.body); // first: it turns the body's raw newlines into spaces
    const line = this.atRest.enabled ? Wal.encodeSealed(header, this.atRest.sealRecord(g.id, firstSeq, req.body)) : plain;
    const { file, durable } = this.wal.append(line, this.opts.walSealBytes, () => this.makeVisible(batch, { body: req.body, lo: req.lo, spans: req.spans }));
    batch.walFile = file;
    if (this.atRest.enabled) this.plainCopy(file).add(plain);
    try {
      await durable;
    } catch (e) {
      // Not the client's fault (a full or failing disk): nothing was acknowledged, the client may retry.
      throw new StoreUnavailableError('the write-ahead log could not be written', { cause: e });
    }
    return { firstSeq };
  }

  /** The in-memory plaintext copy of a WAL file (see PlainWalCopy), created with the file's first record. */
  private plainCopy(file: number): PlainWalCopy {
    let copy = this.plainWal.get(file);
    if (!copy) this.plainWal.set(file, (copy = new PlainWalCopy(join(this.atRest.scratchDir, `plain-${walFileName(file)}`), this.opts.logger)));
    return copy;
  }

  private enqueueSeal(file: number): void {
    this.sealQueue.push(file);
    this.kickSealer();
  }

  /** Starts the sealer unless it runs; a file queued as it finishes starts it again. */
  private kickSealer(): void {
    if (this.sealing) return;
    this.sealing = this.runSeals().finally(() => {
      this.sealing = undefined;
      // Closing after a failed seal gives up: the WAL keeps those events for the next start.
      if (this.sealQueue.length > 0 && !(this.closed && this.sealError)) this.kickSealer();
    });
  }

  private async runSeals(): Promise<void> {
    await this.sealAll();
    // With nothing left to seal, merge small segments; seals that arrive meanwhile wait for one merge.
    if (!this.closed) {
      for (const g of [...this.catalog.groupsById.values()]) {
        if (this.sealQueue.length > 0 || this.closed) break;
        try {
          while (this.sealQueue.length === 0 && !this.closed && (await this.settling.step(g)));
        } catch (e) {
          this.opts.logger.error({ err: e, logGroup: g.name }, 'compaction failed');
        }
      }
      await this.sealAll();
    }
  }

  private async sealAll(): Promise<void> {
    while (this.sealQueue.length > 0) {
      const file = this.sealQueue[0]!;
      try {
        await this.sealOne(file);
        this.sealQueue.shift();
        this.sealError = undefined;
      } catch (e) {
        this.sealError = e;
        this.opts.logger.error({ err: e, walFile: file }, 'sealing a write-ahead log file failed; retrying');
        if (this.closed) return;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private async sealOne(file: number): Promise<void> {
    const t0 = performance.now();
    const batches: HotBatch[] = [];
    for (const g of this.catalog.groupsById.values()) for (const b of this.hot.batches(g.id)) if (b.walFile === file) batches.push(b);
    const walPath = this.wal.path(file);
    // DuckDB reads the WAL file itself: an encrypted one, from its plaintext in the scratch space.
    const readable = this.atRest.enabled ? join(this.atRest.scratchDir, walFileName(file)) : walPath;
    let copied = false;
    const copy = this.plainWal.get(file);
    if (copy) {
      this.plainWal.delete(file);
      // Every record of a closed file was added before it closed.
      if (await copy.finish()) {
        await fsp.rename(copy.path, readable);
        copied = true;
      }
    }
    // Records of groups deleted (or shredded) since are left out: their keys are gone, and so are their
    // hot batches. So is a record that does not open (altered on disk): the sealer then takes what ingest
    // accepted from the hot batches (the exact path), or, after a restart, recovery has skipped it already.
    const open = async (h: WalRecordHeader, sealed: Buffer): Promise<Buffer | null> => {
      if (!this.catalog.groupsById.has(h.g)) return null;
      try {
        return await this.atRest.openRecord(h.g, h.q, sealed);
      } catch (e) {
        if (this.catalog.groupsById.has(h.g)) this.opts.logger.error({ err: e, walFile: file, groupId: h.g, firstSeq: h.q }, 'a write-ahead log record does not decrypt; sealing what ingest accepted instead');
        return null;
      }
    };
    if (readable !== walPath && !copied) await writePlaintextWal(walPath, readable, open);
    let out: Awaited<ReturnType<typeof sealWalFile>>;
    try {
      out = await sealWalFile(this.sealDb, {
        walFile: file,
        walPath: readable,
        batches,
        scratchDir: this.atRest.scratchDir,
        storeSegment: (groupId, plain, rel) => this.atRest.storeSegment(groupId, plain, rel),
        dataDir: this.opts.dataDir,
        newId: async () => {
          // On a connection of its own: the main one may be busy with a long catalog statement.
          const conn = await this.db.connect();
          try {
            return await this.catalog.nextId(conn);
          } finally {
            conn.closeSync();
          }
        },
      });
    } finally {
      if (readable !== walPath) await fsp.rm(readable, { force: true });
    }
    await this.writeLock.run(async () => {
      const live: Segment[] = [];
      for (const s of out.segments) {
        if (this.catalog.groupsById.has(s.groupId)) live.push(s);
        else await this.removeSegmentFile(s.path);
      }
      const touched = new Map<number, LogGroup>();
      for (const b of batches) {
        const g = this.catalog.groupsById.get(b.groupId);
        if (g) touched.set(g.id, g);
      }
      await this.catalog.commitSeal(file, live, await this.bitmaps.sealedFor(batches), touched.values(), () => {
        this.hot.dropSealed(file);
        for (const g of touched.values()) this.bitmaps.evictSealed(g, this.hot);
      });
    });
    await fsp.rm(walPath, { force: true });
    this.opts.logger.info(
      { walFile: file, segments: out.segments.length, events: batches.reduce((a, b) => a + b.timestamps.length, 0), ms: Math.round(performance.now() - t0), ...out.phases, repaired: out.repairedRecords, hotBytes: this.hot.bytes, memory: process.memoryUsage() },
      'sealed write-ahead log file',
    );
    if (out.repairedRecords > 0 || out.wholeFileFallback) {
      this.opts.logger.warn({ walFile: file, repairedRecords: out.repairedRecords, wholeFile: out.wholeFileFallback }, 'sealed some records through the exact path');
    }
  }

  /** The trigram bitmap of each block (live or persisted), for searches. */
  bitmapsFor(g: LogGroup, blocks: number[]): Promise<Map<number, Uint8Array>> {
    return this.bitmaps.get(g, blocks);
  }

  /**
   * Readable files of these segments (decrypted into memory when encrypted) until release(): every
   * read of segment files by DuckDB goes through here. With `partial`, only what the lease's
   * readColumns() names is readable (at-rest.ts).
   */
  async leaseSegments(segments: readonly Segment[], opts: { partial?: boolean } = {}): Promise<SegmentLease> {
    this.reads++;
    try {
      const lease = await this.atRest.lease(segments.map((s) => ({ rel: s.path, layout: s.layout })), opts);
      let held = true;
      return {
        path: (rel) => lease.path(rel),
        readColumns: (names) => lease.readColumns(names),
        release: () => {
          if (held) this.reads--;
          held = false;
          lease.release();
        },
      };
    } catch (e) {
      this.reads--;
      throw e;
    }
  }

  /** Removes a segment's file, its token index and its decrypted copy. */
  private async removeSegmentFile(rel: string): Promise<void> {
    await this.atRest.forget(rel);
    await this.settling.forget(rel);
    await fsp.rm(join(this.opts.dataDir, rel), { force: true });
  }

  /**
   * Starts a new data key for the group's new data (key rotation), wrapped by `kekId` (a KMS key ARN)
   * or else the group's KMS key or the master key; older data keeps opening.
   */
  rotateKeys(g: LogGroup, kekId?: string): Promise<void> {
    return this.atRest.rotate(g.id, kekId);
  }

  /**
   * Crypto-shredding: deletes the group (as deleteGroup) after destroying its data keys, so that no copy
   * of its data anywhere (backups, object storage, disk blocks not yet reused) can be decrypted again.
   */
  async shredGroup(g: LogGroup): Promise<void> {
    await this.atRest.shred(g.id); // first: from here on nothing of the group opens
    await this.deleteGroup(g);
  }

  /** Catalog changes go through here so they never interleave with seals or retention. */
  withWriteLock<T>(fn: () => Promise<T>): Promise<T> {
    return this.writeLock.run(fn);
  }

  /**
   * Deletes a log group: catalog first, then its data keys (so that copies of its files elsewhere can
   * no longer be read either), then its hot events and files.
   */
  async deleteGroup(g: LogGroup): Promise<void> {
    const segments = await this.catalog.deleteGroup(g);
    await this.atRest.shred(g.id);
    this.hot.dropGroup(g.id);
    this.messageTests.dropGroup(g.id);
    this.bitmaps.dropGroup(g.id);
    for (const s of segments) await this.removeSegmentFile(s.path);
    await fsp.rm(join(this.opts.dataDir, 'segments', String(g.id)), { recursive: true, force: true });
    for (const l of this.groupGoneListeners) {
      await l(g.id, g.name).catch((e: unknown) => this.opts.logger.error({ err: e, groupId: g.id }, 'cleaning up after a deleted log group failed'));
    }
  }

  /** Deletes a log stream; its sealed events stay hidden until their segments go. */
  async deleteStream(g: LogGroup, s: LogStream): Promise<void> {
    await this.catalog.deleteStream(g, s);
    this.hot.dropStream(g.id, s.id);
  }

  /** Drops the segments of every group whose newest event is past the group's retention. */
  async sweepRetention(): Promise<void> {
    const now = this.opts.clock.now();
    await this.writeLock.run(async () => {
      for (const g of this.catalog.groupsById.values()) {
        if (g.retentionDays === null) continue;
        const cutoff = retentionCutoff(g, now);
        const expired = g.segments.filter((s) => s.maxTs < cutoff);
        if (expired.length === 0) continue;
        await this.catalog.dropSegments(g, expired);
        // Unlinked after the grace period, as replaced files are: a query may have listed them already
        // (their events are hidden from it by the cutoff, but it still opens the files).
        const atMs = performance.now();
        for (const s of expired) this.replaced.push({ path: s.path, atMs });
        this.opts.logger.info(
          { logGroup: g.name, segments: expired.length, events: expired.reduce((a, s) => a + s.rows, 0), bytes: expired.reduce((a, s) => a + s.fileBytes, 0) },
          'retention removed expired events',
        );
      }
    });
  }

  /** Bytes of event data held for a group (sealed and hot), as DescribeLogGroups reports. */
  storedBytes(g: LogGroup): number {
    let n = this.hot.groupBytes(g.id);
    for (const s of g.segments) n += s.rawBytes;
    return n;
  }

  private noteIngest(bytes: number): void {
    const w = this.ingestWindow;
    const now = performance.now();
    if (now - w.startMs > QUIET_WINDOW_MS) {
      w.previous = now - w.startMs > 2 * QUIET_WINDOW_MS ? 0 : w.bytes;
      w.bytes = 0;
      w.startMs = now;
    }
    w.bytes += bytes;
  }

  /**
   * Little was ingested lately (under QUIET_BYTES in the last one or two windows): background work that
   * rewrites segments (shredding) runs then, so that it never takes the CPU that sealing needs to keep up
   * with ingest. Every append counts; small ones such as the audit trail's records add up to little.
   */
  private quiet(): boolean {
    this.noteIngest(0);
    return this.ingestWindow.bytes + this.ingestWindow.previous < QUIET_BYTES;
  }

  /** Unlinks the replaced files older than REPLACED_GRACE_MS (all of them when `all`). */
  private async unlinkReplaced(all: boolean): Promise<void> {
    const cutoff = performance.now() - REPLACED_GRACE_MS;
    while (this.replaced.length > 0 && (all || this.replaced[0]!.atMs <= cutoff)) {
      const { path } = this.replaced.shift()!;
      await this.removeSegmentFile(path).catch((e: unknown) => this.opts.logger.warn({ err: e, path }, 'could not remove a replaced segment'));
    }
  }

  /** Resolves once sealing and the maintenance after it (compaction, shredding) have nothing left to do. */
  async idle(): Promise<void> {
    while (this.sealing) await this.sealing;
  }

  /** Seals everything and closes. New appends fail from now on. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await this.wal.flush();
    this.wal.rotate();
    await this.wal.flush();
    while (this.sealing) await this.sealing;
    await this.warming;
    await this.unlinkReplaced(true);
    await this.wal.close();
    this.db.close();
    this.sealDb.close();
    await this.atRest.close();
  }
}

/** Memory for cached message-test results: 8 MiB holds one test over 64 million events. */
const MESSAGE_TEST_CACHE_BYTES = 64 * 1024 * 1024;
const QUIET_WINDOW_MS = 5_000;
/** Ingest under this many bytes per window (and the one before) leaves the store quiet enough to shred. */
const QUIET_BYTES = 1024 * 1024;

/** How long a segment replaced by compaction or shredding, or dropped by retention, stays on disk for queries still reading it. */
const REPLACED_GRACE_MS = 60_000;

/** Events older than this are past the group's retention (and hidden even before they are removed). */
export function retentionCutoff(g: LogGroup, now: number): number {
  return g.retentionDays === null ? -Infinity : now - g.retentionDays * 86_400_000;
}
