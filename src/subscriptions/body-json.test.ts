/**
 * Subscription events' JSON written from the PutLogEvents body (body-json.ts) against the same JSON
 * written from the message strings (eventsJson, JSON.stringify's escaping), byte for byte, for bodies
 * escaped the way any client may escape them; and payloads built that way, decoded with the standard
 * recipe (base64, gunzip, JSON.parse), against the events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import fc from 'fast-check';
import type { HotBatch } from '../store/hot.js';
import { bodyEventsJson, hasOtherEscapes, messageLiterals, type BodySource } from './body-json.js';
import { eventsJson, inlineEncoder, WorkerEncoder, type PieceEncoder } from './piece-encoder.js';
import { hotPart, messageOfParts, noteSource } from './runs.js';
import { dataMessage, encodeMessage } from './payload.js';
import { awslogsBody } from './sinks/function.js';
import { decodeAwslogs } from './testing.js';
import { messageSpans, parsePutLogEventsBody } from '../ingest/put-body.js';

/** The message spans ingest records reading `body` (it must read it). */
function spansOf(body: Buffer): Int32Array {
  assert.ok(parsePutLogEventsBody(body) !== undefined, 'ingest reads the body');
  return messageSpans(body)!;
}

/** How a client may write a JSON string: all valid JSON, not all of it as JSON.stringify writes it. */
type Style = { unicode: 'raw' | 'lower' | 'upper'; slash: boolean; controls: 'short' | 'u' };

function literal(s: string, style: Style): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const u = (n: number): string => {
      const hex = n.toString(16).padStart(4, '0');
      return `\\u${style.unicode === 'upper' ? hex.toUpperCase() : hex}`;
    };
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x2f && style.slash) out += '\\/';
    else if (c < 0x20) out += style.controls === 'short' && JSON.stringify(s[i]).length === 4 ? JSON.stringify(s[i]).slice(1, -1) : u(c);
    else if (c >= 0xd800 && c <= 0xdfff) out += u(c); // a surrogate (paired or not) cannot be raw in UTF-8
    else if (c >= 0x7f && style.unicode !== 'raw') out += u(c);
    else out += s[i];
  }
  return out + '"';
}

const ws = fc.constantFrom('', ' ', '\n  ', '\t', '\r\n');

/** A PutLogEvents body holding `events` after `before` other events, in a random layout and escaping. */
const bodyArb = (events: Array<{ timestamp: number; message: string }>, before: Array<{ timestamp: number; message: string }>) =>
  fc
    .record({
      unicode: fc.constantFrom('raw', 'lower', 'upper'),
      slash: fc.boolean(),
      controls: fc.constantFrom('short', 'u'),
      messageFirst: fc.boolean(),
      extra: fc.boolean(),
      groupAfter: fc.boolean(),
      space: fc.array(ws, { minLength: 8, maxLength: 8 }),
    })
    .map((o) => {
      const style: Style = { unicode: o.unicode as Style['unicode'], slash: o.slash, controls: o.controls as Style['controls'] };
      const [a, b, c, d, e, f, g, h] = o.space as [string, string, string, string, string, string, string, string];
      const event = (ev: { timestamp: number; message: string }): string => {
        const ts = `"timestamp"${a}:${b}${ev.timestamp}`;
        const msg = `"message"${c}:${d}${literal(ev.message, style)}`;
        // A repeated name: JSON.parse takes the last, so must the body reader.
        const parts = o.messageFirst ? [msg, ts] : [ts, msg];
        if (o.extra) parts.unshift(`"message":"not this one \\/ \\u00E9"`);
        return `{${e}${parts.join(`${f},${g}`)}${h}}`;
      };
      const list = `"logEvents"${a}:${b}[${[...before, ...events].map(event).join(`,${c}`)}${d}]`;
      const group = `"logGroupName":${literal('/g/é', style)},${e}"logStreamName":"s\\"1"`;
      return `{${f}${o.groupAfter ? `${list},${group}` : `${group},${list}`}${g}}`;
    });

