/**
 * Subscription events' JSON written from the PutLogEvents body the events arrived in, instead of from
 * the message strings: the body already holds every message as a JSON string literal, which is, byte
 * for byte, what JSON.stringify writes for it whenever the client escaped as JSON.stringify does (only
 * `"`, `\`, and control characters, these as \b \f \n \r \t or \u00xx). A literal escaped otherwise
 * (`\/`, `\u00e9`, upper-case hex, an escaped surrogate pair...) is decoded and written by JSON.stringify.
 * Either way the result is exactly eventsJson's (piece-encoder.ts).
 *
 * Why: the server's event loop then hands the encoder thread one copy of the body's bytes (a memcpy)
 * instead of a structured clone of every message string, and the encoder copies literals instead of
 * escaping strings, with no string per event on either side.
 *
 * The body was accepted by ingest (valid UTF-8, valid JSON, events logEvents[lo...] of the batch), but
 * nothing here trusts it: what is not the shape expected, or does not add up to the batch's message
 * bytes, gives null, and the caller encodes from the strings.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Thrown by the scanner for a body it does not read; never escapes this module. */
const UNREADABLE = new Error('unreadable body');

const KEY_LOG_EVENTS = Buffer.from('logEvents');
const KEY_MESSAGE = Buffer.from('message');

/** Bytes that neither end nor escape: all but the quote and the backslash. */
const PLAIN = new Uint8Array(256).fill(1);
PLAIN[QUOTE] = 0;
PLAIN[BACKSLASH] = 0;
/** Short escapes JSON.stringify writes (by the byte after the backslash). */
const SHORT = new Uint8Array(256);
for (const c of '"\\bfnrt') SHORT[c.charCodeAt(0)] = 1;
const HEX_LOWER = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX_LOWER['0123456789abcdef'.charCodeAt(i)] = i;

class Scanner {
  p = 0;
  constructor(readonly b: Uint8Array) {}

  ws(): void {
    const b = this.b;
    let c = b[this.p];
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = b[++this.p];
  }

  expect(c: number): void {
    this.ws();
    if (this.b[this.p] !== c) throw UNREADABLE;
    this.p++;
  }

  /** Next non-space byte, consumed. */
  next(): number {
    this.ws();
    const c = this.b[this.p++];
    if (c === undefined) throw UNREADABLE;
    return c;
  }

  peek(): number | undefined {
    this.ws();
    return this.b[this.p];
  }

  /**
   * Skips a string literal at p. Returns the bytes of its decoded text if it is escaped exactly as
   * JSON.stringify escapes (see below), else -1. In JavaScript, a table lookup a byte: a native search
   * per quote or backslash costs more, for messages (JSON log lines) full of escaped quotes.
   */
  string(): number {
    const b = this.b;
    const start = this.p;
    if (b[start] !== QUOTE) throw UNREADABLE;
    let i = start + 1;
    /** Bytes of escapes beyond the one byte each stands for. */
    let extra = 0;
    let canonical = true;
    for (;;) {
      while (PLAIN[b[i]!] === 1) i++;
      const c = b[i];
      if (c === QUOTE) break;
      if (c !== BACKSLASH) throw UNREADABLE; // past the end
      const e = b[i + 1];
      if (e === undefined) throw UNREADABLE;
      if (SHORT[e] === 1) {
        i += 2;
        extra += 1;
        continue;
      }
      if (e !== 0x75) {
        canonical = false; // `\/`
        i += 2;
        continue;
      }
      // \u00xx, lower-case hex, for the control characters without a short escape: as JSON.stringify writes.
      const hi = b[i + 2] === 0x30 && b[i + 3] === 0x30 ? (HEX_LOWER[b[i + 4]!] ?? -1) : -1;
      const lo = HEX_LOWER[b[i + 5]!] ?? -1;
      const v = hi * 16 + lo;
      if (hi < 0 || hi > 1 || lo < 0 || v === 8 || v === 9 || v === 10 || v === 12 || v === 13) canonical = false;
      i += 6;
      extra += 5;
    }
    this.p = i + 1;
    return canonical ? i - start - 1 - extra : -1;
  }

  /** A member name, compared with `name` as raw bytes (a name with an escape in it is not read). */
  keyIs(name: Uint8Array): boolean {
    this.ws();
    const start = this.p + 1;
    const length = this.string();
    const end = this.p - 1;
    if (length !== end - start) throw UNREADABLE; // an escape in a name
    this.expect(0x3a); // :
    if (end - start !== name.length) return false;
    for (let i = 0; i < name.length; i++) if (this.b[start + i] !== name[i]) return false;
    return true;
  }

