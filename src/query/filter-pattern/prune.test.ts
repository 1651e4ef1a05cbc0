/**
 * Pruning must never skip a match: for random patterns of every kind and random messages (JSON written
 * with and without `\u` escapes), whenever the predicate matches a message, the bitmap of a block
 * holding only that message passes the pattern's requirement. And it must actually prune.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFilterPattern } from './parse.js';
import { compilePredicate } from './predicate.js';
import { bitmapMayMatch, bitmapRequirement, regexRequirement, textMayMatch, type BitmapRequirement } from './prune.js';
import { addText, newBitmap } from '../../store/trigram.js';

function bitmapOf(...messages: string[]): Uint8Array {
  const b = newBitmap();
  for (const m of messages) addText(b, m);
  return b;
}

function mayMatch(pattern: string, ...messages: string[]): boolean {
  const req = bitmapRequirement(parseFilterPattern(pattern));
  return req === null || bitmapMayMatch(bitmapOf(...messages), req);
}

/** JSON text with the characters of strings and keys chosen by `escape` written as `\uXXXX`. */
function writeJson(v: unknown, escape: () => boolean): string {
  const str = (s: string): string =>
    `"${[...s]
      .map((ch) =>
        [...ch]
          .map((u) => (escape() ? `\\u${u.charCodeAt(0).toString(16).padStart(4, '0')}` : JSON.stringify(u).slice(1, -1)))
          .join(''),
      )
      .join('')}"`;
  if (typeof v === 'string') return str(v);
  if (Array.isArray(v)) return `[${v.map((x) => writeJson(x, escape)).join(',')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.entries(v).map(([k, x]) => `${str(k)}:${writeJson(x, escape)}`).join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

const unit = fc.constantFrom('a', 'b', 'E', 'R', 'O', '1', '/', '"', '\\', ' ', '-', ':', '\n', 'é', '😀');
const word = fc.string({ unit, minLength: 0, maxLength: 6 });
const key = fc.constantFrom('abc', 'aER', 'b/c', 'x"y', 'é😀a');
const leaf = fc.oneof(word, fc.integer({ min: -3, max: 3 }), fc.boolean(), fc.constant(null));
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 2 }), fc.dictionary(key, tie('v'), { maxKeys: 2 })),
})).v;
const doc = fc.dictionary(key, value, { maxKeys: 3 });
const message = fc.oneof(
  fc.string({ unit, maxLength: 20 }),
  // Dense in the letters patterns use, so that regexes with literal runs do match.
  fc.string({ unit: fc.constantFrom('a', 'E', 'R', 'O', 'aE', 'ERO', '1', '-', '.', ' '), maxLength: 14 }),
  fc.array(word, { maxLength: 5 }).map((ws) => ws.join(' ')),
  fc.tuple(doc, fc.integer({ min: 0, max: 0xffff })).map(([d, seed]) => {
    let x = seed | 1;
    return writeJson(d, () => ((x = (x * 1103515245 + 12345) & 0x7fffffff) & 7) === 0);
  }),
  doc.map((d) => JSON.stringify(d)),
);

const quote = (s: string): string => `"${s.replace(/["\\]/g, '\\$&')}"`;
const literal = fc.string({ unit: fc.constantFrom('a', 'b', 'E', 'R', 'O', '1', '/', '"', '\\', ' ', '-', 'é', '😀', '*'), maxLength: 6 });
/** Mostly literal letters, so that runs of three or more (what prunes) are common, with quantifiers. */
const regexAtom = fc.tuple(
  fc.oneof({ weight: 6, arbitrary: fc.constantFrom('a', 'E', 'R', 'O') }, { weight: 1, arbitrary: fc.constantFrom('.', '\\d', '\\s', '[aE]', '\\.', '-', '/', '\\b', '^', '$') }),
  fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.constantFrom('*', '+', '?', '{0,2}', '{1}', '{2,}', '*?') }),
);
const regex = fc
  .array(fc.oneof({ weight: 12, arbitrary: regexAtom.map(([a, q]) => (a === '^' || a === '$' || a === '\\b' ? a : a + q)) }, { weight: 1, arbitrary: fc.constant('|') }), {
    minLength: 1,
    maxLength: 8,
  })
  .map((xs) => xs.join(''));
const selector = fc
  .array(fc.oneof(key.map((k) => (/^[A-Za-z]+$/.test(k) ? `.${k}` : null)), fc.constant('[0]')), { minLength: 1, maxLength: 2 })
  .map((xs) => `$${xs.map((x) => x ?? '.abc').join('')}`);
