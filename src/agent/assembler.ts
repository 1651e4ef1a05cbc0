/**
 * Turns the bytes of one file into events: lines (LF or CRLF), decoded, joined into multi-line events by
 * `multi_line_start_pattern`, stamped by `timestamp_format`, kept or dropped by `filters`. An entry with
 * none of these (and UTF-8) hands its lines on as bytes, never as strings: the agent's fast path.
 *
 * Contract: `push` takes the bytes that follow the previous ones and hands the events they complete to
 * the sink; `committed` is then the file offset where the first byte not yet in an event starts (the start
 * of an incomplete line, or of a multi-line event that may still grow). A restart reads the file again
 * from `committed`, so nothing is lost and nothing is sent twice. `finish` ends the file: what is pending
 * becomes an event.
 */
import { MAX_MESSAGE_BYTES, truncateMessage } from '../cli/batch.js';
import type { FileEntry } from './config.js';
import { TextDecoder } from 'node:util';
import { isUtf8 } from 'node:buffer';
import type { EventSink } from './record.js';

/** A plain entry's lines are stamped with the clock once per this many lines (see push). */
const STAMP_LINES = 64;
/**
 * At most this much of a plain entry's lines (bytes as PutLogEvents counts them: UTF-8 and 26 per event,
 * and lines) takes one millisecond: an eighth of a batch's limits, so a full batch can always end between
 * two milliseconds (batch.ts), at least 7/8 full, and the next one go out beside it (sender.ts). Lines
 * read faster than that (125 MB/s) take the next millisecond, up to MAX_STAMP_LEAD_MS ahead of the clock.
 */
