/**
 * The benchmark's data set on disk, generated once and reused while it is fresh.
 *
 * Layout of a data set directory (under .bench-data/, which git ignores):
 *   `batches.bin`       the `logEvents` JSON array of every batch, back to back; a request body is
 *                       `{"logGroupName":..,"logStreamName":..,"logEvents":` + one array + `}`, so senders
 *                       read bytes instead of generating and serialising events while they are timed;
 *   `batches.idx.json`  byte offsets of the arrays (batches + 1 numbers);
 *   `events.txt`        the messages of the first `searchEvents` events, one a line: the ripgrep reference,
 *                       and the messages the in-process predicate runs read back (`forEachMessage`);
 *   `meta.json`         the spec, marker positions and sizes; written last, so it means "complete".
 *
 * Generation streams batch by batch (memory stays at one batch) and is deterministic from the seed.
 * Timestamps in the file are placeholders: senders rewrite them (see load-worker.ts), so a cached data set
 * stays usable; it is regenerated when the spec or the generator version changes, or after a day.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { EventGenerator, logEventsJson, spreadPositions } from './generate.js';

/** Bump when generate.ts changes what it produces. */
export const GENERATOR_VERSION = 2;
const MAX_AGE_MS = 24 * 3600 * 1000;

export interface DatasetParams {
  /** Parent directory, e.g. `.bench-data`. */
  root: string;
  seed: number;
  /** Events in the data set (whole batches). */
  events: number;
  /** The first `searchEvents` events form the search data set and the reference text file. */
  searchEvents: number;
  batchSize: number;
  markerTerm: string;
  markerCount: number;
  /** Word counted as the common term for the first-page search. */
  commonTerm: string;
  /** Time covered by the search data set, so a time-partitioned store sees realistic spans. */
  spanMs: number;
}

export interface DatasetMeta {
  version: number;
  seed: number;
  events: number;
  searchEvents: number;
  batchSize: number;
  batches: number;
  stepMs: number;
  startMs: number;
  markerTerm: string;
  markerPositions: number[];
  commonTerm: string;
  /** Events among the search set whose message contains the common term (substring count). */
  commonTermEvents: number;
  /** UTF-8 bytes of all messages, and of the search set's messages. */
  rawBytes: number;
  searchRawBytes: number;
  batchesBytes: number;
  textBytes: number;
  createdMs: number;
  generationMs: number;
}

export interface Dataset {
  dir: string;
  meta: DatasetMeta;
  batchesPath: string;
  textPath: string;
  /** offsets[b] .. offsets[b + 1] is batch b's logEvents array in batches.bin. */
  offsets: number[];
}

export function datasetName(p: DatasetParams): string {
  return `events-${p.events}-search-${p.searchEvents}-seed-${p.seed}-v${GENERATOR_VERSION}`;
}

async function write(stream: WriteStream, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((resolve) => stream.once('drain', resolve));
}

