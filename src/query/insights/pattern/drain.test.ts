import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cluster, Drain, similarity } from './drain.js';
import { renderPattern, templateRegex } from './template.js';
import { analyzedText, isPunctuation, tokenize } from './tokenize.js';

/** Mines `lines`; returns each cluster's pattern with its count, most frequent first. */
function mine(lines: string[], drain = new Drain()): Array<[string, number]> {
  for (const l of lines) drain.add(l);
  return drain
    .clusters()
    .map((c): [string, number] => [renderPattern(c), c.total])
    .sort((a, b) => b[1] - a[1]);
}

test('nginx access log: one pattern per request shape, values masked', () => {
  const lines = [
    '192.168.1.10 - - [10/Oct/2023:13:55:36 +0000] "GET /api/users/123 HTTP/1.1" 200 512 "-" "curl/8.0"',
    '10.0.0.7 - - [10/Oct/2023:13:55:37 +0000] "GET /api/users/456 HTTP/1.1" 200 498 "-" "curl/8.0"',
    '10.0.0.8 - - [10/Oct/2023:13:55:38 +0000] "GET /api/orders/9 HTTP/1.1" 404 0 "-" "curl/8.0"',
    '10.0.0.9 - - [10/Oct/2023:13:55:39 +0000] "POST /api/orders HTTP/1.1" 201 77 "-" "curl/8.0"',
    '10.0.0.9 - - [10/Oct/2023:13:55:40 +0000] "POST /api/orders HTTP/1.1" 201 80 "-" "curl/8.0"',
  ];
  assert.deepEqual(mine(lines), [
    ['<IPAddress-1> - - [<Timestamp-2> <Number-3>] "GET <Token-4> HTTP/1.1" <Number-5> <Number-6> "-" "curl/8.0"', 3],
    ['<IPAddress-1> - - [<Timestamp-2> <Number-3>] "POST /api/orders HTTP/1.1" <Number-4> <Number-5> "-" "curl/8.0"', 2],
  ]);
});

test('application log: ids and numbers become parameters, levels and messages stay apart', () => {
  const lines = [
    '2024-05-01T10:00:00.123Z INFO [main] c.e.OrderService - Order 8812 created for user alice in 35ms',
    '2024-05-01T10:00:01.456Z INFO [main] c.e.OrderService - Order 8813 created for user bob in 41ms',
    '2024-05-01T10:00:02.001Z ERROR [worker-3] c.e.PaymentService - Payment failed for order 8813: card declined',
    '2024-05-01T10:00:03.001Z ERROR [worker-7] c.e.PaymentService - Payment failed for order 8814: card declined',
    '2024-05-01T10:00:04.001Z INFO [main] c.e.OrderService - Order 8815 created for user carol in 7ms',
    '2023-01-01 19:00:01 [INFO] Calling DynamoDB to store for resource id 12342342k124-12345',
    '2023-01-01 19:00:02 [INFO] Calling DynamoDB to store for resource id 324892398123-12345',
    '2023-01-01 19:00:03 [INFO] Calling DynamoDB to store for resource id 3ff231242342-12345',
  ];
  assert.deepEqual(mine(lines), [
    ['<Timestamp-1> INFO [main] c.e.OrderService - Order <Number-2> created for user <Token-3> in <Number-4>ms', 3],
    // AWS's own example (Pattern analysis / Log anomaly detection): <Date-1> <Time-2> ... <ResourceID-3>.
    ['<Date-1> <Time-2> [INFO] Calling DynamoDB to store for resource id <ID-3>', 3],
    ['<Timestamp-1> ERROR [<ID-2>] c.e.PaymentService - Payment failed for order <Number-3>: card declined', 2],
  ]);
});

