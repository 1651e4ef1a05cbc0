/** Reading events with FilterLogEvents, shared by `logward tail` and `logward filter`. */
import {
  FilterLogEventsCommand,
  type CloudWatchLogsClient,
  type FilterLogEventsCommandInput,
  type FilteredLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';

/** The most events one FilterLogEvents page may be asked for. */
const MAX_PAGE_LIMIT = 10_000;

/** One event as `--json` prints it. */
export interface EventRecord {
  timestamp: number | undefined;
  logStreamName: string | undefined;
  message: string | undefined;
  eventId: string | undefined;
}

export function toRecord(e: FilteredLogEvent): EventRecord {
  return { timestamp: e.timestamp, logStreamName: e.logStreamName, message: e.message, eventId: e.eventId };
}

/**
 * Every page of a FilterLogEvents query, following nextToken; with `limit`, no more events than that in
 * all. A page may be empty while more follow: only a missing nextToken ends the query.
 */
export async function* filterEventPages(
  client: CloudWatchLogsClient,
  input: Omit<FilterLogEventsCommandInput, 'nextToken' | 'limit'>,
  opts: { limit?: number; signal?: AbortSignal } = {},
): AsyncGenerator<FilteredLogEvent[]> {
  let nextToken: string | undefined;
  let remaining = opts.limit ?? Infinity;
  do {
    const page = await client.send(
      new FilterLogEventsCommand({
        ...input,
        nextToken,
        limit: remaining === Infinity ? undefined : Math.min(remaining, MAX_PAGE_LIMIT),
      }),
      { abortSignal: opts.signal },
    );
    const events = (page.events ?? []).slice(0, remaining);
    remaining -= events.length;
    yield events;
    nextToken = page.nextToken;
  } while (nextToken !== undefined && remaining > 0 && opts.signal?.aborted !== true);
}

/** `<ISO time> <stream> <message>`, one event a line (a multi-line message keeps its lines). */
export function formatEventLine(e: FilteredLogEvent): string {
  const time = e.timestamp === undefined ? '-' : new Date(e.timestamp).toISOString();
  const message = (e.message ?? '').replace(/\r?\n$/, '');
  return `${time} ${e.logStreamName ?? '-'} ${message}\n`;
}
