/**
 * The Logs Insights part of the search scenario (issue #4's bars), over the search set the scenario has
 * already loaded and sealed: each query gets a fresh server process, so its first run is the first query
 * of that process (cold), then `insightsRuns` more (warm, reported as their median). The rows of every
 * run are checked against the data set (insights.ts), and the error term is counted by `rg -c` over the
 * same messages as a text file.
 */
import { LogsClient } from './client.js';
import type { BenchContext } from './context.js';
import {
  checkBins,
  checkNewest,
  checkParseStats,
  checkStreamCounts,
  expectedBins,
  insightsQueries,
  NEWEST_ROWS,
  ParseStatsModel,
  runInsightsQuery,
  type InsightsQueryKey,
  type InsightsRun,
} from './insights.js';
import { filterAll, ripgrepCount } from './search.js';
import { median } from './stats.js';

export interface InsightsTiming {
  ms: number;
  polls: number;
  rows: number;
  recordsScanned: number;
  recordsMatched: number;
}

export interface InsightsQueryResult {
  key: InsightsQueryKey;
  name: string;
  query: string;
  barMs: number;
  /** The restart before the first run. */
  restartMs: number;
  cold: InsightsTiming;
  warm: InsightsTiming[];
  medianMs: number;
  /**
   * The errors query only: the same filter spelled as regular expressions no earlier query used
   * (`/[e]rror/`, ...), one run each after the warm runs, so that neither a cached message-test result
   * (store/message-tests.ts) nor a token index (store/token-index.ts) answers it: what reading every
   * message costs, with the segments already in memory.
   */
  uncached?: { queries: string[]; runs: InsightsTiming[]; medianMs: number };
  /**
   * The errors query only: its first run in a fresh server process after one other query (bins), so
   * with the segments decrypted and the token indexes read but no cached result of the test: what the
   * first query of a term costs. One run a process.
   */
  firstOfTerm?: { runs: InsightsTiming[]; medianMs: number };
  /** What the checks found wrong, over all runs; empty when every run was right. */
  problems: string[];
}

export interface InsightsResult {
  /** The range every query asks for (StartQuery's epoch seconds, both inclusive): the whole set. */
  startTime: number;
  endTime: number;
  pollMs: number;
  /** The word the `errors` query and rg look for, and how many stored messages contain it (counted in process). */
  term: string;
  termCount: number;
  /** Whether the per-bin counts and the newest events were checked exactly (every event was stored). */
  exact: boolean;
  queries: InsightsQueryResult[];
  rg: { coldMs: number; runsMs: number[]; medianMs: number; count: number };
}

/**
 * What the queries' results must be, gathered from the stored messages as generated (fed one at a time,
 * in order, in the pass the search scenario already makes over them, with no server running).
 */
export class InsightsExpectation {
  readonly model = new ParseStatsModel();
  termCount = 0;
  /** The newest events, newest first. */
  readonly newest: { ts: number; message: string }[] = [];
  private readonly newestFrom: number;

  constructor(
    readonly term: string,
    readonly sentEvents: number,
    readonly ts: (i: number) => number,
  ) {
    this.newestFrom = sentEvents - NEWEST_ROWS;
  }

  add(message: string, index: number): void {
    if (message.includes(this.term)) this.termCount++;
    this.model.add(message);
    if (index >= this.newestFrom && index < this.sentEvents) this.newest.unshift({ ts: this.ts(index), message });
  }
}

export interface InsightsInput {
  dataDir: string;
  group: string;
  streams: readonly string[];
  /** Filled from every message sent (see InsightsExpectation). */
  expect: InsightsExpectation;
  /** Events stored. */
  stored: number;
  /** Every event of the set was sent and stored: the per-bin counts and the newest events are known. */
  complete: boolean;
}

const timing = (r: InsightsRun): InsightsTiming => ({
  ms: r.ms,
  polls: r.polls,
  rows: r.rows.length,
  recordsScanned: r.recordsScanned,
  recordsMatched: r.recordsMatched,
});

/** `n` regular expressions that match exactly what `term` matches, each written differently: `[e]rror`, `e[r]ror`, ... */
export function uncachedSpellings(term: string, n: number): string[] {
  const out: string[] = [];
  for (let k = 0; out.length < n; k++) {
    const i = k % term.length;
    const brackets = Math.floor(k / term.length) + 1; // [[e]] is not RE2; repeat the class instead: [e][r]...
    out.push(term.slice(0, i) + [...term.slice(i, i + brackets)].map((c) => `[${c}]`).join('') + term.slice(i + brackets));
  }
  return out;
}