  /** Skips any JSON value. */
  value(): void {
    const c = this.peek();
    if (c === QUOTE) {
      this.string();
    } else if (c === 0x7b || c === 0x5b) {
      const close = c === 0x7b ? 0x7d : 0x5d;
      this.p++;
      if (this.peek() === close) {
        this.p++;
        return;
      }
      for (;;) {
        if (close === 0x7d) this.keyIs(KEY_MESSAGE); // skips the member's name and colon
        this.value();
        const d = this.next();
        if (d === close) return;
        if (d !== 0x2c) throw UNREADABLE;
      }
    } else {
      // A number or a literal: up to the next delimiter.
      const b = this.b;
      const start = this.p;
      let d = b[this.p];
      while (d !== undefined && d !== 0x2c && d !== 0x7d && d !== 0x5d && d !== 0x20 && d !== 0x0a && d !== 0x0d && d !== 0x09) d = b[++this.p];
      if (this.p === start) throw UNREADABLE;
    }
  }
}

/**
 * Where each logEvents[k].message literal is in a PutLogEvents body, quotes included, [start, end) at
 * 3k and 3k + 1, and at 3k + 2 the bytes of its text if it is escaped as JSON.stringify escapes, else
 * -1; null when the body is not read (not an object with a logEvents array of objects, a
 * member name with an escape, an event without a message). Like JSON.parse, the last of repeated names
 * counts.
 */
export function messageLiterals(b: Uint8Array): Int32Array | null {
  const s = new Scanner(b);
  try {
    let found: Int32Array | null = null;
    s.expect(0x7b);
    if (s.peek() === 0x7d) return null;
    for (;;) {
      if (s.keyIs(KEY_LOG_EVENTS)) {
        found = null;
        s.expect(0x5b);
        // Three numbers an event, in memory grown by doubling: an array of numbers pushed to, then copied,
        // was most of what the encoder thread allocated besides the JSON.
        let spans = new Int32Array(3 * 1024);
        let count = 0;
        if (s.peek() === 0x5d) s.p++;
        else
          for (;;) {
            s.expect(0x7b);
            let start = -1;
            let end = -1;
            let length = -1;
            if (s.peek() === 0x7d) s.p++;
            else
              for (;;) {
                if (s.keyIs(KEY_MESSAGE)) {
                  s.ws();
                  start = s.p;
                  length = s.string();
                  end = s.p;
                } else s.value();
                const d = s.next();
                if (d === 0x7d) break;
                if (d !== 0x2c) throw UNREADABLE;
              }
            if (start < 0) return null;
            if (count + 3 > spans.length) {
              const bigger = new Int32Array(spans.length * 2);
              bigger.set(spans);
              spans = bigger;
            }
            spans[count++] = start;
            spans[count++] = end;
            spans[count++] = length;
            const d = s.next();
            if (d === 0x5d) break;
            if (d !== 0x2c) throw UNREADABLE;
          }
        found = spans.subarray(0, count);
      } else s.value();
      const d = s.next();
      if (d === 0x7d) break;
      if (d !== 0x2c) throw UNREADABLE;
    }
    return found;
  } catch (e) {
    if (e === UNREADABLE) return null;
    throw e;
  }
}

export interface BodySource {
  /** The PutLogEvents body (or the part of it from the logEvents array's object on: see bodyEventsJson). */
  body: Uint8Array;
  /** Index in logEvents of the batch's first event. */
  lo: number;
  /** UTF-8 bytes of the messages of the events encoded (a check that body and batch agree). */
  utf8Bytes: number;
  /**
   * Where ingest read logEvents[k].message, quotes included: [start, end) at 2k and 2k + 1 (store's
   * BatchSource.spans). With them the body is not scanned for its literals (messageLiterals).
   */
  spans?: Int32Array;
}

/**
 * Whether JSON text `b` (from a point outside any string: escapes are read in pairs from there) holds
 * an escape `\u` or `\/`. Four bytes at a time where they hold no backslash (a word with a zero byte after
 * xor with the backslash's, the usual bit trick): JSON log lines are full of backslashes (each of their
 * quotes), so a native search for the two-byte escapes stopped at every one of them, and took longer.
 */
