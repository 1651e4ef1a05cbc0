/** elementSpans finds each record's text in a document without parsing it (property, against JSON.parse). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { elementSpans } from './json-document.js';

test('the spans of a top-level array member are its elements, whatever they hold', () => {
  fc.assert(
    fc.property(
      fc.array(fc.jsonValue(), { maxLength: 6 }),
      fc.jsonValue(),
      fc.constantFrom(0, 2),
      fc.boolean(),
      (records, other, indent, recordsFirst) => {
        // Another member (also named like the key, but nested) before or after the array.
        const decoy = { nested: { Records: ['x'] }, other };
        const doc = JSON.stringify(recordsFirst ? { Records: records, ...decoy } : { ...decoy, Records: records }, null, indent);
        const spans = elementSpans(doc, 'Records');
        assert.ok(spans !== null);
        assert.equal(spans.length, 2 * records.length);
        // As JSON writes it: -0 is written 0.
        records.forEach((r, k) => assert.deepEqual(JSON.parse(doc.slice(spans[2 * k], spans[2 * k + 1])), JSON.parse(JSON.stringify(r))));
      },
    ),
    { numRuns: 300 },
  );
});

test('strings with escaped quotes and backslashes', () => {
  const doc = '{"k\\"":"\\\\","Records":[ "a\\"]" , {"x":"\\\\\\"]"},[1,[2]] ]}';
  const spans = elementSpans(doc, 'Records')!;
  assert.deepEqual(
    [0, 1, 2].map((k) => JSON.parse(doc.slice(spans[2 * k], spans[2 * k + 1]))),
    ['a"]', { x: '\\"]' }, [1, [2]]],
  );
  assert.equal(elementSpans('{"Records":{}}', 'Records'), null);
  assert.equal(elementSpans('{"a":[1]}', 'Records'), null);
});
