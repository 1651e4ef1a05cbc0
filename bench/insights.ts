/**
 * Logs Insights timings and checks: the four queries of issue #4 with their bars, one query run through
 * the API (StartQuery, then GetQueryResults polled until Complete), and the checks of each query's rows
 * against what the data set says they must be. The checks are pure, so they are unit-tested
 * (insights.test.ts); a check returns the problems it found, none when the result is right.
 */
import type { LogsClient } from './client.js';

export type InsightsQueryKey = 'bins' | 'errors' | 'newest' | 'parseStats';

export interface InsightsQuerySpec {
  key: InsightsQueryKey;
  /** Short name for the result table (the Logs Insights section shows the whole query). */
  name: string;
  query: string;
  /** Issue #4's bar, on the 10M-event set. */
  barMs: number;
}

/** The bin width of the `bins` query, in ms (`bin(5m)`). */
export const BIN_MS = 5 * 60 * 1000;
/** Rows of the `newest` query (`limit 20`). */
export const NEWEST_ROWS = 20;

/**
 * The queries, in the order they run. `term` is the word the generator writes into error events: its
 * application logs say `"level":"error"`, never `ERROR`, so issue #4's `/ERROR/` becomes `/error/`
 * (and `rg -c error` counts the same lines).
 */
export function insightsQueries(term: string): InsightsQuerySpec[] {
  return [
    { key: 'bins', name: '`stats count(*) by bin(5m)`', query: 'stats count(*) by bin(5m)', barMs: 300 },
    { key: 'errors', name: `\`filter @message like /${term}/\`, count by stream`, query: `filter @message like /${term}/ | stats count() by @logStream`, barMs: 1000 },
    { key: 'newest', name: `newest ${NEWEST_ROWS} (\`sort @timestamp desc\`)`, query: `fields @timestamp, @message | sort @timestamp desc | limit ${NEWEST_ROWS}`, barMs: 100 },
    {
      key: 'parseStats',
      name: '`parse` + `stats` avg, pct, count over JSON fields',
      // The application logs' JSON: `msg` ("db query", "slow request", "request completed", ...), `level`
      // and, on most of them, `duration_ms`. The first word of msg says what was timed.
      query:
        'filter ispresent(duration_ms) | parse msg "* *" as verb, rest ' +
        '| stats avg(duration_ms) as avg_ms, pct(duration_ms, 95) as p95_ms, count(*) as n by level, verb',
      barMs: 2000,
    },
  ];
}

/** One result row as a record (GetQueryResults leaves null fields out of the row). */
export type ResultRow = Record<string, string>;

export interface InsightsRun {
  /** From sending StartQuery to receiving the GetQueryResults reply that says Complete. */
  ms: number;
  /** GetQueryResults calls until Complete. */
  polls: number;
  rows: ResultRow[];
  recordsMatched: number;
  recordsScanned: number;
  bytesScanned: number;
}

interface ResultsReply {
  status?: string;
  results?: { field?: string; value?: string }[][];
  statistics?: { recordsMatched?: number; recordsScanned?: number; bytesScanned?: number };
  nextToken?: string;
}

export function rowRecord(fields: readonly { field?: string; value?: string }[]): ResultRow {
  const out: ResultRow = {};
  for (const f of fields) if (f.field !== undefined) out[f.field] = f.value ?? '';
  return out;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * StartQuery over one group and [startTime, endTime] (epoch seconds, both inclusive), then
 * GetQueryResults every `pollMs` until Complete. Any other end status throws. Result pages after the
 * first (none for these queries) are fetched after the clock stops.
 */
export async function runInsightsQuery(
  client: Pick<LogsClient, 'call'>,
  req: { group: string; startTime: number; endTime: number; query: string; pollMs: number; timeoutMs?: number },
): Promise<InsightsRun> {
  const t0 = performance.now();
  const { queryId } = await client.call<{ queryId: string }>('StartQuery', {
    logGroupName: req.group,
    startTime: req.startTime,
    endTime: req.endTime,
    queryString: req.query,
  });
  let polls = 0;
  for (;;) {
    const reply = await client.call<ResultsReply>('GetQueryResults', { queryId });
    polls++;
    if (reply.status === 'Complete') {
      const ms = performance.now() - t0;
      const rows = (reply.results ?? []).map(rowRecord);
      let next = reply.nextToken;
      while (next !== undefined) {
        const page = await client.call<ResultsReply>('GetQueryResults', { queryId, nextToken: next });
        for (const r of page.results ?? []) rows.push(rowRecord(r));
        next = page.nextToken;
      }
      const st = reply.statistics ?? {};
      return { ms, polls, rows, recordsMatched: st.recordsMatched ?? 0, recordsScanned: st.recordsScanned ?? 0, bytesScanned: st.bytesScanned ?? 0 };
    }
    if (reply.status !== 'Scheduled' && reply.status !== 'Running') throw new Error(`query ${queryId} ended ${reply.status}: ${req.query}`);
    if (performance.now() - t0 > (req.timeoutMs ?? 600_000)) throw new Error(`query ${queryId} still ${reply.status} after ${req.timeoutMs ?? 600_000} ms`);
    // A fixed grain: polling faster (every 2% of the elapsed time was tried) costs the server more than
    // it gains in resolution, since every call is signed, checked and audited; the encryption A/B
    // alternates its runs, so the grain falls on both sides alike.
    await sleep(req.pollMs);
  }
}

/** `2024-01-01 12:00:00.000` (how results show timestamps, UTC) to epoch ms; NaN if it is not one. */
export function resultTimestampMs(v: string | undefined): number {
  if (v === undefined || !/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/.test(v)) return Number.NaN;
  return Date.parse(`${v.replace(' ', 'T')}Z`);
}

/**
 * The stored timestamp of event `i` of the data set: the generator's `floor(startMs + i·stepMs)`, shifted
 * by the load's `deltaMs` and floored again, as the load workers rewrite it.
 */
export function storedTimestamp(set: { startMs: number; stepMs: number }, deltaMs: number, i: number): number {
  return Math.floor(Math.floor(set.startMs + i * set.stepMs) + deltaMs);
}

/** Events per bin of `binMs` for the timestamps of events [0, n). */
export function expectedBins(n: number, ts: (i: number) => number, binMs = BIN_MS): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const b = Math.floor(ts(i) / binMs) * binMs;
    out.set(b, (out.get(b) ?? 0) + 1);
  }
  return out;
}

