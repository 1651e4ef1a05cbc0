import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readLines } from './lines.js';

async function collect(chunks: (Buffer | string)[], maxLength?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(chunks, maxLength)) out.push(line);
  return out;
}

test('splits on LF and CRLF, keeps empty lines and a last line without a newline', async () => {
  assert.deepEqual(await collect(['a\r\nb\n\nc']), ['a', 'b', '', 'c']);
  assert.deepEqual(await collect(['a\n']), ['a']);
  assert.deepEqual(await collect([]), []);
});

test('decodes UTF-8 characters split across chunks', async () => {
  const bytes = Buffer.from('héllo €\nwörld\n', 'utf8');
  const chunks = Array.from(bytes, (b) => Buffer.from([b]));
  assert.deepEqual(await collect(chunks), ['héllo €', 'wörld']);
});

test('cuts an over-long line and drops its rest, then carries on', async () => {
  assert.deepEqual(await collect(['abcdef', 'ghij\r\nxy\n'], 4), ['abcd', 'xy']);
});

test('any chunking of a text gives the lines of the whole text', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ unit: fc.constantFrom('a', 'é', '€', '\n', '\r\n', '😀') }), fc.array(fc.nat()), async (text, cuts) => {
      const bytes = Buffer.from(text, 'utf8');
      const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
      const chunks: Buffer[] = [];
      let prev = 0;
      for (const p of [...points, bytes.length]) {
        chunks.push(bytes.subarray(prev, p));
        prev = p;
      }
      const expected = text.split('\n').map((l) => l.replace(/\r$/, ''));
      if (text.endsWith('\n') || text === '') expected.pop();
      assert.deepEqual(await collect(chunks), expected);
    }),
  );
});
