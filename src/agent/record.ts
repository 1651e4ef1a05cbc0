/**
 * A spool record: the events one read produced for one log stream, and the checkpoints of the files read
 * up to them (null: dropped). JSON, so a spool can be read by hand when something goes wrong.
 */
import type { AgentEvent } from './assembler.js';
import type { Checkpoint } from './file-source.js';

interface Wire {
  /** `<group>\u0000<stream>`; absent in a record of checkpoints only. */
  d?: string;
  /** [timestamp, message] pairs. */
  e?: [number, string][];
  c?: Record<string, Checkpoint | null>;
}

export function destinationKey(group: string, stream: string): string {
  return `${group}\u0000${stream}`;
}

export function encodeRecord(dest: string | undefined, events: AgentEvent[], checkpoints: Map<string, Checkpoint | null>): Buffer {
  const wire: Wire = {};
  if (dest !== undefined && events.length > 0) {
    wire.d = dest;
    wire.e = events.map((e) => [e.timestamp, e.message]);
  }
  if (checkpoints.size > 0) wire.c = Object.fromEntries(checkpoints);
  return Buffer.from(JSON.stringify(wire), 'utf8');
}

export function decodeRecord(payload: Buffer): { dest: string | undefined; events: AgentEvent[]; checkpoints: Record<string, Checkpoint | null> } {
  const wire = JSON.parse(payload.toString('utf8')) as Wire;
  return {
    dest: wire.d,
    events: (wire.e ?? []).map(([timestamp, message]) => ({ timestamp, message })),
    checkpoints: wire.c ?? {},
  };
}
