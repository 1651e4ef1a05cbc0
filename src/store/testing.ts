/** For tests: a store with test settings, and appending events to it as PutLogEvents would. */
import { pino, type Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LogGroup } from './catalog.js';
import { LogStore } from './store.js';

/** A store in `dir` that seals only when told (or every `walSealBytes`), on one DuckDB thread. */
export function openTestStore(dir: string, clock: Clock, opts: { walSealBytes?: number; logger?: Logger } = {}): Promise<LogStore> {
  return LogStore.open({
    dataDir: dir,
    clock,
    logger: opts.logger ?? pino({ level: 'silent' }),
    walSealBytes: opts.walSealBytes ?? 64 * 1024 * 1024,
    walSealAgeMs: 3_600_000,
    maxHotBytes: 1 << 30,
    duckdbMemoryLimit: '256MB',
    duckdbThreads: 1,
    retentionSweepMs: 3_600_000,
  });
}

/** Appends events to the stream named `stream` as PutLogEvents would (LogStore.appendEvents). */
export async function appendEvents(
  store: LogStore,
  g: LogGroup,
  stream: string,
  events: ReadonlyArray<{ timestamp: number; message: string }>,
  ingestMs: number,
): Promise<{ firstSeq: number }> {
  const s = g.streams.get(stream);
  if (!s) throw new Error(`no stream ${stream} in ${g.name}`);
  return store.appendEvents(g, s, events, ingestMs);
}
