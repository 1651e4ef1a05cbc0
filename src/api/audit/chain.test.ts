import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { canonical, chainRecord, ChainVerifier, GENESIS, sha256, type AuditFields } from './chain.js';

const T0 = Date.UTC(2024, 4, 1);

function fields(i: number): AuditFields {
  return {
    time: new Date(T0 + i * 1000).toISOString(),
    requestId: `req-${i}`,
    action: 'logs:PutLogEvents',
    resources: [`arn:aws:logs:us-east-1:000000000000:log-group:g${i}:log-stream:s`],
    caller: { arn: 'arn:aws:iam::000000000000:root', accessKeyId: 'LKIAEXAMPLE000000000' },
    sourceIp: '127.0.0.1',
    userAgent: 'test "agent" \u00e9',
    httpStatus: 200,
    errorCode: null,
    errorMessage: null,
  };
}

/** n chained events: [message, timestamp]. */
function chain(n: number): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  let head: { seq: number; hash: string } | undefined;
  for (let i = 0; i < n; i++) {
    const { record, message } = chainRecord(fields(i), head);
    head = record;
    out.push([message, T0 + i * 1000]);
  }
  return out;
}

function verify(events: ReadonlyArray<[string, number]>): ReturnType<ChainVerifier['push']> {
  const v = new ChainVerifier();
  for (const [m, t] of events) {
    const p = v.push(m, t);
    if (p !== undefined) return p;
  }
  return undefined;
}

test('canonical form sorts keys recursively and drops undefined members', () => {
  assert.equal(canonical({ b: 1, a: { d: [2, { z: null, y: 'x' }], c: undefined } }), '{"a":{"d":[2,{"y":"x","z":null}]},"b":1}');
});

test('a chain links each record to the hash of the one before, from 64 zeros', () => {
  const events = chain(3);
  const records = events.map(([m]) => JSON.parse(m) as { seq: number; prev: string; hash: string });
  assert.deepEqual(records.map((r) => r.seq), [0, 1, 2]);
  assert.equal(records[0]!.prev, GENESIS);
  assert.equal(records[1]!.prev, records[0]!.hash);
  const { hash, ...body } = records[2]!;
  assert.equal(sha256(canonical(body)), hash);
  const v = new ChainVerifier();
  for (const [m, t] of events) assert.equal(v.push(m, t), undefined);
  assert.deepEqual(v.head, { seq: 2, hash: records[2]!.hash });
});

test('verify names the first altered, removed, reordered or malformed record', () => {
  const events = chain(5);
  const altered = events.map((e, i): [string, number] => (i === 2 ? [e[0].replace('"httpStatus":200', '"httpStatus":500'), e[1]] : e));
  assert.deepEqual(verify(altered), { seq: 2, kind: 'altered', detail: 'record 2 does not match its hash' });

  // A forger who recomputes the altered record's own hash breaks the link from the next record.
  const r2 = JSON.parse(events[2]![0]) as Record<string, unknown>;
  const body: Record<string, unknown> = { ...r2, httpStatus: 500 };
  delete body.hash;
  const forged: Array<[string, number]> = [...events];
  forged[2] = [canonical({ ...body, hash: sha256(canonical(body)) }), events[2]![1]];
  assert.equal(verify(forged)?.kind, 'altered');
  assert.equal(verify(forged)?.seq, 3);

  assert.deepEqual(verify([...events.slice(0, 2), ...events.slice(3)]), {
    seq: 2,
    kind: 'removed',
    detail: 'records 2 to 2 are missing (record 3 follows 1)',
  });
  // Swapped records: the later one shows up where the earlier was expected.
  assert.deepEqual(verify([events[0]!, events[2]!, events[1]!, events[3]!]), {
    seq: 1,
    kind: 'removed',
    detail: 'records 1 to 1 are missing (record 2 follows 0)',
  });
  assert.equal(verify([events[0]!, events[1]!, events[1]!])?.kind, 'reordered');
  assert.equal(verify([events[0]!, ['not json', T0 + 1000]])?.kind, 'malformed');
  // Moving an event in time is an alteration: the timestamp is bound to the record's time.
  assert.equal(verify([events[0]!, [events[1]![0], T0 + 5]])?.kind, 'altered');
  // A chain that starts later than 0 is reported by the caller (retention or removal), not here.
  assert.equal(verify(events.slice(2)), undefined);
});

test('property: any change to one character of one stored record is detected', () => {
  const events = chain(6);
  fc.assert(
    fc.property(fc.nat(5), fc.nat(), fc.integer({ min: 32, max: 126 }), (k, at, code) => {
      const [message, t] = events[k]!;
      const pos = at % message.length;
      const changed = message.slice(0, pos) + String.fromCharCode(code) + message.slice(pos + 1);
      fc.pre(changed !== message);
      const tampered = events.map((e, i): [string, number] => (i === k ? [changed, t] : e));
      assert.notEqual(verify(tampered), undefined);
    }),
    { numRuns: 500 },
  );
});

test('property: removing records anywhere but at the ends, or reordering them, is detected', () => {
  // Cutting the oldest records (retention) or the newest (truncation) leaves a valid chain: the first is
  // reported by `logward audit verify` from the group's retention, the second needs the head kept elsewhere.
  const events = chain(8);
  fc.assert(
    fc.property(fc.uniqueArray(fc.nat(7), { minLength: 1, maxLength: 7 }), (drop) => {
      const keptIdx = events.map((_, i) => i).filter((i) => !drop.includes(i));
      fc.pre(keptIdx.length > 0 && keptIdx.at(-1)! - keptIdx[0]! + 1 !== keptIdx.length);
      assert.notEqual(verify(keptIdx.map((i) => events[i]!)), undefined);
    }),
  );
  fc.assert(
    fc.property(fc.shuffledSubarray(events.map((_, i) => i), { minLength: 8, maxLength: 8 }), (order) => {
      fc.pre(order.some((v, i) => v !== i));
      assert.notEqual(verify(order.map((i) => events[i]!)), undefined);
    }),
  );
});
