/**
 * Scenarios 1–3 on one server: sustained ingest over several groups and streams, the visibility probe
 * running alongside it, then bytes on disk once SIGTERM has sealed everything.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LogsClient } from './client.js';
import { cpuSplit, type BenchContext, type CpuSplit } from './context.js';
import { diskUsage, type DiskUsage } from './disk.js';
import { finishMaintenance } from './search-scenario.js';
import { diffCounters, LoadRun, type Counters, type Snapshot, type Target } from './load.js';
import { VisibilityProbe, type ProbeResult } from './probe.js';
import { median, percentile } from './stats.js';

export interface IngestResult {
  windowS: number;
  warmupS: number;
  /** Acknowledged events per second over the measured window. */
  eventsPerS: number;
  /** Events per second in each 5 s slice of the window. */
  sliceRates: number[];
  window: Counters;
  total: Counters;
  putLatencyMs: { p50: number; p99: number; max: number; count: number };
  cpu: CpuSplit;
  eventLoopUtilization: number[];
  streams: number;
  inflight: number;
  threads: number;
}

export interface DiskResult {
  storedEvents: number;
  usage: DiskUsage;
  bytesPerEvent: number;
  rawBytesPerEvent: number;
  /** raw / stored */
  ratio: number;
  sealMs: number;
}

