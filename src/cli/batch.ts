/**
 * Batching for `logward put`: turns a stream of events into PutLogEvents requests that obey every limit
 * of the API (see PutLogEvents in the service model):
 * - at most 10,000 events per request;
 * - at most 1,048,576 bytes per request, counting each message's UTF-8 bytes plus 26;
 * - events in chronological order, spanning at most 24 hours.
 * Messages longer than one event may hold are truncated the way the CloudWatch agent does it: cut, with
 * `[Truncated...]` at the end, so the whole event fits (here, cut on a UTF-8 character boundary).
 */

export const PUT_LIMITS = {
  maxEvents: 10_000,
  maxBatchBytes: 1_048_576,
  /** Counted for every event on top of its message bytes. */
  eventOverheadBytes: 26,
  maxSpanMs: 24 * 60 * 60 * 1000,
} as const;

/** The largest event, overhead included (256 KiB), as the CloudWatch agent and the PutLogEvents quota have it. */
export const MAX_EVENT_BYTES = 262_144;
/** So the longest message is 262,118 UTF-8 bytes. */
export const MAX_MESSAGE_BYTES = MAX_EVENT_BYTES - PUT_LIMITS.eventOverheadBytes;
export const TRUNCATION_SUFFIX = '[Truncated...]';

export interface PutEvent {
  timestamp: number;
  message: string;
}

export type BatchLimits = { [K in keyof typeof PUT_LIMITS]: number };

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The message unchanged when it fits in `maxBytes` UTF-8 bytes; otherwise its longest prefix that fits with the suffix. */
export function truncateMessage(message: string, maxBytes: number = MAX_MESSAGE_BYTES): { message: string; truncated: boolean } {
  if (utf8Bytes(message) <= maxBytes) return { message, truncated: false };
  const buf = Buffer.from(message, 'utf8');
  let cut = Math.max(0, maxBytes - utf8Bytes(TRUNCATION_SUFFIX));
  // Back up to the start of a character: UTF-8 continuation bytes are 0b10xxxxxx.
  while (cut > 0 && ((buf[cut] ?? 0) & 0xc0) === 0x80) cut--;
  return { message: buf.subarray(0, cut).toString('utf8') + TRUNCATION_SUFFIX, truncated: true };
}

/**
 * Collects events into batches. `add` returns the batch that the new event closed, if any; `flush` returns
 * what is pending. Events must come in chronological order (the caller stamps them with a clock that never
 * goes back), and each must fit in a batch on its own (truncate first).
 */
export class EventBatcher {
  private events: PutEvent[] = [];
  private bytes = 0;
  private lastTimestamp = -Infinity;

  constructor(private readonly limits: BatchLimits = PUT_LIMITS) {}

  get pending(): number {
    return this.events.length;
  }

  add(event: PutEvent): PutEvent[] | undefined {
    const size = utf8Bytes(event.message) + this.limits.eventOverheadBytes;
    if (size > this.limits.maxBatchBytes) {
      throw new RangeError(`an event of ${size} bytes cannot fit in a batch of ${this.limits.maxBatchBytes}`);
    }
    if (event.timestamp < this.lastTimestamp) {
      throw new RangeError(`events must be added in chronological order: ${event.timestamp} after ${this.lastTimestamp}`);
    }
    this.lastTimestamp = event.timestamp;
    const first = this.events[0];
    const full =
      first !== undefined &&
      (this.events.length + 1 > this.limits.maxEvents ||
        this.bytes + size > this.limits.maxBatchBytes ||
        event.timestamp - first.timestamp > this.limits.maxSpanMs);
    const closed = full ? this.flush() : undefined;
    this.events.push(event);
    this.bytes += size;
    return closed;
  }

  flush(): PutEvent[] | undefined {
    if (this.events.length === 0) return undefined;
    const batch = this.events;
    this.events = [];
    this.bytes = 0;
    return batch;
  }
}
