/** BENCHMARKS.md: what was measured, how, on what, and against which reference. */
import { formatRows, type FormatBenchResult } from './formats.js';
import { agentRows, type AgentScenarioResult } from './agent.js';
import { relative } from 'node:path';
import type { BenchConfig, CpuSplit, ServerLife } from './context.js';
import type { DatasetMeta } from './dataset.js';
import type { IngestScenarioResult } from './ingest-scenario.js';
import type { InsightsResult, PairedColdQuery, PairedInsightsResult } from './insights-scenario.js';
import { describeMachine, type MachineInfo } from './machine.js';
import type { PredicateScenarioResult } from './predicate-scenario.js';
import type { ProfileSummary } from './profile.js';
import { markdownTable, type Row } from './report.js';
import type { SubscriptionsResult } from './subscriptions-scenario.js';
import type { SearchScenarioResult } from './search-scenario.js';
import { fmtBytes, fmtInt, fmtMs, median } from './stats.js';
import type { MetricFiltersResult } from './metric-filters.js';
import type { AlarmLatencyResult } from './alarm-latency.js';

export interface RunResults {
  startedAt: string;
  finishedAt: string;
  wallS: number;
  mode: string;
  machine: MachineInfo;
  /** Cores busy before the run started (3 s sample) and the load average then. */
  background: { cores: number; loadavg: number[] };
  serverVersion: string;
  cfg: BenchConfig;
  dataset: DatasetMeta;
  ingest?: IngestScenarioResult;
  search?: SearchScenarioResult;
  predicate?: PredicateScenarioResult;
  /** The encryption scenario: ingest and search on a server run with --no-encryption. */
  plaintext?: { ingest?: IngestScenarioResult; search?: SearchScenarioResult; paired?: PairedInsightsResult; pairedCold?: PairedColdQuery[] };
  metricFilters?: MetricFiltersResult;
  alarmLatency?: AlarmLatencyResult;
  subscriptions?: SubscriptionsResult;
  /** The format parsers (issue #8), measured before anything else starts. */
  formats?: FormatBenchResult;
  agent?: AgentScenarioResult;
  lives: ServerLife[];
  errors: { phase: string; message: string }[];
  profiles: (ProfileSummary & { label: string })[];
}

const cores = (c: CpuSplit): string =>
  `${c.server.toFixed(2)} | ${c.serverMainThread === undefined ? 'n/a' : c.serverMainThread.toFixed(2)} | ${c.loadGenerator.toFixed(2)} | ${c.other.toFixed(2)} | ${c.machine.toFixed(2)} | ${c.wallS.toFixed(0)} s`;

