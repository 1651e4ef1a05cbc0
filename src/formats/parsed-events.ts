/**
 * What a parser makes of one delivered object: its events as columns, not as an object per event.
 *
 * An event is its timestamp (a Float64Array) and its message, which is almost always a span of the
 * object's text (two Int32Array entries), so a parse keeps nothing per line alive but numbers: with an
 * object and a string per line alive until the whole object is parsed, the garbage collector copied
 * every one of them (twice) and took a third of the time of the JSON lines parser (bench/formats.ts).
 * The rare message that is not a span (a CloudTrail record written out without its indentation) and
 * the parse errors are kept by index. Fields are read from the message only when asked for, by the
 * reader the format had when it read the line (a W3C `#Fields:` header changes it mid-object).
 */
import type { Fields, ParsedEvent } from './types.js';

/** Reads the fields of an event's message. */
export type FieldsReader = (message: string) => Fields;

/** The reader of formats whose events have no fields of their own (raw documents). */
export const NO_FIELDS: FieldsReader = () => ({});

export class ParsedEvents {
  count = 0;
  /** Events with a parse error (raw events at the fallback time). */
  errors = 0;
  /** Header or comment lines that are not events. */
  skipped = 0;
  private times: Float64Array;
  /** Per event, where its message starts and ends in `text`; -1 and -1 when it is in `messages`. */
  private spans: Int32Array;
  private readonly messages = new Map<number, string>();
  private readonly parseErrors = new Map<number, string>();
  /** The fields reader from event `from` on (ascending `from`). */
  private readonly readers: Array<{ from: number; read: FieldsReader }> = [];

  /** `text` is what spans point into; `expected` a guess of the number of events (arrays grow as needed). */
  constructor(
    readonly text: string,
    read: FieldsReader,
    expected = 64,
  ) {
    this.times = new Float64Array(Math.max(16, expected));
    this.spans = new Int32Array(2 * Math.max(16, expected));
    this.readers.push({ from: 0, read });
  }

  /** An event whose message is text[start, end). */
  add(timestamp: number, start: number, end: number): void {
    if (this.count === this.times.length) this.grow();
    const i = this.count++;
    this.times[i] = timestamp;
    this.spans[2 * i] = start;
    this.spans[2 * i + 1] = end;
  }

  /** An event whose message is not a span of the text. */
  addMessage(timestamp: number, message: string): void {
    this.messages.set(this.count, message);
    this.add(timestamp, -1, -1);
  }

  /** A raw event for text that could not be parsed: kept, never dropped; `message` when it is not text[start, end). */
  addError(timestamp: number, error: string, start: number, end: number, message?: string): void {
    this.parseErrors.set(this.count, error);
    this.errors++;
    if (message === undefined) this.add(timestamp, start, end);
    else this.addMessage(timestamp, message);
  }

  /** Events from now on have their fields read by `read`. */
  setReader(read: FieldsReader): void {
    const last = this.readers[this.readers.length - 1]!;
    if (last.read === read) return;
    if (last.from === this.count) last.read = read;
    else this.readers.push({ from: this.count, read });
  }

  timestamp(i: number): number {
    return this.times[i]!;
  }

  /** The timestamps of all events (a view: valid while no event is added). */
  get timestamps(): Float64Array {
    return this.times.subarray(0, this.count);
  }

  message(i: number): string {
    const start = this.spans[2 * i]!;
    return start < 0 ? this.messages.get(i)! : this.text.slice(start, this.spans[2 * i + 1]);
  }

  parseError(i: number): string | undefined {
    return this.parseErrors.size === 0 ? undefined : this.parseErrors.get(i);
  }

  /** The named fields of event i (read from its message now: empty for a raw event). */
  fields(i: number): Fields {
    if (this.parseError(i) !== undefined) return {};
    let k = this.readers.length - 1;
    while (this.readers[k]!.from > i) k--;
    return this.readers[k]!.read(this.message(i));
  }

  /** Event i as an object (tests and small objects; ingest reads the columns). */
  event(i: number): ParsedEvent {
    const parseError = this.parseError(i);
    return { timestamp: this.timestamp(i), message: this.message(i), fields: this.fields(i), ...(parseError === undefined ? {} : { parseError }) };
  }

  /** Every event as an object (see event). */
  events(): ParsedEvent[] {
    return Array.from({ length: this.count }, (_, i) => this.event(i));
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    this.times = times;
    const spans = new Int32Array(this.spans.length * 2);
    spans.set(this.spans);
    this.spans = spans;
  }
}
