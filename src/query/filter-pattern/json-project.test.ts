/**
 * The projection against JSON.parse (fast-check): on generated texts, valid and not (duplicate keys,
 * escapes anywhere, keys and brackets inside strings, every kind of number, deep nesting, whitespace
 * other than spaces, raw control characters, random edits), a projected object is only returned for a
 * text JSON.parse reads as an object, and every path then selects the same values from both, unless the
 * text has a control character (the caller's check), and then JSON.parse throws; a valid object text
 * whose whitespace is spaces is always projected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { JsonPath } from './ast.js';
import { hasControlCharacter, projector } from './json-project.js';
import { select } from './predicate.js';

/** A JSON value whose objects may repeat keys: members as a list. */
type Value = string | number | boolean | null | Value[] | { members: Array<[string, Value]> };

const KEYS = ['a', 'b', 'ab', 'c', 'a"b', 'b\\', '}', '{"a":1}', '__proto__', 'constructor', '0', 'é', '\u2028', ' a'];
const key = fc.constantFrom(...KEYS);
const stringValue = fc.oneof(key, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 }), fc.constantFrom('"a":', '\\', '\\"', '[', ']', '{', '}', ',', '\u0000', '\n'));
const numberText = fc.oneof(
  fc.constantFrom('0', '-0', '1', '-1', '10', '1.5', '-0.25', '1e3', '1E+3', '2e-2', '1.5E400', '-1e-400', '123456789012345678901234567890', '0.1'),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
);
const value: fc.Arbitrary<Value> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    stringValue,
    numberText.map((t) => ({ number: t }) as unknown as Value),
    fc.constantFrom(true, false, null),
    fc.array(tie('v'), { maxLength: 3 }) as fc.Arbitrary<Value[]>,
    fc.array(fc.tuple(key, tie('v')), { maxLength: 4 }).map((members) => ({ members }) as Value),
  ),
})).v as fc.Arbitrary<Value>;
const topObject = fc.array(fc.tuple(key, value), { maxLength: 6 }).map((members) => ({ members }) as Value);

/** A string literal with some characters escaped (`\uXXXX`, or the short escapes), chosen by `seed`. */
function stringText(s: string, seed: number): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    const code = s.charCodeAt(i);
    const r = (seed + i * 7) % 5;
    if (c === '"' || c === '\\') out += r === 0 ? `\\u${code.toString(16).padStart(4, '0')}` : `\\${c}`;
    else if (code < 0x20) out += r === 0 ? `\\u${code.toString(16).padStart(4, '0').toUpperCase()}` : JSON.stringify(c).slice(1, -1);
    else if (c === '/' && r === 1) out += '\\/';
    else if (r === 2 && (seed & 8) !== 0) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

/** The text of `v`, with whitespace `ws(k)` between tokens. */
function write(v: Value, seed: number, ws: (k: number) => string): string {
  let k = seed;
  const go = (x: Value): string => {
    k++;
    if (typeof x === 'string') return stringText(x, k);
    if (x === null || typeof x === 'boolean') return String(x);
    if (Array.isArray(x)) return `[${ws(k)}${x.map((e) => go(e)).join(`${ws(k + 1)},${ws(k + 2)}`)}${ws(k + 3)}]`;
    if ('number' in (x as object)) return (x as unknown as { number: string }).number;
    const members = (x as { members: Array<[string, Value]> }).members;
    return `{${ws(k)}${members.map(([name, e]) => `${stringText(name, k)}${ws(k + 1)}:${ws(k + 2)}${go(e)}`).join(`${ws(k + 3)},${ws(k + 4)}`)}${ws(k + 5)}}`;
  };
  return go(v);
}

const whitespace = fc.oneof(
  { weight: 4, arbitrary: fc.constant(['']) },
  { weight: 3, arbitrary: fc.constant(['', ' ', '', '  ']) },
  { weight: 1, arbitrary: fc.constant(['', ' ', '\t', '\n', '\r\n']) },
);
/** Edits that may break the text: insert, delete or replace a character at a position. */
const edit = fc.tuple(fc.constantFrom('insert', 'delete', 'replace'), fc.nat(), fc.constantFrom('"', '\\', '{', '}', '[', ']', ',', ':', ' ', '1', '-', '.', 'e', 'x', 'n', 't', '\u0001', '\t'));
const text = fc
  .tuple(topObject, fc.nat(), whitespace, fc.option(edit, { nil: undefined, freq: 3 }), fc.constantFrom('', ' ', '  ', '\t'), fc.constantFrom('', ' ', '\n'))
  .map(([v, seed, spaces, e, before, after]) => {
    let t = before + write(v, seed, (k) => spaces[k % spaces.length]!) + after;
    if (e !== undefined && t.length > 0) {
      const at = e[1] % t.length;
      t = e[0] === 'insert' ? t.slice(0, at) + e[2] + t.slice(at) : e[0] === 'delete' ? t.slice(0, at) + t.slice(at + 1) : t.slice(0, at) + e[2] + t.slice(at + 1);
    }
    return t;
  });
