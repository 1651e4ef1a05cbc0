import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError } from './ast.js';
import { lineAndPosition, nextToken, periodUnit, skipTrivia, type Token } from './lexer.js';

const kinds = (src: string, operand: boolean[]): string[] => {
  const out: string[] = [];
  let pos = 0;
  for (const o of operand) {
    const t: Token = nextToken(src, pos, o);
    out.push(`${t.kind}:${t.text}`);
    pos = t.span.end;
  }
  return out;
};

test('a slash is division after an operand and opens a regular expression where one is expected', () => {
  assert.deepEqual(kinds('a / b / c', [true, false, true, false, true]), ['ident:a', 'op:/', 'ident:b', 'op:/', 'ident:c']);
  assert.deepEqual(kinds(String.raw`like /b \/ c/`, [false, true]), ['ident:like', String.raw`regex:/b \/ c/`]);
  assert.equal(nextToken(String.raw`/a\/b\\/ x`, 0, true).value, String.raw`a\/b\\`);
});

test('operators take the longest match; numbers, periods and names end where they should', () => {
  assert.deepEqual(kinds('<=>=!==~<>', [false, false, false, false, false, false]), ['op:<=', 'op:>=', 'op:!=', 'op:=~', 'op:<', 'op:>']);
  assert.deepEqual(kinds('5m,1.5e-3)10ms 2hrs', [true, false, true, false, true, true]), ['period:5m', 'op:,', 'number:1.5e-3', 'op:)', 'period:10ms', 'period:2hrs']);
  assert.deepEqual(kinds('@a.b_c.0(x', [true, false, true]), ['ident:@a.b_c.0', 'op:(', 'ident:x']);
  assert.equal(nextToken('', 0, true).kind, 'eof');
  assert.deepEqual(nextToken('  # c\n', 0, true).span, { start: 6, end: 6 });
});

test('list access: a name with [index] steps is one token whose value is the dotted name', () => {
  assert.deepEqual(kinds('j.users[1].action = x', [true, false, true]), ['ident:j.users[1].action', 'op:=', 'ident:x']);
  assert.equal(nextToken('j.users[1].action', 0, true).value, 'j.users.1.action');
  assert.equal(nextToken('m[0][12]', 0, true).value, 'm.0.12');
  assert.equal(nextToken('plain.name', 0, true).value, '');
  // Not an index: a list after an operator word, a space before the bracket, or no digits.
  assert.deepEqual(kinds('in[1]', [false, true]), ['ident:in', 'op:[']);
  assert.deepEqual(kinds('a [1]', [true, false]), ['ident:a', 'op:[']);
  assert.deepEqual(kinds('a[b]', [true, false]), ['ident:a', 'op:[']);
  assert.deepEqual(kinds('{}', [true, false]), ['op:{', 'op:}']);
});

test('string escapes: only quotes and the backslash', () => {
  assert.equal(nextToken(String.raw`"a\"b\'c\\d\ne\d"`, 0, true).value, String.raw`a"b'c\d\ne\d`);
  assert.equal(nextToken(String.raw`'x\'y'`, 0, true).value, "x'y");
  assert.equal(nextToken('"multi\nline"', 0, true).value, 'multi\nline');
  assert.throws(() => nextToken('"a\\"', 0, true), (e: unknown) => e instanceof QueryError && e.span.start === 0 && e.span.end === 4);
});

test('period units: AWS spellings and their plurals, nothing else', () => {
  assert.equal(periodUnit('msecs'), 'ms');
  assert.equal(periodUnit('Hours'), 'h');
  assert.equal(periodUnit('mos'), 'mo');
  assert.equal(periodUnit('ss'), undefined, 'one-letter units take no plural s');
  assert.equal(periodUnit('hs'), undefined);
  assert.equal(periodUnit('minutess'), undefined);
  assert.equal(periodUnit('x'), undefined);
});

test('line and position: lines from 1, positions from 0, for \\n, \\r\\n and \\r', () => {
  const src = 'ab\ncd\r\nef\rgh';
  assert.deepEqual(lineAndPosition(src, 0), { line: 1, position: 0 });
  assert.deepEqual(lineAndPosition(src, 4), { line: 2, position: 1 });
  assert.deepEqual(lineAndPosition(src, 7), { line: 3, position: 0 });
  assert.deepEqual(lineAndPosition(src, 11), { line: 4, position: 1 });
  assert.equal(skipTrivia('  #x\r\n # y\n z', 0), 12);
});
