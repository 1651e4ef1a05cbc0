/**
 * The most frequent values of one dynamic token, in bounded memory: the Space-Saving summary
 * (Metwally, Agrawal, El Abbadi 2005). At most `capacity` values are kept; a new value evicts the
 * least counted one and inherits its count, so counts may overestimate, never underestimate, and
 * they always add up to the number of values seen. CloudWatch says the same of its token values:
 * "A maximum of 10 token values is captured for each token. Token counts might not be precise."
 */
export class TopValues {
  private readonly counts = new Map<string, number>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** Counts `value` `weight` times. Deterministic: ties for eviction go to the value kept longest. */
  add(value: string, weight = 1): void {
    const c = this.counts.get(value);
    if (c !== undefined) {
      this.counts.set(value, c + weight);
      return;
    }
    if (this.counts.size < this.capacity) {
      this.counts.set(value, weight);
      return;
    }
    let minKey = '';
    let min = Infinity;
    for (const [k, v] of this.counts) {
      if (v < min) {
        min = v;
        minKey = k;
      }
    }
    this.counts.delete(minKey);
    this.counts.set(value, min + weight);
  }

  /** Adds every value of `other`, with its count. */
  merge(other: TopValues): void {
    for (const [k, v] of other.counts) this.add(k, v);
  }

  /** The values with their counts, most frequent first (ties in the order first kept). */
  entries(): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1]);
  }

  get size(): number {
    return this.counts.size;
  }
}
