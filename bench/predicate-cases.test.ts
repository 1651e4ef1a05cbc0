import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePredicate } from '../src/query/filter-pattern/predicate.js';
import { parseFilterPattern } from '../src/query/filter-pattern/parse.js';
import { EventGenerator } from './generate.js';
import { predicateCases, rareJsonSearch } from './predicate-cases.js';

const term = 'zqxjkvbw';
const batch = new EventGenerator({ seed: 20240601, startMs: Date.UTC(2024, 5, 1), stepMs: 2.5, markers: { term, every: 97 } }).batch(0, 40_000);
const count = (test: (m: string) => boolean): number => batch.messages.filter((m) => test(m)).length;

for (const c of predicateCases(term)) {
  test(`the benchmark's ${c.kind} case "${c.name}" matches some events of the generator, and as its reference says`, () => {
    const matches = count(compilePredicate(parseFilterPattern(c.pattern)));
    assert.ok(matches > 0 && matches < batch.messages.length / 10, `${c.pattern}: ${matches} matches`);
    if (c.reference.sameMatches) assert.equal(matches, count(c.reference.test));
  });
}

test('the space-delimited and the regex case find the same nginx 5xx lines', () => {
  const [delimited, regex] = ['delimited', 'regex'].map((k) => predicateCases(term).find((c) => c.kind === k)!);
  const a = compilePredicate(parseFilterPattern(delimited!.pattern));
  const b = compilePredicate(parseFilterPattern(regex!.pattern));
  assert.deepEqual(
    batch.messages.filter((m) => a(m)),
    batch.messages.filter((m) => b(m)),
  );
  assert.equal(count(a), count(delimited!.reference.test));
});

test('the rare JSON search matches exactly the marked app logs, and its ripgrep regex finds the same lines', () => {
  const { pattern, rgRegex } = rareJsonSearch(term);
  const marked = batch.marked.map((i) => batch.messages[i]!);
  const apps = marked.filter((m) => m.startsWith('{"ts"'));
  assert.ok(apps.length > 0 && apps.length < marked.length);
  assert.deepEqual(batch.messages.filter(compilePredicate(parseFilterPattern(pattern))), apps);
  assert.deepEqual(
    batch.messages.filter((m) => new RegExp(rgRegex).test(m)),
    apps,
  );
});
