import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeenEvents } from './follow.js';

const ev = (eventId: string, timestamp: number) => ({ eventId, timestamp, logStreamName: 's', message: eventId });

test('an event seen in an earlier poll is not admitted again', () => {
  const seen = new SeenEvents(1_000);
  assert.deepEqual(seen.admit([ev('a', 10_000), ev('b', 10_500)]).map((e) => e.eventId), ['a', 'b']);
  assert.deepEqual(seen.admit([ev('b', 10_500), ev('c', 10_500), ev('a', 10_000)]).map((e) => e.eventId), ['c']);
});

test('the next poll starts one look-back before the newest event, never before the first start', () => {
  const seen = new SeenEvents(1_000);
  assert.equal(seen.nextStart(5_000), 5_000);
  seen.admit([ev('a', 5_200)]);
  assert.equal(seen.nextStart(5_000), 5_000);
  seen.admit([ev('b', 9_000)]);
  assert.equal(seen.nextStart(5_000), 8_000);
});

test('a late event behind the newest is caught, and memory holds only the look-back window', () => {
  const seen = new SeenEvents(1_000);
  seen.admit([ev('a', 1_000), ev('b', 5_000)]);
  assert.equal(seen.nextStart(0), 4_000);
  assert.equal(seen.remembered, 1, 'a is before the window and forgotten');
  // Ingested late with a timestamp inside the window: the next poll (from 4,000) returns it with b.
  assert.deepEqual(seen.admit([ev('late', 4_500), ev('b', 5_000)]).map((e) => e.eventId), ['late']);
});

test('events without an id are told apart by time, stream and message', () => {
  const seen = new SeenEvents(1_000);
  const noId = { timestamp: 1, logStreamName: 's', message: 'm' };
  assert.equal(seen.admit([noId]).length, 1);
  assert.equal(seen.admit([{ ...noId }]).length, 0);
  assert.equal(seen.admit([{ ...noId, message: 'n' }]).length, 1);
});
