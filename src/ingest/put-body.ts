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
}
/** The typed array's indexOf: no argument juggling, and the searches here are short. */
const find = Uint8Array.prototype.indexOf;

export interface PutLogEventsBody {
  logGroupName?: unknown;
  logStreamName?: unknown;
  sequenceToken?: unknown;
  logEvents?: unknown[];
}

/** The member names handled, by length (then the first letter tells them apart). */
const KEYS = ['logGroupName', 'logStreamName', 'sequenceToken', 'logEvents', 'timestamp', 'message'] as const;
type Key = (typeof KEYS)[number];
const KEYS_BY_LENGTH = new Map<number, Key[]>();
for (const k of KEYS) KEYS_BY_LENGTH.set(k.length, [...(KEYS_BY_LENGTH.get(k.length) ?? []), k]);

/** Thrown inside the reader when the body is not one it handles; never escapes parsePutLogEventsBody. */
const NOT_HANDLED = new Error('not handled');

export function parsePutLogEventsBody(b: Buffer): PutLogEventsBody | undefined {
  try {
    return new Reader(b).body();
  } catch (e) {
    if (e === NOT_HANDLED || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

class Reader {
  private p = 0;
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

  /** The events array: its objects' extents are scanned here, their values read by JSON.parse in pieces. */
  private events(): unknown[] {
    const out: unknown[] = [];
    this.expect(0x5b); // [
    if (this.peek() === 0x5d) {
      this.p++;
      return out;
    }
    let piece = this.p;
    for (;;) {
      this.expect(0x7b); // {
      if (this.peek() === 0x7d) {
        this.p++;
      } else {
        for (;;) {
          const key = this.key();
          this.expect(0x3a);
          if (key === 'timestamp') this.number();
          else if (key === 'message') this.string();
          else throw NOT_HANDLED;
          const c = this.next();
          if (c === 0x7d) break;
          if (c !== 0x2c) throw NOT_HANDLED;
        }
      }
      const end = this.p;
      const c = this.next();
      if (c !== 0x5d && c !== 0x2c) throw NOT_HANDLED;
      if (c === 0x5d || end - piece >= PIECE_BYTES) {
        // [piece, end) is whole events separated by commas: one JSON array once bracketed.
        const values = JSON.parse(`[${(this.b as unknown as Utf8Slicing).utf8Slice(piece, end)}]`) as unknown[];
        for (const v of values) out.push(v);
        if (c === 0x5d) return out;
        this.ws();
        piece = this.p;
      }
    }
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