const messageArb = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', '\u2028', 'é', '😀', 'a', '\ud800', '\udc00', '{'), maxLength: 40 }),
  fc.json({ maxDepth: 2 }),
);

const eventsArb = fc.array(fc.record({ timestamp: fc.integer({ min: 0, max: 4_000_000_000_000 }), message: messageArb }), { minLength: 1, maxLength: 12 });

test('JSON from the body is exactly the JSON from the strings, however the client escaped (property)', () => {
  fc.assert(
    fc.property(
      eventsArb,
      eventsArb,
      fc.integer({ min: 0, max: 2 ** 40 }),
      fc.boolean(),
      (events, before, firstSeq, subset) =>
        fc.assert(
          fc.property(bodyArb(events, before.slice(0, 3)), fc.array(fc.boolean(), { minLength: events.length, maxLength: events.length }), (body, keepFlags) => {
            const lo = Math.min(3, before.length);
            const parsed = JSON.parse(body) as { logEvents: Array<{ message: string }> };
            assert.deepEqual(
              parsed.logEvents.slice(lo).map((e) => e.message),
              events.map((e) => e.message),
              'the generator writes a body JSON.parse reads back',
            );
            const keep = subset ? events.map((_, i) => i).filter((i) => keepFlags[i]) : null;
            if (keep !== null && keep.length === 0) return;
            const kept = keep === null ? events : keep.map((i) => events[i]!);
            const timestamps = kept.map((e) => e.timestamp);
            const messages = kept.map((e) => e.message);
            const source: BodySource = { body: Buffer.from(body), lo, utf8Bytes: messages.reduce((n, m) => n + Buffer.byteLength(m), 0) };
            const fromBody = bodyEventsJson(firstSeq, keep, timestamps, source);
            const fromStrings = eventsJson({ firstSeq, offsets: keep, timestamps, messages });
            assert.ok(fromBody !== null, 'a body ingest accepted gives its messages');
            assert.equal(fromBody.toString('utf8'), fromStrings.toString('utf8'));
            assert.ok(fromBody.equals(fromStrings));
            // The same from the spans ingest recorded, without looking for the literals again.
            const fromSpans = bodyEventsJson(firstSeq, keep, timestamps, { ...source, spans: spansOf(source.body as Buffer) });
            assert.ok(fromSpans !== null, 'a body ingest read gives its messages by its spans');
            assert.ok(fromSpans.equals(fromStrings), `from the spans: ${fromSpans.toString('utf8')} against ${fromStrings.toString('utf8')}`);
          }),
          { numRuns: 3 },
        ),
    ),
    { numRuns: 300 },
  );
});

/**
 * Timestamps as a batch has them, close together: from a start near a power of ten or a multiple of a
 * million (where the digits the head rewrites carry over), by small steps, some back, some repeated.
 */
const closeTimestampsArb = fc
  .tuple(
    fc.oneof(
      fc.constantFrom(0, 1, 999_990, 999_999_990, 1_764_252_735_990, 1_764_252_799_990, 9_999_999_999_990, 99_999_999_999_990),
      // Just below a multiple of 100,000 or of a million: the highest digits below the millions change.
      fc.tuple(fc.integer({ min: 0, max: 2 ** 33 }), fc.integer({ min: 1, max: 10 })).map(([m, k]) => m * 1e6 + k * 100_000 - 10),
      fc.integer({ min: 0, max: 2 ** 50 }),
    ),
    fc.array(fc.integer({ min: -3, max: 25 }), { minLength: 1, maxLength: 40 }),
  )
  .map(([start, steps]) => {
    let ts = start;
    return steps.map((d) => (ts = Math.max(0, ts + d)));
  });

