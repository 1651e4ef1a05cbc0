/**
 * filterIndex against filter: over random events in sealed segments and the hot tier, some ingested
 * before the field's policy and some after, `filterIndex f = v` (and `in [...]`) returns exactly the
 * events `filter f = v and toMillis(@ingestionTime) >= <policy time>` returns; a group that does not
 * index the field gives nothing; a policy deleted keeps the indexed events (within 30 days).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { FakeClock } from '../../../clock.js';
import type { LogStore } from '../../../store/store.js';
import { appendEvents, openTestStore } from '../../../store/testing.js';
import { parseQuery } from '../parse.js';
import { runInsightsQuery } from '../engine.js';

const T0 = Date.UTC(2026, 10, 1);
const POLICY_AT = T0 + 50_000;

const level = fc.constantFrom('info', 'error', 'warn');
const message = fc.oneof(
  fc.tuple(level, fc.nat(99)).map(([l, n]) => JSON.stringify({ level: l, n })),
  fc.tuple(level, fc.nat(99)).map(([l, n]) => `prefix ${JSON.stringify({ level: l, other: n })}`),
  fc.constantFrom('plain text error', '{"level": 5}', '{"nested": {"level": "error"}}'),
);
const batch = fc.array(fc.tuple(fc.nat(30), message), { minLength: 1, maxLength: 40 });

async function ptrs(store: LogStore, groups: string[], q: string): Promise<string[]> {
  const out = await runInsightsQuery(store, {
    groups: groups.map((n) => store.catalog.groups.get(n)!),
    startMs: T0,
    endMs: T0 + 1_000_000,
    query: parseQuery(q),
    queryString: q,
    limit: 10_000,
    signal: new AbortController().signal,
  });
  return out.rows.map((r) => r.find((f) => f.field === '@ptr')!.value).sort();
}

test('filterIndex returns what filter returns over the events ingested since the policy, sealed or hot', async () => {
  await fc.assert(
    fc.asyncProperty(batch, batch, batch, fc.constantFrom('= "error"', 'in ["info", "warn"]', '= 5'), async (before, sealedAfter, hotAfter, cond) => {
      const dir = mkdtempSync(join(tmpdir(), 'lw-filter-index-'));
      const clock = new FakeClock(T0 + 100_000);
      let store = await openTestStore(dir, clock, { walSealBytes: 2048 });
      try {
        for (const name of ['indexed', 'plain']) {
          const g = await store.catalog.createGroup(name, T0, {}, null, 'STANDARD');
          await store.catalog.createStream(g, 's', T0);
        }
        const write = async (xs: Array<[number, string]>, ingestMs: number): Promise<void> => {
          const events = xs.map(([dt, m]) => ({ timestamp: T0 + dt * 1000, message: m })).sort((a, b) => a.timestamp - b.timestamp);
          for (const name of ['indexed', 'plain']) await appendEvents(store, store.catalog.groups.get(name)!, 's', events, ingestMs);
        };
        await write(before, T0 + 10_000);
        await store.catalog.indexPolicies.put(store.catalog.groups.get('indexed')!.id, '{"Fields":["level"]}', ['level'], POLICY_AT);
        await write(sealedAfter, POLICY_AT);
        await store.close(); // seals what is written so far
        store = await openTestStore(dir, clock, { walSealBytes: 2048 });
        await write(hotAfter, POLICY_AT + 20_000);

        const indexed = await ptrs(store, ['indexed', 'plain'], `filterIndex level ${cond}`);
        const filtered = await ptrs(store, ['indexed'], `filter level ${cond} and toMillis(@ingestionTime) >= ${POLICY_AT}`);
        assert.deepEqual(indexed, filtered);
        assert.deepEqual(await ptrs(store, ['plain'], `filterIndex level ${cond}`), []);
        // Deleted: the events indexed before stay found; later ones are not indexed.
        await store.catalog.indexPolicies.delete(store.catalog.groups.get('indexed')!.id, POLICY_AT + 10_000);
        const afterDelete = await ptrs(store, ['indexed'], `filterIndex level ${cond}`);
        const window = await ptrs(store, ['indexed'], `filter level ${cond} and toMillis(@ingestionTime) >= ${POLICY_AT} and toMillis(@ingestionTime) < ${POLICY_AT + 10_000}`);
        assert.deepEqual(afterDelete, window);
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns: 8 },
  );
});