/** Caps a list of problems, so one systematic error does not print a thousand lines. */
function capped(problems: string[], max = 5): string[] {
  return problems.length <= max ? problems : [...problems.slice(0, max), `and ${problems.length - max} more`];
}

const int = (v: string | undefined): number => (v !== undefined && /^-?\d+$/.test(v) ? Number(v) : Number.NaN);

/**
 * `stats count(*) by bin(5m)`: every bin a distinct multiple of the width, the counts summing to the
 * events stored; with `bins` (known when every event was stored), each bin's count exactly.
 */
export function checkBins(rows: readonly ResultRow[], stored: number, bins?: ReadonlyMap<number, number>): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  let sum = 0;
  for (const r of rows) {
    const at = resultTimestampMs(r['bin(5m)']);
    const n = int(r['count(*)']);
    if (!Number.isFinite(at) || at % BIN_MS !== 0) problems.push(`bad bin ${JSON.stringify(r['bin(5m)'])}`);
    if (seen.has(at)) problems.push(`bin ${r['bin(5m)']} twice`);
    seen.add(at);
    if (!Number.isFinite(n)) problems.push(`bad count ${JSON.stringify(r['count(*)'])}`);
    else sum += n;
    const want = bins?.get(at);
    if (bins !== undefined && want !== n) problems.push(`bin ${r['bin(5m)']}: ${n}, expected ${want ?? 'no such bin'}`);
  }
  if (bins !== undefined && rows.length !== bins.size) problems.push(`${rows.length} bins, expected ${bins.size}`);
  if (sum !== stored) problems.push(`counts sum to ${sum}, expected ${stored} events stored`);
  return capped(problems);
}

/** `stats count() by @logStream`: one row per stream of the group, the counts summing to `expected`. */
export function checkStreamCounts(rows: readonly ResultRow[], expected: number, streams: readonly string[]): string[] {
  const problems: string[] = [];
  const known = new Set(streams);
  const seen = new Set<string>();
  let sum = 0;
  for (const r of rows) {
    const stream = r['@logStream'];
    const n = int(r['count()']);
    if (stream === undefined || !known.has(stream)) problems.push(`unknown stream ${JSON.stringify(stream)}`);
    else if (seen.has(stream)) problems.push(`stream ${stream} twice`);
    if (stream !== undefined) seen.add(stream);
    if (!Number.isFinite(n) || n <= 0) problems.push(`bad count ${JSON.stringify(r['count()'])} for ${stream}`);
    else sum += n;
  }
  if (sum !== expected) problems.push(`counts sum to ${sum}, expected ${expected} messages with the term`);
  return capped(problems);
}

/**
 * `fields @timestamp, @message | sort @timestamp desc | limit 20`: 20 rows in descending @timestamp
 * order; with `newest` (the newest events, newest first, known when every event was stored), exactly
 * those timestamps and messages.
 */
