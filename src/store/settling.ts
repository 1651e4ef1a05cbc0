/**
 * What happens to sealed segments when nothing waits to be sealed: runs of small segments are merged
 * and segments get their JSON fields shredded (both rewrite them, compactor.ts; shredding only when
 * ingest is quiet; a segment without JSON is not rewritten, only recorded as shredded into no fields),
 * segments get token indexes (token-index.ts; when quiet), segments sealed before their plaintext
 * layout was recorded get it (segment-layout.ts; when quiet and no query runs), and after a start the
 * token indexes are read in the background. The store calls step()
 * while it has nothing to seal.
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { AtRest } from './at-rest.js';
import type { Catalog, LogGroup, Segment } from './catalog.js';
import { buildIndex, isSeqDense, mergeSegments, pickRun } from './compactor.js';
import { quoteLiteral, type Db, type Mutex } from './db.js';
import { isSignedLayout } from './segment-layout.js';
import { DamagedIndexError, indexPath, TokenIndex, TokenIndexCache } from './token-index.js';

/** About 7 bytes an event of settled segments (token-index.ts): 10M events take about 70 MiB. */
const TOKEN_INDEX_CACHE_BYTES = 128 * 1024 * 1024;

/** What settling needs of the store. */
export interface SettlingHost {
  catalog: Catalog;
  db: Db;
  atRest: AtRest;
  /** Catalog changes, seals and retention take it. */
  writeLock: Mutex;
  logger: Logger;
  closed(): boolean;
  /** Little was ingested lately: rewrites and indexing may take the CPU. */
  quiet(): boolean;
  /** A query is reading the store now: warming waits for it to end (see warm()). */
  querying(): boolean;
  /** A segment file a merge replaced, to unlink once queries that listed it are done. */
  replaced(path: string): void;
  /** Removes a segment file at once (a merge whose commit was refused). */
  remove(path: string): Promise<void>;
}

/** Failures of settling work on a segment after which it is left as it is until the next start. */
export const GIVE_UP_AFTER = 3;

/** How often warming looks again whether the queries it waits for are done. */
const WARM_YIELD_MS = 20;

export class Settling {
  /** Paths of the segments that have a token index file. */
  private readonly indexed = new Set<string>();
  /** Segments without a recorded layout that cannot have one: stored as plaintext. */
  private readonly plaintextSegments = new Set<string>();
  /** Failures of settling work, by segment path (attempt()). */
  private readonly failures = new Map<string, number>();
  /** Token indexes read back, by segment path (null: the segment has none). */
  private readonly indexes = new TokenIndexCache(TOKEN_INDEX_CACHE_BYTES);

  constructor(private readonly host: SettlingHost) {}

  /** At start-up: the data dir's files, among which the segments' index files. */
  indexFilesFound(files: ReadonlySet<string>): void {
    for (const g of this.host.catalog.groupsById.values()) for (const s of g.segments) if (files.has(indexPath(s.path))) this.indexed.add(s.path);
  }

  /** A segment file is removed: its index goes with it. */
  async forget(rel: string): Promise<void> {
    this.indexes.drop(rel);
    this.indexed.delete(rel);
    await fsp.rm(join(this.host.atRest.dataDir, indexPath(rel)), { force: true });
  }

  /**
   * Merges one run of small segments of the group, or else rewrites one segment not shredded yet with
   * its JSON fields shredded (shred.ts), or else builds one segment's missing token index; false when
   * there was nothing to do.
   */
  async step(g: LogGroup): Promise<boolean> {
    const quiet = this.host.quiet();
    const unshredded = quiet ? g.segments.find((s) => s.fields === null && this.settleable(s)) : undefined;
    const small = pickRun(g.segments);
    const run = (small !== null && small.every((s) => this.settleable(s)) ? small : null) ?? (unshredded ? [unshredded] : null);
    if (!run) return quiet && ((await this.indexOne(g)) || (await this.layoutOne(g)) || (await this.denseOne(g)));
    return this.attempt(run, () => this.rewrite(g, run, quiet, unshredded));
  }

