/**
 * PutLogEvents batches as the agent builds them, one builder per log stream. Every rule of the API holds
 * for a batch it closes:
 * - at most 10,000 events and 1,048,576 bytes, counting each message's UTF-8 bytes plus 26;
 * - events in chronological order (the builder sorts; events of a file may come out of order when their
 *   timestamps are parsed from the lines), stable for equal timestamps;
 * - at most 24 hours between the first and the last event.
 * Events more than 14 days old or more than 2 hours ahead are refused by the API; as the CloudWatch agent
 * does, they are dropped (and counted) before batching rather than sent (`acceptable`).
 *
 * A full batch does not end inside a run of equal timestamps when it can help it: the sender keeps a
 * stream's events of equal time in file order by sending a batch beside another of its stream only when
 * all its events are later (sender.ts), so a batch that ends in the middle of a run holds the next one
 * back until it is acknowledged, one request at a time. When the event that does not fit has the time of
 * the batch's last run, that run (if at most half the batch) moves to the next batch instead.
 */
import { PUT_LIMITS, type BatchLimits } from '../cli/batch.js';

export const MAX_EVENT_AGE_MS = 14 * 24 * 3600_000;
export const MAX_EVENT_AHEAD_MS = 2 * 3600_000;

/** Whether PutLogEvents can take an event of this time now. */
export function acceptable(timestamp: number, nowMs: number): boolean {
  return timestamp >= nowMs - MAX_EVENT_AGE_MS && timestamp <= nowMs + MAX_EVENT_AHEAD_MS;
}

export interface Batch<Tag> {
  /** The PutLogEvents request body, sorted. */
  body: Buffer;
  count: number;
  /** What the rules count: the messages' UTF-8 bytes and 26 per event. */
  bytes: number;
  /** What the events came from (spool records), so the caller knows what an acknowledgement covers. */
  tags: Set<Tag>;
  /** When the first event was added (for force_flush_interval). */
  openedAt: number;
  /** The earliest and the latest timestamp in it. */
  minTimestamp: number;
  maxTimestamp: number;
}

const BODY_BYTES = 1_300_000;
/** Bodies sent, to write the next ones in (a few are in use at a time: no garbage of a MiB per request). */
const spare: Buffer[] = [];

/** The body of a batch the caller is done with (sent, or dropped). */
export function recycle(batch: Batch<unknown>): void {
  const { buffer, byteOffset } = batch.body;
  if (byteOffset === 0 && buffer.byteLength === BODY_BYTES && spare.length < 8) spare.push(Buffer.from(buffer));
}

/**
 * One log stream's batches. The body is written as events come (the escaped messages are copied from
 * the spool records); events out of order are put in order when the batch closes.
 */
export class BatchBuilder<Tag> {
  private buf: Buffer;
  private pos = 0;
  private count = 0;
  private bytes = 0;
  private tags = new Set<Tag>();
  private openedAt = 0;
  private min = Infinity;
  private max = -Infinity;
  private sorted = true;
  private last = -Infinity;
  /**
   * Per event, [0, count): its timestamp, and where its object starts and ends in `buf` (for sorting);
   * what the rules count for it, and its tag (to split a batch at a run, cut()). Allocated once for the
   * most events a batch holds: filled anew for every batch, they make no garbage.
   */
  private readonly times: Float64Array;
  private readonly spans: Int32Array;
  private readonly sizes: Float64Array;
  private readonly eventTags: Tag[];
  /** The index of the first event of the last run of equal timestamps. */
  private runStart = 0;
  private lastTs = NaN;
  private lastTsText = '';
  private readonly head: Buffer;

  constructor(group: string, stream: string, private readonly limits: BatchLimits = PUT_LIMITS) {
    this.head = Buffer.from(`{"logGroupName":${JSON.stringify(group)},"logStreamName":${JSON.stringify(stream)},"logEvents":[`);
    this.buf = this.fresh();
    this.times = new Float64Array(limits.maxEvents);
    this.spans = new Int32Array(2 * limits.maxEvents);
    this.sizes = new Float64Array(limits.maxEvents);
    this.eventTags = new Array<Tag>(limits.maxEvents);
  }

  /** When the open batch got its first event, or undefined when there is none. */
  get pendingSince(): number | undefined {
    return this.count === 0 ? undefined : this.openedAt;
  }

  /** Tags of the open batch. */
  get pendingTags(): ReadonlySet<Tag> {
    return this.tags;
  }