test('Java stack traces: frames of one shape are one pattern, the exception header another', () => {
  const lines = [
    'java.lang.IllegalStateException: Connection pool exhausted',
    '\tat com.example.db.Pool.acquire(Pool.java:88)',
    '\tat com.example.service.UserService.find(UserService.java:42)',
    '\tat com.example.service.UserService.find(UserService.java:57)',
    'java.lang.IllegalStateException: Connection pool exhausted',
    '\tat com.example.db.Pool.acquire(Pool.java:88)',
    '\tat com.example.service.UserService.find(UserService.java:42)',
    '\t... 12 more',
    '\t... 9 more',
  ];
  const d = new Drain();
  assert.deepEqual(mine(lines, d), [
    ['at <Token-1>(<Token-2>:<Number-3>)', 5],
    ['java.lang.IllegalStateException: Connection pool exhausted', 2],
    ['... <Number-1> more', 2],
  ]);
  const frames = d.clusters()[1] as Cluster;
  assert.deepEqual(frames.slots[1]?.values[0]?.entries(), [
    ['com.example.service.UserService.find', 3],
    ['com.example.db.Pool.acquire', 2],
  ]);
});

test('a static position that varies becomes a parameter holding every value seen, with exact counts', () => {
  const d = new Drain();
  for (const u of ['alice', 'alice', 'bob', 'carol', 'alice']) d.add(`User ${u} logged in from 10.1.2.3`);
  const [c] = d.clusters() as [Cluster];
  assert.equal(renderPattern(c), 'User <Token-1> logged in from <IPAddress-2>');
  assert.deepEqual(c.slots[1]?.values[0]?.entries(), [
    ['alice', 3],
    ['bob', 1],
    ['carol', 1],
  ]);
  assert.deepEqual(c.slots[5]?.values[0]?.entries(), [['10.1.2.3', 5]]);
});

test('below the similarity threshold a message starts its own cluster', () => {
  const d = new Drain({ similarity: 0.5 });
  d.add('Connection closed by peer');
  d.add('Disk quota exceeded on volume');
  d.add('Connection reset by peer');
  assert.deepEqual(
    d.clusters().map((c) => renderPattern(c)),
    ['Connection <Token-1> by peer', 'Disk quota exceeded on volume'],
  );
  const strict = new Drain({ similarity: 0.9 });
  strict.add('Connection closed by peer');
  strict.add('Connection reset by peer');
  assert.equal(strict.clusters().length, 2);
});

test('similarity ignores shared punctuation and counts masked values against parameters', () => {
  const tpl = tokenize('{"a":"x"}').map((t) => ({ text: t.text, gap: t.gap, dynamic: false, punct: isPunctuation(t.text) }));
  assert.equal(similarity(tpl, tokenize('{"a":"x"}')), 1);
  assert.equal(similarity(tpl, tokenize('{"b":"y"}')), 0);
  assert.equal(similarity([], []), 1);
});

test('over maxClusters, messages are forced into a cluster or the overflow cluster, and all are counted', () => {
  const d = new Drain({ maxClusters: 2 });
  const lines = ['alpha beta gamma', 'one two three four', 'alpha zeta eta', 'totally different words here now', 'x'];
  const got = lines.map((l) => d.add(l));
  assert.equal(d.clusters().length, 3);
  assert.equal(got[2], got[0], 'same leaf: forced join');
  const overflow = d.clusters()[2] as Cluster;
  assert.ok(overflow.overflow);
  assert.equal(overflow.total, 2);
  assert.equal(renderPattern(overflow), '<Token-1>');
  lines.forEach((l, i) => assert.match(l, new RegExp(templateRegex(got[i] as Cluster))));
});

test('groups are counted apart, with one template', () => {
  const d = new Drain({ groups: 2 });
  d.add('job 1 done', 1);
  d.add('job 2 done', 0);
  d.add('job 3 done', 0);
  const [c] = d.clusters() as [Cluster];
  assert.deepEqual(c.counts, [2, 1]);
  assert.deepEqual(c.slots[1]?.values[1]?.entries(), [['1', 1]]);
  assert.throws(() => d.add('x', 2), RangeError);
});

