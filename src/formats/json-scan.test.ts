/**
 * The JSON scanner (json-scan.ts) against JSON.parse: it accepts exactly what JSON.parse accepts, on
 * valid JSON of every shape (escapes, unicode, nesting, whitespace), on that JSON mutated at random,
 * and on random text; and the spans it reports are the values JSON.parse reads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isJson, minify, scalarAt, scanObject, scanRecords, skipWs } from './json-scan.js';

const parses = (s: string): boolean => {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
};

/** Characters that matter to JSON (and some that must be rejected), for mutations. */
const ALPHABET = ['{', '}', '[', ']', '"', ':', ',', '\\', '/', ' ', '\t', '\n', '\r', '\f', '\v', '\u00a0', '\ufeff', '0', '1', '9', '-', '+', '.', 'e', 'E', 'x', 'u', 't', 'r', 'f', 'n', 'l', 'a', 's', 'b', '\u0000', '\u001f', '\u007f', 'é', '\ud83d', '\ude00', '\u2028'];

/** Valid JSON text: any value, written compactly or indented, with whitespace sprinkled between tokens. */
const jsonText = fc.tuple(fc.jsonValue({ depthSize: 'medium' }), fc.constantFrom(0, 1, 2, '\t'), fc.constantFrom('', ' ', '\r\n', '\t \n')).map(([v, indent, pad]) => `${pad}${JSON.stringify(v, null, indent)}${pad}`);

/** Text with JSON-looking escapes and numbers that fc.jsonValue does not write. */
const oddTokens = fc.constantFrom('"\\u00e9"', '"\\uD83D\\uDE00"', '"\\ud800"', '"\\/"', '"\\b\\f\\n\\r\\t"', '"\\u12"', '"\\x41"', '"\\a"', '1e5', '1E+5', '-0', '0.5e-3', '01', '1.', '.5', '-', '+1', '1e', '0x10', 'NaN', 'Infinity', 'tru', 'nul', 'True', '"\t"', '"\u007f"', '[1,]', '{"a":1,}', '{"a"}', '{1:2}', '[', ']', '{}', '[]', '""');

const mutated = fc
  .tuple(
    fc.oneof(jsonText, fc.array(oddTokens, { minLength: 1, maxLength: 4 }).map((t) => `[${t.join(',')}]`)),
    fc.array(fc.tuple(fc.constantFrom('insert', 'delete', 'replace'), fc.nat(), fc.constantFrom(...ALPHABET), fc.constantFrom(...[...ALPHABET, '"\\u0041"', '1e5', 'true', '{"k":[]}'])), { maxLength: 3 }),
  )
  .map(([text, edits]) => {
    let s = text;
    for (const [op, at, ch, token] of edits) {
      const p = s.length === 0 ? 0 : at % (s.length + 1);
      if (op === 'insert') s = s.slice(0, p) + (at % 2 ? ch : token) + s.slice(p);
      else if (op === 'delete') s = s.slice(0, p) + s.slice(p + 1);
      else s = s.slice(0, p) + ch + s.slice(p + 1);
    }
    return s;
  });

test('accepts exactly what JSON.parse accepts: valid, odd, mutated and random text', () => {
  fc.assert(
    fc.property(fc.oneof(jsonText, mutated, mutated, oddTokens, fc.string(), fc.string({ unit: fc.constantFrom(...ALPHABET) })), (s) => {
      assert.equal(isJson(s), parses(s), JSON.stringify(s));
    }),
    { numRuns: 5000 },
  );
  for (const s of ['', ' ', '{}', '[]', '""', '0', '-0', '1e5', '01', '[1,]', '{"a":1,}', '"\\ud800"', '"\u2028"', '\ufeff{}', '{"a":1}x', '[[[[[[[[[[]]]]]]]]]]', '[[[[[[[[[[]]]]]]]]]', '"\\u00G0"']) {
    assert.equal(isJson(s), parses(s), JSON.stringify(s));
  }
  // Nesting deeper than the scanner's initial stack.
  const deep = `${'[{"a":'.repeat(500)}1${'}]'.repeat(500)}`;
  assert.equal(isJson(deep), true);
  assert.equal(isJson(deep.slice(0, -1)), false);
});

/** The value of member `name` of an object as JSON.parse reads it (the last of duplicates). */
const memberOf = (text: string, name: string): unknown => (JSON.parse(text) as Record<string, unknown>)[name];