const condition = fc.oneof(
  fc.tuple(selector, fc.constantFrom('=', '!='), literal).map(([s, o, v]) => `${s} ${o} ${quote(v)}`),
  fc.tuple(selector, fc.constantFrom('=', '!=', '>'), fc.integer({ min: -3, max: 3 })).map(([s, o, v]) => `${s} ${o} ${v}`),
  fc.tuple(selector, fc.constantFrom('IS TRUE', 'IS FALSE', 'IS NULL', 'NOT EXISTS')).map(([s, t]) => `${s} ${t}`),
  fc.tuple(selector, fc.constantFrom('=', '!='), regex).map(([s, o, r]) => `${s} ${o} %${r}%`),
);
const jsonExpr: fc.Arbitrary<string> = fc.letrec((tie) => ({
  e: fc.oneof({ depthSize: 'small' }, condition, fc.tuple(tie('e'), fc.constantFrom('&&', '||'), tie('e')).map(([l, o, r]) => `(${l} ${o} ${r})`)),
})).e;
const fieldTest = fc.oneof(
  fc.tuple(fc.constantFrom('=', '!='), literal).map(([o, v]) => `f ${o} ${quote(v)}`),
  fc.tuple(fc.constantFrom('=', '!='), regex).map(([o, r]) => `f ${o} %${r}%`),
);
const delimited = fc
  .array(fc.oneof(fc.constant('g'), fc.constant('...'), fc.array(fieldTest, { minLength: 1, maxLength: 2 }).map((ts) => ts.join(' || '))), { minLength: 1, maxLength: 3 })
  .map((fs) => `[${fs.join(', ')}]`);
const terms = fc.array(fc.tuple(fc.constantFrom('', '?', '-'), fc.string({ unit: fc.constantFrom('a', 'E', 'R', 'O', '1', 'é'), minLength: 1, maxLength: 5 })), { maxLength: 3 }).map((ts) => ts.map(([p, t]) => `${p}${quote(t)}`).join(' '));
const pattern = fc.oneof(jsonExpr.map((e) => `{ ${e} }`), regex.map((r) => `%${r}%`), delimited, terms);

/** A random message, or the pattern's own letters with some dropped (what regexes with optional atoms match). */
const patternAndMessage = fc.oneof(
  fc.tuple(pattern, message),
  fc.tuple(pattern, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), fc.constantFrom('', ' ', 'x')).map(([src, keep, pad]): [string, string] => [
    src,
    pad + [...src.replace(/\\.|[^A-Za-z ]/g, '')].filter((_, i) => keep[i % keep.length]).join('') + pad,
  ]),
);

test('pruning never skips a block holding a match', () => {
  let matched = 0;
  fc.assert(
    fc.property(patternAndMessage, ([src, m]) => {
      let p;
      try {
        p = parseFilterPattern(src);
      } catch {
        return;
      }
      if (!compilePredicate(p)(m)) return;
      matched++;
      const req = bitmapRequirement(p);
      assert.ok(req === null || bitmapMayMatch(bitmapOf(m), req), `${src} matches ${JSON.stringify(m)} but its block would be skipped`);
    }),
    { numRuns: 20_000 },
  );
  assert.ok(matched > 500, `only ${matched} matches exercised the property`);
});

test('every match contains the text its requirement names (the guard FilterLogEvents puts before the SQL back end)', () => {
  let matched = 0;
  fc.assert(
    fc.property(patternAndMessage, ([src, m]) => {
      let p;
      try {
        p = parseFilterPattern(src);
      } catch {
        return;
      }
      if (!compilePredicate(p)(m)) return;
      matched++;
      const req = bitmapRequirement(p);
      assert.ok(req === null || textMayMatch(m, req), `${src} matches ${JSON.stringify(m)} but lacks the text its requirement names`);
    }),
    { numRuns: 20_000 },
  );
  assert.ok(matched > 500, `only ${matched} matches exercised the property`);
});

test('the text test of a JSON literal: its pieces, or a \\u escape anywhere in the message', () => {
  const req = bitmapRequirement(parseFilterPattern('{ $.msg = "*zqxjkvbw*" }'))!;
  assert.equal(textMayMatch('{"msg":"cache key zqxjkvbw stale"}', req), true);
  assert.equal(textMayMatch('{"msg":"cache key stale"}', req), false);
  assert.equal(textMayMatch('{"msg":"cache key \\u007aqxjkvbw stale"}', req), true, 'an escaped letter');
  assert.equal(textMayMatch('{"message":"zqxjkvbw"}', req), false, 'the key "msg" is missing');
});

