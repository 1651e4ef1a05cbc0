import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, MathError, parseExpression, references, type TimeSeries } from './math.js';

const a: TimeSeries = new Map([[0, 1], [60, 2], [120, 3]]);
const b: TimeSeries = new Map([[0, 10], [60, 20], [180, 40]]);
const run = (text: string): TimeSeries | number => evaluate(parseExpression(text), (id) => ({ a, b })[id]!, () => [a, b]);

test('arithmetic of two series keeps the timestamps both have; numbers broadcast', () => {
  assert.deepEqual([...(run('a + b') as TimeSeries)], [[0, 11], [60, 22]]);
  assert.deepEqual([...(run('(b - a) / 2') as TimeSeries)], [[0, 4.5], [60, 9]]);
  assert.deepEqual([...(run('-a * 2') as TimeSeries)], [[0, -2], [60, -4], [120, -6]]);
  assert.equal(run('1 + 2 * 3'), 7);
});

test('SUM, AVG, MIN, MAX over lists and METRICS() use every timestamp', () => {
  assert.deepEqual([...(run('SUM([a, b])') as TimeSeries)].sort((x, y) => x[0] - y[0]), [[0, 11], [60, 22], [120, 3], [180, 40]]);
  assert.deepEqual([...(run('max(METRICS())') as TimeSeries)].sort((x, y) => x[0] - y[0]), [[0, 10], [60, 20], [120, 3], [180, 40]]);
  assert.deepEqual([...(run('AVG([a, b])') as TimeSeries)].slice(0, 2), [[0, 5.5], [60, 11]]);
});

test('division by zero leaves the timestamp out', () => {
  assert.deepEqual([...(run('a / (a - 1)') as TimeSeries)], [[60, 2], [120, 1.5]]);
});

test('references and errors', () => {
  assert.deepEqual([...references(parseExpression('SUM([a, b]) / c'))], ['a', 'b', 'c']);
  assert.throws(() => parseExpression('a +'), MathError);
  assert.throws(() => parseExpression('FILL(a, 0)'), /unsupported function FILL/);
  assert.throws(() => parseExpression('a b'), /unexpected 'b'/);
});
