/**
 * Reads a PutLogEvents request body into what JSON.parse(body.toString()) gives for it, without ever
 * holding the whole body as one string. This is the ingest hot path: a string of a batch's size (up to
 * 1 MiB) lands in V8's large-object space, whose fresh pages cost more than the parse itself (on the
 * benchmark machine, decoding a 256 KiB body took twice as long as JSON.parse of it).
 *
 * How: a scanner walks the body's structure (members, events, where each string ends) without decoding
 * anything, and JSON.parse reads the events in pieces of about 32 KiB, each a string of ordinary size.
 * JSON.parse still decodes and checks every value, so what it accepts is JSON's business, not ours.
 *
 * Contract: for a body this returns an object for, JSON.parse returns an equal object. It returns
 * undefined for anything else (other members, other value types, malformed JSON...): the caller then
 * uses JSON.parse, which gives the usual answer, errors included. The body must be valid UTF-8 (the
 * caller checks). put-body.test.ts checks the contract against JSON.parse on random bodies.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Events are handed to JSON.parse in pieces of about this many bytes. */
const PIECE_BYTES = 32 * 1024;

/** Buffer's own decoder, without toString()'s argument handling. */
interface Utf8Slicing {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}
/** The typed array's indexOf: no argument juggling, and the searches here are short. */
const find = Uint8Array.prototype.indexOf;

export interface PutLogEventsBody {
  logGroupName?: unknown;
  logStreamName?: unknown;
  sequenceToken?: unknown;
  logEvents?: unknown[];
}

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
/** The compact event's pieces (compactEvent), from the quote of its first member name. */
const TIMESTAMP_MEMBER = bytes('"timestamp":');
const MESSAGE_MEMBER = bytes('"message":"');
const TIMESTAMP_AFTER = bytes(',"timestamp":');
const MESSAGE_AFTER = bytes(',"message":"');

/** The member names handled, by length (then the first letter tells them apart). */
const KEYS = ['logGroupName', 'logStreamName', 'sequenceToken', 'logEvents', 'timestamp', 'message'] as const;
type Key = (typeof KEYS)[number];
const KEYS_BY_LENGTH = new Map<number, Key[]>();
for (const k of KEYS) KEYS_BY_LENGTH.set(k.length, [...(KEYS_BY_LENGTH.get(k.length) ?? []), k]);

/** Thrown inside the reader when the body is not one it handles; never escapes parsePutLogEventsBody. */
const NOT_HANDLED = new Error('not handled');

/** Where each message literal of a body read by parsePutLogEventsBody is (messageSpans). */
const spansByBody = new WeakMap<Buffer, Int32Array>();