export function renderMarkdown(r: RunResults, rows: readonly Row[]): string {
  const { cfg, dataset: d } = r;
  const out: string[] = [];
  out.push('# Benchmarks', '');
  out.push(
    `Written by \`npm run bench\` (bench/run.ts) on ${r.finishedAt.slice(0, 10)}; the next run rewrites this file. ` +
      `Mode: **${r.mode}**; the whole run took ${(r.wallS / 60).toFixed(1)} min.`,
    '',
  );
  out.push(`- Machine: ${describeMachine(r.machine)}. Shared and noisy: repeated measures are medians.`);
  out.push(
    `- Background load when the run started: ${r.background.cores.toFixed(2)} of ${r.machine.cores} cores busy, load average ` +
      `${r.background.loadavg.map((l) => l.toFixed(1)).join(' / ')} (1 / 5 / 15 min); see "other" below for the load during each phase.`,
  );
  out.push(
    `- Server: \`${['node', cfg.serverEntry, 'serve', ...cfg.serverArgs].join(' ')}\` (${r.serverVersion})` +
      `${cfg.serverArgs.length === 0 ? ', default configuration' : ''}.`,
  );
  out.push('');
  out.push('## Results', '', markdownTable(rows), '');
  for (const e of r.errors) out.push(`**Error in ${e.phase}:** \`${e.message.split('\n')[0] ?? ''}\``, '');

  const s = r.search;
  if (s !== undefined) {
    out.push('## Reference: ripgrep over the same events', '');
    out.push(
      `The ${fmtInt(d.searchEvents)} messages of the search data set, one a line, in one ${fmtBytes(s.rg.bytes)} file ` +
        `(${relative(process.cwd(), s.rg.file)}), searched by \`rg -c --fixed-strings\` (${r.machine.ripgrep}), process start to exit.`,
      '',
    );
    out.push('| search | Logward FilterLogEvents | ripgrep | Logward / ripgrep |', '|---|---|---|---|');
    out.push(
      `| rare term \`${s.rare.term}\`, whole range, all pages (median of ${s.rare.warm.length}) | ${fmtMs(s.rare.medianMs)} | ` +
        `${fmtMs(s.rg.medianMs)} (median of ${s.rg.runsMs.length}) | ${(s.rare.medianMs / s.rg.medianMs).toFixed(2)}× |`,
    );
    out.push(
      `| rare term, first run | ${fmtMs(s.rare.cold.ms)} (first query after a restart) | ${fmtMs(s.rg.coldMs)} (first run; file likely in page cache) | ` +
        `${(s.rare.cold.ms / s.rg.coldMs).toFixed(2)}× |`,
    );
    out.push(
      `| common term \`${s.common.term}\` | ${fmtMs(s.common.medianMs)} (first page, limit ${s.common.limit}) | ` +
        `${fmtMs(s.rg.commonMedianMs)} (count all matches, median of 3) | not comparable |`,
    );
    const j = s.json;
    if (j !== undefined) {
      out.push(
        `| JSON pattern \`${j.pattern}\`, all pages (median of ${j.warm.length}) | ${fmtMs(j.medianMs)} | ` +
          `${fmtMs(j.rg.medianMs)} (\`rg -c '${j.rg.regex}'\`, median of ${j.rg.runsMs.length}) | ${(j.medianMs / j.rg.medianMs).toFixed(2)}× |`,
      );
      out.push(
        `| JSON pattern, first run | ${fmtMs(j.cold.ms)} (first query after another restart) | ${fmtMs(j.rg.coldMs)} (first run) | ` +
          `${(j.cold.ms / j.rg.coldMs).toFixed(2)}× |`,
      );
    }
    out.push('');
    out.push(
      `Matches: Logward returned ${s.rare.found} events for \`${s.rare.term}\` (expected ${s.rare.expected}); rg counted ${s.rg.count} lines. ` +
        `The common term occurs in ${fmtInt(d.commonTermEvents)} of ${fmtInt(d.searchEvents)} messages.` +
        (j === undefined
          ? ''
          : ` For \`${j.pattern}\` Logward returned ${j.found} events; the predicate back end, run in the benchmark process over the ` +
            `same messages, counts ${j.expected} (${fmtMs(j.countMs)})${j.correct ? '' : ' — WRONG RESULT'}; rg counted ${j.rg.count} lines.`),
      '',
    );
    if (s.insights !== undefined) out.push(...insightsSection(s.insights, s.events));
  }

  const p = r.predicate;
  if (p !== undefined) {
    out.push('## Filter pattern predicates, in process', '');
    out.push(
      `compilePredicate (src/query/filter-pattern/predicate.ts: the back end of the hot tier) over the first ${fmtInt(p.events)} messages ` +
        `of the data set (${(p.bytes / p.events).toFixed(0)} B average; the whole mix, so a JSON or space-delimited pattern also sees the lines ` +
        `it cannot match), on one thread of the benchmark process: events per second per core, median of ${p.runs} passes, ` +
        `each alternating with a hand-written reference in the same run. Cores busy meanwhile: this process ${p.cpu.bench.toFixed(2)}, ` +
        `machine ${p.cpu.machine.toFixed(2)} (of ${r.machine.cores}).`,
      '',
    );
    out.push('| case | pattern | matches | predicate, events/s/core | reference | reference, events/s/core | predicate / reference |', '|---|---|---|---|---|---|---|');
    for (const c of p.cases) {
      const refMatches = c.reference.sameMatches ? '' : ` (${fmtInt(c.reference.matches)} matches)`;
      out.push(
        `| ${c.name} | \`${c.pattern.replace(/\|/g, '\\|')}\` | ${fmtInt(c.predicate.matches)} | ${fmtInt(c.predicate.perS)} | ` +
          `${c.reference.label}${refMatches} | ${fmtInt(c.reference.perS)} | ${(c.predicate.perS / c.reference.perS).toFixed(2)}× |`,
      );
    }
    out.push('');
    out.push(
      'A reference marked with its own match count asks a narrower question than the pattern (here: a fixed nginx line format); the ' +
        'others ask exactly the same, and a predicate whose count differs from theirs is reported as WRONG.',
      '',
    );
  }

  out.push('## Where the time goes', '');
  out.push(
    'Average cores busy (of 2) over each phase, from /proc: the server process (and its busiest thread, the event loop that runs all the ' +
      'JavaScript: near 1.00 it is the bottleneck), the benchmark process (load-generator threads and probe), and the rest of the machine.',
    '',
  );
  out.push(
    '| phase | server | of which its JavaScript thread | load generator | other | machine | wall | events per server CPU-s | load-generator CPU-µs per event |',
    '|---|---|---|---|---|---|---|---|---|',
  );
  const per = (rate: number, c: CpuSplit): string => `${fmtInt(rate / c.server)} | ${((c.loadGenerator / rate) * 1e6).toFixed(1)}`;
  if (r.ingest !== undefined) {
    const i = r.ingest.ingest;
    out.push(`| sustained ingest (scenario 1, with probe) | ${cores(i.cpu)} | ${per(i.eventsPerS, i.cpu)} |`);
  }
  if (s !== undefined) out.push(`| bulk load of the search set (scenario 4) | ${cores(s.load.cpu)} | ${per(s.load.eventsPerS, s.load.cpu)} |`);
  out.push('');
  out.push(
    'When "other" is large, other tenants of the machine took CPU from the server: the throughput then says more about the ' +
      'machine than about Logward, and "events per server CPU-second" (throughput divided by the cores the server actually got) ' +
      'is the steadier figure. It counts all the server\'s threads, DuckDB\'s included.',
    '',
  );
  if (r.ingest !== undefined) {
    const i = r.ingest.ingest;
    out.push(
      `Load generator event-loop utilisation per thread: ${i.eventLoopUtilization.map((u) => `${(u * 100).toFixed(0)}%`).join(', ')}` +
        (Math.max(...i.eventLoopUtilization) < 0.7 ? ' (the senders mostly wait on the server). ' : ' (the senders themselves are busy: the load generator may limit the rate). ') +
        `PutLogEvents latency in the window: p50 ${fmtMs(i.putLatencyMs.p50)}, p99 ${fmtMs(i.putLatencyMs.p99)}, max ${fmtMs(i.putLatencyMs.max)} over ${fmtInt(i.putLatencyMs.count)} requests.`,
      '',
    );
  }
  const disk = r.ingest?.disk;
  if (disk !== undefined || s !== undefined) {
    out.push('Bytes on disk by top-level entry of the data dir:', '');
    if (disk !== undefined) out.push(`- ingest (${fmtInt(disk.storedEvents)} events): ${breakdown(disk.usage.byTopLevel)}; sealing took ${fmtMs(disk.sealMs)}.`);
    if (s !== undefined) out.push(`- search set (${fmtInt(s.events)} events): ${breakdown(s.disk.usage.byTopLevel)}; sealing took ${fmtMs(s.sealMs)}, restart ${fmtMs(s.restartMs)}.`);
    out.push('');
  }
  if (r.lives.length > 0) {
    out.push('Server processes:', '', '| process | VmHWM | max sampled VmRSS | stop (SIGTERM → exit) | exit |', '|---|---|---|---|---|');
    for (const l of r.lives) {
      out.push(`| ${l.label} | ${fmtBytes(l.hwmKiB * 1024)} | ${fmtBytes(l.maxSampledRssKiB * 1024)} | ${fmtMs(l.stopMs)} | ${l.code ?? l.signal} |`);
    }
    out.push('');
    out.push('VmRSS over each server\'s life (MiB at the seconds shown):', '');
    for (const l of r.lives) out.push(`- ${l.label}: ${rssCurve(l.rssSeries ?? [])}`);
    out.push('');
  }

  if (r.profiles.length > 0) {
    out.push('### Server main thread, by CPU profile (`--profile`)', '');
    out.push('Self time of the JavaScript main thread (node --cpu-prof; DuckDB and libuv threads are not sampled), top entries:', '');
    for (const p of r.profiles) {
      const pct = (entries: [string, number][]): string =>
        entries
          .slice(0, 8)
          .map(([k, v]) => `\`${k}\` ${(v * 100).toFixed(1)}%`)
          .join(', ');
      out.push(`- **${p.label}** (${(p.totalMs / 1000).toFixed(1)} s sampled). Modules: ${pct(p.byModule)}.`);
      out.push(`  Functions: ${pct(p.byFunction)}.`);
    }
    out.push('');
  }

  out.push('## Method', '');
  out.push(
    `- **Data.** bench/generate.ts, seed ${d.seed}: ${fmtInt(d.events)} events, average ${(d.rawBytes / d.events).toFixed(1)} bytes of message ` +
      `(about 50% nginx combined access lines with \\$request_time, 44% structured JSON application logs with request ids, user ids, durations ` +
      `and error objects, 6% compact CloudTrail records). Recurring values (client IPs, user ids, hosts) come from fixed pools, ids are random, ` +
      `so the data compresses like real logs. Generated once into .bench-data/ (reused for a day), read back by the senders, so the timed ` +
      `load generator only reads bytes, rewrites timestamps in place, hashes, signs and sends.`,
  );
  out.push(
    `- **Ingest (1).** PutLogEvents of ${d.batchSize} events, signed with SigV4 (node:crypto; checked against @smithy/signature-v4), over ` +
      `keep-alive HTTP from ${cfg.threads} worker threads with ${cfg.inflight} requests in flight in total, over ${cfg.groups} groups × ` +
      `${cfg.streamsPerGroup} streams (at most one request in flight per stream). Event timestamps are the send time. ` +
      `${cfg.warmupS} s warm-up, then acknowledged events counted over ${cfg.durationS} s; the table gives the mean over the window, ` +
      `the 5 s slices show its stability. A ThrottlingException is retried after 50 ms doubling to 1 s (with jitter) and its events ` +
      `count only once acknowledged.`,
  );
  out.push(
    `- **Visibility (2).** During the measured window, every 100 ms (at most 3 outstanding) one event with a unique token goes to its own ` +
      `stream in the first loaded group; FilterLogEvents (that group, filterPattern = the token, startTime one minute back) is polled every ` +
      `50 ms until the token is returned. Latency runs from the PutLogEvents 200 to the reply containing it (an upper bound by one poll). ` +
      `A probe not visible in 10 s counts as infinite. When every probe is found by its first poll, the event was already ` +
      `visible at the acknowledgement and the figure is the latency of one FilterLogEvents call under load.`,
  );
  out.push(
    `- **Bytes on disk (3).** After the ingest run the server gets SIGTERM (it seals everything and exits), and a server started on the same data dir is left to shred the segments' JSON fields (background work the store does when idle) until its gauge logward_unshredded_segments is 0; then every file under its data dir ` +
      `is summed by apparent size (not du blocks) and divided by the events acknowledged (warm-up, window and drain, plus probes). ` +
      `Raw size is the UTF-8 length of the messages.`,
  );
  out.push(
    `- **Search (4).** ${fmtInt(d.searchEvents)} events into one group over ${cfg.searchStreams} streams, timestamps spread over ` +
      `${((d.stepMs * d.searchEvents) / 3_600_000).toFixed(1)} h ending a minute before the load starts; the term \`${d.markerTerm}\` ` +
      `is in exactly ${d.markerPositions.length} events (positions ${d.markerPositions.join(', ')}). The server is stopped (sealing) and ` +
      `started again, then FilterLogEvents with filterPattern = the term, no time bounds, following nextToken until absent: the first ` +
      `run after the restart is reported as cold (the OS page cache may still hold the files), then the median of ${cfg.searchRuns}. ` +
      `The common term \`${d.commonTerm}\` is timed for its first page (limit 100), median of ${cfg.searchRuns}. ` +
      `Then the server is restarted once more and the rare JSON pattern ${s?.json === undefined ? '' : `\`${s.json.pattern}\` `}is timed ` +
      `the same way (first run, then the median of ${cfg.searchRuns}); its expected count comes from the predicate back end run in the ` +
      `benchmark process over the same messages, and its ripgrep reference is the regex that asks the same of the text.`,
  );
  if (r.predicate !== undefined) {
    out.push(
      `- **Predicates.** The first ${fmtInt(r.predicate.events)} messages of the data set read into memory; for each pattern one untimed ` +
        `pass of the predicate and of its reference (so both are optimised), then ${r.predicate.runs} timed passes of each, alternating, ` +
        `with a forced GC before each pass. Events per second per core is the number of messages over the median pass.`,
    );
  }
  const ins = s?.insights;
  if (ins !== undefined) {
    out.push(
      `- **Logs Insights.** After the searches, over the same sealed data: for each query a fresh server process, one first run, then ` +
        `the median of ${ins.queries[0]?.warm.length ?? 0}, each StartQuery → GetQueryResults polled every ${ins.pollMs} ms until Complete ` +
        `(the timing includes one poll interval at most and the HTTP round trips). Issue #4 writes \`/ERROR/\`, but the generator's ` +
        `error events say \`"level":"error"\` (and its stack traces \`TimeoutError\`), so the query and rg look for \`${ins.term}\`. ` +
        `The parse + stats query takes the first word of the application logs' \`msg\` and groups their \`duration_ms\` by it and ` +
        `by \`level\`. Every run's rows are checked against the data set: the bins ${ins.exact ? 'one by one against the stored timestamps, and ' : ''}` +
        `their sum against the events stored; the per-stream counts' sum against the messages containing the term, counted in the ` +
        `benchmark process (${fmtInt(ins.termCount)}); the newest 20 for order${ins.exact ? ' and against the last 20 events sent, timestamps and messages' : ''}; ` +
        `the parse + stats groups against the same query computed in the benchmark process with JSON.parse (counts exact, mean to ` +
        `1e-9, the 95th percentile within one rank). A wrong result fails its row whatever its time.`,
    );
  }
  if (r.plaintext !== undefined) {
    out.push(
      `- **Encryption (issue #5).** The ingest and search scenarios run again on a server started with \`--no-encryption\`. ` +
        `Ingest compares the median 5 s slices. Queries compare both search sets served at once, each query run once untimed on each, ` +
        `then alternated (the order swapped every round), medians. The first query after a restart compares, for each Insights ` +
        `query, rounds of (start the server, run the query once, stop it) on each side in alternation: the encrypted server then ` +
        `decrypts what that query reads into memory (docs/encryption.md).`,
    );
  }
  out.push(
    `- **Peak RSS (5).** VmHWM from /proc/<pid>/status of each server process, read until it exits (so sealing counts), and VmRSS ` +
      `sampled every second; the table gives the largest over all server processes of the run.`,
  );
  out.push(
    `- **Noise.** Everything runs on the same ${r.machine.cores} cores: the load generator's share is in the CPU table above. ` +
      `Cheap measures are repeated (searches ${cfg.searchRuns}×, rg ${cfg.rgRuns}×, probes ≥ 100) and reported as medians or percentiles.`,
  );
  out.push('');
  out.push('## Running it', '');
  out.push('```');
  out.push('npm run bench                          # full run (about 5–15 min), rewrites BENCHMARKS.md');
  out.push('npm run bench -- --quick               # 1M-event search set, 10 s ingest: for development');
  out.push('npm run bench -- --only ingest,search  # scenarios: ingest, latency, disk, search, predicate');
  out.push('```');
  out.push('');
  out.push(
    'Quick and partial runs write .bench-data/last-run.md instead of this file unless given `--write`. Every run leaves its server ' +
      'logs and results.json in .bench-data/runs/<time>/ (the servers\' data dirs too with `--keep`).',
  );
  out.push('');
  return out.join('\n');
}

