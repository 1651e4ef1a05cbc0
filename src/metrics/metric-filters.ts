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
import { canonicalDimensions, type MetricStore, type Series } from './metric-store.js';

interface CompiledFilter {
  name: string;
  namespace: string;
  metricName: string;
  unit: string;
  /** A fixed value, or the selector (`$.latency`, `$size`) to read it from. */
  value: number | string;
  defaultValue: number | undefined;
  dimensions: Array<[string, string]>;
  match: ((m: string) => boolean) | undefined;
  extract: ((m: string) => ExtractedValues | null) | undefined;
}

/** Matched events of the batch that yielded no usable value or dimension (for the health metrics). */
export interface FilterStats {
  eventsMatched: number;
  eventsSkipped: number;
}

export class MetricFilterEngine {
  private readonly byGroup = new Map<number, CompiledFilter[]>();
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
    if (compiled.length === 0) this.byGroup.delete(groupId);
    else this.byGroup.set(groupId, compiled);
  }

  drop(groupId: number): void {
    this.byGroup.delete(groupId);
  }

  /** The BatchListener: applies the group's filters to a durable batch. */
  apply(group: LogGroup, batch: Readonly<HotBatch>): void {
    const filters = this.byGroup.get(group.id);
    if (filters === undefined) return;
    const { timestamps, messages } = batch;
    for (const f of filters) {
      // A filter without dimensions has one series: looked up once per batch.
      const fixed = f.dimensions.length === 0 ? this.metrics.seriesFor(f.namespace, f.metricName, []) : undefined;
      let lastSecond = NaN;
      let secondMatched = true;
      for (let k = 0; k < timestamps.length; k++) {
        const second = Math.floor(timestamps[k]! / 1000);
        if (second !== lastSecond) {
          if (!secondMatched && f.defaultValue !== undefined && fixed) this.metrics.record(fixed, lastSecond, f.unit, f.defaultValue);
          lastSecond = second;
          secondMatched = false;
        }
        const m = messages[k]!;
        if (f.extract === undefined) {
          if (!f.match!(m)) continue;
          secondMatched = true;
          this.stats.eventsMatched++;
          this.metrics.record(fixed!, second, f.unit, f.value as number);
          continue;
        }
        const got = f.extract(m);
        if (got === null) continue;
        secondMatched = true;
        this.stats.eventsMatched++;
        const value = typeof f.value === 'number' ? f.value : toNumber(lookup(got, f.value, m));
        let series: Series | undefined = fixed;
        if (series === undefined) {
          const dims: Array<[string, string]> = [];
          for (const [name, sel] of f.dimensions) {
            const v = lookup(got, sel, m);
            if (v === undefined || v === '' || v.length > 255) break;
            dims.push([name, v]);
          }
          if (dims.length === f.dimensions.length) series = this.metrics.seriesFor(f.namespace, f.metricName, canonicalDimensions(dims));
        }
        // AWS publishes nothing for an event whose value is not a number or whose dimensions are missing.
        if (value === undefined || series === undefined) {
          this.stats.eventsSkipped++;
          continue;
        }
        this.metrics.record(series, second, f.unit, value);
      }
      if (!secondMatched && f.defaultValue !== undefined && fixed) this.metrics.record(fixed, lastSecond, f.unit, f.defaultValue);
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
    name: f.name,
    namespace: t.metricNamespace,
    metricName: t.metricName,
    unit: t.unit ?? 'None',
    value,
    defaultValue: t.defaultValue,
    dimensions,
    match: needsValues ? undefined : compilePredicate(pattern),
    extract: needsValues ? compileExtractor(pattern) : undefined,
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

function toNumber(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
