/**
 * The `pattern` and `diff` commands as pure stages over values: the engine hands over the values of
 * the field given to `pattern` (with the events' timestamps when it has them) and gets back the rows
 * GetQueryResults shows, one per pattern.
 *
 * Fields of a `pattern` row (AWS documents the first four on the `pattern` command page; the others
 * are the fields GetQueryResults returns alongside them, as clients of the real service read them):
 * - `@pattern`: the template, dynamic tokens as `<Name-n>` (or `<*>` with tokenStyle 'wildcard').
 * - `@ratio`: "The ratio of log events ... that match an identified pattern" (count / non-null values).
 * - `@sampleCount`: "A count of the number of log events ... that match an identified pattern".
 * - `@severityLabel`: "The log severity or level" (severity.ts).
 * - `@PatternId`: stable id of the template (template.ts).
 * - `@regexString`: a regular expression that the events of the pattern match.
 * - `@tokens`: JSON array of PatternToken structures (static runs and dynamic tokens with their values).
 * - `@logSamples`: JSON array of up to `samplesPerPattern` events (`{timestamp, message}`, the API's
 *   LogEvent), the first ones in input order.
 * - `@visualization`: JSON `{"timeWindowCountMapping": {"<window start ms>": count, ...}}` over the
 *   period, at most 60 windows; null without timestamps.
 * - `@relatedPattern`: JSON array of the `@PatternId`s of patterns whose occurrences over time are
 *   most alike ("patterns that frequently occurred near the same time"); null without timestamps.
 *
 * Rows come most frequent first, then in order of first appearance. AWS does not document a default
 * order; its examples sort explicitly (`| sort @sampleCount asc`).
 *
 * `diff`: "Comparison queries return only patterns in the results, not raw log events", so a `diff`
 * query is pattern analysis over two periods (the query's own pattern field, else `@message`).
 * patternDiffStage mines both periods with one miner so that a pattern has the same template, and
 * the same `@PatternId`, in both; diffStage joins two pattern results by `@PatternId`.
 */
import { Cluster, Drain, type DrainOptions, type Slot } from './drain.js';
import { severityLabel } from './severity.js';
import { clusterKey, patternId, renderPattern, templateRegex, tokensJson, type TokenStyle } from './template.js';
import { TopValues } from './top-values.js';

/** A result row: field name → value as GetQueryResults shows it (numbers are formatted by the API layer). */
export type Row = Record<string, string | number | null>;

export interface PatternOptions extends DrainOptions {
  tokenStyle?: TokenStyle;
  /** Events kept per pattern for `@logSamples`. Default 5. */
  samplesPerPattern?: number;
  /** Called for each value mined, with the cluster it joined (anomaly.ts follows token values this way). */
  observe?: (cluster: Cluster, value: string, timestamp: number | null, group: number) => void;
}

/** The values of one period, with their events' timestamps (epoch ms) when known, and the period's range. */
export interface PeriodInput {
  values: ReadonlyArray<string | null>;
  timestamps?: ReadonlyArray<number | null>;
  startMs?: number;
  endMs?: number;
}

/** A sample message is cut here, so that memory stays bounded however large events are. */
const MAX_SAMPLE_CHARS = 4096;
const MAX_WINDOWS = 60;
const RELATED_CANDIDATES = 100;
const RELATED_MAX = 3;
const RELATED_MIN_COSINE = 0.8;

/** `values | pattern`: one row per pattern. */
export function patternStage(values: ReadonlyArray<string | null>, opts: PatternOptions & Omit<PeriodInput, 'values'> = {}): Row[] {
  const input: PeriodInput = { values };
  if (opts.timestamps !== undefined) input.timestamps = opts.timestamps;
  if (opts.startMs !== undefined) input.startMs = opts.startMs;
  if (opts.endMs !== undefined) input.endMs = opts.endMs;
  return minePeriods([input], opts)[0] as Row[];
}

/** `pattern` then `diff` over two periods, mined together (previous first, as time runs). */
export function patternDiffStage(current: PeriodInput, previous: PeriodInput, opts: PatternOptions = {}): Row[] {
  const [cur, prev] = minePeriods([current, previous], opts) as [Row[], Row[]];
  return diffStage(cur, prev);
}

