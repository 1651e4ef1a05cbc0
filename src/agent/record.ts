/**
 * A spool record: the events one read produced for one log stream, and the checkpoints of the files read
 * up to them (null: dropped).
 *
 * Layout: [u32 header length][header JSON: {d?: "<group>\u0000<stream>", c?: {key: checkpoint|null}}]
 * then each event as [f64 timestamp][u32 length][UTF-8 message]. Binary for the events, which are most of
 * the bytes: no JSON string to build and parse again per read (the agent's hot path).
 */
import type { AgentEvent } from './assembler.js';
import type { Checkpoint } from './file-source.js';

interface Header {
  d?: string;
  c?: Record<string, Checkpoint | null>;
}

export function destinationKey(group: string, stream: string): string {
  return `${group}\u0000${stream}`;
}

let scratch = Buffer.alloc(0);

/**
 * The record's bytes, in a buffer that the next call reuses (one record is written at a time: the
 * agent awaits each append).
 */
export function encodeRecord(dest: string | undefined, events: AgentEvent[], checkpoints: Map<string, Checkpoint | null>): Buffer {
  const header: Header = {};
  if (dest !== undefined && events.length > 0) header.d = dest;
  if (checkpoints.size > 0) header.c = Object.fromEntries(checkpoints);
  const head = JSON.stringify(header);
  let size = 4 + Buffer.byteLength(head);
  // At most 3 bytes of UTF-8 per UTF-16 unit: sized once, then cut to what was written.
  for (const e of events) size += 12 + e.message.length * 3;
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  const buf = scratch;
  let pos = 4 + buf.write(head, 4);
  buf.writeUInt32LE(pos - 4, 0);
  if (header.d !== undefined) {
    for (const e of events) {
      buf.writeDoubleLE(e.timestamp, pos);
      const n = buf.write(e.message, pos + 12);
      buf.writeUInt32LE(n, pos + 8);
      pos += 12 + n;
    }
  }
  return buf.subarray(0, pos);
}

export function decodeRecord(payload: Buffer): { dest: string | undefined; events: AgentEvent[]; checkpoints: Record<string, Checkpoint | null> } {
  const headLen = payload.readUInt32LE(0);
  const header = JSON.parse(payload.toString('utf8', 4, 4 + headLen)) as Header;
  const events: AgentEvent[] = [];
  let pos = 4 + headLen;
  while (pos < payload.length) {
    const timestamp = payload.readDoubleLE(pos);
    const n = payload.readUInt32LE(pos + 8);
    events.push({ timestamp, message: payload.toString('utf8', pos + 12, pos + 12 + n) });
    pos += 12 + n;
  }
  return { dest: header.d, events, checkpoints: header.c ?? {} };
}

/** The checkpoints of a record, without decoding its events (replay at start). */
export function recordCheckpoints(payload: Buffer): Record<string, Checkpoint | null> {
  const headLen = payload.readUInt32LE(0);
  return (JSON.parse(payload.toString('utf8', 4, 4 + headLen)) as Header).c ?? {};
}
