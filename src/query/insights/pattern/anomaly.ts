/**
 * The `anomaly` command: pattern analysis (stage.ts) whose rows also say which patterns behave unusually
 * over the query's time range. AWS names five kinds and no method; ours is deterministic and uses the
 * query's own range as the baseline, split in two: the earlier half of the histogram windows of
 * `@visualization` is the baseline, the later half the recent part (`splitMs`).
 *
 * - PatternFrequency: the pattern's count in a window is an outlier among its counts in all windows
 *   (windows cut by the range's ends are left out): modified z-score (Iglewicz and Hoaglin)
 *   |x - median| / (MAD / 0.6745) >= 3.5, MAD falling back to 1.2533 x the mean absolute deviation when
 *   it is 0, and |x - median| >= 5 events. Needs at least 4 whole windows.
 * - NewPattern: no event of the pattern before splitMs, some after, and the baseline has events.
 * - TokenVariation: a dynamic token that is not numeric took at most 5 values in at least 5 baseline
 *   events, and takes other values after splitMs.
 * - NumericToken: a token whose values are all numbers, with at least 5 baseline and 3 recent values:
 *   the recent median is an outlier against the baseline (same modified z-score, >= 3.5; any change
 *   when the baseline is constant). At most 10,000 values per half are kept, the first ones.
 * - HttpErrorCode: a token whose values are all HTTP status codes (100-599) shows 4xx/5xx codes in at
 *   least 3 recent events, at a rate of at least twice the baseline's plus 5 points. Such a token is
 *   checked as a NumericToken only when it is not flagged here (its values may be durations).
 *
 * Added fields: `@anomalyType` (the kinds found, comma-separated; absent when none), `@priority` (HIGH
 * for HTTP errors or an anomalous ERROR/FATAL pattern, MEDIUM for frequency, new and numeric, LOW for a
 * token variation alone), `@description` (what was seen, one sentence per kind), and `@firstSeen` /
 * `@lastSeen` (epoch ms of the pattern's first and last event). Anomalous patterns come first, by
 * priority, then the others in pattern order. Without timestamps no anomaly can be placed in time:
 * the rows are the pattern rows with the added fields absent.
 */
import type { Cluster } from './drain.js';
import { dynamicNames, patternId } from './template.js';
import { tokenize } from './tokenize.js';
import { patternStage, windowsOf, PATTERN_FIELDS, type PatternOptions, type PeriodInput, type Row } from './stage.js';

export type AnomalyKind = 'PatternFrequency' | 'NewPattern' | 'TokenVariation' | 'NumericToken' | 'HttpErrorCode';

const Z_THRESHOLD = 3.5;
const MIN_FREQUENCY_DELTA = 5;
const MIN_WINDOWS = 4;
const MAX_CATEGORIES = 5;
const MIN_BASELINE_EVENTS = 5;
const MIN_RECENT_NUMBERS = 3;
const MAX_NUMBERS = 10_000;
const MIN_HTTP_ERRORS = 3;
/** Distinct values kept per token and half: one past MAX_CATEGORIES tells "too many to be categorical". */
const MAX_DISTINCT = MAX_CATEGORIES + 1;

const NUMBER = /^[+-]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const HTTP_STATUS = /^[1-5]\d\d$/;
const HTTP_ERROR = /^[45]\d\d$/;

interface Position {
  values: [Map<string, number>, Map<string, number>];
  numeric: boolean;
  http: boolean;
  numbers: [number[], number[]];
  errors: [number, number];
}

interface Tracker {
  cluster: Cluster;
  counts: [number, number];
  firstSeen: number;
  lastSeen: number;
  positions: Position[];
}

