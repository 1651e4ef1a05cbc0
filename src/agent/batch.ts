/**
 * PutLogEvents batches as the agent builds them, one builder per log stream. Every rule of the API holds
 * for a batch it closes:
 * - at most 10,000 events and 1,048,576 bytes, counting each message's UTF-8 bytes plus 26;
 * - events in chronological order (the builder sorts; events of a file may come out of order when their
 *   timestamps are parsed from the lines), stable for equal timestamps;
 * - at most 24 hours between the first and the last event.
 * Events more than 14 days old or more than 2 hours ahead are refused by the API; as the CloudWatch agent
 * does, they are dropped (and counted) before batching rather than sent (`acceptable`).
 */
import { PUT_LIMITS, utf8Bytes, type BatchLimits } from '../cli/batch.js';
import type { AgentEvent } from './assembler.js';

export const MAX_EVENT_AGE_MS = 14 * 24 * 3600_000;
export const MAX_EVENT_AHEAD_MS = 2 * 3600_000;

/** Whether PutLogEvents can take an event of this time now. */
export function acceptable(timestamp: number, nowMs: number): boolean {
  return timestamp >= nowMs - MAX_EVENT_AGE_MS && timestamp <= nowMs + MAX_EVENT_AHEAD_MS;
}

export interface Batch<Tag> {
  events: AgentEvent[];
  bytes: number;
  /** What the events came from (spool records), so the caller knows what an acknowledgement covers. */
  tags: Set<Tag>;
  /** When the first event was added (for force_flush_interval). */
  openedAt: number;
}

export class BatchBuilder<Tag> {
  private current: Batch<Tag> | undefined;
  private min = Infinity;
  private max = -Infinity;

  constructor(private readonly limits: BatchLimits = PUT_LIMITS) {}

  get pending(): Batch<Tag> | undefined {
    return this.current;
  }

  /** Adds an event (which must fit in a batch on its own); returns the batch it closed, if any. */
  add(event: AgentEvent, tag: Tag, nowMs: number): Batch<Tag> | undefined {
    const size = utf8Bytes(event.message) + this.limits.eventOverheadBytes;
    let closed: Batch<Tag> | undefined;
    const c = this.current;
    if (
      c !== undefined &&
      (c.events.length + 1 > this.limits.maxEvents ||
        c.bytes + size > this.limits.maxBatchBytes ||
        Math.max(this.max, event.timestamp) - Math.min(this.min, event.timestamp) > this.limits.maxSpanMs)
    ) {
      closed = this.flush();
    }
    if (this.current === undefined) this.current = { events: [], bytes: 0, tags: new Set(), openedAt: nowMs };
    this.current.events.push(event);
    this.current.bytes += size;
    this.current.tags.add(tag);
    this.min = Math.min(this.min, event.timestamp);
    this.max = Math.max(this.max, event.timestamp);
    return closed;
  }

  /** The open batch, sorted, or undefined when there is none. */
  flush(): Batch<Tag> | undefined {
    const b = this.current;
    this.current = undefined;
    this.min = Infinity;
    this.max = -Infinity;
    if (b === undefined) return undefined;
    let sorted = true;
    for (let i = 1; i < b.events.length && sorted; i++) sorted = (b.events[i - 1] as AgentEvent).timestamp <= (b.events[i] as AgentEvent).timestamp;
    // Array.prototype.sort is stable: lines with equal times keep the order they had in the file.
    if (!sorted) b.events.sort((x, y) => x.timestamp - y.timestamp);
    return b;
  }
}
