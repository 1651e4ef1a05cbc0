/** Properties of the validator over arbitrary and model-shaped bodies, and its micro-benchmark. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiError } from '../errors.js';
import { OPERATIONS, SHAPES } from './generated/logs-shapes.js';
import { validateRequest } from './validate.js';

// ---- Properties ----

const ALLOWED = new Set(['InvalidParameterException', 'ValidationException', 'SerializationException']);
type Outcome = 'ok' | { code: string; message: string };

/** The outcome of a validation; anything thrown but an ApiError fails the property. */
function outcome(operation: string, body: unknown): Outcome {
  try {
    validateRequest(operation, body);
    return 'ok';
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    assert.ok(ALLOWED.has(e.code), `${operation}: unexpected ${e.code}`);
    return { code: e.code, message: e.message };
  }
}

const jsonish = fc.jsonValue({ maxDepth: 3 });
const arbitraries = new Map<string, fc.Arbitrary<unknown>>();

/** Values of a shape: mostly the right JSON type, near the bounds; sometimes anything, or an extra member. */
function shaped(name: string): fc.Arbitrary<unknown> {
  const cached = arbitraries.get(name);
  if (cached !== undefined) return cached;
  const s = SHAPES[name]!;
  let right: fc.Arbitrary<unknown>;
  switch (s.type) {
    case 'string': {
      const text = fc.oneof(
        fc.constantFrom('', 'a', 'log-group_1', '/aws/x', 'a b', 'ü:*'),
        fc.string({ maxLength: Math.min((s.max ?? 16) + 1, 520) }),
        fc.string({ unit: 'binary', maxLength: 6 }),
      );
      right = s.enum !== undefined ? fc.oneof(fc.constantFrom(...s.enum), text) : text;
      break;
    }
    case 'integer':
    case 'long':
      right = fc.oneof(
        fc.integer({ min: (s.min ?? -3) - 2, max: Math.min(s.max ?? 100, 2 ** 31 - 3) + 2 }),
        fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 63, 0.5, -0),
      );
      break;
    case 'double':
    case 'float':
    case 'timestamp':
      right = fc.double();
      break;
    case 'boolean':
      right = fc.boolean();
      break;
    case 'blob':
      right = fc.base64String({ maxLength: 12 });
      break;
    case 'list':
      right = fc.array(shaped(s.member), { maxLength: 4 });
      break;
    case 'map': {
      const key = shaped(s.key).filter((k): k is string => typeof k === 'string');
      right = fc.dictionary(key, shaped(s.value), { maxKeys: 4 });
      break;
    }
    case 'structure': {
      const members = Object.fromEntries(Object.entries(s.members).map(([m, t]) => [m, shaped(t)]));
      const record = fc.record(members, { requiredKeys: [] });
      const extra = record.map((r) => ({ ...r, unexpected: 1 }));
      right = fc.oneof({ weight: 19, arbitrary: record }, { weight: 1, arbitrary: extra });
      break;
    }
  }
  const arb = fc.oneof({ weight: 9, arbitrary: right }, { weight: 1, arbitrary: jsonish });
  arbitraries.set(name, arb);
  return arb;
}

const operationNames = Object.keys(OPERATIONS).sort();

test('property: for arbitrary JSON bodies and member values, every operation throws only ApiError', () => {
  for (const op of operationNames) {
    const input = OPERATIONS[op as keyof typeof OPERATIONS].input;
    const members = input === undefined ? {} : (SHAPES[input] as { members: Record<string, string> }).members;
    const anyValues = Object.fromEntries(Object.keys(members).map((m) => [m, jsonish]));
    const memberValues = fc.record(anyValues, { requiredKeys: [] });
    fc.assert(
      fc.property(fc.oneof(jsonish, memberValues), (body) => {
        outcome(op, body);
      }),
      { numRuns: 25 },
    );
  }
});

test('property: model-shaped bodies give only ApiError, and the same answer every time', () => {
  for (const op of operationNames) {
    const input = OPERATIONS[op as keyof typeof OPERATIONS].input;
    if (input === undefined) continue;
    fc.assert(
      fc.property(shaped(input), shaped(input), (body, other) => {
        const first = outcome(op, body);
        outcome(op, other); // state from one call must not leak into the next
        assert.deepEqual(outcome(op, body), first);
      }),
      { numRuns: 25 },
    );
  }
});

// ---- Micro-benchmark ----

// Timing is reported, never asserted (timing belongs in bench/). On the 2-core development VM, under load
// from other builds, a 1,000-event PutLogEvents took about 60–100 µs of CPU (60–100 ns per event): well
// inside the 1 ms budget that 100,000 events/s in 10,000-event requests allows.
test('micro-benchmark: PutLogEvents with 1,000 events (reported in the test output)', (t) => {
  const body = {
    logGroupName: '/aws/lambda/my-function',
    logStreamName: '2024/05/01/[$LATEST]0123456789abcdef',
    logEvents: Array.from({ length: 1000 }, (_, i) => ({
      timestamp: 1714550400000 + i,
      message: `2024-05-01T00:00:00Z INFO request ${i} handled in ${i % 97} ms`,
    })),
  };
  validateRequest('PutLogEvents', body);
  for (let i = 0; i < 300; i++) validateRequest('PutLogEvents', body);
  const runs = 500;
  const start = process.cpuUsage();
  for (let i = 0; i < runs; i++) validateRequest('PutLogEvents', body);
  const used = process.cpuUsage(start);
  const micros = (used.user + used.system) / runs;
  const nanosPerEvent = (micros * 1000) / body.logEvents.length;
  const per = `${micros.toFixed(1)} µs CPU per request, ${nanosPerEvent.toFixed(0)} ns per event`;
  t.diagnostic(`validateRequest(PutLogEvents, 1,000 events): ${per}`);
});