test('JSON patterns prune blocks without their keys or values', () => {
  const block = ['{"eventName":"ConsoleLogin","user":"alice"}', '{"eventName":"GetObject","user":"bob"}'];
  assert.equal(mayMatch('{ $.eventName = "ConsoleLogin" }', ...block), true);
  assert.equal(mayMatch('{ $.eventName = "DeleteTrail" }', ...block), false);
  assert.equal(mayMatch('{ $.eventName = "Delete*" }', ...block), false);
  assert.equal(mayMatch('{ $.eventName = "*Login" }', ...block), true);
  assert.equal(mayMatch('{ $.errorCode = "*" }', ...block), false, 'a missing key');
  assert.equal(mayMatch('{ $.errorCode NOT EXISTS }', ...block), true);
  assert.equal(mayMatch('{ $.eventName = "DeleteTrail" || $.user = "alice" }', ...block), true);
  assert.equal(mayMatch('{ $.eventName = "DeleteTrail" && $.user = "alice" }', ...block), false);
  assert.equal(mayMatch('{ $.eventName != "DeleteTrail" }', ...block), true);
  // Any character may be escaped: a block with a \u escape is kept for every JSON literal.
  assert.equal(mayMatch('{ $.eventName = "DeleteTrail" }', ...block, '{"x":"\\u0044eleteTrail"}'), true);
});

test('terms, regexes and space-delimited patterns prune by their literal text', () => {
  const block = ['127.0.0.1 - - [10/Oct/2000:13:55:36] "GET /index.html" 200 2326', 'INFO started worker 7'];
  assert.equal(mayMatch('ERROR', ...block), false);
  assert.equal(mayMatch('?ERROR ?INFO', ...block), true);
  assert.equal(mayMatch('%ERROR%', ...block), false);
  assert.equal(mayMatch('%ERROR|started%', ...block), true);
  assert.equal(mayMatch('%ERRX?OR%', ...block), false, 'ERR must occur');
  assert.equal(mayMatch('%s.a*rt%', ...block), true, 'cannot prune: no run of three');
  assert.equal(mayMatch('%STA*RTED%', ...block), false, 'RTED must occur');
  assert.equal(mayMatch('[ip, id, user, ts, request = "*.php*", status, size]', ...block), false);
  assert.equal(mayMatch('[ip, id, user, ts, request = "*.html*", status, size]', ...block), true);
  assert.equal(mayMatch('[..., status = 404 || status = %50\\d%]', ...block), true, 'numbers do not prune');
  // A character written by its code is that character, not its digits (a property test found `%\x2A %`).
  assert.equal(mayMatch('%\\x49NFO st%', ...block), true, 'INFO st');
  assert.equal(mayMatch('%\\x2A %', '{"a":["* "]}'), true);
  assert.equal(mayMatch('%\\x2Axy%', '{"a":["* "]}'), false, '*xy must occur');
});

test('regex escapes in Logs Insights regexes: codes are their characters; classes, properties and references require nothing', () => {
  const req = (source: string): string[] => {
    const r = regexRequirement(source);
    const texts: string[] = [];
    const walk = (x: BitmapRequirement): void => (x.kind === 'bits' ? void texts.push(x.text ?? '') : x.of.forEach(walk));
    if (r !== null) walk(r);
    return texts;
  };
  assert.deepEqual(req('\\x41BC'), ['ABC']);
  assert.deepEqual(req('\\u0041BCD'), ['ABCD']);
  assert.deepEqual(req('\\x{41}BC'), ['ABC']);
  assert.deepEqual(req('\\u{1F600}abc'), ['abc'], 'beyond the BMP: not a literal');
  assert.deepEqual(req('\\p{Lu}abc'), ['abc']);
  assert.deepEqual(req('\\k<n>abc'), ['abc']);
  assert.deepEqual(req('\\cJabc'), ['abc']);
  assert.deepEqual(req('\\12abc'), ['abc']);
  assert.deepEqual(req('abc\\x44*def'), ['abc', 'def'], 'a quantified escape may be absent');
  assert.deepEqual(req('abc\\x2Edef'), ['abc.def']);
});
