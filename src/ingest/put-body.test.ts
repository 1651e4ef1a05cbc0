import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { messageSpans, parsePutLogEventsBody } from './put-body.js';

/** The contract: an answer equal to JSON.parse's, or none (the caller then uses JSON.parse). */
function check(text: string): 'fast' | 'fallback' {
  const body = Buffer.from(text, 'utf8');
  const fast = parsePutLogEventsBody(body);
  let reference: unknown;
  let threw = false;
  try {
    reference = JSON.parse(text);
  } catch {
    threw = true;
  }
  if (fast === undefined) return 'fallback';
  assert.equal(threw, false, `accepted what JSON.parse refuses: ${JSON.stringify(text)}`);
  assert.deepStrictEqual(fast, reference);
  // Each event's message literal is where messageSpans says (quotes included), or -1 for none.
  const events = (reference as { logEvents?: unknown }).logEvents;
  if (Array.isArray(events)) {
    const spans = messageSpans(body);
    assert.ok(spans !== undefined && spans.length === 2 * events.length, 'two numbers an event');
    events.forEach((e: { message?: unknown }, k) => {
      if (typeof e.message !== 'string') return assert.equal(spans[2 * k], -1);
      assert.equal(JSON.parse(body.subarray(spans[2 * k]!, spans[2 * k + 1]!).toString('utf8')), e.message, `the span of event ${k}`);
    });
  }
  return 'fast';
}

const ws = fc.constantFrom('', ' ', '\n', '\t', '\r\n  ');
const message = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }), // lone surrogates, controls: escaped by JSON.stringify
  fc.constantFrom('', '"', '\\', 'a\\"b', '{"k":[1,2]}', '\u2028\u2029', 'é€😀'),
);
const timestamp = fc.oneof(
  { weight: 50, arbitrary: fc.integer({ min: -1e15 + 1, max: 1e15 - 1 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1.5, 1e21, 2 ** 53) },
);

test('PutLogEvents bodies as SDKs write them are read exactly as JSON.parse reads them', () => {
  let fast = 0;
  fc.assert(
    fc.property(
      fc.string({ maxLength: 20 }),
      fc.string({ maxLength: 20 }),
      fc.array(fc.record({ timestamp, message }), { maxLength: 20 }),
      fc.option(fc.string({ maxLength: 10 }), { nil: undefined }),
      (g, s, events, token) => {
        const text = JSON.stringify({ logGroupName: g, logStreamName: s, logEvents: events, ...(token === undefined ? {} : { sequenceToken: token }) });
        if (check(text) === 'fast') fast++;
      },
    ),
    { numRuns: 1000 },
  );
  assert.ok(fast > 500, `only ${fast} of 1000 bodies took the fast path`);
});

/** Tokens of PutLogEvents-like JSON, joined with random whitespace, so that member order, whitespace, duplicates and breakage all occur. */
const token = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('{', '}', '[', ']', ',', ':', '"logGroupName"', '"logStreamName"', '"logEvents"', '"timestamp"', '"message"', '"sequenceToken"') },
  { weight: 2, arbitrary: message.map((m) => JSON.stringify(m)) },
  { weight: 1, arbitrary: fc.constantFrom('"other"', '"time\\u0073tamp"', '1', '-0', '01', '1e3', '1.0', '-', '12345678901234567', 'null', 'true', '"', '\\', '"\u0001"', '"a\\x"', '"\\u12"') },
  { weight: 1, arbitrary: timestamp.map(String) },
);

test('any arrangement of PutLogEvents tokens is read as JSON.parse reads it, or left to JSON.parse', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(ws, token), { maxLength: 40 }), ws, (parts, tail) => {
      check(parts.map(([w, t]) => w + t).join('') + tail);
    }),
    { numRuns: 3000 },
  );
});

test('well-formed bodies with whitespace and member order as other clients write them take the fast path', () => {
  const text = ' {\n "logEvents" : [ { "message" : "a\\nb" , "timestamp" : 1700000000000 } ,{"timestamp":-0,"message":"é"}],\n "logStreamName":"s", "logGroupName" : "g" }\n';
  assert.equal(check(text), 'fast');
  assert.equal(check('{"logGroupName":"g","logStreamName":"s","logEvents":[]}'), 'fast');
  // Duplicates and any number: JSON.parse reads the pieces, so they are read as it reads them.
  assert.equal(check('{"logGroupName":"g","logGroupName":"h","logEvents":[{"timestamp":1,"timestamp":2.5e3,"message":"m"}]}'), 'fast');
  for (const bad of ['{"entity":{}}', '{"logEvents":[{"timestamp":"1"}]}', '{"logGroupName":"g"} x', '{"logGroupName":"g",}', '{"logGroupName":"\u0007"}', '{"logEvents":[{"message":"a\u0007"}]}', '{"logEvents":[{"timestamp":01}]}']) {
    assert.equal(check(bad), 'fallback', bad);
  }
});

test('compact events (read byte by byte) and others (read by JSON.parse) keep their order and values', () => {
  const events = [
    '{"timestamp":1,"message":"plain"}',
    '{"message":"first","timestamp":-0}',
    '{"timestamp":2,"message":"esc\\"aped"}',
    '{"timestamp":3,"message":"é€😀\u2028"}',
    '{"timestamp":123456789012345,"message":""}',
    '{"timestamp":1234567890123456,"message":"16 digits"}',
    '{"timestamp":1.5,"message":"fraction"}',
    '{ "timestamp":4,"message":"spaced"}',
    '{"timestamp":5,"message":"m","message":"dup"}',
    '{"message":"tab\\there","timestamp":6}',
    '{"timestamp":-7,"message":"neg"}',
  ];
  for (let i = 0; i < events.length; i++) {
    const order = [...events.slice(i), ...events.slice(0, i)];
    assert.equal(check(`{"logGroupName":"g","logStreamName":"s","logEvents":[${order.join(',')}]}`), 'fast');
    assert.equal(check(`{"logEvents":[${order.join(' , ')}]}`), 'fast');
  }
  for (const bad of ['{"timestamp":01,"message":"m"}', '{"timestamp":1,"message":"a\u0001"}', '{"timestamp":-,"message":"m"}', '{"message":"m","timestamp":1', '{"timestamp":1,"message":"m"']) {
    assert.equal(check(`{"logEvents":[${bad}]}`), 'fallback', bad);
  }
});