export class DiffInputError extends Error {
  override readonly name = 'DiffInputError';
}

/**
 * Joins the pattern rows of the current period with those of the comparison period, by `@PatternId`
 * (by `@pattern` for rows without one). Each row keeps the current period's fields and adds (our
 * names for the columns the console shows, which AWS does not name in GetQueryResults):
 * - `@previousSampleCount`: events of the pattern in the comparison period;
 * - `@diffEventCount`: "Difference event count ... the difference between the number of matching log
 *   events in the current time period versus the comparison time period. A positive different means
 *   there are more such events in the current time period";
 * - `@diffDescription`: "briefly summarizes the change in that pattern".
 * Patterns seen only in the comparison period are kept with `@sampleCount` 0. Rows come by the size
 * of the change, largest first (ties keep the current period's order, then the previous one's).
 */
export function diffStage(current: readonly Row[], previous: readonly Row[]): Row[] {
  const prev = new Map<string, { row: Row; count: number; seen: boolean }>();
  for (const row of previous) {
    const k = diffKey(row);
    const e = prev.get(k);
    if (e) e.count += countOf(row);
    else prev.set(k, { row, count: countOf(row), seen: false });
  }
  const out: Row[] = [];
  for (const row of current) {
    const e = prev.get(diffKey(row));
    const before = e ? e.count : 0;
    if (e) e.seen = true;
    out.push(withDiff(row, countOf(row), before));
  }
  for (const e of prev.values()) {
    if (e.seen) continue;
    out.push(withDiff({ ...e.row, '@ratio': 0, '@sampleCount': 0, '@visualization': null, '@relatedPattern': null }, 0, e.count));
  }
  const change = (r: Row): number => Math.abs(r['@diffEventCount'] as number);
  return out.sort((a, b) => change(b) - change(a));
}

function diffKey(row: Row): string {
  const id = row['@PatternId'];
  if (typeof id === 'string' && id !== '') return `id:${id}`;
  const p = row['@pattern'];
  if (typeof p !== 'string') throw new DiffInputError('diff compares pattern results: a row has no @pattern');
  return `pattern:${p}`;
}

function countOf(row: Row): number {
  const n = Number(row['@sampleCount']);
  if (!Number.isFinite(n)) throw new DiffInputError(`diff compares pattern results: @sampleCount is ${String(row['@sampleCount'])}`);
  return n;
}

function withDiff(row: Row, now: number, before: number): Row {
  return { ...row, '@previousSampleCount': before, '@diffEventCount': now - before, '@diffDescription': describeChange(now, before) };
}

export function describeChange(now: number, before: number): string {
  if (before === 0) return now === 0 ? 'No events' : 'New pattern';
  if (now === 0) return 'No longer seen';
  if (now === before) return 'No change';
  const pct = Math.round((Math.abs(now - before) / before) * 100);
  return `${now > before ? 'Increased' : 'Decreased'} by ${pct}%`;
}

// ---------------------------------------------------------------------------------------------
// Mining

interface Sample {
  index: number;
  timestamp: number | null;
  message: string;
}

/** What the stage keeps per cluster and period besides the miner's counts. */
interface Extras {
  samples: Sample[][];
  windows: Array<Map<number, number>>;
}

export interface Windows {
  width: number;
  /** Index (start / width) of the first and last window. */
  first: number;
  last: number;
}

