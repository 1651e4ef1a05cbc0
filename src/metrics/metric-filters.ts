/**
 * Metric filters on the ingest path: every durable batch of a log group goes through the group's
 * filters (LogStore.onBatch), and each matching event adds its value to the filter's metric at the
 * event's second. Events stored before a filter existed are never counted, as in AWS.
 *
 * Cost per event and filter: one compiled predicate (or extractor, when the value or a dimension comes
 * from the event) and, on a match, one in-memory aggregate update (MetricStore.record); patterns are
 * compiled when a filter is put or at start-up, never per event.
 *
 * defaultValue: AWS reports it "during a period when logs are ingested but no matching logs are found".
 * Here the period is the second: for each second of event time in a batch that had events but no match,
 * the default value is recorded once.
 */
import type { Logger } from 'pino';
import type { LogGroup, MetricFilterRecord } from '../store/catalog.js';
import type { HotBatch } from '../store/hot.js';
import { parseFilterPattern } from '../query/filter-pattern/parse.js';
import { compilePredicate, parseObject } from '../query/filter-pattern/predicate.js';
import { compileExtractor, type ExtractedValues } from '../query/filter-pattern/extract.js';
import { bitmapRequirement, type BitmapRequirement } from '../query/filter-pattern/prune.js';
import { addText, clearText, newBitmap } from '../store/trigram.js';
import { canonicalDimensions, type MetricStore, type Series } from './metric-store.js';

interface CompiledFilter {
  /** The filter's log group: its data key seals the dimension values taken from its events. */
  groupId: number;
  name: string;
  /** The pattern's text: filters with the same text share one evaluation per event. */
  pattern: string;
  namespace: string;
  metricName: string;
  unit: string;
  /** A fixed value, or the selector (`$.latency`, `$size`) to read it from. */
  value: number | string;
  defaultValue: number | undefined;
  dimensions: Array<[string, string]>;
  match: ((m: string) => boolean) | undefined;
  extract: ((m: string) => ExtractedValues | null) | undefined;
  /**
   * Text every matching event contains, as trigram bits (the requirement that prunes stored blocks,
   * prune.ts, a necessary condition of a match): checked against the event's own trigrams first, so
   * most filters reject most events with a few bit tests instead of a parse. null: no such text.
   */
  requirement: ((bits: Uint8Array) => boolean) | null;
  /** Series of a filter with dimensions, by their values joined (one lookup per event, no sorting). */
  seriesByValues: Map<string, Series>;
}

/**
 * Filters of one log group that have the same pattern: it is tested (and its fields extracted) once per
 * event for all of them. Real sets repeat patterns (a count and a latency of the same events, the same
 * errors by two dimensions); CloudWatch allows 100 filters per group.
 */
interface PatternGroup {
  requirement: ((bits: Uint8Array) => boolean) | null;
  /** When no filter of the group needs values: the plain predicate. */
  match: ((m: string) => boolean) | undefined;
  /** When one does: the extractor (a non-null result is a match). */
  extract: ((m: string) => ExtractedValues | null) | undefined;
  /** Indexes into the group's filter list. */
  members: number[];
}

interface GroupFilters {
  filters: CompiledFilter[];
  patterns: PatternGroup[];
  prefilter: boolean;
}

/** Matched events of the batch that yielded no usable value or dimension (for the health metrics). */
export interface FilterStats {
  eventsMatched: number;
  eventsSkipped: number;
}

export class MetricFilterEngine {
  private readonly byGroup = new Map<number, GroupFilters>();
  /** One event's trigrams at a time (apply is synchronous). */
  private readonly scratch = newBitmap();
  readonly stats: FilterStats = { eventsMatched: 0, eventsSkipped: 0 };

  constructor(
    private readonly metrics: MetricStore,
    private readonly logger: Logger,
  ) {}

  /** (Re)compiles a group's filters; call after any change to them. */
  load(groupId: number, filters: Iterable<MetricFilterRecord>): void {
    const compiled: CompiledFilter[] = [];
    for (const f of filters) {
      try {
        compiled.push(compile(f));
      } catch (e) {
        // Put validated it; a pattern that no longer parses (a newer parser) is reported, not fatal.
        this.logger.error({ err: e, filter: f.name }, 'a stored metric filter does not compile; it is skipped');
      }
    }
    if (compiled.length === 0) {
      this.byGroup.delete(groupId);
      return;
    }
    const byPattern = new Map<string, PatternGroup>();
    for (const [i, f] of compiled.entries()) {
      let g = byPattern.get(f.pattern);
      if (g === undefined) byPattern.set(f.pattern, (g = { requirement: f.requirement, match: f.match, extract: f.extract, members: [] }));
      else if (g.extract === undefined && f.extract !== undefined) {
        g.extract = f.extract;
        g.match = undefined;
      }
      g.members.push(i);
    }
    const patterns = [...byPattern.values()];
    this.byGroup.set(groupId, { filters: compiled, patterns, prefilter: patterns.some((p) => p.requirement !== null) });
  }

  drop(groupId: number): void {
    this.byGroup.delete(groupId);
  }

