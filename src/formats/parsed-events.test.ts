/** The columns of a parse: messages as spans of the text, errors and overrides by index, fields by the reader of their time. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMATS, parseText } from './index.js';
import { ParsedEvents } from './parsed-events.js';

test('events past the guessed count, errors and messages that are not spans keep their order', () => {
  const text = 'a1\nb22\nc333\n';
  const r = new ParsedEvents(text, (m) => ({ m }), 1);
  for (let k = 0; k < 40; k++) r.add(k, 0, 2);
  r.addError(-1, 'bad', 3, 6);
  r.addMessage(41, 'not in the text');
  r.addError(-2, 'worse', -1, -1, 'written out');
  r.add(42, 7, 11);
  assert.equal(r.count, 44);
  assert.equal(r.errors, 2);
  assert.deepEqual([...r.timestamps.subarray(38)], [38, 39, -1, 41, -2, 42]);
  assert.deepEqual(r.events().slice(39), [
    { timestamp: 39, message: 'a1', fields: { m: 'a1' } },
    { timestamp: -1, message: 'b22', fields: {}, parseError: 'bad' },
    { timestamp: 41, message: 'not in the text', fields: { m: 'not in the text' } },
    { timestamp: -2, message: 'written out', fields: {}, parseError: 'worse' },
    { timestamp: 42, message: 'c333', fields: { m: 'c333' } },
  ]);
});

test('a header in the middle of an object changes the fields of the lines after it only', () => {
  const text = [
    '#Version: 1.0',
    '#Fields: date time x-edge-location',
    '2019-12-04\t21:02:31\tLAX1',
    '#Fields: date time sc-bytes',
    '2019-12-04\t21:02:32\t392',
    '2019-12-04\t21:02:33\tLAX1\textra',
  ].join('\n');
  const r = parseText(FORMATS.cloudfront, text, { fallbackMs: 0 });
  assert.equal(r.count, 3);
  assert.equal(r.skipped, 3);
  assert.deepEqual(r.fields(0), { date: '2019-12-04', time: '21:02:31', x_edge_location: 'LAX1' });
  assert.deepEqual(r.fields(1), { date: '2019-12-04', time: '21:02:32', sc_bytes: '392' });
  assert.equal(r.timestamp(1), Date.UTC(2019, 11, 4, 21, 2, 32));
  assert.match(r.parseError(2) ?? '', /has 3 tab-separated fields, this line has 4/);
  assert.deepEqual(r.fields(2), {});
});