/** Mines `periods` (newest first) with one miner; returns each period's rows. */
function minePeriods(periods: readonly PeriodInput[], opts: PatternOptions): Row[][] {
  const groups = periods.length;
  const drain = new Drain({ ...opts, groups });
  const samplesPer = opts.samplesPerPattern ?? 5;
  const windows = periods.map(windowsOf);
  const totals = new Array<number>(groups).fill(0);
  const extras = new Map<Cluster, Extras>();

  for (let g = groups - 1; g >= 0; g--) {
    const p = periods[g] as PeriodInput;
    const w = windows[g] ?? null;
    p.values.forEach((v, index) => {
      if (v === null || v === undefined) return;
      totals[g] = (totals[g] as number) + 1;
      const c = drain.add(v, g);
      opts.observe?.(c, v, p.timestamps?.[index] ?? null, g);
      let x = extras.get(c);
      if (!x) {
        x = { samples: Array.from({ length: groups }, () => []), windows: Array.from({ length: groups }, () => new Map()) };
        extras.set(c, x);
      }
      const ts = p.timestamps?.[index] ?? null;
      const samples = x.samples[g] as Sample[];
      if (samples.length < samplesPer) samples.push({ index, timestamp: ts, message: v.length > MAX_SAMPLE_CHARS ? v.slice(0, MAX_SAMPLE_CHARS) : v });
      if (w && ts !== null) {
        const k = Math.floor(ts / w.width);
        const m = x.windows[g] as Map<number, number>;
        m.set(k, (m.get(k) ?? 0) + 1);
      }
    });
  }

  const merged = mergeEqualTemplates(drain, extras, samplesPer);
  const style = opts.tokenStyle ?? 'named';
  return periods.map((_, g) => {
    const present = merged.filter((m) => (m.cluster.counts[g] as number) > 0);
    present.sort((a, b) => (b.cluster.counts[g] as number) - (a.cluster.counts[g] as number) || a.cluster.id - b.cluster.id);
    const w = windows[g] ?? null;
    const rows = present.map((m): Row => {
      const c = m.cluster;
      return {
        '@pattern': renderPattern(c, style),
        '@ratio': (c.counts[g] as number) / (totals[g] as number),
        '@sampleCount': c.counts[g] as number,
        '@severityLabel': c.overflow ? 'NONE' : severityLabel(c.template),
        '@PatternId': patternId(c),
        '@regexString': templateRegex(c),
        '@tokens': tokensJson(c, g),
        '@logSamples': samplesJson(m.extras.samples[g] as Sample[]),
        '@visualization': w ? visualizationJson(m.extras.windows[g] as Map<number, number>, w) : null,
        '@relatedPattern': null,
      };
    });
    if (w) addRelated(rows, present.map((m) => m.extras.windows[g] as Map<number, number>));
    return rows;
  });
}

/**
 * Clusters whose templates have become identical (Drain can generalize two clusters of one leaf to
 * the same template) are one pattern: their counts, token values, samples and windows are combined.
 */
function mergeEqualTemplates(drain: Drain, extras: Map<Cluster, Extras>, samplesPer: number): Array<{ cluster: Cluster; extras: Extras }> {
  const byKey = new Map<string, Array<{ cluster: Cluster; extras: Extras }>>();
  for (const c of drain.clusters()) {
    const x = extras.get(c);
    if (!x) continue;
    const k = clusterKey(c);
    const list = byKey.get(k);
    if (list) list.push({ cluster: c, extras: x });
    else byKey.set(k, [{ cluster: c, extras: x }]);
  }
  const out: Array<{ cluster: Cluster; extras: Extras }> = [];
  for (const list of byKey.values()) {
    const head = list[0] as { cluster: Cluster; extras: Extras };
    if (list.length === 1) {
      out.push(head);
      continue;
    }
    const groups = drain.groups;
    const c = new Cluster(head.cluster.id, head.cluster.template.map((t) => ({ ...t })), groups, head.cluster.overflow);
    const x: Extras = { samples: Array.from({ length: groups }, () => []), windows: Array.from({ length: groups }, () => new Map()) };
    for (const { cluster: part, extras: px } of list) {
      for (let g = 0; g < groups; g++) {
        c.counts[g] = (c.counts[g] as number) + (part.counts[g] as number);
        (x.samples[g] as Sample[]).push(...(px.samples[g] as Sample[]));
        const m = x.windows[g] as Map<number, number>;
        for (const [k, n] of px.windows[g] as Map<number, number>) m.set(k, (m.get(k) ?? 0) + n);
      }
      part.slots.forEach((s, i) => {
        if (!s) return;
        const into: Slot | null = c.slots[i] ?? null;
        if (!into) {
          c.slots[i] = { name: s.name, values: s.values.map((v) => copyOf(v)) };
          c.params++;
          return;
        }
        if (into.name !== s.name) into.name = 'Token';
        into.values.forEach((v, g) => v.merge(s.values[g] as TopValues));
      });
    }
    for (const s of x.samples) {
      s.sort((a, b) => a.index - b.index);
      s.splice(samplesPer);
    }
    out.push({ cluster: c, extras: x });
  }
  return out;
}

