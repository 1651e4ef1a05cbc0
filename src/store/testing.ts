/** For tests: appending events to the store as PutLogEvents would (the WAL gets the request body). */
import type { LogGroup } from './catalog.js';
import type { LogStore } from './store.js';

export async function appendEvents(
  store: LogStore,
  g: LogGroup,
  stream: string,
  events: ReadonlyArray<{ timestamp: number; message: string }>,
  ingestMs: number,
): Promise<{ firstSeq: number }> {
  const s = g.streams.get(stream);
  if (!s) throw new Error(`no stream ${stream} in ${g.name}`);
  const body = Buffer.from(JSON.stringify({ logGroupName: g.name, logStreamName: stream, logEvents: events }));
  return store.append({
    group: g,
    stream: s,
    body,
    timestamps: events.map((e) => e.timestamp),
    messages: events.map((e) => e.message),
    lo: 0,
    hi: events.length,
    bytes: events.reduce((a, e) => a + Buffer.byteLength(e.message), 0),
    ingestMs,
  });
}
