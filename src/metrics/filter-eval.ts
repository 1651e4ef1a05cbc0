/**
 * Evaluating a log group's metric filters over runs of events: pure, with no store and no I/O, so that
 * it runs in the filter worker thread (filter-worker.ts) or, in tests and as a fallback, in the main
 * thread. The result is what the metric store must record, aggregated: one row per filter, second,
 * value and dimension values, with a count.
 *
 * Cost per event: filters with the same pattern text form one pattern group, tested (and its fields
 * extracted) once per event for all of its filters. Before any pattern runs, the event's trigrams are
 * marked in a scratch table and each pattern's requirement (the text every match must contain, the
 * formula that prunes stored blocks, prune.ts, a necessary condition of a match) is checked with a few
 * bit tests: most patterns reject most events without running. JSON patterns skip that check: they are
 * tested on the event's object, and events are the outer loop, so a JSON event is parsed once (and a
 * space-delimited one split once) for all the patterns (one-entry memo in query/filter-pattern/predicate.ts).
 *
 * defaultValue: AWS reports it "during a period when logs are ingested but no matching logs are found".
 * Here the period is the second: for each second of event time in a run (an ingested batch) that had
 * events but no match, the default value is recorded once.
 */
import type { MetricFilterRecord } from '../store/catalog.js';
import { parseFilterPattern } from '../query/filter-pattern/parse.js';
import { compilePredicate, parseObject } from '../query/filter-pattern/predicate.js';
import { compileExtractor, type ExtractedValues } from '../query/filter-pattern/extract.js';
import { bitmapRequirement, type BitmapRequirement } from '../query/filter-pattern/prune.js';
import { markText, newTrigramMarks } from '../store/trigram.js';

/** What the main thread needs of a filter to record its rows (the worker never sees series). */
export interface FilterOutput {
  name: string;
  namespace: string;
  metricName: string;
  unit: string;
  /** Dimension names, in the order of EvalResult.dims values. */
  dimensionNames: string[];
}

interface CompiledFilter extends FilterOutput {
  /** The pattern's text: filters with the same text share one evaluation per event. */
  pattern: string;
  /** A fixed value, or the selector (`$.latency`, `$size`) to read it from. */
  value: number | string;
  defaultValue: number | undefined;
  dimensionSelectors: string[];
  match: ((m: string) => boolean) | undefined;
  extract: ((m: string) => ExtractedValues | null) | undefined;
  requirement: Requirement | null;
}

/** Whether an event whose trigrams carry `mark` (markText) may match. */
type Requirement = (marks: Int32Array, mark: number) => boolean;

/**
 * Filters of one log group that have the same pattern: it is tested (and its fields extracted) once per
 * event for all of them. Real sets repeat patterns (a count and a latency of the same events, the same
 * errors by two dimensions); CloudWatch allows 100 filters per group.
 */
interface PatternGroup {
  requirement: Requirement | null;
  /** When no filter of the group needs values: the plain predicate. */
  match: ((m: string) => boolean) | undefined;
  /** When one does: the extractor (a non-null result is a match). */
  extract: ((m: string) => ExtractedValues | null) | undefined;
  /** Indexes into the filter list. */
  members: number[];
}

/** Events of one batch, in sequence order. */
export interface EventRun {
  timestamps: ArrayLike<number>;
  messages: readonly string[];
}

/**
 * What to record, as parallel arrays (cheap to post between threads): row r adds `count[r]` values
 * `value[r]` at `second[r]` to filter `filter[r]`'s metric, under dimension values `dims[r]` (null for
 * a filter without dimensions).
 */
export interface EvalResult {
  filter: number[];
  second: number[];
  value: number[];
  count: number[];
  dims: Array<string[] | null>;
  /** Events that matched a filter (once per filter). */
  matched: number;
  /** Of those, events without a numeric value or a usable dimension value (nothing recorded). */
  skipped: number;
}

export class FilterSet {
  readonly outputs: readonly FilterOutput[];
  private readonly filters: CompiledFilter[];
  private readonly patterns: PatternGroup[];
  private readonly prefilter: boolean;
  /** The trigrams of the event being evaluated are the slots holding `mark` (no clearing between events). */
  private readonly marks = newTrigramMarks();
  private mark = 0;

