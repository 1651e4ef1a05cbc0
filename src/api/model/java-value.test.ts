import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJavaValue, javaDouble, type JavaFormat } from './java-value.js';
import type { ShapeSpec } from './types.js';

const SHAPES: Record<string, ShapeSpec> = {
  Name: { type: 'string' },
  Count: { type: 'integer' },
  Ratio: { type: 'double' },
  Names: { type: 'list', member: 'Name' },
  Labels: { type: 'map', key: 'Name', value: 'Name' },
  Item: { type: 'structure', members: { name: 'Name', ratio: 'Ratio', labels: 'Labels', tags: 'Names' } },
  Items: { type: 'list', member: 'Item' },
};
const FORMAT: JavaFormat = { shapes: SHAPES, memberOrder: {} };

test('doubles print as Java Double.toString', () => {
  const cases: Array<[number, string]> = [
    [0, '0.0'],
    [-0, '-0.0'],
    [1, '1.0'],
    [-2.5, '-2.5'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [1234567.5, '1234567.5'],
    [1e7, '1.0E7'],
    [123456789.5, '1.234567895E8'],
    [1.5e-10, '1.5E-10'],
    [Number.MAX_VALUE, '1.7976931348623157E308'],
  ];
  for (const [n, java] of cases) assert.equal(javaDouble(n), java, String(n));
});

test('strings print bare, lists and maps as Java collections', () => {
  assert.equal(formatJavaValue('it\'s', 'Name', FORMAT), "it's");
  assert.equal(formatJavaValue(10001, 'Count', FORMAT), '10001');
  assert.equal(formatJavaValue(['a', '', 'c'], 'Names', FORMAT), '[a, , c]');
  assert.equal(formatJavaValue({ k: 'v', '': 'x' }, 'Labels', FORMAT), '{k=v, =x}');
  assert.equal(formatJavaValue([], 'Names', FORMAT), '[]');
});

test('structures print as Lombok toString: every member, null when unset', () => {
  assert.equal(
    formatJavaValue([{ name: 'n', ratio: 2, labels: { a: 'b' } }, {}], 'Items', FORMAT),
    '[Item(name=n, ratio=2.0, labels={a=b}, tags=null), Item(name=null, ratio=null, labels=null, tags=null)]',
  );
  const reordered: JavaFormat = { shapes: SHAPES, memberOrder: { Item: ['tags', 'name', 'ratio', 'labels'] } };
  assert.equal(formatJavaValue({ name: 'n' }, 'Item', reordered), 'Item(tags=null, name=n, ratio=null, labels=null)');
});

test('values that do not fit their shape still print, never throw', () => {
  assert.equal(formatJavaValue('text', 'Item', FORMAT), 'text');
  assert.equal(formatJavaValue({ a: [1, { b: null }] }, 'Names', FORMAT), '{a=[1, {b=null}]}');
  assert.equal(formatJavaValue(Object.assign(Object.create(null) as object, { k: 1 }), 'Unknown', FORMAT), '{k=1}');
  assert.equal(formatJavaValue(null, 'Name', FORMAT), 'null');
});
