import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay, retryThrottled, type BackoffOptions } from './retry.js';

function throttled(): Error {
  const e = new Error('Rate exceeded');
  e.name = 'ThrottlingException';
  return e;
}

function options(waits: number[]): BackoffOptions {
  return { attempts: 4, baseMs: 100, maxMs: 250, random: () => 0.999, sleep: async (ms) => void waits.push(ms) };
}

test('retries ThrottlingException with growing, capped waits, then succeeds', async () => {
  const waits: number[] = [];
  let calls = 0;
  const result = await retryThrottled(async () => {
    calls++;
    if (calls < 4) throw throttled();
    return 'ok';
  }, options(waits));
  assert.equal(result, 'ok');
  assert.equal(calls, 4);
  assert.deepEqual(waits, [99, 199, 249]);
});

test('gives up after the last attempt with the throttling error', async () => {
  const waits: number[] = [];
  let calls = 0;
  await assert.rejects(
    retryThrottled(async () => {
      calls++;
      throw throttled();
    }, options(waits)),
    { name: 'ThrottlingException' },
  );
  assert.equal(calls, 4);
  assert.equal(waits.length, 3);
});

test('other errors are not retried', async () => {
  let calls = 0;
  await assert.rejects(
    retryThrottled(async () => {
      calls++;
      throw new Error('boom');
    }, options([])),
    /boom/,
  );
  assert.equal(calls, 1);
});

test('full jitter: the delay is below the exponential ceiling', () => {
  const o = { baseMs: 200, maxMs: 10_000 };
  assert.equal(backoffDelay(1, { ...o, random: () => 0 }), 0);
  assert.equal(backoffDelay(3, { ...o, random: () => 0.5 }), 400);
  assert.equal(backoffDelay(30, { ...o, random: () => 0.5 }), 5_000);
});
