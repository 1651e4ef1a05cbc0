/**
 * What `logward tail --follow` has already printed. Each poll asks again from a little before the newest
 * event seen, so that an event ingested late, with a timestamp just behind the newest, is still caught;
 * the events of that overlap come back twice and are dropped here by eventId.
 */
import type { FilteredLogEvent } from '@aws-sdk/client-cloudwatch-logs';

/** How far behind the newest event each poll starts again. */
export const FOLLOW_LOOKBACK_MS = 5_000;

export class SeenEvents {
  /** eventId → timestamp, for the events inside the look-back window. */
  private readonly seen = new Map<string, number>();
  private newest = -Infinity;

  constructor(private readonly lookbackMs: number = FOLLOW_LOOKBACK_MS) {}

  /** The events not printed yet, in the order given; they count as printed from now on. */
  admit(events: readonly FilteredLogEvent[]): FilteredLogEvent[] {
    const fresh: FilteredLogEvent[] = [];
    for (const e of events) {
      const ts = e.timestamp ?? 0;
      const key = e.eventId ?? `${ts}\u0000${e.logStreamName ?? ''}\u0000${e.message ?? ''}`;
      if (this.seen.has(key)) continue;
      this.seen.set(key, ts);
      this.newest = Math.max(this.newest, ts);
      fresh.push(e);
    }
    return fresh;
  }

  /** Where the next poll starts, never before `start` (the first poll's start); forgets events before it. */
  nextStart(start: number): number {
    const from = Math.max(start, this.newest - this.lookbackMs);
    for (const [key, ts] of this.seen) if (ts < from) this.seen.delete(key);
    return from;
  }

  get remembered(): number {
    return this.seen.size;
  }
}