/** About a dozen points of an RSS series, evenly spaced in time, and the last one. */
function rssCurve(series: readonly [number, number][]): string {
  const last = series[series.length - 1];
  if (last === undefined) return 'no samples';
  const points: [number, number][] = [];
  let next = 0;
  for (const p of series) {
    if (p[0] >= next) {
      points.push(p);
      next = p[0] + Math.max(1, last[0] / 12);
    }
  }
  if (points[points.length - 1] !== last) points.push(last);
  return points.map(([t, kib]) => `${t.toFixed(0)} s: ${(kib / 1024).toFixed(0)}`).join(', ');
}

function breakdown(byTop: Record<string, number>): string {
  return Object.entries(byTop)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([k, v]) => `\`${k}\` ${fmtBytes(v)}`)
    .join(', ');
}

/** The result table; bars from issue #2. */
export function resultRows(r: RunResults): Row[] {
  const rows: Row[] = r.agent === undefined ? [] : agentRows(r.agent, r.cfg.quick);
  const q = r.cfg.quick ? ' [quick]' : '';
  if (r.metricFilters !== undefined) {
    const m = r.metricFilters;
    rows.push({
      measure: `Ingest with 100 metric filters (in process, ${m.rounds} alternating rounds of ${fmtInt(m.batchesPerRound * m.eventsPerBatch)} events)${q}`,
      bar: '≤ 10% drop',
      // Filters are evaluated after acknowledgement, by a thread that yields to ingest: the bar holds only if
      // evaluation keeps up too, so rounds also count until their last event is evaluated.
      measured: `${fmtInt(m.filteredEventsPerS)} vs ${fmtInt(m.plainEventsPerS)} events/s without filters: ${m.dropPercent}% drop; counted until every event is evaluated, ${fmtInt(m.evaluatedEventsPerS)} events/s: ${m.dropPercentEvaluated}% drop, the last event evaluated ${fmtInt(m.catchUpMsMedian)} ms after the last acknowledgement (median)${m.dropPercentPaired !== undefined ? ` (median of each round against the plain round next to it: ${m.dropPercentPaired}% and ${m.dropPercentEvaluatedPaired}%)` : ''}${m.sealWaitMsMedian !== undefined ? `; each round began once the store had sealed the rounds before it (waited ${fmtInt(m.sealWaitMsMedian)} ms, median), ${fmtInt(m.throttled)} requests throttled` : ''}`,
      ok: m.dropPercent <= 10 && m.dropPercentEvaluated <= 10,
    });
  }
  if (r.alarmLatency !== undefined) {
    const a = r.alarmLatency;
    rows.push({
      measure: `Matching event to webhook, 10 s alarm (${a.triggers} triggers)${q}`,
      bar: '≤ 5 s p99',
      measured: `p99 ${fmtInt(a.p99Ms)} ms, median ${fmtInt(a.medianMs)} ms, max ${fmtInt(a.maxMs)} ms`,
      ok: a.p99Ms <= 5000,
    });
  }
  const ing = r.ingest;
  if (ing !== undefined) {
    const i = ing.ingest;
    if (r.cfg.only.has('ingest')) {
      rows.push({
        measure: `Ingest throughput, sustained ${i.windowS.toFixed(0)} s${q}`,
        bar: '≥ 100,000 events/s',
        measured:
          `${fmtInt(i.eventsPerS)} events/s (5 s slices: median ${fmtInt(median(i.sliceRates))}, min ${fmtInt(Math.min(...i.sliceRates))}; ` +
          `${fmtInt(i.eventsPerS / i.cpu.server)} per server CPU-second)`,
        ok: i.eventsPerS >= 100_000,
      });
      const failures = i.window.failedRequests + i.window.networkErrors;
      rows.push({
        measure: 'Throttled PutLogEvents (window)',
        bar: 'retried, not counted',
        measured:
          `${fmtInt(i.window.throttled)} of ${fmtInt(i.window.requests)} requests` +
          (failures > 0 ? `; ${fmtInt(failures)} failed` : '') +
          (i.window.rejectedEvents > 0 ? `; ${fmtInt(i.window.rejectedEvents)} events rejected` : ''),
        ok: failures === 0 && i.window.rejectedEvents === 0 ? undefined : false,
      });
    }
    const v = ing.visibility;
    if (v !== undefined) {
      rows.push({
        measure: `Visibility latency p99 (${v.latenciesMs.length} probes)${q}`,
        bar: '≤ 1 s',
        measured: `${fmtMs(v.p99)} (p50 ${fmtMs(v.p50)}, max ${fmtMs(v.max)}; ${fmtInt(v.polls)} polls${v.polls === v.latenciesMs.length ? ', all found on the first' : ''}${v.timeouts > 0 ? `, ${v.timeouts} timeouts` : ''}${v.errors > 0 ? `, ${v.errors} errors` : ''}${(v.throttled ?? 0) > 0 ? `, ${v.throttled} probe puts throttled and retried` : ''})`,
        ok: v.p99 <= 1000 && v.latenciesMs.length >= (r.cfg.quick ? 1 : 100),
      });
    }
    const d = ing.disk;
    if (d !== undefined) {
      rows.push({
        measure: `Bytes on disk per event (${fmtInt(d.storedEvents)} events)${q}`,
        bar: '≤ 60 B',
        measured: `${d.bytesPerEvent.toFixed(1)} B (raw ${d.rawBytesPerEvent.toFixed(0)} B, ${d.ratio.toFixed(1)}:1)`,
        ok: d.bytesPerEvent <= 60,
      });
    }
  }
  const s = r.search;
  if (s !== undefined) {
    const n = fmtInt(s.events);
    const correct = s.rare.found === s.rare.expected && s.rare.cold.events === s.rare.expected;
    rows.push({
      measure: `Term search over ${n} events, median of ${s.rare.warm.length}${q}`,
      bar: '≤ 500 ms',
      measured: `${fmtMs(s.rare.medianMs)} (${s.rare.found}/${s.rare.expected} found${correct ? '' : ' — WRONG'})`,
      ok: s.rare.medianMs <= 500 && correct,
    });
    rows.push({ measure: 'Term search, first run after restart', bar: '', measured: fmtMs(s.rare.cold.ms), ok: undefined });
    rows.push({
      measure: `rg -c reference, median of ${s.rg.runsMs.length}`,
      bar: '',
      measured: `${fmtMs(s.rg.medianMs)}; Logward / rg = ${(s.rare.medianMs / s.rg.medianMs).toFixed(2)}×`,
      ok: undefined,
    });
    const j = s.json;
    if (j !== undefined) {
      rows.push({
        measure: `JSON pattern search over ${n} events, median of ${j.warm.length}${q}`,
        bar: '≤ 1,500 ms',
        measured: `${fmtMs(j.medianMs)} (${j.found}/${j.expected} found${j.correct ? '' : ' — WRONG'}; ${j.pattern})`,
        ok: j.medianMs <= 1500 && j.correct,
      });
      rows.push({ measure: 'JSON pattern search, first run after restart', bar: '', measured: fmtMs(j.cold.ms), ok: undefined });
      rows.push({
        measure: `rg -c regex reference for it, median of ${j.rg.runsMs.length}`,
        bar: '',
        measured: `${fmtMs(j.rg.medianMs)} (${j.rg.count} lines); Logward / rg = ${(j.medianMs / j.rg.medianMs).toFixed(2)}×`,
        ok: undefined,
      });
    }
    rows.push({
      measure: `Common term "${s.common.term}", first page (limit ${s.common.limit})`,
      bar: '',
      measured: `${fmtMs(s.common.medianMs)} (${s.common.returned} events)`,
      ok: undefined,
    });
    rows.push({
      measure: `Bulk load of the search set (${n} events, one group)`,
      bar: '≥ 100,000 events/s',
      measured:
        `${fmtInt(s.load.eventsPerS)} events/s over ${s.load.seconds.toFixed(0)} s${s.load.complete ? '' : ' (cut short)'} ` +
        `(${fmtInt(s.load.eventsPerS / s.load.cpu.server)} per server CPU-second); ${fmtInt(s.load.counters.throttled)} throttled`,
      ok: s.load.eventsPerS >= 100_000 && s.load.complete,
    });
    rows.push({
      measure: 'Bytes on disk per event, search set',
      bar: '≤ 60 B',
      measured: `${s.disk.bytesPerEvent.toFixed(1)} B (raw ${s.disk.rawBytesPerEvent.toFixed(0)} B)`,
      ok: s.disk.bytesPerEvent <= 60,
    });
    rows.push(...insightsRows(s, n, q));
  }
  const p = r.predicate;
  if (p !== undefined) {
    for (const c of p.cases) {
      const wrong = c.reference.sameMatches && c.predicate.matches !== c.reference.matches;
      const ratio = `${(c.predicate.perS / c.reference.perS).toFixed(2)}×`;
      rows.push({
        measure: `Predicate, ${c.name}, ${fmtInt(p.events)} events, median of ${p.runs}`,
        bar: c.barPerS === undefined ? '' : `≥ ${fmtInt(c.barPerS)} events/s/core`,
        measured:
          `${fmtInt(c.predicate.perS)} events/s (${fmtInt(c.predicate.matches)} matches${wrong ? `, reference ${fmtInt(c.reference.matches)} — WRONG` : ''}); ` +
          `${c.reference.label} ${fmtInt(c.reference.perS)}, predicate / reference ${ratio}`,
        ok: wrong ? false : c.barPerS === undefined ? undefined : c.predicate.perS >= c.barPerS,
      });
    }
  }
  rows.push(...encryptionRows(r));
  if (r.formats !== undefined) rows.push(...formatRows(r.formats));
  const sub = r.subscriptions;
  if (sub !== undefined) {
    const l = sub.latency;
    for (const [name, d] of [
      ['function', l.function],
      ['stream (NATS JetStream)', l.stream],
    ] as const) {
      rows.push({
        measure: `Subscription delivery p99, ${name}, at ${fmtInt(l.eventsPerS)} events/s (${d.latenciesMs.length} probes)${q}`,
        bar: '≤ 1 s',
        measured: `${fmtMs(d.p99)} (p50 ${fmtMs(d.p50)}, max ${fmtMs(d.max)}${d.missing > 0 ? `; ${d.missing} probes not delivered` : ''}); load average ${sub.loadavg.map((x) => x.toFixed(1)).join(' ')}`,
        ok: d.p99 <= 1000 && d.missing === 0 && d.latenciesMs.length >= (r.cfg.quick ? 1 : 100) && l.eventsPerS >= 0.95 * l.targetEventsPerS,
      });
    }
    const t = sub.throughput;
    const lag = Object.entries(t.lagSecondsAtEnd);
    rows.push({
      measure: `Ingest with two subscriptions on the group vs none${q}`,
      bar: '≤ 15% lower',
      // Delivery runs after the acknowledgement, in threads that yield to ingest: the bar holds only if it
      // keeps up too, so subscribed rounds also count until both destinations have every event.
      measured:
        `${t.dropPercent.toFixed(1)}% lower: ${fmtInt(t.subscribedEventsPerS)} vs ${fmtInt(t.plainEventsPerS)} events/s (rounds ${t.subscribed.map(fmtInt).join(', ')} vs ${t.plain.map(fmtInt).join(', ')}); ` +
        `counted until delivered to both, ${t.dropPercentDelivered.toFixed(1)}% lower: ${fmtInt(t.deliveredEventsPerS)} events/s (rounds ${t.delivered.map(fmtInt).join(', ')}; ` +
        `last event delivered ${t.catchUpMs.map((ms) => fmtMs(ms)).join(', ')} after the window); lag at the end of the window ${lag.map(([f, v]) => `${f} ${v.toFixed(1)} s`).join(', ')}` +
        (t.dropPercentPaired !== undefined ? `; each round against the plain round next to it, on average: ${t.dropPercentPaired.toFixed(1)}% lower` : ''),
      ok: t.dropPercent <= 15 && t.dropPercentDelivered <= 15 && lag.length === 2,
    });
  }
  if (r.lives.length > 0) {
    const peak = Math.max(...r.lives.map((l) => l.hwmKiB));
    const sampled = Math.max(...r.lives.map((l) => l.maxSampledRssKiB));
    rows.push({
      measure: `Peak RSS of the server (${r.lives.length} process${r.lives.length === 1 ? '' : 'es'})`,
      bar: '≤ 1 GiB',
      measured: `${fmtBytes(peak * 1024)} VmHWM (max sampled VmRSS ${fmtBytes(sampled * 1024)})`,
      ok: peak <= 1024 * 1024,
    });
  }
  for (const e of r.errors) rows.push({ measure: `${e.phase} failed`, bar: '', measured: e.message.split('\n')[0]?.slice(0, 120) ?? '', ok: false });
  return rows;
}