export interface IngestScenarioResult {
  ingest: IngestResult;
  visibility?: ProbeResult & { p50: number; p99: number; max: number };
  disk?: DiskResult;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runIngestScenario(ctx: BenchContext): Promise<IngestScenarioResult> {
  const { cfg, dataset } = ctx;
  const dataDir = join(cfg.runDir, 'ingest-data');
  await mkdir(dataDir, { recursive: true });
  const server = await ctx.startServer('ingest', dataDir);
  const client = new LogsClient(server.url, cfg.creds, cfg.region);
  let loadRun: LoadRun | undefined;
  try {
    const targets: Target[] = [];
    for (let g = 0; g < cfg.groups; g++) {
      const group = `/bench/ingest/app-${g}`;
      const streams = Array.from({ length: cfg.streamsPerGroup }, (_, s) => `host-${s}`);
      await client.ensureStreams(group, g === 0 ? [...streams, 'visibility-probe'] : streams);
      for (const stream of streams) targets.push({ group, stream });
    }
    ctx.log(`ingest: ${targets.length} streams in ${cfg.groups} groups, ${cfg.threads} threads, ${cfg.inflight} requests in flight`);

    const load = new LoadRun({
      url: server.url,
      creds: cfg.creds,
      region: cfg.region,
      dataset,
      batchLimit: dataset.meta.batches,
      wrap: true,
      targets,
      threads: cfg.threads,
      inflight: cfg.inflight,
      timestamps: { kind: 'now' },
    });
    loadRun = load;
    let loadError: unknown;
    load.done.catch((err: unknown) => (loadError = err));

    await sleep(cfg.warmupS * 1000);
    const s0 = await load.snapshot();
    const c0 = await ctx.cpuMark(server);
    ctx.log(`ingest: warm-up done (${s0.counters.ackedEvents} events, ${s0.counters.throttled} throttled); measuring ${cfg.durationS} s`);

    const probe = cfg.only.has('latency')
      ? new VisibilityProbe(client, {
          group: targets[0]?.group as string,
          stream: 'visibility-probe',
          intervalMs: 100,
          pollMs: 50,
          maxOutstanding: 3,
          timeoutMs: 10_000,
        })
      : undefined;
    probe?.start();

    const slices: Snapshot[] = [s0];
    const end = s0.atMs + cfg.durationS * 1000;
    while (Date.now() < end) {
      await sleep(Math.min(5000, end - Date.now()));
      if (loadError !== undefined) throw loadError;
      if (!server.running) throw new Error(`the server exited during the ingest run; see ${server.logPath}`);
      const s = await load.snapshot();
      const prev = slices[slices.length - 1] as Snapshot;
      slices.push(s);
      const rate = (s.counters.ackedEvents - prev.counters.ackedEvents) / ((s.atMs - prev.atMs) / 1000);
      ctx.log(
        `ingest: ${Math.round(rate).toLocaleString('en-US')} events/s, throttled ${s.counters.throttled}, ` +
          `failed ${s.counters.failedRequests}, server RSS ${(server.rssKiB / 1024).toFixed(0)} MiB`,
      );
    }
    const s1 = slices[slices.length - 1] as Snapshot;
    const c1 = await ctx.cpuMark(server);
    const probeResult = await probe?.stop();
    const final = await load.stop();

    const windowS = (s1.atMs - s0.atMs) / 1000;
    const window = diffCounters(s0.counters, s1.counters);
    const sliceRates = slices
      .slice(1)
      .map((s, i) => (s.counters.ackedEvents - (slices[i] as Snapshot).counters.ackedEvents) / ((s.atMs - (slices[i] as Snapshot).atMs) / 1000));
    const latencies: number[] = [];
    for (let i = 0; i < final.acks.length; i += 2) {
      const at = final.acks[i] as number;
      if (at >= s0.atMs && at <= s1.atMs) latencies.push(final.acks[i + 1] as number);
    }
    const ingest: IngestResult = {
      windowS,
      warmupS: cfg.warmupS,
      eventsPerS: window.ackedEvents / windowS,
      sliceRates,
      window,
      total: final.counters,
      putLatencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: percentile(latencies, 100), count: latencies.length },
      cpu: cpuSplit(c0, c1),
      eventLoopUtilization: final.eventLoopUtilization,
      streams: targets.length,
      inflight: cfg.inflight,
      threads: cfg.threads,
    };
    ctx.log(
      `ingest: ${Math.round(ingest.eventsPerS).toLocaleString('en-US')} events/s over ${windowS.toFixed(1)} s ` +
        `(median 5 s slice ${Math.round(median(sliceRates)).toLocaleString('en-US')}); CPU cores: server ${ingest.cpu.server.toFixed(2)} (busiest thread ${ingest.cpu.serverMainThread.toFixed(2)}), ` +
        `load generator ${ingest.cpu.loadGenerator.toFixed(2)}, machine ${ingest.cpu.machine.toFixed(2)}`,
    );
    const visibility =
      probeResult === undefined
        ? undefined
        : {
            ...probeResult,
            p50: percentile(probeResult.latenciesMs, 50),
            p99: percentile(probeResult.latenciesMs, 99),
            max: percentile(probeResult.latenciesMs, 100),
          };
    if (visibility !== undefined) {
      ctx.log(`visibility: ${visibility.latenciesMs.length} probes, p50 ${visibility.p50.toFixed(0)} ms, p99 ${visibility.p99.toFixed(0)} ms, timeouts ${visibility.timeouts}, errors ${visibility.errors}`);
    }

    client.close();
    const life = await ctx.stopServer('ingest', server);
    await finishMaintenance(ctx, dataDir); // bytes per event include the shredded fields
    let disk: DiskResult | undefined;
    if (cfg.only.has('disk')) {
      const usage = await diskUsage(dataDir);
      const storedEvents = final.counters.ackedEvents + (probeResult?.latenciesMs.length ?? 0);
      const rawBytesPerEvent = dataset.meta.rawBytes / dataset.meta.events;
      disk = {
        storedEvents,
        usage,
        bytesPerEvent: usage.bytes / storedEvents,
        rawBytesPerEvent,
        ratio: rawBytesPerEvent / (usage.bytes / storedEvents),
        sealMs: life.stopMs,
      };
      ctx.log(`disk: ${usage.bytes} bytes in ${usage.files} files for ${storedEvents} events = ${disk.bytesPerEvent.toFixed(1)} B/event`);
    }
    return { ingest, ...(visibility === undefined ? {} : { visibility }), ...(disk === undefined ? {} : { disk }) };
  } finally {
    client.close();
    await loadRun?.terminate();
    if (server.running) await ctx.stopServer('ingest (after error)', server);
  }
}
