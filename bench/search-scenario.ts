/**
 * Scenario 4: the search data set (10M events, one group, a rare term at known places) ingested through
 * the API, the server restarted, then FilterLogEvents timed for the rare term (all pages) and for a
 * common term (first page); the server restarted again and a rare JSON pattern timed (all pages), its
 * count checked against the predicate back end run here over the same messages. Then the Logs Insights
 * queries of issue #4 over the same stored data, each after a restart of its own (insights-scenario.ts).
 * All against `rg -c` over the same messages as a text file.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LogsClient } from './client.js';
import { cpuSplit, type BenchContext, type CpuSplit } from './context.js';
import { diskUsage, type DiskUsage } from './disk.js';
import { LoadRun, type Counters, type Target } from './load.js';
import { forEachMessage } from './dataset.js';
import { storedTimestamp } from './insights.js';
import { InsightsExpectation, runInsightsPhase, type InsightsResult } from './insights-scenario.js';
import { rareJsonSearch } from './predicate-cases.js';
import { compilePredicate } from '../src/query/filter-pattern/predicate.js';
import { parseFilterPattern } from '../src/query/filter-pattern/parse.js';
import { filterAll, ripgrepCount, type SearchRun } from './search.js';
import { median } from './stats.js';

export interface SearchScenarioResult {
  group: string;
  events: number;
  /** The bulk load: a long throughput run of its own. */
  load: { seconds: number; eventsPerS: number; counters: Counters; cpu: CpuSplit; complete: boolean };
  disk: { usage: DiskUsage; bytesPerEvent: number; rawBytesPerEvent: number };
  sealMs: number;
  restartMs: number;
  rare: { term: string; expected: number; cold: SearchRun; warm: SearchRun[]; medianMs: number; found: number };
  common: { term: string; limit: number; runs: SearchRun[]; medianMs: number; firstMs: number; returned: number };
  rg: { file: string; bytes: number; coldMs: number; runsMs: number[]; medianMs: number; count: number; commonMedianMs: number };
  /** Absent in results.json files written before the JSON search existed. */
  json?: JsonSearchResult;
  /** Logs Insights (issue #4); absent in older results.json files. `insightsError` when that phase threw. */
  insights?: InsightsResult;
  insightsError?: string;
}