export async function runInsightsPhase(ctx: BenchContext, input: InsightsInput): Promise<InsightsResult> {
  const { cfg, dataset } = ctx;
  const { expect } = input;
  const { term, termCount, model, newest, ts } = expect;
  const startTime = Math.floor(ts(0) / 1000);
  const endTime = Math.floor(ts(expect.sentEvents - 1) / 1000);
  const bins = input.complete ? expectedBins(expect.sentEvents, ts) : undefined;
  ctx.log(
    `insights: ${termCount} messages contain "${term}", ${model.events} have a duration_ms in ${model.groups.size} (level, verb) groups`,
  );

  const check = (key: InsightsQueryKey, r: InsightsRun): string[] => {
    switch (key) {
      case 'bins':
        return checkBins(r.rows, input.stored, bins);
      case 'errors':
        return checkStreamCounts(r.rows, termCount, input.streams);
      case 'newest':
        return checkNewest(r.rows, input.complete && newest.length === NEWEST_ROWS ? newest : undefined);
      case 'parseStats':
        return checkParseStats(r.rows, model);
    }
  };

  const queries: InsightsQueryResult[] = [];
  for (const spec of insightsQueries(term)) {
    const label = `insights-${spec.key}`;
    const r0 = performance.now();
    const server = await ctx.startServer(label, input.dataDir);
    const restartMs = performance.now() - r0;
    const client = new LogsClient(server.url, cfg.creds, cfg.region);
    try {
      const req = { group: input.group, startTime, endTime, query: spec.query, pollMs: cfg.insightsPollMs };
      const runs: InsightsRun[] = [];
      try {
        for (let i = 0; i <= cfg.insightsRuns; i++) runs.push(await runInsightsQuery(client, req));
      } catch (err) {
        // One failing query fails its row; the others still run.
        const error = err instanceof Error ? err.message : String(err);
        ctx.log(`insights: \`${spec.query}\` failed after ${runs.length} runs: ${error}`);
        const none: InsightsTiming = { ms: Number.NaN, polls: 0, rows: 0, recordsScanned: 0, recordsMatched: 0 };
        queries.push({ ...spec, restartMs, cold: runs[0] === undefined ? none : timing(runs[0]), warm: [], medianMs: Number.NaN, problems: [`failed: ${error}`] });
        continue;
      }
      const [cold, ...warm] = runs as [InsightsRun, ...InsightsRun[]];
      let uncached: InsightsQueryResult['uncached'];
      if (spec.key === 'errors') {
        const queries = uncachedSpellings(term, cfg.insightsRuns).map((re) => spec.query.replace(`/${term}/`, `/${re}/`));
        const timed: InsightsRun[] = [];
        for (const query of queries) timed.push(await runInsightsQuery(client, { ...req, query }));
        uncached = { queries, runs: timed.map(timing), medianMs: median(timed.map((r) => r.ms)) };
        runs.push(...timed);
        ctx.log(`insights: uncached spellings (${queries.length}): median ${uncached.medianMs.toFixed(0)} ms (${timed.map((r) => r.ms.toFixed(0)).join(', ')})`);
      }
      const problems = [...new Set(runs.flatMap((r, i) => check(spec.key, r).map((p) => `${i === 0 ? 'first run' : `run ${i + 1}`}: ${p}`)))];
      const medianMs = median(warm.map((r) => r.ms));
      ctx.log(
        `insights: \`${spec.query}\`: first run ${cold.ms.toFixed(0)} ms, warm median ${medianMs.toFixed(0)} ms ` +
          `(${warm.map((r) => r.ms.toFixed(0)).join(', ')}); ${cold.rows.length} rows, ${cold.recordsScanned} records scanned, ` +
          `${cold.recordsMatched} matched`,
      );
      for (const p of problems.slice(0, 8)) ctx.log(`insights: WRONG RESULT for \`${spec.query}\`: ${p}`);
      queries.push({ ...spec, restartMs, cold: timing(cold), warm: warm.map(timing), medianMs, problems, ...(uncached ? { uncached } : {}) });
    } finally {
      client.close();
      await ctx.stopServer(label, server);
    }
  }

  // The errors query as the first query of its term in a process: a fresh server, whose segments one
  // earlier query (bins) has decrypted, but which has never tested a message for the term.
  const errors = queries.find((q) => q.key === 'errors');
  const binsQuery = insightsQueries(term).find((q) => q.key === 'bins')!.query;
  if (errors !== undefined && errors.problems.every((p) => !p.startsWith('failed'))) {
    const runs: InsightsRun[] = [];
    for (let i = 0; i < cfg.insightsRuns; i++) {
      const server = await ctx.startServer('insights-first-of-term', input.dataDir);
      const client = new LogsClient(server.url, cfg.creds, cfg.region);
      try {
        const req = { group: input.group, startTime, endTime, pollMs: cfg.insightsPollMs };
        await runInsightsQuery(client, { ...req, query: binsQuery });
        runs.push(await runInsightsQuery(client, { ...req, query: errors.query }));
      } finally {
        client.close();
        await ctx.stopServer('insights-first-of-term', server);
      }
    }
    errors.firstOfTerm = { runs: runs.map(timing), medianMs: median(runs.map((r) => r.ms)) };
    for (const p of [...new Set(runs.flatMap((r) => check('errors', r)))]) errors.problems.push(`first of its term: ${p}`);
    ctx.log(`insights: first query of the term in a fresh process: median ${errors.firstOfTerm.medianMs.toFixed(0)} ms (${runs.map((r) => r.ms.toFixed(0)).join(', ')})`);
  }

  ctx.log(`rg: ${cfg.rgRuns + 1} runs of rg -c ${term} over ${dataset.textPath}`);
  const rgCold = await ripgrepCount(term, dataset.textPath);
  const rgRuns: number[] = [];
  let rgCount = rgCold.count;
  for (let i = 0; i < cfg.rgRuns; i++) {
    const r = await ripgrepCount(term, dataset.textPath);
    rgRuns.push(r.ms);
    rgCount = r.count;
  }
  const rgMedian = median(rgRuns);
  ctx.log(
    `rg: "${term}" median ${rgMedian.toFixed(0)} ms, count ${rgCount}` +
      (errors === undefined ? '' : `; Logward / rg = ${(errors.medianMs / rgMedian).toFixed(2)}×`),
  );
  if (input.complete && rgCount !== termCount) ctx.log(`rg: WRONG COUNT: rg counts ${rgCount} lines with "${term}", the benchmark ${termCount}`);

  return {
    startTime,
    endTime,
    pollMs: cfg.insightsPollMs,
    term,
    termCount,
    exact: input.complete,
    queries,
    rg: { coldMs: rgCold.ms, runsMs: rgRuns, medianMs: rgMedian, count: rgCount },
  };
}