export function anomalyStage(input: PeriodInput, opts: PatternOptions = {}): Row[] {
  const windows = windowsOf(input);
  if (!windows || !input.timestamps) {
    return patternStage(input.values, { ...opts, ...rangeOf(input) }).map((r) => ({ ...r, '@anomalyType': null, '@priority': null, '@description': null, '@firstSeen': null, '@lastSeen': null }));
  }
  const n = windows.last - windows.first + 1;
  const splitMs = (windows.first + Math.floor(n / 2)) * windows.width;
  const trackers = new Map<Cluster, Tracker>();
  const baselineEvents = { n: 0 };
  const observe = (c: Cluster, value: string, ts: number | null): void => {
    if (ts === null) return;
    const half = ts < splitMs ? 0 : 1;
    if (half === 0) baselineEvents.n++;
    let t = trackers.get(c);
    if (!t) trackers.set(c, (t = { cluster: c, counts: [0, 0], firstSeen: ts, lastSeen: ts, positions: [] }));
    t.counts[half]++;
    t.firstSeen = Math.min(t.firstSeen, ts);
    t.lastSeen = Math.max(t.lastSeen, ts);
    if (c.overflow) return;
    tokenize(value).forEach((tok, i) => {
      let p = t.positions[i];
      if (!p) t.positions[i] = p = { values: [new Map(), new Map()], numeric: true, http: true, numbers: [[], []], errors: [0, 0] };
      const seen = p.values[half];
      if (seen.has(tok.text)) seen.set(tok.text, (seen.get(tok.text) as number) + 1);
      else if (seen.size < MAX_DISTINCT) seen.set(tok.text, 1);
      if (p.numeric && NUMBER.test(tok.text)) {
        if (p.numbers[half].length < MAX_NUMBERS) p.numbers[half].push(Number(tok.text));
      } else p.numeric = false;
      if (!HTTP_STATUS.test(tok.text)) p.http = false;
      else if (HTTP_ERROR.test(tok.text)) p.errors[half]++;
    });
  };
  const rows = patternStage(input.values, { ...opts, ...rangeOf(input), observe });

  // Clusters with equal templates are one pattern (stage.ts merges them): so are their trackers.
  const byId = new Map<string, Tracker>();
  for (const t of trackers.values()) {
    const id = patternId(t.cluster);
    const into = byId.get(id);
    if (!into) byId.set(id, t);
    else merge(into, t);
  }

  const out = rows.map((row, order) => {
    const t = byId.get(String(row['@PatternId']));
    const found = t ? detect(row, t, windows, splitMs, baselineEvents.n, input) : [];
    const kinds = found.map((f) => f.kind);
    const severe = row['@severityLabel'] === 'ERROR' || row['@severityLabel'] === 'FATAL';
    const priority =
      kinds.length === 0 ? null : kinds.includes('HttpErrorCode') || severe ? 'HIGH' : kinds.some((k) => k !== 'TokenVariation') ? 'MEDIUM' : 'LOW';
    return {
      order,
      row: {
        ...row,
        '@anomalyType': kinds.length === 0 ? null : kinds.join(','),
        '@priority': priority,
        '@description': kinds.length === 0 ? null : found.map((f) => f.description).join(' '),
        '@firstSeen': t ? t.firstSeen : null,
        '@lastSeen': t ? t.lastSeen : null,
      } as Row,
    };
  });
  const rank = (p: unknown): number => (p === 'HIGH' ? 0 : p === 'MEDIUM' ? 1 : p === 'LOW' ? 2 : 3);
  return out.sort((a, b) => rank(a.row['@priority']) - rank(b.row['@priority']) || a.order - b.order).map((x) => x.row);
}

function rangeOf(p: PeriodInput): Omit<PeriodInput, 'values'> {
  const r: Omit<PeriodInput, 'values'> = {};
  if (p.timestamps !== undefined) r.timestamps = p.timestamps;
  if (p.startMs !== undefined) r.startMs = p.startMs;
  if (p.endMs !== undefined) r.endMs = p.endMs;
  return r;
}