  /**
   * The BatchListener: applies the group's filters to a durable batch. Events are the outer loop so that
   * all filters see one event in a row: the filter-pattern module parses (JSON) or splits (space-delimited)
   * an event once for all of them.
   */
  apply(group: LogGroup, batch: Readonly<HotBatch>): void {
    const g = this.byGroup.get(group.id);
    if (g === undefined) return;
    const { filters, patterns, prefilter } = g;
    const { timestamps, messages } = batch;
    const nf = filters.length;
    // A filter without dimensions has one series: looked up once per batch.
    const fixed = filters.map((f) => (f.dimensions.length === 0 ? this.metrics.seriesFor(f.namespace, f.metricName, []) : undefined));
    const matchedSecond = new Array<boolean>(nf).fill(true);
    const bits = this.scratch;
    let lastSecond = NaN;
    for (let k = 0; k < timestamps.length; k++) {
      const second = Math.floor(timestamps[k]! / 1000);
      if (second !== lastSecond) {
        if (k > 0) this.defaults(filters, fixed, matchedSecond, lastSecond);
        lastSecond = second;
        matchedSecond.fill(false);
      }
      const m = messages[k]!;
      if (prefilter) addText(bits, m);
      for (let p = 0; p < patterns.length; p++) {
        const pg = patterns[p]!;
        if (pg.requirement !== null && !pg.requirement(bits)) continue;
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
          this.stats.eventsMatched++;
          if (got === null || (typeof f.value === 'number' && f.dimensions.length === 0)) {
            this.metrics.record(fixed[i]!, second, f.unit, f.value as number);
            continue;
          }
          const value = typeof f.value === 'number' ? f.value : toNumber(lookup(got, f.value, m));
          let series: Series | undefined = fixed[i];
          if (series === undefined) series = this.dimensioned(f, got, m);
          // AWS publishes nothing for an event whose value is not a number or whose dimensions are missing.
          if (value === undefined || series === undefined) {
            this.stats.eventsSkipped++;
            continue;
          }
          this.metrics.record(series, second, f.unit, value);
        }
      }
      if (prefilter) clearText(bits, m);
    }
    if (timestamps.length > 0) this.defaults(filters, fixed, matchedSecond, lastSecond);
  }

  /** The series of the event's dimension values, or undefined when one is missing, empty or too long. */
  private dimensioned(f: CompiledFilter, got: ExtractedValues, m: string): Series | undefined {
    const values: string[] = [];
    for (const [, sel] of f.dimensions) {
      const v = lookup(got, sel, m);
      if (v === undefined || v === '' || v.length > 255) return undefined;
      values.push(v);
    }
    const key = values.join('\u0000');
    let s = f.seriesByValues.get(key);
    // A series dropped by retention is looked up again (seriesFor recreates it).
    if (s === undefined || this.metrics.byIdGet(s.id) !== s) {
      s = this.metrics.seriesFor(f.namespace, f.metricName, canonicalDimensions(f.dimensions.map(([name], k) => [name, values[k]!] as [string, string])), f.groupId);
      if (f.seriesByValues.size >= 10_000) f.seriesByValues.clear(); // bounded: high-cardinality dimensions
      f.seriesByValues.set(key, s);
    }
    return s;
  }

  /** defaultValue, once, for each filter that had no match in the second that just ended. */
  private defaults(filters: readonly CompiledFilter[], fixed: ReadonlyArray<Series | undefined>, matched: readonly boolean[], second: number): void {
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i]!;
      if (!matched[i] && f.defaultValue !== undefined && fixed[i] !== undefined) this.metrics.record(fixed[i]!, second, f.unit, f.defaultValue);
    }
  }
}

function compile(f: MetricFilterRecord): CompiledFilter {
  const t = f.transformations[0]!;
  const pattern = parseFilterPattern(f.pattern);
  const dimensions = Object.entries(t.dimensions ?? {});
  const fixed = Number(t.metricValue);
  const value = t.metricValue.startsWith('$') ? t.metricValue : fixed;
  const needsValues = typeof value === 'string' || dimensions.length > 0;
  return {
    groupId: f.groupId,
    name: f.name,
    pattern: f.pattern,
    namespace: t.metricNamespace,
    metricName: t.metricName,
    unit: t.unit ?? 'None',
    value,
    defaultValue: t.defaultValue,
    dimensions,
    match: needsValues ? undefined : compilePredicate(pattern),
    extract: needsValues ? compileExtractor(pattern) : undefined,
    requirement: compileRequirement(bitmapRequirement(pattern)),
    seriesByValues: new Map(),
  };
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

/** bitmapMayMatch, compiled into closures once: it runs for every event and filter. */
function compileRequirement(req: BitmapRequirement | null): ((bits: Uint8Array) => boolean) | null {
  if (req === null) return null;
  const c = (r: BitmapRequirement): ((bits: Uint8Array) => boolean) => {
    if (r.kind === 'bits') {
      const bytes = Int32Array.from(r.bits, (x) => x >>> 3);
      const masks = Int32Array.from(r.bits, (x) => 1 << (x & 7));
      return (bits) => {
        for (let i = 0; i < bytes.length; i++) if ((bits[bytes[i]!]! & masks[i]!) === 0) return false;
        return true;
      };
    }
    const of = r.of.map(c);
    return r.kind === 'all' ? (bits) => of.every((f) => f(bits)) : (bits) => of.some((f) => f(bits));
  };
  return c(req);
}

function toNumber(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
