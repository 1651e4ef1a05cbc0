import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { indexableTest, TokenIndex, TokenIndexBuilder, tokenIndexShape } from './token-index.js';
import { letterWord } from './testing.js';

/**
 * Events (offset, message) indexed, read back, and asked for `term` through a bitmap shifted by `shift`;
 * the same asked of the index opened without its posting lists (withLists, as a sealed one is), which
 * must give the same answer.
 */
async function answer(events: ReadonlyArray<readonly [number, string]>, term: string, shift: number): Promise<Set<number> | null> {
  const b = new TokenIndexBuilder();
  for (const [offset, message] of events) b.add(offset, message);
  const rows = events.length === 0 ? 0 : events.at(-1)![0] + 1;
  const whole = b.finish(rows);
  const { headBytes } = tokenIndexShape(whole);
  const asked: Array<readonly [number, number]> = [];
  const lazy = TokenIndex.withLists(whole.subarray(0, headBytes), async (ranges) => {
    asked.push(...ranges);
    return ranges.map(([a, z]) => whole.subarray(headBytes + a, headBytes + z));
  });
  const results = [];
  for (const index of [TokenIndex.parse(whole), lazy]) {
    const bits = new Uint8Array(Math.ceil((shift + rows) / 8) + 1);
    results.push((await index.markEvents(term, bits, shift)) ? bits : null);
  }
  assert.deepEqual(results[1], results[0], 'the same without the posting lists at hand');
  assert.ok(lazy.bytes === headBytes && (results[0] !== null || asked.length === 0), 'no posting list is read for a term the index cannot answer');
  const bits = results[0] ?? null;
  if (bits === null) return null;
  const out = new Set<number>();
  for (let i = 0; i < bits.length * 8; i++) if (bits[i >> 3]! & (0x80 >> (i & 7))) out.add(i - shift);
  return out;
}

const expected = (events: ReadonlyArray<readonly [number, string]>, term: string): Set<number> =>
  new Set(events.filter(([, m]) => m.includes(term)).map(([o]) => o));

// Messages from a small alphabet so that terms recur: letters of both cases, digits, separators, JSON
// punctuation, and characters outside ASCII (which separate words, as do the rest).
const CHARS = [...'abcdeErRoOxyz', ...'019', ...' _-.:"{}=/', 'é', 'ß', '\u212a', '日', '\u{1F600}'];
const message = fc.array(fc.constantFrom(...CHARS), { maxLength: 40 }).map((cs) => cs.join(''));
const letters = fc.array(fc.constantFrom(...'abcdeErRoOxyz'), { minLength: 3, maxLength: 6 }).map((cs) => cs.join(''));

test('the events of a term are exactly the messages that contain it (or the index says it cannot tell)', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.nat(3), message), { maxLength: 60 }),
      fc.oneof(letters, fc.constantFrom('error', 'rro', 'Error', 'xyz')),
      fc.nat(13),
      async (items, term, shift) => {
        // Offsets ascend with gaps (events of deleted streams are not in a segment).
        let offset = -1;
        const events = items.map(([gap, m]) => [(offset += gap + 1), m] as const);
        const got = await answer(events, term, shift);
        // Under FREQUENT_MIN events no token is frequent: the index always answers.
        assert.ok(got !== null);
        assert.deepEqual([...got].sort((a, b) => a - b), [...expected(events, term)]);
      },
    ),
    { numRuns: 500 },
  );
});

test('a term inside a token in most events is not answered; other terms of the same segment are', async () => {
  const events: Array<readonly [number, string]> = [];
  for (let i = 0; i < 2000; i++) events.push([i, `{"level":"${i % 50 === 0 ? 'error' : 'info'}","msg":"request ${i}"}`]);
  assert.equal(await answer(events, 'level', 0), null);
  assert.equal(await answer(events, 'eve', 0), null, 'inside the frequent "level"');
  assert.deepEqual(await answer(events, 'error', 5), expected(events, 'error'));
  assert.equal(expected(events, 'error').size, 40);
});

test('many distinct and long words: the table grows and nothing is confused', async () => {
  const events: Array<readonly [number, string]> = [];
  const word = letterWord;
  for (let i = 0; i < 30_000; i++) events.push([i, `id=${word(i)}x${word(i * 7 + 3)} ${'L'.repeat(i % 300)}`]);
  for (const term of [word(12345) + 'x', 'x' + word(7 * 777 + 3), 'LLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLLL']) {
    const got = await answer(events, term, 3);
    if (got === null) continue; // the long run of L is in more than a tenth of the events
    assert.deepEqual(got, expected(events, term), term);
  }
  assert.deepEqual(await answer(events, word(12345) + 'x', 3), expected(events, word(12345) + 'x'));
});

test('only substring tests of three or more ASCII letters go to the index', () => {
  assert.ok(indexableTest({ kind: 'contains', pattern: 'ERROR' }));
  assert.ok(indexableTest({ kind: 'contains', pattern: 'err' }));
  for (const pattern of ['er', 'error:', 'level=error', 'ERROR1', 'erröR', '']) assert.ok(!indexableTest({ kind: 'contains', pattern }), pattern);
  assert.ok(!indexableTest({ kind: 'regexp', pattern: 'error' }));
});

test('a damaged index is refused, not misread', () => {
  const b = new TokenIndexBuilder();
  b.add(0, 'hello world');
  const good = b.finish(1);
  assert.throws(() => TokenIndex.parse(good.subarray(0, good.length - 2)));
  // Its part before the posting lists, one byte short or long: refused too.
  const { headBytes } = tokenIndexShape(good);
  const none = async (): Promise<Buffer[]> => [];
  assert.throws(() => TokenIndex.withLists(good.subarray(0, headBytes - 1), none));
  assert.throws(() => TokenIndex.withLists(good.subarray(0, headBytes + 1), none));
  assert.throws(() => tokenIndexShape(good.subarray(0, 19)));
  assert.throws(() => TokenIndex.parse(Buffer.from('not deflated at all')));
});