export function checkNewest(rows: readonly ResultRow[], newest?: readonly { ts: number; message: string }[]): string[] {
  const problems: string[] = [];
  if (rows.length !== NEWEST_ROWS) problems.push(`${rows.length} rows, expected ${NEWEST_ROWS}`);
  let prev = Number.POSITIVE_INFINITY;
  rows.forEach((r, i) => {
    const ts = resultTimestampMs(r['@timestamp']);
    if (!Number.isFinite(ts)) problems.push(`row ${i}: bad @timestamp ${JSON.stringify(r['@timestamp'])}`);
    else if (ts > prev) problems.push(`row ${i}: ${r['@timestamp']} after a row with an older one`);
    prev = ts;
    if (r['@ptr'] === undefined || r['@ptr'] === '') problems.push(`row ${i}: no @ptr`);
    const want = newest?.[i];
    if (want === undefined) return;
    if (ts !== want.ts) problems.push(`row ${i}: @timestamp ${r['@timestamp']}, expected ${new Date(want.ts).toISOString()}`);
    else if (r['@message'] !== want.message) problems.push(`row ${i}: @message ${JSON.stringify(r['@message']?.slice(0, 60))}, expected ${JSON.stringify(want.message.slice(0, 60))}`);
  });
  return capped(problems);
}

/** One group of the parse + stats query: its count and a histogram of its durations. */
export interface DurationGroup {
  level: string | undefined;
  verb: string | undefined;
  count: number;
  sum: number;
  /** duration → events with it (durations are small integers, so this stays small). */
  histogram: Map<number, number>;
}

const groupKey = (level: string | undefined, verb: string | undefined): string => JSON.stringify([level ?? null, verb ?? null]);

/**
 * The parse + stats query computed in the benchmark process, one message at a time: JSON messages with a
 * `duration_ms`, grouped by `level` and the first word of `msg` (what `parse msg "* *"` takes: up to
 * the first space, none when msg has no space or starts with one).
 */
export class ParseStatsModel {
  readonly groups = new Map<string, DurationGroup>();

  add(message: string): void {
    // Cheap test first: most messages are not application logs with a duration.
    if (!message.includes('"duration_ms"') || message[0] !== '{') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(message) as Record<string, unknown>;
    } catch {
      return;
    }
    const d = o['duration_ms'];
    if (typeof d !== 'number') return;
    const level = typeof o['level'] === 'string' ? o['level'] : undefined;
    const msg = typeof o['msg'] === 'string' ? o['msg'] : undefined;
    const space = msg?.indexOf(' ') ?? -1;
    const verb = msg !== undefined && space > 0 ? msg.slice(0, space) : undefined;
    const key = groupKey(level, verb);
    let g = this.groups.get(key);
    if (g === undefined) this.groups.set(key, (g = { level, verb, count: 0, sum: 0, histogram: new Map() }));
    g.count++;
    g.sum += d;
    g.histogram.set(d, (g.histogram.get(d) ?? 0) + 1);
  }

  get events(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.count;
    return n;
  }
}

/**
 * Whether `v` is the p-th percentile of the histogram, within one rank either way (nearest rank and
 * DuckDB's quantile_disc index can differ by one): a value that occurs, with about p% at or below it.
 */
export function isPercentile(histogram: ReadonlyMap<number, number>, p: number, v: number): boolean {
  let n = 0;
  let below = 0;
  let at = 0;
  for (const [x, c] of histogram) {
    n += c;
    if (x < v) below += c;
    else if (x === v) at += c;
  }
  const rank = (p / 100) * n;
  return at > 0 && below <= rank + 1 && below + at >= rank - 1;
}

/** The parse + stats rows against the model: the same groups, counts exactly, mean and 95th percentile. */
export function checkParseStats(rows: readonly ResultRow[], model: ParseStatsModel): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const key = groupKey(r['level'], r['verb']);
    const name = `level ${r['level'] ?? '(none)'}, verb ${r['verb'] ?? '(none)'}`;
    const g = model.groups.get(key);
    if (g === undefined) {
      problems.push(`unexpected group ${name}`);
      continue;
    }
    if (seen.has(key)) problems.push(`group ${name} twice`);
    seen.add(key);
    const n = int(r['n']);
    if (n !== g.count) problems.push(`${name}: n = ${r['n']}, expected ${g.count}`);
    const avg = Number(r['avg_ms']);
    const want = g.sum / g.count;
    if (!(Math.abs(avg - want) <= 1e-9 * Math.max(1, Math.abs(want)))) problems.push(`${name}: avg_ms = ${r['avg_ms']}, expected ${want}`);
    const p95 = Number(r['p95_ms']);
    if (!isPercentile(g.histogram, 95, p95)) problems.push(`${name}: p95_ms = ${r['p95_ms']} is not the 95th percentile of its durations`);
  }
  for (const [key, g] of model.groups) if (!seen.has(key)) problems.push(`missing group level ${g.level ?? '(none)'}, verb ${g.verb ?? '(none)'} (${g.count} events)`);
  return capped(problems);
}