/** The Logs Insights rows (issue #4's bars): each query's median, its first run, and the rg reference. */
function insightsRows(s: SearchScenarioResult, n: string, q: string): Row[] {
  const rows: Row[] = [];
  if (s.insightsError !== undefined) {
    rows.push({ measure: 'Logs Insights queries', bar: '', measured: `failed: ${s.insightsError.split('\n')[0]?.slice(0, 120) ?? ''}`, ok: false });
  }
  const ins = s.insights;
  if (ins === undefined) return rows;
  for (const x of ins.queries) {
    const wrong = x.problems.length > 0;
    rows.push({
      measure: `Insights ${x.name}, ${n} events, median of ${x.warm.length}${q}`,
      bar: `≤ ${fmtMs(x.barMs)}`,
      measured: Number.isNaN(x.medianMs)
        ? (x.problems[0] ?? 'no runs')
        : `${fmtMs(x.medianMs)} (first run ${fmtMs(x.cold.ms)}; ${fmtInt(x.cold.rows)} rows${wrong ? ` — WRONG: ${x.problems[0] ?? ''}` : ''})`,
      ok: x.medianMs <= x.barMs && !wrong,
    });
  }
  const errors = ins.queries.find((x) => x.key === 'errors');
  if (errors?.firstOfTerm !== undefined) {
    rows.push({
      measure: `Insights \`like /${ins.term}/\` count by stream, first query of the term in a fresh process (after one other query), median of ${errors.firstOfTerm.runs.length}`,
      bar: `≤ ${fmtMs(errors.barMs)}`,
      measured: `${fmtMs(errors.firstOfTerm.medianMs)}; Logward / rg = ${(errors.firstOfTerm.medianMs / ins.rg.medianMs).toFixed(2)}× (token indexes, no cached result)`,
      ok: errors.firstOfTerm.medianMs <= errors.barMs,
    });
  }
  if (errors?.uncached !== undefined) {
    rows.push({
      measure: `Insights \`like /${ins.term}/\` count by stream spelled as a regular expression no index answers (\`/${errors.uncached.queries.map((q) => /like \/([^/]*)\//.exec(q)?.[1] ?? '?').join('/`, `/')}/\`), median of ${errors.uncached.runs.length}`,
      bar: '',
      measured: `${fmtMs(errors.uncached.medianMs)}; Logward / rg = ${(errors.uncached.medianMs / ins.rg.medianMs).toFixed(2)}× (reads every message; segments already decrypted in memory)`,
      ok: undefined,
    });
  }
  rows.push({
    measure: `rg -c "${ins.term}" reference, median of ${ins.rg.runsMs.length}`,
    bar: '',
    measured:
      `${fmtMs(ins.rg.medianMs)} (${fmtInt(ins.rg.count)} lines${ins.exact && ins.rg.count !== ins.termCount ? `, expected ${fmtInt(ins.termCount)} — WRONG` : ''})` +
      (errors === undefined ? '' : `; Logward / rg = ${(errors.medianMs / ins.rg.medianMs).toFixed(2)}×`),
    ok: ins.exact && ins.rg.count !== ins.termCount ? false : undefined,
  });
  return rows;
}

