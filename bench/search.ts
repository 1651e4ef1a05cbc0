/**
 * Search timings: FilterLogEvents over a whole group (every page), and the ripgrep reference over the
 * same messages as a text file.
 */
import { spawn } from 'node:child_process';
import type { LogsClient } from './client.js';

export interface SearchRun {
  ms: number;
  events: number;
  pages: number;
  /** Messages of the events returned (kept only for small results, to check them). */
  messages: string[];
}

interface FilterReply {
  events?: { message?: string }[];
  nextToken?: string;
}

/**
 * FilterLogEvents with this pattern over all time, following nextToken until it is absent (or, with
 * `firstPageOnly`, one request). `ms` is from the first request to the last reply.
 */
export async function filterAll(
  client: LogsClient,
  group: string,
  pattern: string,
  opts: { limit?: number; firstPageOnly?: boolean; maxPages?: number } = {},
): Promise<SearchRun> {
  const t0 = performance.now();
  let events = 0;
  let pages = 0;
  const messages: string[] = [];
  let nextToken: string | undefined;
  do {
    const reply = await client.call<FilterReply>('FilterLogEvents', {
      logGroupName: group,
      filterPattern: pattern,
      ...(opts.limit === undefined ? {} : { limit: opts.limit }),
      ...(nextToken === undefined ? {} : { nextToken }),
    });
    pages++;
    const got = reply.events ?? [];
    events += got.length;
    if (messages.length < 1000) for (const e of got) messages.push(e.message ?? '');
    nextToken = reply.nextToken;
    if (opts.firstPageOnly === true) break;
    if (pages >= (opts.maxPages ?? 100_000)) throw new Error(`FilterLogEvents still returned a nextToken after ${pages} pages`);
  } while (nextToken !== undefined);
  return { ms: performance.now() - t0, events, pages, messages: messages.slice(0, 1000) };
}

export interface RgRun {
  ms: number;
  count: number;
}

/** Wall time of `rg -c --fixed-strings <term> <file>` (or, with `regex`, `rg -c <term> <file>`), process start to exit. */
export function ripgrepCount(term: string, file: string, opts: { regex?: boolean } = {}): Promise<RgRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const args = opts.regex === true ? ['-c', '--regexp', term, file] : ['-c', '--fixed-strings', term, file];
    const child = spawn('rg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const ms = performance.now() - t0;
      // rg exits 1 when nothing matched.
      if (code !== 0 && code !== 1) reject(new Error(`rg exited ${code}: ${err}`));
      else resolve({ ms, count: Number(out.trim() || '0') });
    });
  });
}
