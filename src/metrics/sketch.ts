/**
 * A small mergeable quantile sketch (the DDSketch idea): each value falls in a logarithmic bucket
 * `ceil(log_γ |v|)` with γ = (1 + α) / (1 − α), α = 1%, and a bucket answers with the value whose
 * relative distance to every value of the bucket is at most α. So a percentile read from a sketch is
 * within 1% (relative) of a value that really has that rank, whatever the distribution, and the size
 * is bounded by the value range, not by the count: values from 1 ms to 1 day need at most ~570 buckets.
 *
 * Sketches are kept per series and second (the metric store) and merged per period on read.
 * Encoding: a JSON object `{"<bucket>": count}`; negative values use `n<bucket>`, zero uses `z`.
 */
export const RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
/** Magnitudes below this count as zero (log of a denormal would waste buckets). */
const MIN_MAGNITUDE = 1e-9;

export type Sketch = Map<string, number>;

function keyOf(v: number): string {
  const m = Math.abs(v);
  if (m < MIN_MAGNITUDE) return 'z';
  const k = Math.ceil(Math.log(m) / LN_GAMMA);
  return v < 0 ? `n${k}` : String(k);
}

/** The bucket's representative: within α of every value the bucket takes. */
function valueOf(key: string): number {
  if (key === 'z') return 0;
  const neg = key.startsWith('n');
  const k = Number(neg ? key.slice(1) : key);
  const v = (2 * Math.pow(GAMMA, k)) / (GAMMA + 1);
  return neg ? -v : v;
}

export function addValue(s: Sketch, v: number, count = 1): void {
  const k = keyOf(v);
  s.set(k, (s.get(k) ?? 0) + count);
}

/**
 * A sketch being built value by value (the filter worker's rows): buckets as numbers, made into the
 * Sketch's keys once per bucket (toSketch) instead of once per value. `bucketKey(bucketOf(v))` is
 * `keyOf(v)`; small non-negative integers (latencies, sizes, statuses) are looked up in a table.
 */
export type BucketCounts = Map<number, number>;

/** Negative values' buckets are offset by this (buckets are about -1,040 to 35,500), zero is ZERO. */
const NEGATIVE = 1_000_000;
const ZERO = 2_000_000;

function bucketOfMagnitude(v: number): number {
  const m = Math.abs(v);
  if (m < MIN_MAGNITUDE) return ZERO;
  const k = Math.ceil(Math.log(m) / LN_GAMMA);
  return v < 0 ? k + NEGATIVE : k;
}

const SMALL = Int32Array.from({ length: 8192 }, (_, i) => bucketOfMagnitude(i));

export function bucketOf(v: number): number {
  return v >= 0 && v < 8192 && (v | 0) === v ? SMALL[v]! : bucketOfMagnitude(v);
}

export function bucketKey(b: number): string {
  return b === ZERO ? 'z' : b >= NEGATIVE / 2 ? `n${b - NEGATIVE}` : String(b);
}

export function addToBuckets(s: BucketCounts, v: number, count = 1): void {
  const b = bucketOf(v);
  s.set(b, (s.get(b) ?? 0) + count);
}

export function toSketch(s: BucketCounts): Sketch {
  const out: Sketch = new Map();
  for (const [b, c] of s) out.set(bucketKey(b), c);
  return out;
}

export function mergeInto(into: Sketch, from: Sketch): void {
  for (const [k, c] of from) into.set(k, (into.get(k) ?? 0) + c);
}

export function encodeSketch(s: Sketch): string {
  return JSON.stringify(Object.fromEntries(s));
}

/** Reads back what encodeSketch wrote; anything else (never written by us) gives an empty sketch. */
export function decodeSketch(text: string): Sketch {
  const out: Sketch = new Map();
  const obj = JSON.parse(text) as Record<string, unknown>;
  for (const [k, c] of Object.entries(obj)) if (typeof c === 'number' && /^(z|n?-?\d+)$/.test(k)) out.set(k, c);
  return out;
}

/**
 * The value at percentile `p` (0..100): the lowest value with at least p% of the values at or below it
 * (nearest rank), within 1% relative. Clamped to [min, max], which the store keeps exactly, so p0 and
 * p100 are exact. NaN for an empty sketch.
 */
export function percentile(s: Sketch, p: number, min: number, max: number): number {
  let total = 0;
  for (const c of s.values()) total += c;
  if (total === 0) return NaN;
  const buckets = [...s.keys()].map((k) => ({ k, v: valueOf(k) })).sort((a, b) => a.v - b.v);
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const b of buckets) {
    seen += s.get(b.k)!;
    if (seen >= rank) return Math.min(max, Math.max(min, b.v));
  }
  return max;
}
