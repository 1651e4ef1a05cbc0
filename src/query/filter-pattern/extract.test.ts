import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extract } from './extract.js';
import { parseFilterPattern } from './parse.js';

const ex = (pattern: string, message: string) => extract(parseFilterPattern(pattern), message);

test('JSON selectors give their values, keyed as written', () => {
  const m = JSON.stringify({ latency: 50, user: { name: 'ann', admin: true }, tags: ['a'], gone: null });
  assert.deepEqual(ex('{ $.latency > 10 && $.user.name = "a*" }', m), { '$.latency': 50, '$.user.name': 'ann' });
  assert.deepEqual(ex('{ $.user.admin IS TRUE || $.tags[0] = x }', m), { '$.user.admin': 'true', '$.tags[0]': 'a' });
  assert.deepEqual(ex('{ $.gone IS NULL && $.nope NOT EXISTS }', m), { '$.gone': 'null' });
});

test('no match gives null; patterns without selectors give {}', () => {
  assert.equal(ex('{ $.latency > 100 }', '{"latency": 50}'), null);
  assert.equal(ex('{ $.latency > 1 }', 'latency 50'), null);
  assert.deepEqual(ex('ERROR', 'an ERROR'), {});
  assert.deepEqual(ex('%ERR[A-Z]+%', 'an ERROR'), {});
  assert.equal(ex('%ERR[A-Z]+%', 'an ERR'), null);
});

test('space-delimited fields give their text, keyed $name', () => {
  // The access-log example of AWS's space-delimited page.
  const m = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534';
  assert.deepEqual(ex('[ip, user, username, timestamp, request, status_code, bytes]', m), {
    $ip: '127.0.0.1',
    $user: '-',
    $username: 'frank',
    $timestamp: '10/Oct/2000:13:25:15 -0700',
    $request: 'GET /apache_pb.gif HTTP/1.0',
    $status_code: '200',
    $bytes: '1534',
  });
  // Fields that `...` stands for are given by position, as AWS's TestMetricFilter examples show.
  assert.deepEqual(ex('[ip, ..., status_code = 2*, bytes > 1000]', m), {
    $ip: '127.0.0.1',
    $2: '-',
    $3: 'frank',
    $4: '10/Oct/2000:13:25:15 -0700',
    $5: 'GET /apache_pb.gif HTTP/1.0',
    $status_code: '200',
    $bytes: '1534',
  });
  assert.equal(ex('[ip, ..., status_code = 4*, bytes]', m), null);
});

test('without ..., the last position takes the rest of the message', () => {
  assert.deepEqual(ex('[level, rest]', 'WARN  disk [sda 1] "almost full"  '), { $level: 'WARN', $rest: 'disk [sda 1] "almost full"' });
  assert.deepEqual(ex('[level, rest]', 'WARN [sda 1]'), { $level: 'WARN', $rest: 'sda 1' });
  assert.equal(ex('[level = WARN]', 'WARN disk'), null);
});

test('a wildcard selector gives the first value that passes its test', () => {
  assert.deepEqual(ex('{ $.xs[*].n > 1 }', '{"xs": [{"n": 0}, {"n": 5}, {"n": 7}]}'), { '$.xs[*].n': 5 });
  assert.deepEqual(ex('{ $.xs[*].n > 9 || $.y = 1 }', '{"xs": [{"n": 0}, {"n": 5}], "y": 1}'), { '$.xs[*].n': 0, '$.y': 1 });
});
