/**
 * The bounded cache of decrypted segments that queries read (docs/encryption.md "Where plaintext
 * exists"): a private directory on a memory file system holding, per sealed segment, a sparse
 * plaintext file that fills as readers ask for its parts (partial-plaintext.ts). Segments are leased
 * for the duration of a read and kept afterwards, least recently used first out, within a byte limit.
 * A freshly sealed or merged segment enters whole, as it was written (adopt).
 */
import { promises as fsp } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { PartialPlaintext } from './partial-plaintext.js';
import { decodeLayout, type SegmentLayout } from './segment-layout.js';

/**
 * Readable files of some segments for the duration of a query; release() lets the cache evict them.
 * A lease taken with `partial` is given at once, while the segments are opened (footers decrypted) in
 * the background: the reader says which columns it will read (readColumns), which waits for the opening
 * too, fails if a segment did not open (not sealed, keys shredded), and only then may the files be read.
 */
export interface SegmentLease {
  path(rel: string): string;
  /** Makes these columns of every leased segment readable (null: every byte). */
  readColumns(names: ReadonlySet<string> | null): Promise<void>;
  release(): void;
}

/** A segment to lease: its place in the data dir, with the layout the catalog recorded for it (segment-layout.ts), if any. */
export type SegmentRef = string | { readonly rel: string; readonly layout: string | null };

/**
 * Opens the plaintext of the segment at `rel` into the cache file `file`, decrypting its footer (a
 * segment that is not sealed is refused: at-rest.ts).
 */
export type OpenSegment = (rel: string, file: string, layout: SegmentLayout | null) => Promise<PartialPlaintext>;

interface CacheEntry {
  file: string;
  bytes: number;
  pins: number;
  lastUse: number;
  /** Settles when the segment is open; undefined until a lease starts opening it (open()). */
  ready: Promise<void> | undefined;
  /** A sealed segment's plaintext, decrypted as far as readers asked (absent: complete). */
  plain?: PartialPlaintext;
}

/** Segments opened or decrypted at once by a lease (their work is small reads and writes on the thread pool). */
const CONCURRENT_SEGMENTS = 8;

export class PlaintextCache {
  private readonly cache = new Map<string, CacheEntry>();
  private cachedBytes = 0;
  private useClock = 0;
  private fileSeq = 0;

  constructor(
    private readonly dataDir: string,
    private readonly dir: string,
    private readonly limit: number,
    private readonly openSegment: OpenSegment,
    private readonly logger: Logger,
  ) {}

  /** Bytes of decrypted segments held. */
  get bytes(): number {
    return this.cachedBytes;
  }