/** The Logs Insights section: every query with its runs, what it scanned, and whether its rows were right. */
function insightsSection(ins: InsightsResult, events: number): string[] {
  const out: string[] = ['## Logs Insights', ''];
  out.push(
    `StartQuery over the search set's group and its whole time span (startTime ${ins.startTime}, endTime ${ins.endTime}, ` +
      `${fmtInt(events)} events), then GetQueryResults every ${ins.pollMs} ms until Complete; the time runs from sending StartQuery ` +
      `to the reply that says Complete. Each query runs first in a fresh server process (its restart time in parentheses), then ` +
      `${ins.queries[0]?.warm.length ?? 0} more times.`,
    '',
  );
  out.push('| query | bar | first run | median | warm runs | rows | records scanned | result |', '|---|---|---|---|---|---|---|---|');
  for (const x of ins.queries) {
    out.push(
      `| \`${x.query.replace(/\|/g, '\\|')}\` | ≤ ${fmtMs(x.barMs)} | ${fmtMs(x.cold.ms)} (restart ${fmtMs(x.restartMs)}) | ${fmtMs(x.medianMs)} | ` +
        `${x.warm.map((w) => fmtMs(w.ms)).join(', ')} | ${fmtInt(x.cold.rows)} | ${fmtInt(x.cold.recordsScanned)} | ` +
        `${x.problems.length === 0 ? 'right' : `WRONG: ${x.problems.slice(0, 3).join('; ').replace(/\|/g, '\\|')}`} |`,
    );
  }
  out.push('');
  const errors = ins.queries.find((x) => x.key === 'errors');
  if (errors?.uncached !== undefined || errors?.firstOfTerm !== undefined) {
    out.push(
      `Insights keeps each sealed segment's result of a test on the whole message (\`like\`, \`=~\` on \`@message\`) as a bitmap, ` +
        `and later queries with the same test read one bit an event instead of the message (docs/insights.md). The warm runs of the ` +
        `\`${ins.term}\` query are answered that way. The first query of a term of letters is answered from the segments' token ` +
        `indexes (words and the events that hold them, built when segments settle)` +
        (errors.firstOfTerm === undefined
          ? '. '
          : `: as the first query of its term in a fresh server process, after one bins query, it took ` +
            `${errors.firstOfTerm.runs.map((r) => fmtMs(r.ms)).join(', ')} (median ${fmtMs(errors.firstOfTerm.medianMs)}). `) +
        (errors.uncached === undefined
          ? ''
          : `A test no index answers reads every message: the same query with the term spelled as ${errors.uncached.queries.length} ` +
            `different regular expressions, one run each after the warm runs, took ` +
            `${errors.uncached.runs.map((r) => fmtMs(r.ms)).join(', ')} (median ${fmtMs(errors.uncached.medianMs)}).`),
      '',
    );
  }
  out.push(
    `Reference: \`rg -c --fixed-strings ${ins.term}\` over the same messages as a text file: ${fmtMs(ins.rg.medianMs)} ` +
      `(median of ${ins.rg.runsMs.length}; first run ${fmtMs(ins.rg.coldMs)}), ${fmtInt(ins.rg.count)} lines` +
      (errors === undefined ? '.' : `; the Insights query that counts the same term takes ${(errors.medianMs / ins.rg.medianMs).toFixed(2)}× its time.`),
    '',
  );
  return out;
}