test('JSON from the body has the ids and timestamps JSON from the strings has, for timestamps close together (property)', () => {
  fc.assert(
    fc.property(closeTimestampsArb, fc.integer({ min: 0, max: 2 ** 40 }), (timestamps, firstSeq) => {
      const messages = timestamps.map((_, i) => `m${i} "q"`);
      const body = Buffer.from(JSON.stringify({ logGroupName: 'g', logStreamName: 's', logEvents: timestamps.map((timestamp, i) => ({ timestamp, message: messages[i]! })) }));
      const source: BodySource = { body, lo: 0, utf8Bytes: messages.reduce((n, m) => n + Buffer.byteLength(m), 0) };
      const fromBody = bodyEventsJson(firstSeq, null, timestamps, source);
      assert.ok(fromBody !== null);
      assert.equal(fromBody.toString('utf8'), eventsJson({ firstSeq, offsets: null, timestamps, messages }).toString('utf8'));
    }),
    { numRuns: 500 },
  );
});

test('a body that does not give the batch (shape, names, sizes) gives null, never other JSON', () => {
  const ok = Buffer.from('{"logGroupName":"g","logEvents":[{"timestamp":1,"message":"a\\"b"},{"timestamp":2,"message":"é"}]}');
  const src = (body: string | Buffer, utf8Bytes: number, lo = 0): BodySource => ({ body: Buffer.from(body), lo, utf8Bytes });
  assert.equal(bodyEventsJson(0, null, [1, 2], src(ok, 5))?.toString(), eventsJson({ firstSeq: 0, offsets: null, timestamps: [1, 2], messages: ['a"b', 'é'] }).toString());
  assert.equal(bodyEventsJson(0, null, [1, 2], src(ok, 6)), null, 'the message bytes do not add up');
  assert.equal(bodyEventsJson(0, null, [1, 2], src(ok, 5, 1)), null, 'fewer events than the batch');
  assert.equal(bodyEventsJson(0, null, [1], src('{"logEvents":[{"timestamp":1}]}', 0)), null, 'an event without a message');
  assert.equal(bodyEventsJson(0, null, [1], src('{"logEvents":[{"timestamp":1,"messag\\u0065":"x"}]}', 1)), null, 'an escaped name');
  assert.equal(bodyEventsJson(0, null, [1], src('{"logEvents":[{"timestamp":1,"message":"x"}', 1)), null, 'cut short');
  assert.equal(bodyEventsJson(0, null, [1], src('[1]', 1)), null);
  assert.equal(bodyEventsJson(0, null, [-1], src('{"logEvents":[{"timestamp":-1,"message":"x"}]}', 1)), null, 'a timestamp not written as digits');
  assert.equal(messageLiterals(Buffer.from('{}')), null);
  assert.deepEqual([...messageLiterals(Buffer.from('{"logEvents":[]}'))!], []);
  assert.deepEqual([...messageLiterals(Buffer.from('{"logEvents":[{"message":"a\\/"}]}'))!], [25, 30, -1], 'found, but not escaped as JSON.stringify escapes');
  // Spans that do not point at string literals of the body.
  const spans = spansOf(ok);
  assert.equal(bodyEventsJson(0, null, [1, 2], { ...src(ok, 5), spans })?.toString(), eventsJson({ firstSeq: 0, offsets: null, timestamps: [1, 2], messages: ['a"b', 'é'] }).toString());
  assert.equal(bodyEventsJson(0, null, [1, 2], { ...src(ok, 5), spans: spans.map((x, i) => (i === 0 ? x + 1 : x)) }), null, 'not at a quote');
  assert.equal(bodyEventsJson(0, null, [1, 2], { ...src(ok, 5), spans: spans.subarray(0, 2) }), null, 'fewer spans than events');
  assert.equal(bodyEventsJson(0, null, [1, 2], { ...src(ok, 5), spans: spans.map((x, i) => (i === 3 ? ok.length + 1 : x)) }), null, 'past the end');
  assert.equal(bodyEventsJson(0, null, [1, 2], { ...src(ok, 5), spans: spans.map((x, i) => (i === 0 ? -1 : x)) }), null, 'no message');
});