  /**
   * Adds an event (which must fit in a batch on its own): `utf8Bytes` is its message's size, src[start,
   * end) its message escaped for a JSON string. Returns the batch it closed, if any.
   */
  add(timestamp: number, utf8Bytes: number, src: Buffer, start: number, end: number, tag: Tag, nowMs: number): Batch<Tag> | undefined {
    const size = utf8Bytes + this.limits.eventOverheadBytes;
    let closed: Batch<Tag> | undefined;
    if (
      this.count > 0 &&
      (this.count + 1 > this.limits.maxEvents ||
        this.bytes + size > this.limits.maxBatchBytes ||
        Math.max(this.max, timestamp) - Math.min(this.min, timestamp) > this.limits.maxSpanMs)
    ) {
      closed = (this.sorted && timestamp === this.last && this.cut(size)) || this.flush();
    }
    if (this.count === 0) {
      this.openedAt = nowMs;
      this.pos = this.head.copy(this.buf, 0);
    }
    const t = Math.trunc(timestamp);
    if (t !== this.lastTs) {
      this.lastTs = t;
      this.lastTsText = `{"timestamp":${t},"message":"`;
    }
    const need = 1 + this.lastTsText.length + (end - start) + 2 + 2;
    if (this.pos + need > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + need));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    const buf = this.buf;
    if (this.count > 0) buf[this.pos++] = 0x2c;
    const from = this.pos;
    this.pos += buf.write(this.lastTsText, this.pos, 'latin1');
    this.pos += src.copy(buf, this.pos, start, end);
    buf[this.pos++] = 0x22;
    buf[this.pos++] = 0x7d;
    const k = this.count;
    this.times[k] = timestamp;
    this.spans[2 * k] = from;
    this.spans[2 * k + 1] = this.pos;
    this.sizes[k] = size;
    this.eventTags[k] = tag;
    if (timestamp !== this.last) this.runStart = this.count;
    if (timestamp < this.last) this.sorted = false;
    this.last = timestamp;
    this.count++;
    this.bytes += size;
    this.tags.add(tag);
    if (timestamp < this.min) this.min = timestamp;
    if (timestamp > this.max) this.max = timestamp;
    return closed;
  }

  /** The open batch, sorted, or undefined when there is none. */
  flush(): Batch<Tag> | undefined {
    if (this.count === 0) return undefined;
    let body: Buffer;
    if (this.sorted) {
      body = this.buf;
    } else {
      // Array.prototype.sort is stable: lines with equal times keep the order they had in the file.
      const order = Array.from({ length: this.count }, (_, i) => i).sort((a, b) => (this.times[a] as number) - (this.times[b] as number));
      body = this.buf.length === BODY_BYTES ? this.fresh() : Buffer.allocUnsafe(this.buf.length);
      let pos = this.head.copy(body, 0);
      for (const [k, i] of order.entries()) {
        if (k > 0) body[pos++] = 0x2c;
        pos += this.buf.copy(body, pos, this.spans[2 * i], this.spans[2 * i + 1]);
      }
      if (this.buf.length === BODY_BYTES && spare.length < 8) spare.push(this.buf);
    }
    body[this.pos++] = 0x5d;
    body[this.pos++] = 0x7d;
    const batch: Batch<Tag> = {
      body: body.subarray(0, this.pos),
      count: this.count,
      bytes: this.bytes,
      tags: this.tags,
      openedAt: this.openedAt,
      minTimestamp: this.min,
      maxTimestamp: this.max,
    };
    this.buf = this.fresh();
    this.pos = 0;
    this.count = 0;
    this.bytes = 0;
    this.tags = new Set();
    this.min = Infinity;
    this.max = -Infinity;
    this.sorted = true;
    this.last = -Infinity;
    this.runStart = 0;
    return batch;
  }

  /**
   * Closes the batch (sorted) before its last run of equal timestamps, which stays open as the start of
   * the next one, so that the two share no timestamp; undefined (nothing changed) when the run is more
   * than half the batch, or the run and an event of `nextSize` would not fit in a batch together.
   */
  private cut(nextSize: number): Batch<Tag> | undefined {
    const k = this.runStart;
    const n = this.count;
    if (k === 0 || n - k > n / 2) return undefined;
    let runBytes = 0;
    for (let i = k; i < n; i++) runBytes += this.sizes[i] as number;
    if (n - k + 1 > this.limits.maxEvents || runBytes + nextSize > this.limits.maxBatchBytes) return undefined;
    const old = this.buf;
    const runFrom = this.spans[2 * k] as number;
    const closedEnd = this.spans[2 * k - 1] as number;
    // The run's bytes go to a fresh body first: the closing bracket overwrites the comma before them.
    const next = this.fresh();
    const at = this.head.copy(next, 0);
    const pos = at + old.copy(next, at, runFrom, this.pos);
    old[closedEnd] = 0x5d;
    old[closedEnd + 1] = 0x7d;
    const closedTags = new Set<Tag>();
    for (let i = 0; i < k; i++) closedTags.add(this.eventTags[i] as Tag);
    const batch: Batch<Tag> = {
      body: old.subarray(0, closedEnd + 2),
      count: k,
      bytes: this.bytes - runBytes,
      tags: closedTags,
      openedAt: this.openedAt,
      minTimestamp: this.times[0] as number,
      maxTimestamp: this.times[k - 1] as number,
    };
    const shift = at - runFrom;
    this.buf = next;
    this.pos = pos;
    this.count = n - k;
    this.bytes = runBytes;
    this.times.copyWithin(0, k, n);
    this.sizes.copyWithin(0, k, n);
    this.tags = new Set();
    for (let i = 0; i < n - k; i++) {
      this.spans[2 * i] = (this.spans[2 * (k + i)] as number) + shift;
      this.spans[2 * i + 1] = (this.spans[2 * (k + i) + 1] as number) + shift;
      const tag = this.eventTags[k + i] as Tag;
      this.eventTags[i] = tag;
      this.tags.add(tag);
    }
    this.min = this.last;
    this.max = this.last;
    this.runStart = 0;
    return batch;
  }

  private fresh(): Buffer {
    return spare.pop() ?? Buffer.allocUnsafe(BODY_BYTES);
  }
}