  /** Whether the group still exists and holds these segments (work on them is committed under the write lock only then). */
  private holds(g: LogGroup, segments: readonly Segment[]): boolean {
    return this.host.catalog.groupsById.get(g.id) === g && segments.every((s) => g.segments.includes(s));
  }

  /** Whether settling has not given up on the segment (see attempt()). */
  private settleable(s: Segment): boolean {
    return (this.failures.get(s.path) ?? 0) < GIVE_UP_AFTER;
  }

  /**
   * Runs settling work on `segments`; each failure counts against them (and is thrown on). After
   * GIVE_UP_AFTER failures a segment is left as it is until the next start, still readable, so that one
   * segment that cannot be rewritten or indexed does not hold back the rest of its group at every quiet
   * time.
   */
  private async attempt<T>(segments: readonly Segment[], work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      for (const s of segments) {
        const n = (this.failures.get(s.path) ?? 0) + 1;
        this.failures.set(s.path, n);
        if (n === GIVE_UP_AFTER) this.host.logger.warn({ err: e, segment: s.path, failures: n }, 'settling gave up on a segment until the next start; it stays readable as it is');
      }
      throw e;
    }
  }

  /** Merges `run`, or rewrites the one unshredded segment with its JSON fields shredded (step()). */
  private async rewrite(g: LogGroup, run: Segment[], quiet: boolean, unshredded: Segment | undefined): Promise<boolean> {
    if (unshredded !== undefined && run[0] === unshredded && (await this.withoutJson(unshredded))) return this.settleWithoutRewrite(g, unshredded);
    const t0 = performance.now();
    const conn = await this.host.db.connect();
    try {
      const merged = await mergeSegments(this.host.db, conn, this.host.atRest, g, run, await this.host.catalog.nextId(conn), quiet);
      const committed = await this.host.writeLock.run(async () => {
        // Retention or a deletion may have taken some of the inputs meanwhile: then keep them as they are.
        if (!this.holds(g, run)) return false;
        await this.host.catalog.replaceSegments(g, run, merged);
        return true;
      });
      if (!committed) {
        await this.host.remove(merged.path);
        return false;
      }
      if (quiet) this.indexed.add(merged.path); // mergeSegments wrote its index (none when it has no events)
      for (const s of run) this.host.replaced(s.path);
      const what = run.length > 1 ? 'compacted small segments' : 'shredded the JSON fields of a segment';
      this.host.logger.info({ logGroup: g.name, segments: run.length, events: merged.rows, fields: merged.fields?.length, ms: Math.round(performance.now() - t0) }, what);
      return true;
    } finally {
      conn.closeSync();
    }
  }

  /**
   * Whether no message of the segment holds a JSON object (its json_off column, computed when it was
   * sealed, is all NULL): shredding would then find no field, and rewriting it would only cost CPU.
   */
  private async withoutJson(s: Segment): Promise<boolean> {
    const lease = await this.host.atRest.lease([s.path]);
    const conn = await this.host.db.connect();
    try {
      const [r] = await this.host.db.all(`SELECT count(json_off) AS n FROM read_parquet(${quoteLiteral(lease.path(s.path))})`, [], conn);
      return Number(r?.n) === 0;
    } finally {
      conn.closeSync();
      lease.release();
    }
  }

  /**
   * Settles a segment without JSON where it lies: its token index is built from it and the catalog
   * records it as shredded into no fields (what rewriting it would have recorded), and whether its rows
   * are its sequence numbers in order (Segment.seqDense). The file stays as sealing wrote it. Events of
   * streams deleted meanwhile stay in it, as in any settled segment: reads skip them (query.ts,
   * read-seq.ts).
   */
  private async settleWithoutRewrite(g: LogGroup, s: Segment): Promise<boolean> {
    const t0 = performance.now();
    const lease = await this.host.atRest.lease([s.path]);
    const conn = await this.host.db.connect();
    try {
      const done = await this.host.writeLock.run(async () => {
        // Retention, a merge or a deletion may have taken the segment meanwhile.
        if (!this.holds(g, [s])) return false;
        if (!this.indexed.has(s.path)) {
          await this.host.atRest.storeIndex(g.id, indexPath(s.path), await buildIndex(conn, lease.path(s.path), s.minSeq, s.rows));
          this.indexed.add(s.path);
        }
        const seqDense = await isSeqDense(this.host.db, conn, lease.path(s.path), s);
        await this.host.catalog.replaceSegments(g, [s], { ...s, fields: [], seqDense });
        return true;
      });
      if (done) this.host.logger.info({ logGroup: g.name, events: s.rows, ms: Math.round(performance.now() - t0) }, 'settled a segment without JSON fields (indexed, not rewritten)');
      return done;
    } finally {
      conn.closeSync();
      lease.release();
    }
  }

  /**
   * Builds the token index of one segment of the group that has none (segments sealed before indexes
   * existed, or whose merge found no events); false when there was none to build.
   */
  private async indexOne(g: LogGroup): Promise<boolean> {
    const s = g.segments.find((x) => x.fields !== null && x.rows > 0 && !this.indexed.has(x.path) && this.settleable(x));
    if (!s) return false;
    return this.attempt([s], () => this.index(g, s));
  }

  private async index(g: LogGroup, s: Segment): Promise<boolean> {
    const t0 = performance.now();
    const lease = await this.host.atRest.lease([s.path]);
    const conn = await this.host.db.connect();
    try {
      await this.host.writeLock.run(async () => {
        // Retention, a merge or a deletion may have taken the segment meanwhile.
        if (!this.holds(g, [s])) return;
        await this.host.atRest.storeIndex(g.id, indexPath(s.path), await buildIndex(conn, lease.path(s.path), s.minSeq, s.rows));
        this.indexed.add(s.path);
      });
    } finally {
      conn.closeSync();
      lease.release();
    }
    this.host.logger.info({ logGroup: g.name, events: s.rows, ms: Math.round(performance.now() - t0) }, 'indexed the tokens of a segment');
    return true;
  }

  /**
   * Records the layout (segment-layout.ts) of one segment of the group sealed before layouts were
   * recorded (or tagged), read from its footer, so that a query after a restart parses no footer of it; false when
   * there was none, or a query is running (it goes first: this waits for a later quiet time).
   */
  private async layoutOne(g: LogGroup): Promise<boolean> {
    if (!this.host.atRest.enabled || this.host.querying()) return false;
    const s = g.segments.find((x) => !isSignedLayout(x.layout) && !this.plaintextSegments.has(x.path) && this.settleable(x));
    if (!s) return false;
    const layout = await this.attempt([s], () => this.host.atRest.segmentLayout(s.path));
    if (layout === null) {
      this.plaintextSegments.add(s.path);
      return true;
    }
    await this.host.writeLock.run(async () => {
      // Retention, a merge or a deletion may have taken the segment meanwhile.
      if (this.holds(g, [s])) await this.host.catalog.setLayout(s, layout);
    });
    return true;
  }

  /**
   * Checks one settled segment recorded before Segment.seqDense existed (null) and records whether it is
   * dense; false when there was none, or a query runs (it reads the segment's sequence numbers).
   */
  private async denseOne(g: LogGroup): Promise<boolean> {
    if (this.host.querying()) return false;
    const s = g.segments.find((x) => x.seqDense === null && x.fields !== null && this.settleable(x));
    if (!s) return false;
    const dense = await this.attempt([s], async () => {
      // Only the sequence numbers are read (and, encrypted, decrypted).
      const lease = await this.host.atRest.lease([{ rel: s.path, layout: s.layout }], { partial: true });
      const conn = await this.host.db.connect();
      try {
        await lease.readColumns(new Set(['seq']));
        return await isSeqDense(this.host.db, conn, lease.path(s.path), s);
      } finally {
        conn.closeSync();
        lease.release();
      }
    });
    await this.host.writeLock.run(async () => {
      // Retention, a merge or a deletion may have taken the segment meanwhile.
      if (this.holds(g, [s])) await this.host.catalog.setSeqDense(s, dense);
    });
    return true;
  }

  /** Settled segments recorded before Segment.seqDense existed, not checked yet (denseOne). */
  get unchecked(): number {
    let n = 0;
    for (const g of this.host.catalog.groupsById.values()) for (const s of g.segments) if (s.seqDense === null && s.fields !== null) n++;
    return n;
  }

  /**
   * After a start, in the background: reads the newest segments' token indexes (up to half their
   * cache), so that the first query of a term after a restart finds them ready. Segments are not
   * decrypted ahead: on these machines that costs seconds of fresh memory pages on the event loop
   * (docs/encryption.md), which slowed the first queries more than it saved them.
   */
  async warm(): Promise<void> {
    const segments = [...this.host.catalog.groupsById.values()].flatMap((g) => g.segments).sort((a, b) => b.maxTs - a.maxTs);
    let indexBytes = 0;
    for (const s of segments) {
      // Warming yields the CPU to queries: one that needs an index reads it itself, through the same
      // cache, and one that does not (the newest events) is not slowed by reads it has no use for.
      while (this.host.querying() && !this.host.closed()) await new Promise((r) => setTimeout(r, WARM_YIELD_MS));
      if (this.host.closed() || indexBytes > TOKEN_INDEX_CACHE_BYTES / 2) break;
      // A segment deleted or shredded meanwhile fails to load: that one is skipped.
      const index = await this.tokenIndex(s).catch((e: unknown) => this.host.logger.debug({ err: e }, 'warming skipped a segment'));
      indexBytes += index?.bytes ?? 0;
    }
  }

  /** Segments without a token index (built when the store is idle), for Logward's own metrics. */
  get unindexed(): number {
    let n = 0;
    for (const g of this.host.catalog.groupsById.values()) for (const s of g.segments) if (s.rows > 0 && !this.indexed.has(s.path)) n++;
    return n;
  }

  /** The segment's token index (token-index.ts), or null when it has none (not rewritten since sealing). */
  tokenIndex(s: Segment): Promise<TokenIndex | null> {
    // Not cached as missing: indexOne() may give it one a moment later.
    if (!this.indexed.has(s.path)) return Promise.resolve(null);
    return this.indexes.get(s.path, async () => {
      try {
        return await this.host.atRest.openIndex(s.groupId, indexPath(s.path));
      } catch (e) {
        if (!(e instanceof DamagedIndexError)) throw e; // a sealed index that does not open fails the query
        // Queries read the messages instead; the index is built again when the store is idle.
        this.host.logger.warn({ err: e, segment: s.path }, 'a token index is damaged; removing it');
        await fsp.rm(join(this.host.atRest.dataDir, indexPath(s.path)), { force: true });
        this.indexed.delete(s.path);
        return null;
      }
    });
  }

  /** Segments sealed before layouts were recorded whose layout is not recorded yet (layoutOne). */
  get unlaid(): number {
    if (!this.host.atRest.enabled) return 0;
    let n = 0;
    for (const g of this.host.catalog.groupsById.values()) for (const s of g.segments) if (!isSignedLayout(s.layout) && !this.plaintextSegments.has(s.path)) n++;
    return n;
  }

  /** Segments whose JSON fields are not shredded yet (background work left), for Logward's own metrics. */
  get unshredded(): number {
    let n = 0;
    for (const g of this.host.catalog.groupsById.values()) for (const s of g.segments) if (s.fields === null) n++;
    return n;
  }
}