/** What encryption at rest costs: the same scenarios on a server run with --no-encryption (issue #5: at most 20%). */
function encryptionRows(r: RunResults): Row[] {
  const rows: Row[] = [];
  const plain = r.plaintext;
  if (plain === undefined) return rows;
  const cost = (encrypted: number, plaintext: number, higherIsBetter: boolean): number =>
    higherIsBetter ? 1 - encrypted / plaintext : encrypted / plaintext - 1;
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const ei = r.ingest?.ingest;
  const pi = plain.ingest?.ingest;
  if (ei !== undefined && pi !== undefined) {
    const enc = median(ei.sliceRates);
    const pl = median(pi.sliceRates);
    const c = cost(enc, pl, true);
    rows.push({
      measure: 'Encryption cost: ingest throughput (median of 5 s slices)',
      bar: '≤ 20%',
      measured: `${pct(c)}: ${fmtInt(enc)} events/s encrypted, ${fmtInt(pl)} plaintext`,
      ok: c <= 0.2,
    });
  }
  const es = r.search;
  const ps = plain.search;
  if (es !== undefined && ps !== undefined) {
    const paired = plain.paired;
    const pairs: Array<[string, number, number]> = [];
    if (paired?.filters !== undefined && paired.filters.length > 0) {
      // Both servers up at once, runs alternated (as the Insights queries below).
      for (const f of paired.filters) pairs.push([`FilterLogEvents ${f.name}, A/B alternated`, f.encryptedMedianMs, f.plaintextMedianMs]);
    } else {
      pairs.push([`FilterLogEvents rare term`, es.rare.medianMs, ps.rare.medianMs]);
      if (es.json !== undefined && ps.json !== undefined) pairs.push(['FilterLogEvents JSON pattern', es.json.medianMs, ps.json.medianMs]);
    }
    if (paired !== undefined) {
      // Both servers up at once, runs alternated: the A/B that shared-machine noise cannot tilt.
      for (const q of paired.queries) pairs.push([`Insights ${q.name}, A/B alternated`, q.encryptedMedianMs, q.plaintextMedianMs]);
    } else {
      for (const x of es.insights?.queries ?? []) {
        const y = ps.insights?.queries.find((p) => p.key === x.key);
        if (y !== undefined) pairs.push([`Insights ${x.name}`, x.medianMs, y.medianMs]);
      }
    }
    for (const [name, enc, pl] of pairs) {
      const c = cost(enc, pl, false);
      rows.push({ measure: `Encryption cost: ${name} (median${paired !== undefined && name.includes('A/B') ? ` of ${paired.runs}` : ''})`, bar: '≤ 20%', measured: `${pct(c)}: ${fmtMs(enc)} encrypted, ${fmtMs(pl)} plaintext`, ok: c <= 0.2 });
    }
    const pairedCold = plain.pairedCold ?? [];
    for (const q of pairedCold) {
      const c = cost(q.encryptedMedianMs, q.plaintextMedianMs, false);
      rows.push({
        measure: `Encryption cost: Insights ${q.name}, first query after a restart, A/B alternated (median of ${q.encryptedMs.length})`,
        bar: '≤ 20%',
        measured: `${pct(c)}: ${fmtMs(q.encryptedMedianMs)} encrypted, ${fmtMs(q.plaintextMedianMs)} plaintext`,
        ok: c <= 0.2,
      });
    }
    const cold = (es.insights?.queries ?? []).map((x) => [x.cold.ms, ps.insights?.queries.find((p) => p.key === x.key)?.cold.ms] as const);
    const worst = cold.filter((c): c is readonly [number, number] => c[1] !== undefined).map(([e, p]) => e - p);
    if (worst.length > 0 && pairedCold.length === 0) {
      rows.push({
        measure: 'Encryption: first query after a restart (segments decrypted into memory), extra time',
        bar: '',
        measured: `${worst.map((d) => fmtMs(d)).join(', ')} (encrypted minus plaintext, per Insights query)`,
        ok: undefined,
      });
    }
  }
  return rows;
}
