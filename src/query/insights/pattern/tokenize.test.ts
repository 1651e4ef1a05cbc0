import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzedText, isPunctuation, MAX_ANALYZED_CHARS, maskKind, nameOf, tokenize } from './tokenize.js';

const show = (line: string): string[] => tokenize(line).map((t) => `${t.gap ? '_' : ''}${t.text}${t.kind ? `:${t.kind}` : ''}`);

test('mask kinds', () => {
  const cases: Array<[string, string | null]> = [
    ['192.168.1.10', 'IPAddress'],
    ['10.0.0.1:8080', 'IPAddress'],
    ['256.1.1.1', null],
    ['fe80::1ff:fe23:4567:890a', 'IPAddress'],
    ['2001:db8::8a2e:370:7334', 'IPAddress'],
    ['5f3a9c2e-1b2c-4d5e-8f90-123456789abc', 'UUID'],
    ['2024-05-01T10:00:00.123Z', 'Timestamp'],
    ['2024-05-01T10:00:00+02:00', 'Timestamp'],
    ['10/Oct/2023:13:55:36', 'Timestamp'],
    ['2023-01-01', 'Date'],
    ['01/05/2024', 'Date'],
    ['19:00:01', 'Time'],
    ['19:00:01.250', 'Time'],
    ['0x7ffee4b2', 'Hex'],
    ['deadbeef01', 'Hex'],
    ['deadbeef', null],
    ['42', 'Number'],
    ['-3.5', 'Number'],
    ['1e-9', 'Number'],
    ['ops@example.com', 'Email'],
    ['https://example.com/a?b=1', 'URL'],
    ['GET', null],
    ['/api/users/123', null],
  ];
  for (const [text, kind] of cases) assert.equal(maskKind(text), kind, text);
});

test('words split at structure, keep their spacing', () => {
  assert.deepEqual(show('2023-01-01 19:00:01 [INFO] Calling DynamoDB'), [
    '2023-01-01:Date',
    '_19:00:01:Time',
    '_[',
    'INFO',
    ']',
    '_Calling',
    '_DynamoDB',
  ]);
  assert.deepEqual(show('user=42, took 35ms.'), ['user', '=', '42:Number', ',', '_took', '_35:Number', 'ms', '.']);
  assert.deepEqual(show('{"id":7,"ok":true}'), ['{', '"', 'id', '"', ':', '7:Number', ',', '"', 'ok', '"', ':', 'true', '}']);
  assert.deepEqual(show('ERROR: host db-1.internal:5432 down'), ['ERROR', ':', '_host', '_db-1.internal', ':', '5432:Number', '_down']);
  assert.deepEqual(show('  leading and trailing  '), ['leading', '_and', '_trailing']);
  assert.deepEqual(show(''), []);
});

test('a timestamp in brackets is found after the brackets are split off', () => {
  assert.deepEqual(show('[10/Oct/2023:13:55:36 +0000]'), ['[', '10/Oct/2023:13:55:36:Timestamp', '_+0000:Number', ']']);
});

test('only the first 1500 characters are analysed, without splitting a surrogate pair', () => {
  const long = 'x '.repeat(1000);
  assert.equal(analyzedText(long).length, MAX_ANALYZED_CHARS);
  assert.equal(tokenize(long).length, MAX_ANALYZED_CHARS / 2);
  const emoji = 'a'.repeat(MAX_ANALYZED_CHARS - 1) + '😀tail';
  assert.equal(analyzedText(emoji), 'a'.repeat(MAX_ANALYZED_CHARS - 1));
});

test('names of values', () => {
  assert.equal(nameOf({ text: 'worker-3', gap: false, kind: null }), 'ID');
  assert.equal(nameOf({ text: '324892398123-12345', gap: false, kind: null }), 'ID');
  assert.equal(nameOf({ text: 'alice', gap: false, kind: null }), 'Token');
  assert.equal(nameOf({ text: '42', gap: false, kind: 'Number' }), 'Number');
  assert.ok(isPunctuation('":'));
  assert.ok(!isPunctuation('é'));
});
