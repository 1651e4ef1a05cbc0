/**
 * Scenario `predicate`: the filter pattern language's in-memory back end (compilePredicate, the one the
 * hot tier and the ingest path use), in this process, on one thread, over the first messages of the
 * data set. For each case of predicate-cases.ts: events per second per core and the match count, and
 * the same for its hand-written reference, timed in the same run, alternating with the predicate so
 * that noise from other tenants of the machine falls on both.
 */
import { compilePredicate } from '../src/query/filter-pattern/predicate.js';
import { parseFilterPattern } from '../src/query/filter-pattern/parse.js';
import type { BenchContext } from './context.js';
import { forEachMessage } from './dataset.js';
import { predicateCases, type CaseKind } from './predicate-cases.js';
import { machineCpuSeconds } from './server.js';
import { fmtInt, median } from './stats.js';

export interface LoopTiming {
  runsMs: number[];
  medianMs: number;
  /** Events over the median run's time: one thread, so per core. */
  perS: number;
  matches: number;
}

export interface PredicateCaseResult {
  name: string;
  kind: CaseKind;
  pattern: string;
  barPerS: number | undefined;
  predicate: LoopTiming;
  reference: LoopTiming & { label: string; sameMatches: boolean };
}

export interface PredicateScenarioResult {
  events: number;
  bytes: number;
  runs: number;
  /** Average cores busy while timing: this process (1.0 = its one thread, plus GC helpers) and the machine. */
  cpu: { bench: number; machine: number; wallS: number };
  cases: PredicateCaseResult[];
}

/** One pass over every message; `ms` is the loop alone. */
function pass(messages: readonly string[], test: (m: string) => boolean): { ms: number; matches: number } {
  const t0 = performance.now();
  let matches = 0;
  for (let i = 0; i < messages.length; i++) if (test(messages[i]!)) matches++;
  return { ms: performance.now() - t0, matches };
}

function summarize(events: number, runs: { ms: number; matches: number }[]): LoopTiming {
  const runsMs = runs.map((r) => r.ms);
  const medianMs = median(runsMs);
  return { runsMs, medianMs, perS: events / (medianMs / 1000), matches: runs[0]?.matches ?? 0 };
}

export async function runPredicateScenario(ctx: BenchContext): Promise<PredicateScenarioResult> {
  const { cfg } = ctx;
  const want = Math.min(cfg.predicateEvents, ctx.dataset.meta.searchEvents);
  const messages: string[] = [];
  let bytes = 0;
  const tLoad = performance.now();
  await forEachMessage(ctx.dataset, want, (m) => {
    messages.push(m);
    bytes += Buffer.byteLength(m);
  });
  ctx.log(`predicate: ${fmtInt(messages.length)} messages (${(bytes / messages.length).toFixed(0)} B average) read in ${((performance.now() - tLoad) / 1000).toFixed(1)} s`);

  const u0 = process.cpuUsage();
  const m0 = await machineCpuSeconds();
  const w0 = performance.now();
  const cases: PredicateCaseResult[] = [];
  for (const c of predicateCases(cfg.markerTerm)) {
    const predicate = compilePredicate(parseFilterPattern(c.pattern));
    // One untimed pass each, so both are optimised before the clock runs.
    pass(messages, predicate);
    pass(messages, c.reference.test);
    const p: { ms: number; matches: number }[] = [];
    const r: { ms: number; matches: number }[] = [];
    for (let i = 0; i < cfg.predicateRuns; i++) {
      globalThis.gc?.();
      p.push(pass(messages, predicate));
      globalThis.gc?.();
      r.push(pass(messages, c.reference.test));
    }
    const result: PredicateCaseResult = {
      name: c.name,
      kind: c.kind,
      pattern: c.pattern,
      barPerS: c.barPerS,
      predicate: summarize(messages.length, p),
      reference: { label: c.reference.label, sameMatches: c.reference.sameMatches, ...summarize(messages.length, r) },
    };
    cases.push(result);
    const wrong = c.reference.sameMatches && result.predicate.matches !== result.reference.matches;
    ctx.log(
      `predicate: ${c.name} \`${c.pattern}\`: ${fmtInt(result.predicate.perS)} events/s, ${fmtInt(result.predicate.matches)} matches ` +
        `(runs ${p.map((x) => x.ms.toFixed(0)).join(', ')} ms); ${c.reference.label} ${fmtInt(result.reference.perS)} events/s, ` +
        `${fmtInt(result.reference.matches)} matches${wrong ? ' — WRONG RESULT: the counts differ' : ''}`,
    );
  }
  const wallS = (performance.now() - w0) / 1000;
  const u = process.cpuUsage(u0);
  const m1 = await machineCpuSeconds();
  const cpu = { bench: (u.user + u.system) / 1e6 / wallS, machine: (m1.busy - m0.busy) / wallS, wallS };
  ctx.log(`predicate: ${wallS.toFixed(0)} s; cores busy: this process ${cpu.bench.toFixed(2)}, machine ${cpu.machine.toFixed(2)}`);
  return { events: messages.length, bytes, runs: cfg.predicateRuns, cpu, cases };
}
