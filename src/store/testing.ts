/** For tests: a store with test settings, and appending events to it as PutLogEvents would. */
import { pino, type Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { LogGroup } from './catalog.js';
import { LogStore } from './store.js';
import { join } from 'node:path';
import { KeyService } from '../kms/key-service.js';
import { LocalKeyring } from '../kms/local-keyring.js';

/**
 * A store in `dir` that seals only when told (or every `walSealBytes`), on one DuckDB thread, encrypted
 * at rest (a master key kept in `dir`) unless `encryption` is false. `plaintextCacheBytes` 0 drops each
 * decrypted segment once no query reads it, so that every query decrypts what it reads itself; small
 * `segmentFrameBytes` make small segments decrypt in parts.
 */
export function openTestStore(
  dir: string,
  clock: Clock,
  opts: { walSealBytes?: number; logger?: Logger; encryption?: boolean; plaintextCacheBytes?: number; segmentFrameBytes?: number } = {},
): Promise<LogStore> {
  const encryption =
    opts.encryption === false
      ? null
      : {
          keys: KeyService.open({ dataDir: join(dir, 'keys'), provider: LocalKeyring.load({ file: join(dir, 'master.key') }), clock }),
          cacheBytes: opts.plaintextCacheBytes,
          segmentFrameBytes: opts.segmentFrameBytes,
        };
  return LogStore.open({
    encryption,
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

/** For tests: a distinct word of ASCII letters for each n (its base-26 digits, lowest first). */
export function letterWord(n: number): string {
  let s = '';
  do {
    s += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}