  /** Compiles the filters; `onError` hears of a stored filter that no longer compiles (it is skipped). */
  constructor(records: Iterable<MetricFilterRecord>, onError: (name: string, e: unknown) => void = () => {}) {
    const filters: CompiledFilter[] = [];
    for (const r of records) {
      try {
        filters.push(compile(r));
      } catch (e) {
        onError(r.name, e);
      }
    }
    const byPattern = new Map<string, PatternGroup>();
    for (const [i, f] of filters.entries()) {
      let g = byPattern.get(f.pattern);
      if (g === undefined) byPattern.set(f.pattern, (g = { requirement: f.requirement, match: f.match, extract: f.extract, members: [] }));
      else if (g.extract === undefined && f.extract !== undefined) {
        g.extract = f.extract;
        g.match = undefined;
      }
      g.members.push(i);
    }
    this.filters = filters;
    this.outputs = filters.map(({ name, namespace, metricName, unit, dimensionNames }) => ({ name, namespace, metricName, unit, dimensionNames }));
    this.patterns = [...byPattern.values()];
    this.prefilter = this.patterns.some((p) => p.requirement !== null);
  }

  get size(): number {
    return this.filters.length;
  }

  /** Evaluates runs of events (each an ingested batch, for defaultValue) in order. */
  evaluate(runs: readonly EventRun[]): EvalResult {
    const out = new ResultBuilder(this.filters.length);
    for (const run of runs) this.evaluateRun(run, out);
    return out.result;
  }

  private evaluateRun(run: EventRun, out: ResultBuilder): void {
    const { filters, patterns, prefilter } = this;
    const { timestamps, messages } = run;
    const nf = filters.length;
    const matchedSecond = new Array<boolean>(nf).fill(true);
    const marks = this.marks;
    let lastSecond = NaN;
    for (let k = 0; k < timestamps.length; k++) {
      const second = Math.floor(timestamps[k]! / 1000);
      if (second !== lastSecond) {
        if (k > 0) this.defaults(matchedSecond, lastSecond, out);
        lastSecond = second;
        matchedSecond.fill(false);
      }
      const m = messages[k]!;
      let mark = 0;
      if (prefilter) {
        mark = this.mark = this.mark === 0x7fffffff ? 1 : this.mark + 1;
        if (mark === 1) marks.fill(0);
        markText(marks, m, mark);
      }
      for (let p = 0; p < patterns.length; p++) {
        const pg = patterns[p]!;
        if (pg.requirement !== null && !pg.requirement(marks, mark)) continue;
        let got: ExtractedValues | null = null;
        if (pg.extract === undefined) {
          if (!pg.match!(m)) continue;
        } else {
          got = pg.extract(m);
          if (got === null) continue;
        }
        const members = pg.members;
        for (let j = 0; j < members.length; j++) {
          const i = members[j]!;
          const f = filters[i]!;
          matchedSecond[i] = true;
          out.matched++;
          if (got === null || (typeof f.value === 'number' && f.dimensionSelectors.length === 0)) {
            out.add(i, second, f.value as number, null);
            continue;
          }
          const value = typeof f.value === 'number' ? f.value : toNumber(lookup(got, f.value, m));
          const dims = f.dimensionSelectors.length === 0 ? null : dimensionValues(f, got, m);
          // AWS publishes nothing for an event whose value is not a number or whose dimensions are missing.
          if (value === undefined || dims === undefined) {
            out.skipped++;
            continue;
          }
          out.add(i, second, value, dims);
        }
      }
    }
    if (timestamps.length > 0) this.defaults(matchedSecond, lastSecond, out);
  }

  /** defaultValue, once, for each filter that had no match in the second that just ended. */
  private defaults(matched: readonly boolean[], second: number, out: ResultBuilder): void {
    const filters = this.filters;
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i]!;
      if (!matched[i] && f.defaultValue !== undefined && f.dimensionSelectors.length === 0) out.add(i, second, f.defaultValue, null);
    }
  }
}

/**
 * Collects rows, merging a value that repeats in the same second (a count filter gives one row per
 * second, not one per event). Most events of a run share their second with the previous one, so each
 * filter remembers its last row and the map is the slow path.
 */
class ResultBuilder {
  readonly result: EvalResult = { filter: [], second: [], value: [], count: [], dims: [], matched: 0, skipped: 0 };
  private readonly last: Int32Array;
  private readonly rows = new Map<string, number>();

