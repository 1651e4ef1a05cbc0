import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Harness, col, column, lit, word, type Table } from './testing.js';

let h: Harness;
before(async () => {
  h = await Harness.open();
});
after(() => h.close());

const texts = column('dynamic', [null, '', '  ', '200', 'abc', 'héllo wörld 👍🏽', ' \t\n x \u00a0']);

describe('isempty and isblank', () => {
  it('are 1 for a missing field or empty text, and isblank also for white space', async () => {
    assert.deepEqual(await h.rows('isempty', [col(0)], texts), ['1', '1', '0', '0', '0', '0', '0']);
    assert.deepEqual(await h.rows('isblank', [col(0)], texts), ['1', '1', '1', '0', '0', '0', '0']);
    assert.deepEqual(await h.rows('isblank', [col(0)], column('string', ['\u2003\t', 'a'])), ['1', '0']);
  });

  it('see a number as empty only when it is missing', async () => {
    const nums = column('number', [null, 0, 5]);
    assert.deepEqual(await h.rows('isempty', [col(0)], nums), ['1', '0', '0']);
    assert.deepEqual(await h.rows('isblank', [col(0)], nums), ['1', '0', '0']);
  });
});

describe('concat', () => {
  it('joins text, numbers and timestamps as AWS prints them; a missing field adds nothing', async () => {
    const t: Table = { types: ['dynamic', 'number', 'timestamp', 'boolean'], rows: [['a', 1.5, Date.UTC(2024, 0, 1, 12), true], [null, 200, null, false], ['é', 3, 0, null]] };
    assert.deepEqual(await h.rows('concat', [col(0), lit('-'), col(1), lit('-'), col(2), lit('-'), col(3)], t), [
      'a-1.5-2024-01-01 12:00:00.000-1',
      '-200--0',
      'é-3-1970-01-01 00:00:00.000-',
    ]);
  });
});

describe('trims', () => {
  const t = column('string', [null, '  a b  ', '\t\u00a0x\n', 'xyZxyfooxyxyZ']);
  it('remove white space without a second argument', async () => {
    assert.deepEqual(await h.rows('ltrim', [col(0)], t), [null, 'a b  ', 'x\n', 'xyZxyfooxyxyZ']);
    assert.deepEqual(await h.rows('rtrim', [col(0)], t), [null, '  a b', '\t\u00a0x', 'xyZxyfooxyxyZ']);
    assert.deepEqual(await h.rows('trim', [col(0)], t), [null, 'a b', 'x', 'xyZxyfooxyxyZ']);
  });
  it('remove the given characters (and only them) with a second argument, as in the AWS examples', async () => {
    assert.deepEqual(await h.rows('ltrim', [col(0), lit('xyZ')], t), [null, '  a b  ', '\t\u00a0x\n', 'fooxyxyZ']);
    assert.deepEqual(await h.rows('ltrim', [lit('xyZxyfooxyZ'), lit('xyZ')], column('string', [null])), ['fooxyZ']);
    assert.deepEqual(await h.rows('rtrim', [lit('xyZfooxyxyZ'), lit('xyZ')], column('string', [null])), ['xyZfoo']);
    assert.deepEqual(await h.rows('trim', [col(0), lit('xyZ')], t), [null, '  a b  ', '\t\u00a0x\n', 'foo']);
  });
});

describe('strlen, toupper, tolower', () => {
  it('count code points and change case beyond ASCII', async () => {
    assert.deepEqual(await h.rows('strlen', [col(0)], texts), [null, '0', '2', '3', '3', '14', '7']);
    assert.deepEqual(await h.rows('toupper', [col(0)], column('dynamic', [null, 'abc', 'héllo', '200'])), [null, 'ABC', 'HÉLLO', '200']);
    assert.deepEqual(await h.rows('tolower', [col(0)], column('dynamic', [null, 'ABC', 'ÉΣ'])), [null, 'abc', 'éσ']);
  });
  it('read a number as its text', async () => {
    assert.deepEqual(await h.rows('strlen', [col(0)], column('number', [1.5, 200, -3])), ['3', '3', '2']);
  });
});

describe('substr', () => {
  const t = column('string', [null, 'xyZfooxyZ', 'héllo', 'ab']);
  it('counts from 0, to the end or for a length', async () => {
    assert.deepEqual(await h.rows('substr', [col(0), lit(3), lit(3)], t), [null, 'foo', 'lo', '']);
    assert.deepEqual(await h.rows('substr', [col(0), lit(1)], t), [null, 'yZfooxyZ', 'éllo', 'b']);
  });
  it('treats a negative start as 0 and a negative length as 0, and floors fractions', async () => {
    assert.deepEqual(await h.rows('substr', [col(0), lit(-2), lit(2)], t), [null, 'xy', 'hé', 'ab']);
    assert.deepEqual(await h.rows('substr', [col(0), lit(1), lit(-1)], t), [null, '', '', '']);
    assert.deepEqual(await h.rows('substr', [col(0), lit(1.9), lit(2.5)], t), [null, 'yZ', 'él', 'b']);
  });
  it('takes a discovered field as the index', async () => {
    const u: Table = { types: ['string', 'dynamic'], rows: [['abcdef', '2'], ['abcdef', 'x'], ['abcdef', null]] };
    assert.deepEqual(await h.rows('substr', [col(0), col(1)], u), ['cdef', null, null]);
  });
});