  /**
   * Files DuckDB can read for these segments, decrypting into the cache what is not there yet: every
   * byte, or with `partial` only their footers until the lease's readColumns() asks for more.
   */
  async lease(refs: readonly SegmentRef[], opts: { partial?: boolean } = {}): Promise<SegmentLease> {
    const byRel = new Map<string, string | null>();
    for (const r of refs) {
      if (typeof r === 'string') {
        if (!byRel.has(r)) byRel.set(r, null);
      } else if (byRel.get(r.rel) == null) byRel.set(r.rel, r.layout);
    }
    // Every entry is pinned now, and has its file's name: the lease's paths are known before the
    // segments are open.
    const pinned = [...byRel].map(([rel, layout]) => ({ rel, layout, e: this.pin(rel) }));
    const paths = new Map(pinned.map((x) => [x.rel, x.e.file]));
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      for (const { e } of pinned) e.pins--;
      this.evict();
    };
    // Several segments at a time: their work is mostly small reads, each a trip to the thread pool, so
    // one at a time would leave it idle. Never abandoned midway: a segment being opened is finished.
    const opening = settleLimit(pinned, CONCURRENT_SEGMENTS, async ({ rel, layout, e }) => this.open(rel, layout, e)).then((done) => {
      this.evict();
      const failed = done.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    });
    // Until a reader waits for it (readColumns), a failure is kept for it, not reported unhandled.
    opening.catch(() => undefined);
    const entries = pinned.map((x) => x.e);
    const readColumns = async (names: ReadonlySet<string> | null): Promise<void> => {
      await opening;
      await this.decryptColumns(entries, names);
      this.evict();
    };
    if (!opts.partial) {
      try {
        await readColumns(null);
      } catch (e) {
        release();
        throw e;
      }
    }
    return {
      path: (rel) => {
        const p = paths.get(rel);
        if (p === undefined) throw new Error(`segment ${rel} is not part of this lease`);
        return p;
      },
      readColumns,
      release,
    };
  }

  /** Takes a plaintext file just written (`plain`, a whole segment) into the cache as the copy of `rel`. */
  async adopt(rel: string, plain: string): Promise<void> {
    if (this.cache.has(rel)) await this.forget(rel);
    const file = this.cacheFile(rel);
    await fsp.rename(plain, file);
    const bytes = (await fsp.stat(file)).size;
    this.cache.set(rel, { file, bytes, pins: 0, lastUse: ++this.useClock, ready: Promise.resolve() });
    this.cachedBytes += bytes;
    this.evict();
  }

  /** A segment's file is gone (retention, deletion, replaced): its decrypted copy goes too. */
  async forget(rel: string): Promise<void> {
    const e = this.cache.get(rel);
    if (!e) return;
    this.cache.delete(rel);
    this.cachedBytes -= e.bytes;
    await fsp.rm(e.file, { force: true });
  }

  /** Drops the decrypted copy of every segment under `prefix` (a group's keys are shredded). */
  async forgetUnder(prefix: string): Promise<void> {
    for (const rel of [...this.cache.keys()]) if (rel.startsWith(prefix)) await this.forget(rel);
  }

  /** Forgets every entry (the directory is being removed). */
  clear(): void {
    this.cache.clear();
    this.cachedBytes = 0;
  }

  /** Decrypts these columns (null: all) of the entries' segments where not decrypted yet. */
  private async decryptColumns(entries: readonly CacheEntry[], names: ReadonlySet<string> | null): Promise<void> {
    const done = await settleLimit(entries, CONCURRENT_SEGMENTS, async (e) => {
      const plain = e.plain;
      if (plain === undefined) return;
      let added: number;
      if (names === null) added = await plain.ensureAll();
      else {
        const columns = await plain.columns();
        added = await plain.ensure([...names].flatMap((n) => columns.get(n) ?? []));
      }
      e.bytes += added;
      this.cachedBytes += added;
      if (plain.complete) e.plain = undefined;
    });
    const failed = done.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /**
   * A new name in the cache for a copy of `rel`: never the name of an earlier copy, whose removal
   * (eviction removes files without waiting) could otherwise take the new one.
   */
  private cacheFile(rel: string): string {
    return join(this.dir, `${rel.replaceAll('/', '_').replace(/\.parquet$/, '')}.${++this.fileSeq}.parquet`);
  }

  /** The cache entry of `rel`, made (not yet open) if there is none, pinned. */
  private pin(rel: string): CacheEntry {
    let e = this.cache.get(rel);
    if (!e) {
      e = { file: this.cacheFile(rel), bytes: 0, pins: 0, lastUse: 0, ready: undefined };
      this.cache.set(rel, e);
    }
    e.pins++;
    e.lastUse = ++this.useClock;
    return e;
  }

  /**
   * Opens the segment of the pinned entry `e` (its footer decrypted), unless another lease did or is
   * doing it. A segment that fails to open leaves the cache (the next lease tries again).
   */
  private open(rel: string, layout: string | null, e: CacheEntry): Promise<void> {
    e.ready ??= this.openSegment(rel, e.file, decodeLayout(layout)).then(
      (plain) => {
        e.plain = plain;
        e.bytes = plain.bytes;
        if (this.cache.get(rel) === e) this.cachedBytes += plain.bytes;
      },
      (err: unknown) => {
        if (this.cache.get(rel) === e) this.cache.delete(rel);
        throw err;
      },
    );
    return e.ready;
  }

  private evict(): void {
    if (this.cachedBytes <= this.limit) return;
    const idle = [...this.cache].filter(([, e]) => e.pins === 0 && e.bytes > 0).sort((a, b) => a[1].lastUse - b[1].lastUse);
    for (const [rel, e] of idle) {
      if (this.cachedBytes <= this.limit) break;
      this.cache.delete(rel);
      this.cachedBytes -= e.bytes;
      fsp.rm(e.file, { force: true }).catch((err: unknown) => this.logger.warn({ err, file: e.file }, 'could not remove a decrypted segment'));
    }
  }
}

/** fn over every item, at most `limit` at a time; every outcome, in the items' order (none is abandoned midway). */
async function settleLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const out: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        out[i] = { status: 'fulfilled', value: await fn(items[i]!) };
      } catch (reason) {
        out[i] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
