/** AWS caps a page of events at 1 MB: keep the leading events that fit (at least one). */
export const MAX_RESPONSE_BYTES = 1_048_576;

export function takeWithinBytes<T>(events: T[], message: (e: T) => string): T[] {
  let total = 0;
  for (let k = 0; k < events.length; k++) {
    total += Buffer.byteLength(message(events[k]!), 'utf8') + 26;
    if (total > MAX_RESPONSE_BYTES && k > 0) return events.slice(0, k);
  }
  return events;
}