describe('replace and regexReplace', () => {
  const t = column('dynamic', [null, 'foo', 'a.b.c', 'smoke_test-1']);
  it('replace substitutes every occurrence literally', async () => {
    assert.deepEqual(await h.rows('replace', [col(0), lit('o'), lit('0')], t), [null, 'f00', 'a.b.c', 'sm0ke_test-1']);
    assert.deepEqual(await h.rows('replace', [col(0), lit('.'), lit('')], t), [null, 'foo', 'abc', 'smoke_test-1']);
    assert.deepEqual(await h.rows('replace', [col(0), lit('smoke_test'), lit('Smoke')], t), [null, 'foo', 'a.b.c', 'Smoke-1']);
  });
  it('regexReplace substitutes every match of an RE2 pattern, of RE2', async () => {
    assert.deepEqual(await h.rows('regexReplace', [col(0), lit('[.-]'), lit('_')], t), [null, 'foo', 'a_b_c', 'smoke_test_1']);
    assert.deepEqual(await h.rows('regexReplace', [col(0), lit('(?i)O+'), lit('<\\0>')], t), [null, 'f<oo>', 'a.b.c', 'sm<o>ke_test-1']);
    assert.deepEqual(await h.rows('regexReplace', [col(0), lit('(\\w)\\.'), lit('\\1:')], t), [null, 'foo', 'a:b:c', 'smoke_test-1']);
  });
});

describe('strcontains, startsWith, endsWith', () => {
  const t = column('dynamic', [null, 'Hello World', 'hello', '200']);
  it('return 1 or 0', async () => {
    assert.deepEqual(await h.rows('strcontains', [col(0), lit('World')], t), [null, '1', '0', '0']);
    assert.deepEqual(await h.rows('strcontains', [col(0), lit('0')], t), [null, '0', '0', '1']);
    assert.deepEqual(await h.rows('startsWith', [col(0), lit('hel')], t), [null, '0', '1', '0']);
    assert.deepEqual(await h.rows('endsWith', [col(0), lit('00')], t), [null, '0', '0', '1']);
  });
  it('strcontains ignores case when its third argument is true', async () => {
    assert.deepEqual(await h.rows('strcontains', [col(0), lit('WORLD'), word('true')], t), [null, '1', '0', '0']);
    assert.deepEqual(await h.rows('strcontains', [col(0), lit('WORLD'), word('false')], t), [null, '0', '0', '0']);
    assert.deepEqual(await h.rows('strcontains', [col(0), lit('HELLO'), lit(1)], t), [null, '1', '1', '0']);
  });
});

describe('URL and Base64 encodings', () => {
  it('urlencode percent-encodes UTF-8 and urldecode reverses it', async () => {
    const t = column('string', [null, 'a b/c?d=é&x~', '100%']);
    assert.deepEqual(await h.rows('urlencode', [col(0)], t), [null, 'a%20b%2Fc%3Fd%3D%C3%A9%26x~', '100%25']);
    const u = column('string', [null, 'a%20b%2Fc%3Fd%3D%C3%A9%26x~', 'a+b', '%zz']);
    assert.deepEqual(await h.rows('urldecode', [col(0)], u), [null, 'a b/c?d=é&x~', 'a+b', '%zz']);
  });
  it('base64encode encodes UTF-8; base64decode gives null for what is not Base64 or not UTF-8', async () => {
    assert.deepEqual(await h.rows('base64encode', [col(0)], column('string', [null, 'héllo', ''])), [null, 'aMOpbGxv', '']);
    assert.deepEqual(await h.rows('base64decode', [col(0)], column('string', [null, 'aMOpbGxv', '!!!', '/w=='])), [null, 'héllo', null, null]);
  });
});

describe('split', () => {
  it('gives the list of substrings as JSON text', async () => {
    const t = column('string', [null, 'a,b,,c', 'abc', 'é,"q"']);
    assert.deepEqual(await h.rows('split', [col(0), lit(',')], t), [null, '["a","b","","c"]', '["abc"]', '["é","\\"q\\""]']);
  });
});

describe('hex conversions', () => {
  it('hexToAscii decodes pairs of hex digits, with or without 0x', async () => {
    const t = column('string', [null, '48656c6c6f', '0x48690a', 'abc', 'zz', 'ff']);
    assert.deepEqual(await h.rows('hexToAscii', [col(0)], t), [null, 'Hello', 'Hi\n', null, null, null]);
  });
  it('hexToDec reads hex digits with an optional sign and 0x', async () => {
    const t = column('string', [null, '0xff', 'FF', '-0x10', '10', 'g1', '0x', 'ffffffffffffffff']);
    assert.deepEqual(await h.rows('hexToDec', [col(0)], t), [null, '255', '255', '-16', '16', null, null, '18446744073709552000']);
  });
  it('decToHex writes lower-case hex with 0x or -0x, truncating fractions', async () => {
    const t = column('number', [null, 255, -255, 0, 10.9, -0.5, 4294967296]);
    assert.deepEqual(await h.rows('decToHex', [col(0)], t), [null, '0xff', '-0xff', '0x0', '0xa', '0x0', '0x100000000']);
    assert.deepEqual(await h.rows('decToHex', [col(0)], column('dynamic', ['16', 'abc'])), ['0x10', null]);
  });
});
