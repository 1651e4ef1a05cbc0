import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CsvError, csvField, parseCsv } from './csv.js';

test('records and fields, LF and CRLF, no record for a final line break', () => {
  assert.deepEqual(parseCsv('a,b\n1,2\r\n3,4\n'), [['a', 'b'], ['1', '2'], ['3', '4']]);
  assert.deepEqual(parseCsv('a,b\n1,2'), [['a', 'b'], ['1', '2']]);
  assert.deepEqual(parseCsv(''), []);
  assert.deepEqual(parseCsv('a,\n,'), [['a', ''], ['', '']]);
});

test('quoted fields hold commas, line breaks and doubled quotes', () => {
  assert.deepEqual(parseCsv('id,note\n1,"a, ""b""\nc"\n2,""\n'), [['id', 'note'], ['1', 'a, "b"\nc'], ['2', '']]);
});

test('malformed quoting is refused with its line', () => {
  assert.throws(() => parseCsv('a\n"open'), (e) => e instanceof CsvError && e.line === 2);
  assert.throws(() => parseCsv('a\nb"c'), (e) => e instanceof CsvError && e.line === 2);
  assert.throws(() => parseCsv('"a"b'), CsvError);
});

test('csvField round-trips through parseCsv', () => {
  const values = ['plain', 'with,comma', 'with "quote"', 'two\nlines', ''];
  const text = values.map(csvField).join(',');
  assert.deepEqual(parseCsv(text), [values]);
});