test('scanObject finds the value JSON.parse gives each named member (the last of duplicates, escaped keys decoded)', () => {
  const names = ['timestamp', 'time', '@timestamp'];
  const key = fc.constantFrom('timestamp', 'time', '@timestamp', 'tim\\u0065', 'x', 'timestamps', '', 'Time');
  const value = fc.oneof(fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), fc.constantFrom('"2023-11-14T22:13:20Z"', '"2023-11-14T22:13:20\\u005a"', '1700000000', '1.7e9', '-0'));
  fc.assert(
    fc.property(fc.array(fc.tuple(key, value), { maxLength: 6 }), fc.constantFrom('', ' ', '\n'), (members, ws) => {
      const text = `{${ws}${members.map(([k, v]) => `"${k}"${ws}:${ws}${v}`).join(`${ws},${ws}`)}${ws}}`;
      const found = new Int32Array(2 * names.length);
      const end = scanObject(text, 0, names, found);
      assert.equal(end, text.length);
      const parsed = JSON.parse(text) as Record<string, unknown>;
      names.forEach((name, k) => {
        if (!Object.hasOwn(parsed, name)) return assert.equal(found[2 * k], -1);
        const span = text.slice(found[2 * k], found[2 * k + 1]);
        assert.deepEqual(JSON.parse(span), parsed[name]);
        const v = parsed[name];
        const scalar = scalarAt(text, found[2 * k]!, found[2 * k + 1]!);
        assert.deepEqual(scalar, typeof v === 'string' || typeof v === 'number' ? v : undefined);
      });
    }),
    { numRuns: 2000 },
  );
  assert.equal(memberOf('{"a":1,"a":2}', 'a'), 2);
});

test('scanRecords: the elements of the records array, their time member, and documents it leaves to JSON.parse', () => {
  fc.assert(
    fc.property(
      fc.array(fc.oneof(fc.dictionary(fc.constantFrom('eventTime', 'eventName', 'n', 'Records'), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), fc.jsonValue({ maxDepth: 1 })), { maxLength: 6 }),
      fc.jsonValue({ maxDepth: 2 }),
      fc.constantFrom(0, 2),
      fc.boolean(),
      (generated, other, indent, recordsFirst) => {
        // As JSON.parse gives them back (fast-check's dictionaries have no prototype).
        const records = JSON.parse(JSON.stringify(generated)) as unknown[];
        const decoy = { nested: { Records: ['x'] }, other };
        const doc = JSON.stringify(recordsFirst ? { Records: records, ...decoy } : { ...decoy, Records: records }, null, indent);
        const scan = scanRecords(doc, 'Records', 'eventTime');
        assert.ok(typeof scan === 'object');
        const r = scan.records;
        assert.equal(r.length, 5 * records.length);
        records.forEach((rec, k) => {
          const [from, to, tFrom, tTo, flags] = r.slice(5 * k, 5 * k + 5) as [number, number, number, number, number];
          assert.deepEqual(JSON.parse(doc.slice(from, to)), rec);
          const isObject = rec !== null && typeof rec === 'object' && !Array.isArray(rec);
          assert.equal(flags & 1, isObject ? 0 : 1);
          // Without whitespace outside strings, the element is written as JSON.stringify writes it.
          assert.equal(flags & 2 ? minify(doc, from, to) : doc.slice(from, to), JSON.stringify(rec));
          if (isObject && Object.hasOwn(rec, 'eventTime')) assert.deepEqual(JSON.parse(doc.slice(tFrom, tTo)), (rec as Record<string, unknown>).eventTime);
          else assert.equal(tFrom, -1);
        });
      },
    ),
    { numRuns: 500 },
  );
  assert.equal(scanRecords('{"a":[1]}', 'Records', 't'), 'not-records');
  assert.equal(scanRecords('{"Records":{}}', 'Records', 't'), 'not-records');
  assert.equal(scanRecords('[{"Records":[]}]', 'Records', 't'), 'not-records');
  assert.equal(scanRecords('{"Records":[],"Records":[1]}', 'Records', 't'), 'unsure');
  assert.equal(scanRecords('{"Record\\u0073":[1]}', 'Records', 't'), 'unsure');
  assert.equal(scanRecords('{"Records":[1,]}', 'Records', 't'), 'unsure');
  assert.equal(scanRecords('{"Records":[1]} x', 'Records', 't'), 'unsure');
  assert.deepEqual(scanRecords(' {"Records":[ {"t":"x\\"y"} ]} ', 'Records', 't'), { records: [14, 26, 19, 25, 0] });
});

test('scanRecords agrees with JSON.parse on mutated documents: unsure or not-records whenever JSON.parse fails', () => {
  fc.assert(
    fc.property(mutated, (s) => {
      const scan = scanRecords(s, 'Records', 'eventTime');
      if (typeof scan === 'object' || (scan === 'not-records' && s.charCodeAt(skipWs(s, 0)) === 123)) assert.ok(parses(s), JSON.stringify(s));
    }),
    { numRuns: 3000 },
  );
});