/** One Insights query timed on the encrypted and the plaintext server in alternation. */
export interface PairedQuery {
  key: InsightsQueryKey;
  name: string;
  encryptedMs: number[];
  plaintextMs: number[];
  encryptedMedianMs: number;
  plaintextMedianMs: number;
}

export interface PairedInsightsResult {
  runs: number;
  queries: PairedQuery[];
  /** FilterLogEvents (every page) on both servers, alternated like the queries; absent in older results. */
  filters?: PairedFilter[];
}

/** One FilterLogEvents pattern timed on the encrypted and the plaintext server in alternation. */
export interface PairedFilter {
  name: string;
  pattern: string;
  encryptedMs: number[];
  plaintextMs: number[];
  encryptedMedianMs: number;
  plaintextMedianMs: number;
}

/**
 * What encryption at rest costs the Insights queries, measured as an A/B on the same machine at the same
 * moments: the encrypted and the plaintext search sets are served at once (two servers), and each query
 * runs once on each (not timed: both have their segments in memory and their cached message tests), then
 * `runs` times on each in alternation, the order swapped every round, so that a burst of load on this
 * shared machine falls on both sides instead of on whichever scenario ran at the time.
 */
export async function runPairedInsights(
  encrypted: { ctx: BenchContext; dataDir: string },
  plaintext: { ctx: BenchContext; dataDir: string },
  input: { group: string; startTime: number; endTime: number; term: string; runs: number; filters?: ReadonlyArray<{ name: string; pattern: string }> },
): Promise<PairedInsightsResult> {
  const { cfg } = encrypted.ctx;
  const encServer = await encrypted.ctx.startServer('insights-paired', encrypted.dataDir);
  const plainServer = await plaintext.ctx.startServer('insights-paired', plaintext.dataDir);
  const encClient = new LogsClient(encServer.url, cfg.creds, cfg.region);
  const plainClient = new LogsClient(plainServer.url, cfg.creds, cfg.region);
  const queries: PairedQuery[] = [];
  const filters: PairedFilter[] = [];
  try {
    for (const f of input.filters ?? []) {
      await filterAll(encClient, input.group, f.pattern);
      await filterAll(plainClient, input.group, f.pattern);
      const encryptedMs: number[] = [];
      const plaintextMs: number[] = [];
      for (let i = 0; i < input.runs; i++) {
        const order = i % 2 === 0 ? ([encClient, plainClient] as const) : ([plainClient, encClient] as const);
        for (const client of order) (client === encClient ? encryptedMs : plaintextMs).push((await filterAll(client, input.group, f.pattern)).ms);
      }
      const p = { ...f, encryptedMs, plaintextMs, encryptedMedianMs: median(encryptedMs), plaintextMedianMs: median(plaintextMs) };
      encrypted.ctx.log(`encryption A/B: FilterLogEvents ${f.name}: encrypted ${p.encryptedMedianMs.toFixed(0)} ms, plaintext ${p.plaintextMedianMs.toFixed(0)} ms (medians of ${input.runs}, alternated)`);
      filters.push(p);
    }
    for (const spec of insightsQueries(input.term)) {
      const req = { group: input.group, startTime: input.startTime, endTime: input.endTime, query: spec.query, pollMs: cfg.insightsPollMs };
      await runInsightsQuery(encClient, req);
      await runInsightsQuery(plainClient, req);
      const encryptedMs: number[] = [];
      const plaintextMs: number[] = [];
      for (let i = 0; i < input.runs; i++) {
        const order = i % 2 === 0 ? ([encClient, plainClient] as const) : ([plainClient, encClient] as const);
        for (const client of order) (client === encClient ? encryptedMs : plaintextMs).push((await runInsightsQuery(client, req)).ms);
      }
      const q = { key: spec.key, name: spec.name, encryptedMs, plaintextMs, encryptedMedianMs: median(encryptedMs), plaintextMedianMs: median(plaintextMs) };
      encrypted.ctx.log(
        `encryption A/B: \`${spec.query}\`: encrypted ${q.encryptedMedianMs.toFixed(0)} ms, plaintext ${q.plaintextMedianMs.toFixed(0)} ms (medians of ${input.runs}, alternated)`,
      );
      queries.push(q);
    }
  } finally {
    encClient.close();
    plainClient.close();
    await encrypted.ctx.stopServer('insights-paired', encServer);
    await plaintext.ctx.stopServer('insights-paired', plainServer);
  }
  return { runs: input.runs, queries, filters };
}

