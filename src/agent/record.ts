/**
 * A spool record: the events one read produced for one log stream, and the checkpoints of the files read
 * up to them (null: dropped).
 *
 * Layout: [u32 length of the events][events][header JSON: {d?: "<group>\u0000<stream>", c?: {key: checkpoint|null}}],
 * each event as [f64 timestamp][u32 UTF-8 bytes of the message][u32 n][n bytes: the message as a JSON
 * string's content, escaped]. The events are written as they are read, already in the form the
 * PutLogEvents body takes, so that no line becomes a JavaScript string on the agent's hot path (file →
 * spool → request body is copies of bytes), and the header, known last, goes after them.
 */
import type { Checkpoint } from './file-source.js';

interface Header {
  d?: string;
  c?: Record<string, Checkpoint | null>;
}

export function destinationKey(group: string, stream: string): string {
  return `${group}\u0000${stream}`;
}

/** Where the assembler puts events: the bytes src[start, end) are the message, valid UTF-8. */
export interface EventSink {
  add(timestamp: number, src: Buffer, start: number, end: number): void;
}

const EVENT_HEAD = 16;
const HEX = '0123456789abcdef';

/**
 * Collects the events of one record, escaped, in a buffer it reuses from one record to the next (one
 * record is written at a time: the agent awaits each append).
 */
export class RecordWriter implements EventSink {
  /** A read's worth of lines (1 MiB) and their event heads fit without growing. */
  private buf = Buffer.allocUnsafe(1536 * 1024);
  private pos = 4;
  count = 0;

  add(timestamp: number, src: Buffer, start: number, end: number): void {
    const len = end - start;
    this.room(EVENT_HEAD + len);
    const buf = this.buf;
    let at = this.pos + EVENT_HEAD;
    // Most lines need no escaping: find out first, then copy them whole.
    let i = start;
    while (i < end) {
      const b = src[i] as number;
      if (b < 0x20 || b === 0x22 || b === 0x5c) break;
      i++;
    }
    if (i === end) {
      src.copy(buf, at, start, end);
      at += len;
    } else {
      this.room(EVENT_HEAD + len * 6);
      const out = this.buf;
      src.copy(out, at, start, i);
      at += i - start;
      for (; i < end; i++) {
        const b = src[i] as number;
        if (b >= 0x20 && b !== 0x22 && b !== 0x5c) {
          out[at++] = b;
          continue;
        }
        out[at++] = 0x5c;
        switch (b) {
          case 0x22: out[at++] = 0x22; break;
          case 0x5c: out[at++] = 0x5c; break;
          case 0x0a: out[at++] = 0x6e; break;
          case 0x0d: out[at++] = 0x72; break;
          case 0x09: out[at++] = 0x74; break;
          case 0x08: out[at++] = 0x62; break;
          case 0x0c: out[at++] = 0x66; break;
          default:
            out[at++] = 0x75;
            out[at++] = 0x30;
            out[at++] = 0x30;
            out[at++] = HEX.charCodeAt(b >> 4);
            out[at++] = HEX.charCodeAt(b & 15);
        }
      }
    }
    const head = this.pos;
    this.buf.writeDoubleLE(timestamp, head);
    this.buf.writeUInt32LE(len, head + 8);
    this.buf.writeUInt32LE(at - head - EVENT_HEAD, head + 12);
    this.pos = at;
    this.count++;
  }

  /** A message given as a string (the slow path: decoded, filtered, trimmed or truncated lines). */
  addText(timestamp: number, message: string): void {
    const bytes = Buffer.from(message, 'utf8');
    this.add(timestamp, bytes, 0, bytes.length);
  }

  /**
   * The record's bytes, valid until the next call to `add` or `finish`; the writer starts over. `dest` is
   * the log stream the events go to.
   */
  finish(dest: string | undefined, checkpoints: Map<string, Checkpoint | null>): Buffer {
    const header: Header = {};
    if (dest !== undefined && this.count > 0) header.d = dest;
    if (checkpoints.size > 0) header.c = Object.fromEntries(checkpoints);
    const head = Buffer.from(JSON.stringify(header));
    // Without a destination, the events (none) are not kept.
    const eventsEnd = header.d === undefined ? 4 : this.pos;
    this.pos = eventsEnd;
    this.room(head.length);
    this.buf.writeUInt32LE(eventsEnd - 4, 0);
    head.copy(this.buf, eventsEnd);
    const out = this.buf.subarray(0, eventsEnd + head.length);
    this.pos = 4;
    this.count = 0;
    return out;
  }

  /** Drops what was collected and not finished (a read that failed half-way). */
  clear(): void {
    this.pos = 4;
    this.count = 0;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }
}

/** The events of a record: calls `each` with the timestamp, the UTF-8 size, and where the escaped message is. */
export function forEachEvent(payload: Buffer, each: (timestamp: number, utf8Bytes: number, start: number, end: number) => void): void {
  const end = 4 + payload.readUInt32LE(0);
  let pos = 4;
  while (pos < end) {
    const n = payload.readUInt32LE(pos + 12);
    each(payload.readDoubleLE(pos), payload.readUInt32LE(pos + 8), pos + EVENT_HEAD, pos + EVENT_HEAD + n);
    pos += EVENT_HEAD + n;
  }
}

function header(payload: Buffer): Header {
  return JSON.parse(payload.toString('utf8', 4 + payload.readUInt32LE(0))) as Header;
}

/** The log stream a record's events go to (undefined when it holds only checkpoints). */
export function recordDestination(payload: Buffer): string | undefined {
  return header(payload).d;
}

/** The checkpoints of a record, without looking at its events (replay at start). */
export function recordCheckpoints(payload: Buffer): Record<string, Checkpoint | null> {
  return header(payload).c ?? {};
}
