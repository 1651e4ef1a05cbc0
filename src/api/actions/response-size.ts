/** AWS caps a page of events at 1 MB: keep the leading events that fit (at least one). */
export const MAX_RESPONSE_BYTES = 1_048_576;

/**
 * What a page's read of sealed events may hold in memory (UTF-16, store/query.ts maxBytes): enough for
 * a full 1 MB response and the event after it, whatever the characters.
 */
export const READ_BYTES = 4 * MAX_RESPONSE_BYTES;

export function takeWithinBytes<T>(events: T[], message: (e: T) => string): T[] {
  let total = 0;
  for (let k = 0; k < events.length; k++) {
    total += Buffer.byteLength(message(events[k]!), 'utf8') + 26;
    if (total > MAX_RESPONSE_BYTES && k > 0) return events.slice(0, k);
  }
  return events;
}