/** One Insights query timed as the first query of a freshly started server, encrypted and plaintext in alternation. */
export type PairedColdQuery = PairedQuery;

/**
 * What encryption at rest costs the first query after a restart, when the encrypted server decrypts
 * what the query reads (docs/encryption.md): for each query, `rounds` rounds of (start the encrypted
 * server, run the query once, stop it; the same on the plaintext server), the order swapped every round.
 * The query's time runs from StartQuery to Complete, as elsewhere; the restart itself is not in it.
 */
export async function runPairedColdInsights(
  encrypted: { ctx: BenchContext; dataDir: string },
  plaintext: { ctx: BenchContext; dataDir: string },
  input: { group: string; startTime: number; endTime: number; term: string; rounds: number },
): Promise<PairedColdQuery[]> {
  const { cfg } = encrypted.ctx;
  const once = async (side: { ctx: BenchContext; dataDir: string }, query: string): Promise<number> => {
    const server = await side.ctx.startServer('insights-cold', side.dataDir);
    const client = new LogsClient(server.url, cfg.creds, cfg.region);
    try {
      return (await runInsightsQuery(client, { group: input.group, startTime: input.startTime, endTime: input.endTime, query, pollMs: cfg.insightsPollMs })).ms;
    } finally {
      client.close();
      await side.ctx.stopServer('insights-cold', server);
    }
  };
  const out: PairedColdQuery[] = [];
  for (const spec of insightsQueries(input.term)) {
    const encryptedMs: number[] = [];
    const plaintextMs: number[] = [];
    for (let i = 0; i < input.rounds; i++) {
      const sides = i % 2 === 0 ? ([encrypted, plaintext] as const) : ([plaintext, encrypted] as const);
      for (const side of sides) (side === encrypted ? encryptedMs : plaintextMs).push(await once(side, spec.query));
    }
    const q = { key: spec.key, name: spec.name, encryptedMs, plaintextMs, encryptedMedianMs: median(encryptedMs), plaintextMedianMs: median(plaintextMs) };
    encrypted.ctx.log(
      `encryption A/B, first query after a restart: \`${spec.query}\`: encrypted ${q.encryptedMedianMs.toFixed(0)} ms, plaintext ${q.plaintextMedianMs.toFixed(0)} ms (medians of ${input.rounds})`,
    );
    out.push(q);
  }
  return out;
}