function copyOf(v: TopValues): TopValues {
  const t = new TopValues(v.capacity);
  t.merge(v);
  return t;
}

function samplesJson(samples: readonly Sample[]): string {
  return JSON.stringify(samples.map((s) => (s.timestamp === null ? { message: s.message } : { timestamp: s.timestamp, message: s.message })));
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WIDTHS = [SECOND, 5 * SECOND, 10 * SECOND, 30 * SECOND, MINUTE, 5 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 7 * DAY];

/** The histogram windows of a period: its range (given, widened to the timestamps seen), at most 60 windows. */
export function windowsOf(p: PeriodInput): Windows | null {
  if (!p.timestamps) return null;
  let lo = p.startMs ?? Infinity;
  let hi = p.endMs ?? -Infinity;
  p.timestamps.forEach((t, i) => {
    if (t === null || t === undefined || p.values[i] === null || p.values[i] === undefined) return;
    if (t < lo) lo = t;
    if (t > hi) hi = t;
  });
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return null;
  for (const width of WIDTHS) {
    const first = Math.floor(lo / width);
    const last = Math.floor(hi / width);
    if (last - first + 1 <= MAX_WINDOWS) return { width, first, last };
  }
  const width = Math.ceil((hi - lo + 1) / MAX_WINDOWS / DAY) * DAY;
  return { width, first: Math.floor(lo / width), last: Math.floor(hi / width) };
}

function visualizationJson(counts: ReadonlyMap<number, number>, w: Windows): string {
  const parts: string[] = [];
  for (let k = w.first; k <= w.last; k++) parts.push(`"${k * w.width}":${counts.get(k) ?? 0}`);
  return `{"timeWindowCountMapping":{${parts.join(',')}}}`;
}

/**
 * `@relatedPattern`: among the most frequent patterns, those whose counts per window are most alike
 * (cosine similarity at least 0.8, at most 3), for patterns seen in at least two windows.
 */
function addRelated(rows: Row[], windows: ReadonlyArray<ReadonlyMap<number, number>>): void {
  const n = Math.min(rows.length, RELATED_CANDIDATES);
  const norms = windows.slice(0, n).map((m) => (m.size >= 2 ? Math.sqrt([...m.values()].reduce((a, v) => a + v * v, 0)) : 0));
  for (let i = 0; i < rows.length; i++) {
    const related: Array<{ j: number; cos: number }> = [];
    if (i < n && (norms[i] as number) > 0) {
      const a = windows[i] as ReadonlyMap<number, number>;
      for (let j = 0; j < n; j++) {
        if (j === i || (norms[j] as number) === 0) continue;
        const b = windows[j] as ReadonlyMap<number, number>;
        let dot = 0;
        for (const [k, v] of a) dot += v * (b.get(k) ?? 0);
        const cos = dot / ((norms[i] as number) * (norms[j] as number));
        if (cos >= RELATED_MIN_COSINE) related.push({ j, cos });
      }
    }
    related.sort((x, y) => y.cos - x.cos || x.j - y.j);
    (rows[i] as Row)['@relatedPattern'] = JSON.stringify(related.slice(0, RELATED_MAX).map((r) => (rows[r.j] as Row)['@PatternId']));
  }
}

/** The fields of patternStage's rows, in order, with the type GetQueryResults shows them as. */
export const PATTERN_FIELDS: ReadonlyArray<{ name: string; type: 'string' | 'number' }> = [
  { name: '@pattern', type: 'string' },
  { name: '@ratio', type: 'number' },
  { name: '@sampleCount', type: 'number' },
  { name: '@severityLabel', type: 'string' },
  { name: '@PatternId', type: 'string' },
  { name: '@regexString', type: 'string' },
  { name: '@tokens', type: 'string' },
  { name: '@logSamples', type: 'string' },
  { name: '@visualization', type: 'string' },
  { name: '@relatedPattern', type: 'string' },
];

/** The fields of patternDiffStage's rows. */
export const DIFF_FIELDS: ReadonlyArray<{ name: string; type: 'string' | 'number' }> = [
  ...PATTERN_FIELDS,
  { name: '@previousSampleCount', type: 'number' },
  { name: '@diffEventCount', type: 'number' },
  { name: '@diffDescription', type: 'string' },
];