  constructor(filters: number) {
    this.last = new Int32Array(filters).fill(-1);
  }

  set matched(n: number) {
    this.result.matched = n;
  }
  get matched(): number {
    return this.result.matched;
  }
  set skipped(n: number) {
    this.result.skipped = n;
  }
  get skipped(): number {
    return this.result.skipped;
  }

  add(filter: number, second: number, value: number, dims: string[] | null): void {
    const r = this.result;
    const l = this.last[filter]!;
    if (l >= 0 && r.second[l] === second && Object.is(r.value[l], value) && sameDims(r.dims[l]!, dims)) {
      r.count[l]!++;
      return;
    }
    const key = `${filter}\u0000${second}\u0000${value}\u0000${dims === null ? '' : dims.join('\u0000')}`;
    let row = this.rows.get(key);
    if (row === undefined) {
      row = r.filter.length;
      this.rows.set(key, row);
      r.filter.push(filter);
      r.second.push(second);
      r.value.push(value);
      r.count.push(0);
      r.dims.push(dims);
    }
    r.count[row]!++;
    this.last[filter] = row;
  }
}

function sameDims(a: string[] | null, b: string[] | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function compile(f: MetricFilterRecord): CompiledFilter {
  const t = f.transformations[0]!;
  const pattern = parseFilterPattern(f.pattern);
  const dimensions = Object.entries(t.dimensions ?? {});
  const fixed = Number(t.metricValue);
  const value = t.metricValue.startsWith('$') ? t.metricValue : fixed;
  const needsValues = typeof value === 'string' || dimensions.length > 0;
  return {
    name: f.name,
    pattern: f.pattern,
    namespace: t.metricNamespace,
    metricName: t.metricName,
    unit: t.unit ?? 'None',
    value,
    defaultValue: t.defaultValue,
    dimensionNames: dimensions.map(([n]) => n),
    dimensionSelectors: dimensions.map(([, s]) => s),
    match: needsValues ? undefined : compilePredicate(pattern),
    extract: needsValues ? compileExtractor(pattern) : undefined,
    // JSON patterns are tested on the event's object, parsed once for all of them: as cheap as their
    // requirement (their keys and values), which would rarely spare the parse anyway.
    requirement: pattern.kind === 'json' ? null : compileRequirement(bitmapRequirement(pattern)),
  };
}

/** The event's dimension values, or undefined when one is missing, empty or longer than 255 characters. */
function dimensionValues(f: CompiledFilter, got: ExtractedValues, m: string): string[] | undefined {
  const values: string[] = [];
  for (const sel of f.dimensionSelectors) {
    const v = lookup(got, sel, m);
    if (v === undefined || v === '' || v.length > 255) return undefined;
    values.push(v);
  }
  return values;
}

/**
 * A selector's value: what the pattern extracted under that name, else (JSON events) the field the
 * selector names, so `$.latency` works as the value of `{ $.status = 500 }` too.
 */
function lookup(got: ExtractedValues, selector: string, message: string): string | undefined {
  const v = got[selector];
  if (v !== undefined) return String(v);
  if (!selector.startsWith('$.')) return undefined;
  let cur: unknown = parseObject(message);
  for (const part of selector.slice(2).split('.')) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'number' || typeof cur === 'string' ? String(cur) : undefined;
}

/** bitmapMayMatch over an event's trigram marks, compiled into closures once: it runs for every event. */
function compileRequirement(req: BitmapRequirement | null): Requirement | null {
  if (req === null) return null;
  const c = (r: BitmapRequirement): Requirement => {
    if (r.kind === 'bits') {
      const slots = Int32Array.from(r.bits);
      return (marks, mark) => {
        for (let i = 0; i < slots.length; i++) if (marks[slots[i]!] !== mark) return false;
        return true;
      };
    }
    const of = r.of.map(c);
    if (r.kind === 'all') {
      return (marks, mark) => {
        for (let i = 0; i < of.length; i++) if (!of[i]!(marks, mark)) return false;
        return true;
      };
    }
    return (marks, mark) => {
      for (let i = 0; i < of.length; i++) if (of[i]!(marks, mark)) return true;
      return false;
    };
  };
  return c(req);
}

function toNumber(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
