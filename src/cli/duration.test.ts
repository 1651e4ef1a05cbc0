import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration, parseTimeArg } from './duration.js';
import { UsageError } from './context.js';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');

test('durations in each unit', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('10m'), 600_000);
  assert.equal(parseDuration('1h'), 3_600_000);
  assert.equal(parseDuration('2d'), 172_800_000);
  assert.equal(parseDuration('0s'), 0);
});

test('a duration is measured back from now', () => {
  assert.equal(parseTimeArg('10m', NOW), NOW - 600_000);
  assert.equal(parseTimeArg(' 2d ', NOW), NOW - 2 * 86_400_000);
});

test('ISO timestamps are absolute', () => {
  assert.equal(parseTimeArg('2024-04-30T10:00:00Z', NOW), Date.parse('2024-04-30T10:00:00Z'));
  assert.equal(parseTimeArg('2024-04-30T10:00:00.250+02:00', NOW), Date.parse('2024-04-30T08:00:00.250Z'));
  assert.equal(parseTimeArg('2024-04-30', NOW), Date.parse('2024-04-30T00:00:00Z'));
});

test('bad input is a usage error that says what was expected', () => {
  for (const bad of ['', '10', 'm', '10 minutes', '1.5h', '-1h', '10M2', '2024-13-45', '2024/04/30', 'yesterday']) {
    assert.throws(() => parseTimeArg(bad, NOW), (e: unknown) => e instanceof UsageError && /expected/.test(e.message), bad);
  }
  assert.throws(() => parseDuration('99999999999999999999d'), /too large/);
});