const messages = ['plain', 'quote " and \\ back / slash', 'uni é 😀 \u2028 \u0001 \u007f', '{"a":1}', 'x'.repeat(70_000), 'ERROR last', 'lone \ud800 and \udfff', '\u0001'.repeat(20_000)];
const timestamps = messages.map((_, i) => 1_800_000_000_000 + i);

/** A hot batch of `messages` as ingest makes it from `body` (its events after `lo` others). */
function batchFrom(body: string, lo: number, withSpans = false): { batch: HotBatch; source: { body: Buffer; lo: number; spans?: Int32Array } } {
  const batch: HotBatch = { groupId: 1, streamId: 3, walFile: 1, ingestMs: 5, firstSeq: 100, timestamps, messages, bytes: messages.reduce((a, m) => a + Buffer.byteLength(m), 0) };
  const b = Buffer.from(body);
  return { batch, source: { body: b, lo, ...(withSpans ? { spans: spansOf(b) } : {}) } };
}

for (const [name, make] of [
  ['in this thread', (): PieceEncoder => inlineEncoder],
  ['in the encoder thread', (): PieceEncoder => new WorkerEncoder()],
] as const) {
  test(`payloads built from bodies decode with the standard recipe to exactly the events (${name})`, async () => {
    const encoder = make();
    try {
      const styles: Style[] = [
        { unicode: 'raw', slash: false, controls: 'short' },
        { unicode: 'upper', slash: true, controls: 'u' },
      ];
      const other = { timestamp: 1, message: 'before' };
      for (const [style, withSpans] of styles.flatMap((st) => [[st, false], [st, true]] as const)) {
        const body = `{"logGroupName":"/g","logStreamName":"s","logEvents":[${[other, ...messages.map((message, i) => ({ timestamp: timestamps[i]!, message }))]
          .map((e) => `{"timestamp":${e.timestamp},"message":${literal(e.message, style)}}`)
          .join(',')}]}`;
        const { batch, source } = batchFrom(body, 1, withSpans);
        noteSource(batch, source);
        const whole = hotPart({ batch, lo: 0, hi: messages.length }, '', () => true, encoder)!;
        const some = hotPart({ batch, lo: 2, hi: messages.length }, 'no x', (m) => !m.startsWith('x'), encoder)!;
        const m = messageOfParts('000000000000', '/g', 's', 'f', [whole, some]);
        const payload = decodeAwslogs(awslogsBody(await encodeMessage(m)));
        const events = [...whole.events(), ...some.events()];
        assert.deepEqual(payload, dataMessage('000000000000', '/g', 's', 'f', events));
        assert.equal(gunzipSync(await encodeMessage(m)).toString('utf8'), JSON.stringify(dataMessage('000000000000', '/g', 's', 'f', events)));
        assert.deepEqual(
          payload.logEvents.map((e) => e.message),
          [...messages, ...messages.slice(2).filter((x) => !x.startsWith('x'))],
        );
      }
    } finally {
      await encoder.close();
    }
  });
}

test('a body that does not match its batch is not trusted: the encoder thread is asked again with the strings', async () => {
  const encoder = new WorkerEncoder();
  try {
    // The body holds other messages than the batch (never the case for ingest, which reads the batch from
    // it; the check of their bytes catches a change to them, a truncation say).
    const body = JSON.stringify({ logEvents: messages.map((message, i) => ({ timestamp: timestamps[i], message: `${message}!` })) });
    const { batch, source } = batchFrom(body, 0);
    noteSource(batch, source);
    const part = hotPart({ batch, lo: 0, hi: messages.length }, '', () => true, encoder)!;
    const m = messageOfParts('000000000000', '/g', 's', 'f', [part]);
    assert.equal(gunzipSync(await encodeMessage(m)).toString('utf8'), JSON.stringify(dataMessage('000000000000', '/g', 's', 'f', part.events())));
  } finally {
    await encoder.close();
  }
});