const step = fc.oneof({ weight: 6, arbitrary: key as fc.Arbitrary<string | number | { wildcard: 'field' | 'element' }> }, { weight: 1, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: fc.constantFrom({ wildcard: 'field' as const }, { wildcard: 'element' as const }) });
const path = fc.tuple(key, fc.array(step, { maxLength: 3 })).map(([first, rest]) => [first, ...rest] as JsonPath);

const CONTROL = /[\u0000-\u001f]/;

function depth(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let d = 0;
  for (const x of Object.values(v)) d = Math.max(d, depth(x));
  return d + 1;
}

function check(t: string, paths: JsonPath[]): void {
  const project = projector(paths);
  if (project === null) {
    assert.ok(paths.some((p) => p.includes('__proto__')), 'only a __proto__ path is refused here');
    return;
  }
  let full: unknown;
  let threw = false;
  try {
    full = JSON.parse(t);
  } catch {
    threw = true;
  }
  const isObject = !threw && typeof full === 'object' && full !== null && !Array.isArray(full);
  const got = project(t);
  if (got === undefined) {
    assert.ok(!isObject || CONTROL.test(t) || depth(full) > 60, `a valid object text was not projected: ${JSON.stringify(t)}`);
    return;
  }
  if (hasControlCharacter(t)) {
    assert.ok(threw, `projected a text with a control character that JSON.parse reads: ${JSON.stringify(t)}`);
    return;
  }
  assert.ok(isObject, `projected a text JSON.parse does not read as an object: ${JSON.stringify(t)}`);
  for (const p of paths) assert.deepStrictEqual(select(got, p), select(full, p), `${JSON.stringify(p)} in ${JSON.stringify(t)}`);
}

test('a projection selects what JSON.parse does, and only from texts JSON.parse reads as objects or rejects for a control character', () => {
  fc.assert(
    fc.property(text, fc.array(path, { minLength: 1, maxLength: 4 }), (t, paths) => check(t, paths)),
    { numRuns: 20_000 },
  );
});

test('valid texts are projected (the property above is not vacuous)', () => {
  let projected = 0;
  fc.assert(
    fc.property(topObject, fc.nat(), fc.array(path, { minLength: 1, maxLength: 3 }), (v, seed, paths) => {
      const t = write(v, seed, () => '');
      const project = projector(paths);
      if (project === null) return;
      check(t, paths);
      if (project(t) !== undefined) projected++;
    }),
    { numRuns: 2000 },
  );
  // About three in four are projected (the rest are left to JSON.parse: whitespace, depth, paths): the
  // count varies by run (as low as 1,487 seen; a bound of 1,500 failed one run in four), so the bound
  // sits well below it, far above vacuity.
  assert.ok(projected > 1300, `${projected} of 2000 projected`);
});

test('fixed cases: duplicates, escapes, strings that look like members, nesting, what is left to JSON.parse', () => {
  const cases: Array<[string, JsonPath[]]> = [
    ['{"a":1,"a":2}', [['a']]],
    ['{"a":{"b":1},"a":{"c":2}}', [['a', 'b'], ['a', 'c']]],
    ['{"a":{"b":1},"a":3}', [['a', 'b'], ['a']]],
    ['{"\\u0061":"x","a":"y","\\u0061":"z"}', [['a']]],
    ['{"x":"\\"a\\":1,","a":2}', [['a']]],
    ['{"x":"{\\"a\\":1}","a":[{"a":3}]}', [['a', 0, 'a'], ['a', { wildcard: 'element' }]]],
    ['{"a":"\\ud800","b":"\\uDFFF\\/"}', [['a'], ['b']]],
    ['{"a":-0,"b":1E400,"c":0.1e-5}', [['a'], ['b'], ['c']]],
    ['{"constructor":1}', [['constructor'], ['toString']]],
    ['{"__proto__":{"a":1},"b":2}', [['b'], ['a']]],
    ['{"a":1}x', [['a']]],
    ['{"a":01}', [['a']]],
    ['{"a":1,}', [['a']]],
    ['{"a":"\\x"}', [['a']]],
    ['{"a":"\t"}', [['a']]],
    ['{"a":\t1}', [['a']]],
    ['\u00a0{"a":1}', [['a']]],
    ['{"a":' + '['.repeat(70) + ']'.repeat(70) + ',"b":1}', [['b']]],
    ['{"a":' + '['.repeat(70) + ']'.repeat(70) + ',"b":1}', [['a', 0]]],
    ['{"b":' + '{"a":'.repeat(70) + '1' + '}'.repeat(70) + '}', [['b', 'a', 'a']]],
  ];
  for (const [t, paths] of cases) check(t, paths);
  assert.equal(projector([[{ wildcard: 'field' }, 'a']]), null);
  assert.equal(projector([['__proto__']]), null);
  assert.deepStrictEqual(projector([['a', 'b']])!('{"a":{"b":1,"c":{"d":[1]}},"e":"f"}'), { a: { b: 1 } });
});