test('options are checked', () => {
  assert.throws(() => new Drain({ routingTokens: -1 }), RangeError);
  assert.throws(() => new Drain({ similarity: 1.5 }), RangeError);
  assert.throws(() => new Drain({ maxClusters: 0 }), RangeError);
});

// ---------------------------------------------------------------------------------------------
// Properties

const word = fc.constantFrom('GET', 'POST', 'user', 'order', 'failed', 'ok', 'ERROR', 'INFO', 'id', 'x', 'é', '😀', 'a.b', 'α');
const value = fc.oneof(
  fc.integer({ min: -1000, max: 100000 }).map(String),
  fc.ipV4(),
  fc.uuid(),
  fc.constantFrom('worker-3', 'abc123def', '0x1f', '12:00:01', '2024-01-02', '2024-01-02T03:04:05Z', '35ms', 'a@b.io'),
  fc.string({ unit: fc.constantFrom('a', 'b', '1', '-', '_', '.', ':', '/'), minLength: 1, maxLength: 6 }),
);
const glue = fc.constantFrom(' ', '  ', '\t', '=', ':', ',', '[', ']', '"', '{', '}', '(', ')', '. ', ': ', ', ', ' - ');
/** Lines from a few templates with varying values, plus free-form noise. */
const line = fc.oneof(
  fc.tuple(fc.constantFrom(0, 1, 2, 3), fc.array(value, { minLength: 3, maxLength: 3 })).map(([t, [a, b, c]]) =>
    [
      `${a} INFO [main] request ${b} served in ${c}ms`,
      `ERROR user=${a} order=${b}: payment declined (${c})`,
      `{"level":"warn","id":"${a}","ms":${b},"msg":"${c}"}`,
      `\tat com.example.Svc.call(Svc.java:${b})`,
    ][t] as string,
  ),
  fc.array(fc.oneof(word, value, glue), { maxLength: 12 }).map((xs) => xs.join(' ')),
  fc.array(fc.oneof(word, value, glue), { maxLength: 12 }).map((xs) => xs.join('')),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
);

test('property: every line is counted in exactly one cluster and matches its final template', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 60 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom(0.3, 0.5, 0.8), (lines, maxClusters, st) => {
      const d = new Drain({ maxClusters, similarity: st });
      const assigned = lines.map((l) => d.add(l));
      const all = d.clusters();
      assert.equal(
        all.reduce((n, c) => n + c.total, 0),
        lines.length,
      );
      for (const c of all) {
        assert.equal(assigned.filter((a) => a === c).length, c.total);
        // Space-Saving keeps the total: each dynamic token's values add up to the cluster's count.
        for (const s of c.slots) if (s) assert.equal(s.values[0]?.entries().reduce((n, [, k]) => n + k, 0), c.total);
      }
      assert.ok(all.filter((c) => !c.overflow).length <= maxClusters);
      lines.forEach((l, i) => assert.match(analyzedText(l), new RegExp(templateRegex(assigned[i] as Cluster)), l));
    }),
    { numRuns: 300 },
  );
});

test('property: mining is deterministic for a given input order', () => {
  fc.assert(
    fc.property(fc.array(line, { maxLength: 40 }), (lines) => {
      const a = new Drain({ maxClusters: 5 });
      const b = new Drain({ maxClusters: 5 });
      const ra = lines.map((l) => a.add(l).id);
      const rb = lines.map((l) => b.add(l).id);
      assert.deepEqual(ra, rb);
      assert.deepEqual(
        a.clusters().map((c) => [renderPattern(c), c.counts, c.slots.map((s) => s?.values[0]?.entries() ?? null)]),
        b.clusters().map((c) => [renderPattern(c), c.counts, c.slots.map((s) => s?.values[0]?.entries() ?? null)]),
      );
    }),
    { numRuns: 100 },
  );
});