test('pieces asked for in the same turn of the event loop go to the encoder thread together, each answered with its own bytes', async () => {
  const encoder = new WorkerEncoder();
  try {
    const styles = fc.record({ unicode: fc.constantFrom('raw', 'lower', 'upper'), slash: fc.boolean(), controls: fc.constantFrom('short', 'u') }) as fc.Arbitrary<Style>;
    // Pieces of one turn: some from a body (in the ring), some whose body does not give their messages
    // (answered with an error, then asked again with the strings), some from the strings alone.
    const piece = fc.record({ messages: fc.array(fc.string({ unit: 'binary' }), { minLength: 1, maxLength: 12 }), style: styles, body: fc.constantFrom('good', 'spans', 'wrong', 'none') });
    await fc.assert(
      fc.asyncProperty(fc.array(piece, { minLength: 1, maxLength: 8 }), async (pieces) => {
        const inputs = pieces.map((p, n) => {
          const timestamps = p.messages.map((_, i) => 1_800_000_000_000 + n * 100 + i);
          const given = p.body === 'wrong' ? p.messages.map((m) => `${m}!`) : p.messages;
          const body = Buffer.from(`{"logEvents":[${given.map((m, i) => `{"timestamp":${timestamps[i]},"message":${literal(m, p.style)}}`).join(',')}]}`);
          const utf8Bytes = p.messages.reduce((a, m) => a + Buffer.byteLength(m), 0);
          const spans = p.body === 'spans' ? { spans: spansOf(body) } : {};
          return { firstSeq: 1000 * n, offsets: null, timestamps, messages: p.messages, ...(p.body === 'none' ? {} : { source: { body, lo: 0, utf8Bytes, ...spans } }) };
        });
        // All asked before any answer: one message to the thread.
        const answers = await Promise.all(inputs.map((input) => encoder.encode(input)));
        for (const [i, answer] of answers.entries()) {
          const expected = await inlineEncoder.encode({ ...inputs[i]!, source: undefined });
          assert.equal(answer.crc, expected.crc);
          assert.equal(answer.length, expected.length);
          const json = gunzipSync(Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]), answer.data, Buffer.from([1, 0, 0, 0xff, 0xff]), trailer(answer.crc, answer.length)])).toString('utf8');
          assert.equal(json, eventsJson(inputs[i]!).toString('utf8'));
        }
        assert.equal(encoder.pending, 0);
      }),
      { numRuns: 40 },
    );
  } finally {
    await encoder.close();
  }
});

function trailer(crc: number, length: number): Buffer {
  const t = Buffer.alloc(8);
  t.writeUInt32LE(crc >>> 0, 0);
  t.writeUInt32LE(length % 2 ** 32, 4);
  return t;
}

test('hasOtherEscapes finds a \\u or \\/ escape wherever it is, reading escapes in pairs (property)', () => {
  const token = fc.constantFrom('\\\\', '\\"', '\\n', '\\u', '\\/', 'a', 'u', '/', '"', '\\u00e9', 'xyz', '\\\\u');
  fc.assert(
    fc.property(fc.array(token, { maxLength: 40 }), fc.integer({ min: 0, max: 7 }), (tokens, offset) => {
      const text = tokens.join('');
      // Where the text starts in its memory moves, so words fall differently over it.
      const b = new Uint8Array(text.length + offset).subarray(offset);
      b.set(Buffer.from(text, 'latin1'));
      const expected = [...text.matchAll(/\\(.)/gs)].some((m) => m[1] === 'u' || m[1] === '/');
      assert.equal(hasOtherEscapes(b), expected, JSON.stringify(text));
    }),
    { numRuns: 2000 },
  );
});