export function hasOtherEscapes(b: Uint8Array): boolean {
  const n = b.length;
  const lead = (4 - (b.byteOffset & 3)) & 3;
  const words = n > lead ? new Uint32Array(b.buffer, b.byteOffset + lead, (n - lead) >> 2) : new Uint32Array(0);
  const wordsEnd = lead + 4 * words.length;
  let i = 0;
  while (i < n) {
    if (i >= lead && i < wordsEnd && ((i - lead) & 3) === 0) {
      const v = words[(i - lead) >> 2]! ^ 0x5c5c5c5c;
      if (((v - 0x01010101) & ~v & 0x80808080) === 0) {
        i += 4;
        continue;
      }
    }
    if (b[i] === BACKSLASH) {
      const e = b[i + 1];
      if (e === 0x75 || e === 0x2f) return true;
      i += 2;
    } else i++;
  }
  return false;
}

/**
 * messageLiterals' answer from the spans ingest recorded. Ingest read the body with JSON.parse's rules,
 * so each literal is valid JSON: it is escaped as JSON.stringify escapes unless it holds `\u` or `\/`
 * (every other escape, `\"` `\\` `\b` `\f` `\n` `\r` `\t`, is JSON.stringify's, raw control
 * characters are not valid JSON, and valid UTF-8 holds no lone surrogate). One quick pass over the body
 * for those (hasOtherEscapes), instead of a scan of every literal; only when one is found are the
 * literals scanned one by one. Unscanned, a literal's decoded length is not known
 * (-2), so the
 * check against the batch's bytes is only that the literals hold at least as many (an escape is never
 * shorter than what it stands for): the spans came from the read that gave the batch.
 */
function literalsOfSpans(b: Uint8Array, spans: Int32Array): Int32Array | null {
  const n = spans.length >> 1;
  const out = new Int32Array(3 * n);
  const scanner = hasOtherEscapes(b) ? new Scanner(b) : null;
  try {
    for (let k = 0; k < n; k++) {
      const start = spans[2 * k]!;
      const end = spans[2 * k + 1]!;
      if (start < 0 || end - start < 2 || end > b.length || b[start] !== QUOTE || b[end - 1] !== QUOTE) return null;
      out[3 * k] = start;
      out[3 * k + 1] = end;
      if (scanner === null) out[3 * k + 2] = -2;
      else {
        scanner.p = start;
        out[3 * k + 2] = scanner.string();
        if (scanner.p !== end) return null;
      }
    }
  } catch (e) {
    if (e === UNREADABLE) return null;
    throw e;
  }
  return out;
}

/** Buffer's own writers, without write()'s argument handling. */
interface Writing {
  utf8Write(text: string, offset: number): number;
}

const ID_HEAD = Buffer.from('{"id":"');
const TS_HEAD = Buffer.from('","timestamp":');
const MESSAGE_HEAD = Buffer.from(',"message":');
/** Where the id's timestamp and sequence number digits are in an event's head. */
const TS_AT = ID_HEAD.length;
const SEQ_AT = TS_AT + 20;

/** Writes a non-negative safe integer's decimal digits right-aligned in out[0, width), zeros before. */
function writePadded(out: Uint8Array, width: number, n: number): void {
  let i = width - 1;
  while (n > 0) {
    const q = Math.floor(n / 10);
    out[i--] = 0x30 + (n - q * 10);
    n = q;
  }
  while (i >= 0) out[i--] = 0x30;
}

/** Adds one to the decimal digits in out[0, width). */
function increment(out: Uint8Array, width: number): void {
  let i = width - 1;
  while (i >= 0 && out[i] === 0x39) out[i--] = 0x30;
  if (i >= 0) out[i]!++;
}

/**
 * The events' JSON exactly as eventsJson writes it (comma-separated subscription events), with each
 * message taken from the body; null when the body does not give the batch's messages (the caller then
 * encodes from the strings).
 */