export function parsePutLogEventsBody(b: Buffer): PutLogEventsBody | undefined {
  try {
    const reader = new Reader(b);
    const out = reader.body();
    if (reader.spans !== null) spansByBody.set(b, reader.spans);
    return out;
  } catch (e) {
    if (e === NOT_HANDLED || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

/**
 * Where the reading of `b` (by parsePutLogEventsBody, which must have returned a body for it) found each
 * logEvents[k].message literal, quotes included: [start, end) at 2k and 2k + 1, -1 for an event without
 * one; the last when a name repeats, as JSON.parse reads it. Subscriptions write the messages' JSON from
 * these bytes (subscriptions/body-json.ts) without looking for them again. Undefined for a body not read.
 */
export function messageSpans(b: Buffer): Int32Array | undefined {
  return spansByBody.get(b);
}

class Reader {
  private p = 0;
  /** Message literals of the last logEvents read (see messageSpans), two numbers an event. */
  spans: Int32Array | null = null;
  /** What integerAt and plainStringAt read last. */
  private value = 0;
  private text = '';
  constructor(private readonly b: Buffer) {}

  body(): PutLogEventsBody {
    const out: PutLogEventsBody = {};
    this.expect(0x7b); // {
    if (this.peek() === 0x7d) {
      this.p++;
    } else {
      for (;;) {
        const key = this.key();
        this.expect(0x3a); // :
        if (key === 'logEvents') out.logEvents = this.events();
        else if (key === 'logGroupName' || key === 'logStreamName' || key === 'sequenceToken') out[key] = this.stringValue();
        else throw NOT_HANDLED;
        const c = this.next();
        if (c === 0x7d) break;
        if (c !== 0x2c) throw NOT_HANDLED;
      }
    }
    this.ws();
    if (this.p !== this.b.length) throw NOT_HANDLED;
    return out;
  }

  /**
   * The events array. An event whose timestamp is a plain integer and whose message has no escape is
   * built here, from the bytes (what JSON.parse would give: the string is the UTF-8 of its bytes, the
   * number its digits); runs of other events go to JSON.parse in pieces, in order.
   */
  private events(): unknown[] {
    const out: unknown[] = [];
    this.expect(0x5b); // [
    if (this.peek() === 0x5d) {
      this.p++;
      return this.ended(out, new Int32Array(0), 0);
    }
    /** Start of the run of events not built here (-1: none), and where its last event ends. */
    let piece = -1;
    let pieceEnd = -1;
    // Where each event's message literal is (messageSpans); grown by doubling.
    let spans = new Int32Array(2 * 1024);
    let k = 0;
    for (;; k++) {
      const start = this.p;
      if (2 * k + 2 > spans.length) {
        const bigger = new Int32Array(spans.length * 2);
        bigger.set(spans);
        spans = bigger;
      }
      spans[2 * k] = -1;
      spans[2 * k + 1] = -1;
      this.spanAt = 2 * k;
      this.spanOut = spans;
      const compact = this.compactEvent();
      if (compact !== undefined) {
        if (piece >= 0) {
          this.piece(out, piece, pieceEnd);
          piece = -1;
        }
        out.push(compact);
        const c = this.next();
        if (c === 0x5d) return this.ended(out, spans, k + 1);
        if (c !== 0x2c) throw NOT_HANDLED;
        this.ws();
        continue;
      }
      this.expect(0x7b); // {
      // What this event holds: its members in order (0 none, 1 timestamp, 2 message), and their values.
      let members = 0;
      let count = 0;
      let timestamp = NaN;
      let message: string | undefined;
      if (this.peek() === 0x7d) {
        this.p++;
      } else {
        for (;;) {
          const key = this.key();
          this.expect(0x3a);
          count++;
          if (key === 'timestamp') {
            const from = this.p;
            this.number();
            timestamp = this.integer(from, this.p);
            members = members * 4 + 1;
          } else if (key === 'message') {
            const from = this.string();
            spans[2 * k] = from;
            spans[2 * k + 1] = this.p;
            message = this.plainString(from + 1, this.p - 1);
            members = members * 4 + 2;
          } else {
            throw NOT_HANDLED;
          }
          const c = this.next();
          if (c === 0x7d) break;
          if (c !== 0x2c) throw NOT_HANDLED;
        }
      }
      const end = this.p;
      const c = this.next();
      if (c !== 0x5d && c !== 0x2c) throw NOT_HANDLED;
      const built = count === 2 && message !== undefined && !Number.isNaN(timestamp);
      if (built) {
        if (piece >= 0) {
          this.piece(out, piece, pieceEnd);
          piece = -1;
        }
        // Members in the body's order, as JSON.parse would create them.
        out.push(members === 6 ? { timestamp, message } : { message, timestamp });
      } else {
        if (piece < 0) piece = start;
        pieceEnd = end;
        if (end - piece >= PIECE_BYTES) {
          this.piece(out, piece, pieceEnd);
          piece = -1;
        }
      }
      if (c === 0x5d) {
        if (piece >= 0) this.piece(out, piece, pieceEnd);
        return this.ended(out, spans, k + 1);
      }
      this.ws();
    }
  }

  /** The events array read: its spans kept (for `count` events). */
  private ended(out: unknown[], spans: Int32Array, count: number): unknown[] {
    this.spans = spans.subarray(0, 2 * count);
    return out;
  }

  /** Where compactEvent writes the message literal's span: spanOut[spanAt], spanOut[spanAt + 1]. */
  private spanOut = new Int32Array(2);
  private spanAt = 0;

  /**
   * An event as SDKs and the agent write it, `{"timestamp":N,"message":"..."}` (or message first), with
   * no whitespace, an integer timestamp and a message without escapes, read in one pass over its bytes;
   * undefined (and nothing consumed) for anything else, which the general path then reads.
   */
  private compactEvent(): { timestamp: number; message: string } | undefined {
    const b = this.b;
    const p = this.p;
    if (b[p] !== 0x7b || b[p + 1] !== QUOTE) return undefined;
    if (b[p + 2] === 0x74 && this.literal(p + 1, TIMESTAMP_MEMBER)) {
      const t = this.integerAt(p + 1 + TIMESTAMP_MEMBER.length);
      if (t < 0 || !this.literal(t, MESSAGE_AFTER)) return undefined;
      const m = this.plainStringAt(t + MESSAGE_AFTER.length);
      if (m < 0 || b[m] !== 0x7d) return undefined;
      this.spanOut[this.spanAt] = t + MESSAGE_AFTER.length - 1;
      this.spanOut[this.spanAt + 1] = m;
      this.p = m + 1;
      return { timestamp: this.value, message: this.text };
    }
    if (b[p + 2] === 0x6d && this.literal(p + 1, MESSAGE_MEMBER)) {
      const m = this.plainStringAt(p + 1 + MESSAGE_MEMBER.length);
      if (m < 0 || !this.literal(m, TIMESTAMP_AFTER)) return undefined;
      const t = this.integerAt(m + TIMESTAMP_AFTER.length);
      if (t < 0 || b[t] !== 0x7d) return undefined;
      this.spanOut[this.spanAt] = p + MESSAGE_MEMBER.length;
      this.spanOut[this.spanAt + 1] = m;
      this.p = t + 1;
      return { message: this.text, timestamp: this.value };
    }
    return undefined;
  }

  /** Whether the bytes at `at` are `lit`. */
  private literal(at: number, lit: Uint8Array): boolean {
    const b = this.b;
    for (let i = 0; i < lit.length; i++) if (b[at + i] !== lit[i]) return false;
    return true;
  }

  /** The integer at `at` (see integer()) into this.value; where it ends, or -1. */
  private integerAt(at: number): number {
    const b = this.b;
    let end = at;
    if (b[end] === 0x2d) end++;
    for (;;) {
      const c = b[end];
      if (c === undefined || c < 0x30 || c > 0x39) break;
      end++;
    }
    this.value = this.integer(at, end);
    return Number.isNaN(this.value) ? -1 : end;
  }

  /**
   * The string whose content starts at `at` (just after its opening quote) into this.text, when it has
   * no escape and no control character; where it ends (after its closing quote), or -1.
   */
  private plainStringAt(at: number): number {
    const b = this.b;
    let ascii = true;
    let i = at;
    for (;;) {
      const c = b[i];
      if (c === undefined || c < 0x20 || c === BACKSLASH) return -1;
      if (c === QUOTE) break;
      if (c >= 0x80) ascii = false;
      i++;
    }
    const slicing = this.b as unknown as Utf8Slicing;
    this.text = ascii ? slicing.latin1Slice(at, i) : slicing.utf8Slice(at, i);
    return i + 1;
  }

  /** Events [from, end) (whole events separated by commas) read by JSON.parse, appended to out. */
  private piece(out: unknown[], from: number, end: number): void {
    const values = JSON.parse(`[${(this.b as unknown as Utf8Slicing).utf8Slice(from, end)}]`) as unknown[];
    for (const v of values) out.push(v);
  }

  /**
   * The value of the JSON number in [from, to) when it is an integer JSON.parse reads exactly (optional
   * minus, no leading zero, at most 15 digits), else NaN (JSON.parse reads it, or refuses it).
   */
  private integer(from: number, to: number): number {
    const b = this.b;
    const neg = b[from] === 0x2d;
    const first = neg ? from + 1 : from;
    const digits = to - first;
    if (digits < 1 || digits > 15 || (b[first] === 0x30 && digits > 1)) return NaN;
    let v = 0;
    for (let i = first; i < to; i++) {
      const d = b[i]! - 0x30;
      if (d < 0 || d > 9) return NaN;
      v = v * 10 + d;
    }
    return neg ? -v : v;
  }

  /**
   * The string whose bytes are [from, to) when it holds no escape and no control character (JSON.parse
   * then gives the bytes' UTF-8 decoding, the body being valid UTF-8), else undefined.
   */
  private plainString(from: number, to: number): string | undefined {
    const b = this.b;
    let ascii = true;
    for (let i = from; i < to; i++) {
      const c = b[i]!;
      if (c < 0x20 || c === BACKSLASH) return undefined;
      if (c >= 0x80) ascii = false;
    }
    return ascii ? (this.b as unknown as Utf8Slicing).latin1Slice(from, to) : (this.b as unknown as Utf8Slicing).utf8Slice(from, to);
  }

  /** A member name, one of KEYS (anything else is not handled), then whitespace. */
  private key(): Key {
    const b = this.b;
    this.ws();
    if (b[this.p] !== QUOTE) throw NOT_HANDLED;
    const start = this.p + 1;
    const end = find.call(b, QUOTE, start);
    const key = KEYS_BY_LENGTH.get(end - start)?.find((k) => b[start] === k.charCodeAt(0));
    if (key === undefined) throw NOT_HANDLED;
    for (let i = 1; i < key.length; i++) if (b[start + i] !== key.charCodeAt(i)) throw NOT_HANDLED;
    this.p = end + 1;
    this.ws();
    return key;
  }

  /** Skips a string (it ends at the first quote after an even number of backslashes); returns where it started. */
  private string(): number {
    const b = this.b;
    const start = this.p;
    if (b[start] !== QUOTE) throw NOT_HANDLED;
    let end = start;
    for (;;) {
      end = find.call(b, QUOTE, end + 1);
      if (end < 0) throw NOT_HANDLED;
      let k = end - 1;
      while (b[k] === BACKSLASH) k--;
      if ((end - 1 - k) % 2 === 0) break;
    }
    this.p = end + 1;
    return start;
  }

  /** Skips the characters a JSON number may hold (JSON.parse checks the number itself). */
  private number(): void {
    const b = this.b;
    const start = this.p;
    for (;;) {
      const c = b[this.p];
      if (c === undefined || !((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45)) break;
      this.p++;
    }
    if (this.p === start) throw NOT_HANDLED;
  }

  /** A string, decoded by JSON.parse. */
  private stringValue(): unknown {
    const start = this.string();
    return JSON.parse((this.b as unknown as Utf8Slicing).utf8Slice(start, this.p));
  }

  /** Skips whitespace, then consumes one byte and returns it. */
  private next(): number | undefined {
    this.ws();
    return this.b[this.p++];
  }

  private peek(): number | undefined {
    this.ws();
    return this.b[this.p];
  }

  private expect(c: number): void {
    if (this.next() !== c) throw NOT_HANDLED;
    this.ws();
  }

  private ws(): void {
    const b = this.b;
    let c = b[this.p];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++this.p];
  }
}