async function close(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

function matches(meta: DatasetMeta, p: DatasetParams): boolean {
  return (
    meta.version === GENERATOR_VERSION &&
    meta.seed === p.seed &&
    meta.events === p.events &&
    meta.searchEvents === p.searchEvents &&
    meta.batchSize === p.batchSize &&
    meta.markerTerm === p.markerTerm &&
    meta.markerPositions.length === p.markerCount &&
    meta.commonTerm === p.commonTerm &&
    Date.now() - meta.createdMs < MAX_AGE_MS
  );
}

/** Opens the data set for these parameters, generating it first when missing or stale. */
export async function openDataset(p: DatasetParams, log: (line: string) => void): Promise<Dataset> {
  if (p.events % p.batchSize !== 0 || p.searchEvents % p.batchSize !== 0 || p.searchEvents > p.events) {
    throw new Error('events and searchEvents must be whole batches, searchEvents ≤ events');
  }
  const dir = join(p.root, datasetName(p));
  const ds = (meta: DatasetMeta, offsets: number[]): Dataset => ({
    dir,
    meta,
    batchesPath: join(dir, 'batches.bin'),
    textPath: join(dir, 'events.txt'),
    offsets,
  });
  try {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as DatasetMeta;
    if (matches(meta, p)) {
      const offsets = JSON.parse(await readFile(join(dir, 'batches.idx.json'), 'utf8')) as number[];
      log(`data set: reusing ${dir} (generated ${new Date(meta.createdMs).toISOString()})`);
      return ds(meta, offsets);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const createdMs = Date.now();
  const stepMs = p.spanMs / p.searchEvents;
  const startMs = createdMs - p.spanMs;
  const markerPositions = spreadPositions(p.searchEvents, p.markerCount);
  const gen = new EventGenerator({ seed: p.seed, startMs, stepMs, markers: { term: p.markerTerm, positions: markerPositions } });
  const batches = createWriteStream(join(dir, 'batches.bin.tmp'), { highWaterMark: 1 << 20 });
  const text = createWriteStream(join(dir, 'events.txt.tmp'), { highWaterMark: 1 << 20 });
  const offsets: number[] = [0];
  let batchesBytes = 0;
  let textBytes = 0;
  let rawBytes = 0;
  let searchRawBytes = 0;
  let commonTermEvents = 0;
  const nBatches = p.events / p.batchSize;
  const searchBatches = p.searchEvents / p.batchSize;
  let lastLog = t0;
  for (let b = 0; b < nBatches; b++) {
    const batch = gen.batch(b * p.batchSize, p.batchSize);
    const json = logEventsJson(batch);
    batchesBytes += Buffer.byteLength(json);
    offsets.push(batchesBytes);
    await write(batches, json);
    let raw = 0;
    for (const m of batch.messages) raw += Buffer.byteLength(m);
    rawBytes += raw;
    if (b < searchBatches) {
      searchRawBytes += raw;
      for (const m of batch.messages) if (m.includes(p.commonTerm)) commonTermEvents++;
      const lines = `${batch.messages.join('\n')}\n`;
      textBytes += Buffer.byteLength(lines);
      await write(text, lines);
    }
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(`data set: ${(((b + 1) / nBatches) * 100).toFixed(0)}% (${(b + 1) * p.batchSize} events)`);
    }
  }
  await close(batches);
  await close(text);
  await rename(join(dir, 'batches.bin.tmp'), join(dir, 'batches.bin'));
  await rename(join(dir, 'events.txt.tmp'), join(dir, 'events.txt'));
  await writeFile(join(dir, 'batches.idx.json'), JSON.stringify(offsets));
  const meta: DatasetMeta = {
    version: GENERATOR_VERSION,
    seed: p.seed,
    events: p.events,
    searchEvents: p.searchEvents,
    batchSize: p.batchSize,
    batches: nBatches,
    stepMs,
    startMs,
    markerTerm: p.markerTerm,
    markerPositions,
    commonTerm: p.commonTerm,
    commonTermEvents,
    rawBytes,
    searchRawBytes,
    batchesBytes,
    textBytes,
    createdMs,
    generationMs: performance.now() - t0,
  };
  await writeFile(join(dir, 'meta.json'), JSON.stringify(meta, null, 2));
  log(`data set: generated ${p.events} events in ${(meta.generationMs / 1000).toFixed(1)} s → ${dir}`);
  return ds(meta, offsets);
}

/**
 * Calls `fn` with the first `limit` messages of the search set, in order (events.txt holds one a line;
 * messages contain no newlines). Streams the file, so memory stays small unless `fn` keeps them.
 * Returns how many messages were read: fewer than `limit` when the file is shorter.
 */
export async function forEachMessage(ds: Dataset, limit: number, fn: (message: string, index: number) => void): Promise<number> {
  const input = createReadStream(ds.textPath, { highWaterMark: 1 << 20 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      if (n >= limit) break;
      fn(line, n++);
    }
  } finally {
    lines.close();
    input.destroy();
  }
  return n;
}