export const MS_RUN_BYTES = 128 * 1024;
export const MS_RUN_LINES = 1250;
export const MAX_STAMP_LEAD_MS = 100;

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
  /** The plain lines' stamp, and what it has stamped so far (see MS_RUN_BYTES). */
  private stampMs = -Infinity;
  private stampBytes = 0;
  private stampLines = 0;
  private readonly decoder: TextDecoder | undefined;
  /** UTF-8, no timestamp_format, multi-line pattern or filters: lines go on as bytes, untouched. */
  private readonly plain: boolean;
  /** Events dropped by filters since the last call to takeFiltered. */
  filtered = 0;

  constructor(
    private readonly entry: Pick<FileEntry, 'timestamp' | 'trimTimestamp' | 'multiLineStart' | 'encoding' | 'filters'>,
    offset: number,
    private readonly now: () => number,
  ) {
    this.lineStart = offset;
    this.decoder = entry.encoding === 'utf-8' || entry.encoding === 'utf8' ? undefined : new TextDecoder(entry.encoding);
    this.plain = this.decoder === undefined && entry.timestamp === undefined && entry.multiLineStart === undefined && entry.filters.length === 0;
  }

  /** Where a restart must read again from. */
  get committed(): number {
    return this.pending?.start ?? this.lineStart;
  }

  /** True while something is held: an incomplete line or a multi-line event. */
  get holding(): boolean {
    return this.pending !== undefined || this.partialBytes > 0;
  }

  push(chunk: Buffer, out: EventSink): void {
    let from = 0;
    if (this.partialBytes > 0) {
      const nl = chunk.indexOf(0x0a);
      if (nl < 0) {
        this.hold(chunk);
        return;
      }
      if (!this.skipping) this.partial.push(chunk.subarray(0, nl));
      const line = Buffer.concat(this.partial);
      const lineEnd = this.lineStart + this.partialBytes + nl + 1;
      this.line(line, 0, line.length, this.lineStart, out);
      this.partial = [];
      this.partialBytes = 0;
      this.skipping = false;
      this.lineStart = lineEnd;
      from = nl + 1;
    }
    const last = chunk.lastIndexOf(0x0a);
    if (last >= from) {
      // The complete lines: when they are valid UTF-8 as a whole, so is each (a newline byte is never
      // inside a character), and a plain entry hands them on as bytes.
      const fast = this.plain && isUtf8(from === 0 && last === chunk.length - 1 ? chunk : chunk.subarray(from, last + 1));
      // Lines are stamped with the time they are read, taken again every STAMP_LINES lines of a chunk (a
      // read holds thousands), and never more than MS_RUN_BYTES or MS_RUN_LINES of them with one
      // millisecond: runs of equal timestamps stay short, which lets the sender have several batches of a
      // stream in flight (batch.ts). Stamps never go back, so they keep the file's order.
      let stamped = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, from);
        if (nl < 0) break;
        if (fast) {
          if (stamped-- === 0) {
            this.clock();
            stamped = STAMP_LINES - 1;
          }
          const end = nl > from && chunk[nl - 1] === 0x0d ? nl - 1 : nl;
          if (end - from > MAX_MESSAGE_BYTES) this.line(chunk, from, nl, this.lineStart, out);
          else if (end > from) {
            const size = end - from + 26;
            if (this.stampLines > 0 && (this.stampBytes + size > MS_RUN_BYTES || this.stampLines >= MS_RUN_LINES)) this.nextMs();
            this.stampBytes += size;
            this.stampLines++;
            out.add(this.stampMs, chunk, from, end);
          }
        } else {
          this.line(chunk, from, nl, this.lineStart, out);
        }
        this.lineStart += nl + 1 - from;
        from = nl + 1;
      }
    }
    if (from < chunk.length) this.hold(chunk.subarray(from));
  }

  /** The clock, for the plain lines' stamp: a new millisecond starts a new run. */
  private clock(): void {
    const t = this.now();
    if (t > this.stampMs) {
      this.stampMs = t;
      this.stampBytes = 0;
      this.stampLines = 0;
    }
  }

  /** The stamp's millisecond is full: the next one (unless that is too far ahead of the clock). */
  private nextMs(): void {
    const t = this.now();
    if (t > this.stampMs) this.stampMs = t;
    else if (this.stampMs < t + MAX_STAMP_LEAD_MS) this.stampMs += 1;
    else return;
    this.stampBytes = 0;
    this.stampLines = 0;
  }

  /** The start of a line that the chunk does not complete. */
  private hold(rest: Buffer): void {
    if (!this.skipping) {
      const room = MAX_MESSAGE_BYTES + 1 - this.partial.reduce((n, b) => n + b.length, 0);
      // Copy: the caller reuses its read buffer.
      this.partial.push(Buffer.from(rest.subarray(0, Math.max(0, room))));
      if (rest.length > room) this.skipping = true;
    }
    this.partialBytes += rest.length;
  }

  /** Pending multi-line event out now (no more lines came in time). */
  flushPending(out: EventSink): void {
    if (this.pending !== undefined) this.emit(this.pending, out);
    this.pending = undefined;
  }

  /** The file is done (rotated away, deleted, truncated): everything held becomes events. */
  finish(out: EventSink): void {
    if (this.partialBytes > 0) {
      const start = this.lineStart;
      const line = Buffer.concat(this.partial);
      this.lineStart += this.partialBytes;
      this.partial = [];
      this.partialBytes = 0;
      this.skipping = false;
      this.line(line, 0, line.length, start, out);
    }
    this.flushPending(out);
  }

  /** The line bytes[from, to) (its newline excluded), which starts at `start` in the file. */
  private line(bytes: Buffer, from: number, to: number, start: number, out: EventSink): void {
    let end = to;
    if (end > from && bytes[end - 1] === 0x0d) end--;
    const text = this.decoder === undefined ? bytes.toString('utf8', from, end) : this.decoder.decode(bytes.subarray(from, end));
    end -= from;
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
    // (Not before the plain lines' stamp, which may be ahead of the clock: the file's order is kept.)
    return this.lastTimestamp ?? Math.max(this.now(), this.stampMs);
  }

  private emit(p: Pending, out: EventSink): void {
    this.emitText(p.lines.length === 1 ? (p.lines[0] ?? '') : p.lines.join('\n'), p.timestamp, out);
  }

  /** An event that took the slow path (decoded to a string). */
  private emitText(text: string, timestamp: number, out: EventSink): void {
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
    const bytes = Buffer.from(message.length * 3 <= MAX_MESSAGE_BYTES ? message : truncateMessage(message).message, 'utf8');
    out.add(timestamp, bytes, 0, bytes.length);
  }
}
