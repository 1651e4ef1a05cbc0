/**
 * Turns the bytes of one file into events: lines (LF or CRLF), decoded, joined into multi-line events by
 * `multi_line_start_pattern`, stamped by `timestamp_format`, kept or dropped by `filters`.
 *
 * Contract: `push` takes the bytes that follow the previous ones and returns the events they complete;
 * `committed` is then the file offset where the first byte not yet in a returned event starts (the start
 * of an incomplete line, or of a multi-line event that may still grow). A restart reads the file again
 * from `committed`, so nothing is lost and nothing is sent twice. `finish` ends the file: what is pending
 * becomes an event.
 */
import { MAX_MESSAGE_BYTES, truncateMessage } from '../cli/batch.js';
import type { FileEntry } from './config.js';
import { TextDecoder } from 'node:util';

export interface AgentEvent {
  timestamp: number;
  message: string;
}

interface Pending {
  lines: string[];
  bytes: number;
  start: number;
  timestamp: number;
}

export class Assembler {
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** The offset of the first byte of `partial` (or of the next line, when empty). */
  private lineStart: number;
  /** Bytes of an over-long line past the limit are skipped up to its newline. */
  private skipping = false;
  private pending: Pending | undefined;
  private lastTimestamp: number | undefined;
  private readonly decoder: TextDecoder | undefined;
  /** Events dropped by filters since the last call to takeFiltered. */
  filtered = 0;

  constructor(
    private readonly entry: Pick<FileEntry, 'timestamp' | 'trimTimestamp' | 'multiLineStart' | 'encoding' | 'filters'>,
    offset: number,
    private readonly now: () => number,
  ) {
    this.lineStart = offset;
    this.decoder = entry.encoding === 'utf-8' || entry.encoding === 'utf8' ? undefined : new TextDecoder(entry.encoding);
  }

  /** Where a restart must read again from. */
  get committed(): number {
    return this.pending?.start ?? this.lineStart;
  }

  /** True while something is held: an incomplete line or a multi-line event. */
  get holding(): boolean {
    return this.pending !== undefined || this.partialBytes > 0;
  }

  push(chunk: Buffer, out: AgentEvent[]): void {
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) break;
      let line: Buffer;
      if (this.partialBytes > 0) {
        if (!this.skipping) this.partial.push(chunk.subarray(from, nl));
        line = Buffer.concat(this.partial);
      } else {
        line = chunk.subarray(from, nl);
      }
      const lineEnd = this.lineStart + this.partialBytes + (nl - from) + 1;
      this.line(line, this.lineStart, out);
      this.partial = [];
      this.partialBytes = 0;
      this.skipping = false;
      this.lineStart = lineEnd;
      from = nl + 1;
    }
    if (from < chunk.length) {
      const rest = chunk.subarray(from);
      if (!this.skipping) {
        const room = MAX_MESSAGE_BYTES + 1 - this.partial.reduce((n, b) => n + b.length, 0);
        // Copy: the caller reuses its read buffer.
        this.partial.push(Buffer.from(rest.subarray(0, Math.max(0, room))));
        if (rest.length > room) this.skipping = true;
      }
      this.partialBytes += rest.length;
    }
  }

  /** Pending multi-line event out now (no more lines came in time). */
  flushPending(out: AgentEvent[]): void {
    if (this.pending !== undefined) this.emit(this.pending, out);
    this.pending = undefined;
  }

  /** The file is done (rotated away, deleted, truncated): everything held becomes events. */
  finish(out: AgentEvent[]): void {
    if (this.partialBytes > 0) {
      const start = this.lineStart;
      const line = Buffer.concat(this.partial);
      this.lineStart += this.partialBytes;
      this.partial = [];
      this.partialBytes = 0;
      this.skipping = false;
      this.line(line, start, out);
    }
    this.flushPending(out);
  }

  private line(bytes: Buffer, start: number, out: AgentEvent[]): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--;
    const text = this.decoder === undefined ? bytes.toString('utf8', 0, end) : this.decoder.decode(bytes.subarray(0, end));
    const startPattern = this.entry.multiLineStart;
    if (startPattern === undefined) {
      if (text !== '') this.emitText(text, this.stamp(text), out);
      return;
    }
    if (this.pending === undefined || startPattern.test(text) || this.pending.bytes + end > MAX_MESSAGE_BYTES) {
      if (this.pending !== undefined) this.emit(this.pending, out);
      this.pending = { lines: [text], bytes: end, start, timestamp: this.stamp(text) };
    } else {
      this.pending.lines.push(text);
      this.pending.bytes += end + 1;
    }
  }

  private stamp(firstLine: string): number {
    const ts = this.entry.timestamp?.parse(firstLine, this.now());
    if (ts !== undefined) {
      this.lastTimestamp = ts.ms;
      return ts.ms;
    }
    // A line without a timestamp takes the previous event's time, as it belongs after it.
    return this.lastTimestamp ?? this.now();
  }

  private emit(p: Pending, out: AgentEvent[]): void {
    this.emitText(p.lines.length === 1 ? (p.lines[0] ?? '') : p.lines.join('\n'), p.timestamp, out);
  }

  /** The hot path: one event, no allocation beyond it. */
  private emitText(text: string, timestamp: number, out: AgentEvent[]): void {
    let message = text;
    if (this.entry.trimTimestamp && this.entry.timestamp !== undefined) {
      // The timestamp is on the first line: the first match in the message.
      const ts = this.entry.timestamp.parse(message, this.now());
      if (ts !== undefined) message = (message.slice(0, ts.start) + message.slice(ts.end)).trimStart();
    }
    if (message === '') return;
    for (const f of this.entry.filters) {
      if (f.expression.test(message) !== (f.type === 'include')) {
        this.filtered++;
        return;
      }
    }
    out.push({ timestamp, message: message.length * 3 <= MAX_MESSAGE_BYTES ? message : truncateMessage(message).message });
  }
}
