/**
 * The rules of PutLogEvents, applied before anything is written: size and count limits, order, the
 * 24-hour span, and which events are rejected one by one (too old, past retention, too new) while
 * the rest are stored. Pure: the caller appends what this accepts.
 */
import { ApiError, MESSAGES } from '../api/errors.js';

export const MAX_BATCH_BYTES = 1_048_576;
export const EVENT_OVERHEAD_BYTES = 26;
/** "Each log event can be no larger than 1 MB" (the service model); the batch limit then binds first. */
export const MAX_EVENT_BYTES = 1_048_576;
export const MAX_BATCH_EVENTS = 10_000;
export const MAX_BATCH_SPAN_MS = 24 * 3600 * 1000;
export const MAX_AGE_MS = 14 * 24 * 3600 * 1000;
export const MAX_FUTURE_MS = 2 * 3600 * 1000;

export interface RejectedLogEventsInfo {
  tooNewLogEventStartIndex?: number;
  tooOldLogEventEndIndex?: number;
  expiredLogEventEndIndex?: number;
}

export interface Accepted {
  timestamps: number[];
  messages: string[];
  /** Accepted events are [lo, hi). */
  lo: number;
  hi: number;
  bytes: number;
  rejected: RejectedLogEventsInfo | undefined;
}

export function checkBatch(
  events: ReadonlyArray<{ timestamp: number; message: string }>,
  now: number,
  retentionCutoffMs: number,
): Accepted {
  const n = events.length;
  if (n > MAX_BATCH_EVENTS) {
    throw new ApiError('InvalidParameterException', `Too many log events in the batch: ${n} events exceeds the limit of ${MAX_BATCH_EVENTS}.`);
  }
  const timestamps = new Array<number>(n);
  const messages = new Array<string>(n);
  const sizes = new Array<number>(n);
  let total = 0;
  let prev = -Infinity;
  for (let k = 0; k < n; k++) {
    const e = events[k]!;
    const size = Buffer.byteLength(e.message, 'utf8');
    if (size + EVENT_OVERHEAD_BYTES > MAX_EVENT_BYTES) {
      throw new ApiError('InvalidParameterException', `Log event too large: ${size + EVENT_OVERHEAD_BYTES} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
    }
    if (e.timestamp < prev) throw new ApiError('InvalidParameterException', MESSAGES.notChronological);
    prev = e.timestamp;
    total += size + EVENT_OVERHEAD_BYTES;
    timestamps[k] = e.timestamp;
    messages[k] = e.message;
    sizes[k] = size;
  }
  if (total > MAX_BATCH_BYTES) {
    throw new ApiError('InvalidParameterException', `Upload too large: ${total} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  }
  // Sorted, so the rejected events are a prefix (too old, expired) and a suffix (too new).
  const oldest = now - MAX_AGE_MS;
  let tooOld = 0;
  while (tooOld < n && timestamps[tooOld]! < oldest) tooOld++;
  let tooNew = n;
  while (tooNew > tooOld && timestamps[tooNew - 1]! > now + MAX_FUTURE_MS) tooNew--;
  // "For valid events (within 14 days in the past to 2 hours in future), the time span in a single
  // batch cannot exceed 24 hours" (the model's PutLogEvents documentation).
  if (tooNew > tooOld && timestamps[tooNew - 1]! - timestamps[tooOld]! > MAX_BATCH_SPAN_MS) {
    throw new ApiError('InvalidParameterException', MESSAGES.batchSpan);
  }
  let expired = tooOld;
  while (expired < tooNew && timestamps[expired]! < retentionCutoffMs) expired++;
  let rejected: RejectedLogEventsInfo | undefined;
  if (tooOld > 0 || expired > tooOld || tooNew < n) {
    rejected = {};
    if (tooOld > 0) rejected.tooOldLogEventEndIndex = tooOld;
    if (expired > tooOld) rejected.expiredLogEventEndIndex = expired;
    if (tooNew < n) rejected.tooNewLogEventStartIndex = tooNew;
  }
  let bytes = 0;
  for (let k = expired; k < tooNew; k++) bytes += sizes[k]!;
  return { timestamps, messages, lo: expired, hi: tooNew, bytes, rejected };
}