function merge(into: Tracker, t: Tracker): void {
  into.counts[0] += t.counts[0];
  into.counts[1] += t.counts[1];
  into.firstSeen = Math.min(into.firstSeen, t.firstSeen);
  into.lastSeen = Math.max(into.lastSeen, t.lastSeen);
  t.positions.forEach((p, i) => {
    const q = into.positions[i];
    if (!q) {
      into.positions[i] = p;
      return;
    }
    for (const h of [0, 1] as const) {
      for (const [v, k] of p.values[h]) {
        if (q.values[h].has(v)) q.values[h].set(v, (q.values[h].get(v) as number) + k);
        else if (q.values[h].size < MAX_DISTINCT) q.values[h].set(v, k);
      }
      q.numbers[h].push(...p.numbers[h].slice(0, MAX_NUMBERS - q.numbers[h].length));
      q.errors[h] += p.errors[h];
    }
    q.numeric &&= p.numeric;
    q.http &&= p.http;
  });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The spread the modified z-score divides by: MAD / 0.6745, else 1.2533 x mean absolute deviation, else 0. */
function scaleOf(xs: readonly number[], med: number): number {
  const dev = xs.map((x) => Math.abs(x - med));
  const mad = median(dev);
  if (mad > 0) return mad / 0.6745;
  const mean = dev.reduce((a, b) => a + b, 0) / dev.length;
  return mean * 1.253314;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const fmt = (x: number): string => String(Math.round(x * 1000) / 1000);

function detect(row: Row, t: Tracker, w: { width: number; first: number; last: number }, splitMs: number, baselineEvents: number, input: PeriodInput): Array<{ kind: AnomalyKind; description: string }> {
  const found: Array<{ kind: AnomalyKind; description: string }> = [];

  // PatternFrequency, over the whole windows of @visualization.
  const viz = row['@visualization'];
  if (typeof viz === 'string') {
    const mapping = (JSON.parse(viz) as { timeWindowCountMapping: Record<string, number> }).timeWindowCountMapping;
    const lo = input.startMs ?? -Infinity;
    const hi = input.endMs ?? Infinity;
    const bins = Object.entries(mapping)
      .map(([k, x]) => ({ start: Number(k), x }))
      .filter((b) => b.start >= lo && b.start + w.width - 1 <= hi);
    if (bins.length >= MIN_WINDOWS) {
      const xs = bins.map((b) => b.x);
      const med = median(xs);
      const scale = scaleOf(xs, med);
      if (scale > 0) {
        let best: { start: number; x: number; z: number } | null = null;
        for (const b of bins) {
          const z = (b.x - med) / scale;
          if (!best || Math.abs(z) > Math.abs(best.z)) best = { ...b, z };
        }
        if (best && Math.abs(best.z) >= Z_THRESHOLD && Math.abs(best.x - med) >= MIN_FREQUENCY_DELTA) {
          found.push({
            kind: 'PatternFrequency',
            description: `${best.x} events in the window from ${iso(best.start)} against a median of ${fmt(med)} per window (modified z-score ${fmt(best.z)}).`,
          });
        }
      }
    }
  }

  // NewPattern.
  if (t.counts[0] === 0 && t.counts[1] > 0 && baselineEvents > 0) {
    found.push({ kind: 'NewPattern', description: `New pattern: first seen at ${iso(t.firstSeen)}, no event before ${iso(splitMs)}.` });
  }

  // Token anomalies, per position of the template.
  const names = dynamicNames(t.cluster);
  const variation: string[] = [];
  const numeric: string[] = [];
  const http: string[] = [];
  t.positions.forEach((p, i) => {
    const name = names[i] ?? null;
    if (name === null) return; // a static position never varies
    if (p.http) {
      const [e0, e1] = p.errors;
      const r0 = t.counts[0] > 0 ? e0 / t.counts[0] : 0;
      const r1 = t.counts[1] > 0 ? e1 / t.counts[1] : 0;
      if (e1 >= MIN_HTTP_ERRORS && r1 >= 2 * r0 + 0.05) {
        const codes = [...p.values[1].keys()].filter((v) => HTTP_ERROR.test(v)).sort();
        http.push(`<${name}> shows HTTP errors (${codes.join(', ')}) in ${e1} of ${t.counts[1]} recent events (${fmt(r1 * 100)}%) against ${fmt(r0 * 100)}% before.`);
        return;
      }
      // Not an error surge: numbers between 100 and 599 may as well be durations (checked below).
    }
    if (p.numeric) {
      const [base, recent] = p.numbers;
      if (base.length >= MIN_BASELINE_EVENTS && recent.length >= MIN_RECENT_NUMBERS) {
        const m0 = median(base);
        const m1 = median(recent);
        const scale = scaleOf(base, m0);
        const outlier = scale > 0 ? Math.abs(m1 - m0) / scale >= Z_THRESHOLD : m1 !== m0;
        if (outlier) numeric.push(`The median of <${name}> moved from ${fmt(m0)} to ${fmt(m1)}.`);
      }
      return;
    }
    const before = p.values[0];
    if (t.counts[0] >= MIN_BASELINE_EVENTS && before.size <= MAX_CATEGORIES) {
      const fresh = [...p.values[1].keys()].filter((v) => !before.has(v));
      if (fresh.length > 0) variation.push(`<${name}> took new values ${fresh.map((v) => JSON.stringify(v)).join(', ')} (before: ${[...before.keys()].map((v) => JSON.stringify(v)).join(', ')}).`);
    }
  });
  if (variation.length > 0) found.push({ kind: 'TokenVariation', description: variation.join(' ') });
  if (numeric.length > 0) found.push({ kind: 'NumericToken', description: numeric.join(' ') });
  if (http.length > 0) found.push({ kind: 'HttpErrorCode', description: http.join(' ') });
  return found;
}

/** The fields of anomalyStage's rows. */
export const ANOMALY_FIELDS: ReadonlyArray<{ name: string; type: 'string' | 'number' }> = [
  ...PATTERN_FIELDS,
  { name: '@anomalyType', type: 'string' },
  { name: '@priority', type: 'string' },
  { name: '@description', type: 'string' },
  { name: '@firstSeen', type: 'number' },
  { name: '@lastSeen', type: 'number' },
];