export function bodyEventsJson(
  firstSeq: number,
  offsets: readonly number[] | null,
  timestamps: ArrayLike<number>,
  source: BodySource,
  alloc: (bytes: number) => Buffer = Buffer.allocUnsafeSlow,
): Buffer | null {
  const spans = source.spans !== undefined ? literalsOfSpans(source.body, source.spans) : messageLiterals(source.body);
  const n = timestamps.length;
  if (spans === null) return null;
  const b = source.body;
  // Room: each literal as written, plus at most 110 bytes of comma, id, timestamp and keys an event.
  let room = 16;
  const lengths = new Int32Array(n);
  let utf8 = 0;
  /** Whether every literal's decoded length is known (-2: canonical, length not known). */
  let known = true;
  /** Bytes between the quotes of the literals whose length is not known: never fewer than they decode to. */
  let unknownBytes = 0;
  for (let i = 0; i < n; i++) {
    const k = source.lo + (offsets === null ? i : offsets[i]!);
    if (3 * k + 2 >= spans.length) return null;
    // Ids and timestamps are written as digits: anything but what ingest accepts (non-negative whole
    // milliseconds) goes the way of the strings.
    const ts = timestamps[i]!;
    const seq = firstSeq + (offsets === null ? i : offsets[i]!);
    if (!Number.isSafeInteger(ts) || ts < 0 || !Number.isSafeInteger(seq) || seq < 0) return null;
    const start = spans[3 * k]!;
    const end = spans[3 * k + 1]!;
    const len = spans[3 * k + 2]!;
    lengths[i] = len;
    if (len >= 0) {
      utf8 += len;
      room += end - start + 110;
    } else if (len === -2) {
      known = false;
      unknownBytes += end - start - 2;
      room += end - start + 110;
    } else {
      const m = JSON.parse(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8')) as unknown;
      if (typeof m !== 'string') return null;
      utf8 += Buffer.byteLength(m);
      room += JSON.stringify(m).length * 3 + 110;
    }
  }
  if (known ? utf8 !== source.utf8Bytes : utf8 + unknownBytes < source.utf8Bytes) return null;
  // The body is copied once to the front of the memory the JSON is written to, then each literal within
  // that one buffer (copyWithin: a memmove): a view of the body for every event cost an object each (the
  // encoder thread's young generation was collected three times a second), and the body is often shared
  // memory (the encoder's ring), which typed array copies read more slowly, a byte at a time where unaligned.
  const base = b.length;
  const out = alloc(base + room);
  out.set(b, 0);
  let at = base;
  // Each event's head, {"id":"<timestamp, 20 digits><sequence number, 36 digits>","timestamp":<timestamp>,"message":
  // kept from one event to the next and copied whole: timestamps repeat, sequence numbers count up.
  const head = new Uint8Array(128);
  head.set(ID_HEAD, 0);
  head.set(TS_HEAD, SEQ_AT + 36);
  let headView = head.subarray(0, 0);
  const seqDigits = head.subarray(SEQ_AT, SEQ_AT + 36);
  const tsDigits = head.subarray(TS_AT, TS_AT + 20);
  let lastTs = -1;
  /** The last timestamp's millions (Math.floor(ts / 1e6)), and where its value's digits end in head. */
  let lastMillions = -1;
  let valueEnd = 0;
  let lastSeq = -2;
  for (let i = 0; i < n; i++) {
    const k = source.lo + (offsets === null ? i : offsets[i]!);
    const ts = timestamps[i]!;
    const seq = firstSeq + (offsets === null ? i : offsets[i]!);
    if (ts !== lastTs) {
      const millions = Math.floor(ts / 1e6);
      if (millions === lastMillions && millions > 0) {
        // Timestamps of a batch are close: only the last six digits change, in the id and in the value
        // alike (written with integer arithmetic; the whole head cost a fifth of the JSON's time).
        let low = ts - millions * 1e6;
        for (let j = 1; j <= 6; j++) {
          const q = (low / 10) | 0;
          const d = 0x30 + low - q * 10;
          head[TS_AT + 20 - j] = d;
          head[valueEnd - j] = d;
          low = q;
        }
      } else {
        writePadded(tsDigits, 20, ts);
        let from = 0;
        while (from < 19 && tsDigits[from] === 0x30) from++;
        let h = SEQ_AT + 36 + TS_HEAD.length;
        for (let j = from; j < 20; j++) head[h++] = tsDigits[j]!;
        valueEnd = h;
        head.set(MESSAGE_HEAD, h);
        // The view is kept while its length is: an object less an event.
        if (headView.length !== h + MESSAGE_HEAD.length) headView = head.subarray(0, h + MESSAGE_HEAD.length);
        lastMillions = millions;
      }
      lastTs = ts;
    }
    if (seq === lastSeq + 1) increment(seqDigits, 36);
    else writePadded(seqDigits, 36, seq);
    lastSeq = seq;
    if (i > 0) out[at++] = 0x2c;
    out.set(headView, at);
    at += headView.length;
    const start = spans[3 * k]!;
    const end = spans[3 * k + 1]!;
    if (lengths[i]! !== -1) {
      out.copyWithin(at, start, end);
      at += end - start;
    } else {
      const m = JSON.parse(Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8')) as string;
      at += (out as unknown as Writing).utf8Write(JSON.stringify(m), at);
    }
    out[at++] = 0x7d;
  }
  return out.subarray(base, at);
}