export interface JsonSearchResult {
  pattern: string;
  /** Matches among the stored messages by the predicate back end, run in the benchmark process. */
  expected: number;
  countMs: number;
  /** The restart before it: the first run is the first query of the server process. */
  restartMs: number;
  cold: SearchRun;
  warm: SearchRun[];
  medianMs: number;
  found: number;
  correct: boolean;
  rg: { regex: string; coldMs: number; runsMs: number[]; medianMs: number; count: number };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runSearchScenario(ctx: BenchContext): Promise<SearchScenarioResult> {
  const { cfg, dataset } = ctx;
  const meta = dataset.meta;
  const dataDir = join(cfg.runDir, 'search-data');
  await mkdir(dataDir, { recursive: true });
  const group = '/bench/search/mixed';
  const streams = Array.from({ length: cfg.searchStreams }, (_, s) => `host-${s}`);
  const targets: Target[] = streams.map((stream) => ({ group, stream }));
  const searchBatches = meta.searchEvents / meta.batchSize;

  let server = await ctx.startServer('search-load', dataDir);
  let client = new LogsClient(server.url, cfg.creds, cfg.region);
  let loadRun: LoadRun | undefined;
  try {
    await client.ensureStreams(group, streams);
    // The data set's span ends a minute before now.
    const deltaMs = Date.now() - 60_000 - (meta.startMs + meta.searchEvents * meta.stepMs);
    const load = new LoadRun({
      url: server.url,
      creds: cfg.creds,
      region: cfg.region,
      dataset,
      batchLimit: searchBatches,
      wrap: false,
      targets,
      threads: cfg.threads,
      inflight: cfg.inflight,
      timestamps: { kind: 'shift', deltaMs },
    });
    loadRun = load;
    const c0 = await ctx.cpuMark(server);
    const t0 = Date.now();
    let finished = false;
    let loadError: unknown;
    load.done.then(
      () => (finished = true),
      (err: unknown) => (loadError = err),
    );
    let last = await load.snapshot();
    let complete = true;
    while (!finished) {
      await Promise.race([sleep(10_000), load.done.catch(() => undefined)]);
      if (loadError !== undefined) throw loadError;
      if (!server.running) throw new Error(`the server exited during the bulk load; see ${server.logPath}`);
      const s = await load.snapshot();
      const rate = (s.counters.ackedEvents - last.counters.ackedEvents) / ((s.atMs - last.atMs) / 1000);
      last = s;
      ctx.log(
        `search load: ${s.counters.ackedEvents.toLocaleString('en-US')} / ${meta.searchEvents.toLocaleString('en-US')} events, ` +
          `${Math.round(rate).toLocaleString('en-US')} events/s, throttled ${s.counters.throttled}, server RSS ${(server.rssKiB / 1024).toFixed(0)} MiB`,
      );
      if (!finished && Date.now() - t0 > cfg.maxIngestS * 1000) {
        ctx.log(`search load: stopping after ${cfg.maxIngestS} s (--max-ingest-s); searching what was stored`);
        complete = false;
        break;
      }
    }
    const final = complete ? await load.done : await load.stop();
    const seconds = (Date.now() - t0) / 1000;
    const cpu = cpuSplit(c0, await ctx.cpuMark(server));
    const loadResult = { seconds, eventsPerS: final.counters.ackedEvents / seconds, counters: final.counters, cpu, complete };
    ctx.log(
      `search load: ${final.counters.ackedEvents.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s = ` +
        `${Math.round(loadResult.eventsPerS).toLocaleString('en-US')} events/s; CPU cores: server ${cpu.server.toFixed(2)} (busiest thread ${cpu.serverMainThread.toFixed(2)}), load generator ${cpu.loadGenerator.toFixed(2)}`,
    );
    client.close();
    const sealed = await ctx.stopServer('search-load', server);
    await finishMaintenance(ctx, dataDir);
    const usage = await diskUsage(dataDir);
    const stored = final.counters.ackedEvents;
    const disk = { usage, bytesPerEvent: usage.bytes / stored, rawBytesPerEvent: meta.searchRawBytes / meta.searchEvents };

    const r0 = performance.now();
    server = await ctx.startServer('search-query', dataDir);
    const restartMs = performance.now() - r0;
    client = new LogsClient(server.url, cfg.creds, cfg.region);

    // Markers only count where their batch was sent (all of them unless the load was cut short).
    const sentEvents = complete ? meta.searchEvents : final.counters.ackedEvents;
    const expected = meta.markerPositions.filter((p) => p < sentEvents).length;
    const cold = await filterAll(client, group, cfg.markerTerm);
    ctx.log(`search: cold ${cold.ms.toFixed(0)} ms, ${cold.events} events in ${cold.pages} pages (expected ${expected})`);
    const warm: SearchRun[] = [];
    for (let i = 0; i < cfg.searchRuns; i++) warm.push(await filterAll(client, group, cfg.markerTerm));
    const rareMedian = median(warm.map((r) => r.ms));
    ctx.log(`search: warm median ${rareMedian.toFixed(0)} ms over ${warm.length} runs (${warm.map((r) => r.ms.toFixed(0)).join(', ')})`);
    const wrong = [cold, ...warm].find((r) => r.events !== expected || r.messages.some((m) => !m.includes(cfg.markerTerm)));
    if (wrong !== undefined) ctx.log(`search: WRONG RESULT: ${wrong.events} events, expected ${expected}`);

    const limit = 100;
    const common: SearchRun[] = [];
    for (let i = 0; i < cfg.searchRuns; i++) common.push(await filterAll(client, group, cfg.commonTerm, { limit, firstPageOnly: true }));
    const commonMedian = median(common.map((r) => r.ms));
    ctx.log(`search: common term "${cfg.commonTerm}" first page median ${commonMedian.toFixed(0)} ms, ${common[0]?.events} events`);
    client.close();
    await ctx.stopServer('search-query', server);

    // The JSON search gets a fresh server process, so its first run is as cold as the term search's.
    const json = rareJsonSearch(cfg.markerTerm);
    const j0 = performance.now();
    server = await ctx.startServer('search-query-json', dataDir);
    const jsonRestartMs = performance.now() - j0;
    client = new LogsClient(server.url, cfg.creds, cfg.region);
    const jsonCold = await filterAll(client, group, json.pattern);
    ctx.log(`search: JSON \`${json.pattern}\` cold ${jsonCold.ms.toFixed(0)} ms, ${jsonCold.events} events in ${jsonCold.pages} pages`);
    const jsonWarm: SearchRun[] = [];
    for (let i = 0; i < cfg.searchRuns; i++) jsonWarm.push(await filterAll(client, group, json.pattern));
    const jsonMedian = median(jsonWarm.map((r) => r.ms));
    ctx.log(`search: JSON warm median ${jsonMedian.toFixed(0)} ms over ${jsonWarm.length} runs (${jsonWarm.map((r) => r.ms.toFixed(0)).join(', ')})`);
    client.close();
    await ctx.stopServer('search-query-json', server);

    // The expected count: the other back end over the messages that were sent, with no server running.
    // The same pass gathers what the Insights queries must return (reading the messages is most of its time).
    const predicate = compilePredicate(parseFilterPattern(json.pattern));
    const expect = new InsightsExpectation(cfg.errorTerm, sentEvents, (i) => storedTimestamp(meta, deltaMs, i));
    const count0 = performance.now();
    let jsonExpected = 0;
    await forEachMessage(dataset, sentEvents, (m, i) => {
      if (predicate(m)) jsonExpected++;
      expect.add(m, i);
    });
    const countMs = performance.now() - count0;
    ctx.log(`search: the predicate back end counts ${jsonExpected} matches of the JSON pattern in ${(countMs / 1000).toFixed(1)} s`);
    const jsonWrong = [jsonCold, ...jsonWarm].find((r) => r.events !== jsonExpected || !r.messages.every(predicate));
    if (jsonWrong !== undefined) ctx.log(`search: WRONG RESULT for the JSON pattern: ${jsonWrong.events} events, expected ${jsonExpected}`);

    ctx.log(`rg: ${cfg.rgRuns + 1} runs over ${dataset.textPath}`);
    const rgCold = await ripgrepCount(cfg.markerTerm, dataset.textPath);
    const rgRuns: number[] = [];
    let rgCount = rgCold.count;
    for (let i = 0; i < cfg.rgRuns; i++) {
      const r = await ripgrepCount(cfg.markerTerm, dataset.textPath);
      rgRuns.push(r.ms);
      rgCount = r.count;
    }
    const rgCommon: number[] = [];
    for (let i = 0; i < 3; i++) rgCommon.push((await ripgrepCount(cfg.commonTerm, dataset.textPath)).ms);
    const rgMedian = median(rgRuns);
    ctx.log(`rg: median ${rgMedian.toFixed(0)} ms, count ${rgCount}`);
    const rgJsonCold = await ripgrepCount(json.rgRegex, dataset.textPath, { regex: true });
    const rgJson: number[] = [];
    let rgJsonCount = rgJsonCold.count;
    for (let i = 0; i < cfg.rgRuns; i++) {
      const r = await ripgrepCount(json.rgRegex, dataset.textPath, { regex: true });
      rgJson.push(r.ms);
      rgJsonCount = r.count;
    }
    ctx.log(`rg: JSON-equivalent regex median ${median(rgJson).toFixed(0)} ms, count ${rgJsonCount}`);

    // Logs Insights over the same data dir; a failure there leaves the FilterLogEvents results standing.
    let insights: InsightsResult | undefined;
    let insightsError: string | undefined;
    try {
      insights = await runInsightsPhase(ctx, { dataDir, group, streams, expect, stored, complete });
    } catch (err) {
      insightsError = err instanceof Error ? (err.stack ?? err.message) : String(err);
      ctx.log(`insights failed: ${err instanceof Error ? err.message : String(err)}`);
    }

    return {
      group,
      events: stored,
      load: loadResult,
      disk,
      sealMs: sealed.stopMs,
      restartMs,
      rare: { term: cfg.markerTerm, expected, cold, warm, medianMs: rareMedian, found: warm[0]?.events ?? cold.events },
      common: {
        term: cfg.commonTerm,
        limit,
        runs: common,
        medianMs: commonMedian,
        firstMs: common[0]?.ms ?? Number.NaN,
        returned: common[0]?.events ?? 0,
      },
      rg: {
        file: dataset.textPath,
        bytes: meta.textBytes,
        coldMs: rgCold.ms,
        runsMs: rgRuns,
        medianMs: rgMedian,
        count: rgCount,
        commonMedianMs: median(rgCommon),
      },
      json: {
        pattern: json.pattern,
        expected: jsonExpected,
        countMs,
        restartMs: jsonRestartMs,
        cold: jsonCold,
        warm: jsonWarm,
        medianMs: jsonMedian,
        found: jsonWarm[0]?.events ?? jsonCold.events,
        correct: jsonWrong === undefined,
        rg: { regex: json.rgRegex, coldMs: rgJsonCold.ms, runsMs: rgJson, medianMs: median(rgJson), count: rgJsonCount },
      },
      ...(insights === undefined ? {} : { insights }),
      ...(insightsError === undefined ? {} : { insightsError }),
    };
  } finally {
    client.close();
    await loadRun?.terminate();
    if (server.running) await ctx.stopServer('search (after error)', server);
  }
}

/**
 * Shredding JSON fields (src/store/shred.ts) and token indexes (src/store/token-index.ts) are built
 * when the store has nothing to seal: a server on the loaded data dir is left to finish them (its
 * /metrics gauges logward_unshredded_segments and logward_unindexed_segments reach 0), so that disk
 * usage and queries are measured on the store as it settles, not while it rewrites segments.
 */
export async function finishMaintenance(ctx: BenchContext, dataDir: string): Promise<void> {
  const t0 = Date.now();
  const server = await ctx.startServer('maintenance', dataDir);
  try {
    for (;;) {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const left = Number(/^logward_unshredded_segments (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
      const unindexed = Number(/^logward_unindexed_segments (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
      if (left === 0 && unindexed === 0) break;
      if (!Number.isFinite(left) || !Number.isFinite(unindexed)) throw new Error('the server does not report logward_unshredded_segments and logward_unindexed_segments');
      if (Date.now() - t0 > 30 * 60_000) throw new Error(`shredding and indexing not finished after 30 minutes (${left} segments left to shred, ${unindexed} to index)`);
      ctx.log(`maintenance: ${left} segments left to shred, ${unindexed} to index`);
      await new Promise((r) => setTimeout(r, 5_000));
    }
    ctx.log(`maintenance: segments shredded and indexed in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await ctx.stopServer('maintenance', server);
  }
}
