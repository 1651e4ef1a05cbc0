/**
 * The `join` command (AWS: CWL_QuerySyntax-Join):
 *   join [type=inner|left] left=<alias> right=<alias> where <alias>.<field>=<alias>.<field> [and ...] ( <query> )
 * The options may come in any order, each once; `type` defaults to inner. Each side of a condition is
 * a field qualified by one of the two aliases, one side each; the nested query is parsed by
 * Cursor.nestedQuery (parse.ts), which refuses a join or subquery inside it.
 */
import type { FieldRef, JoinCommand } from './ast.js';
import { syntaxError, type Token } from './lexer.js';
import { Cursor, isOp, isWord, parseFieldRef, parseName } from './parse-expr.js';

type Option = 'type' | 'left' | 'right';

export function parseJoin(c: Cursor, kw: Token): JoinCommand {
  const given = new Map<Option, { value: string; token: Token }>();
  for (let t = c.peek(); t.kind === 'ident' && ['type', 'left', 'right'].includes(t.text.toLowerCase()) && isOp(c.peekSecond(), '='); t = c.peek()) {
    const option = t.text.toLowerCase() as Option;
    if (given.has(option)) throw c.error(t, `expected ${option}= only once in a join`);
    c.take();
    c.take();
    const v = c.peek();
    if (option === 'type') {
      if (!isWord(v, 'inner') && !isWord(v, 'left')) throw c.error(v, `expected inner or left ${c.after()}`);
      c.take();
      given.set(option, { value: v.text.toLowerCase(), token: v });
    } else {
      const name = parseName(c, `an alias ${option === 'left' ? 'for the rows so far' : 'for the joined query'}`);
      // An alias qualifies field names (`api.requestId`): it cannot hold a dot itself.
      if (name.name.includes('.') || name.name.startsWith('@')) throw c.error(c.last!, 'expected an alias without dots or @, such as api');
      given.set(option, { value: name.name, token: c.last! });
    }
  }
  const where = c.peek();
  for (const option of ['left', 'right'] as const) {
    if (!given.has(option)) throw c.error(where, `expected ${option}=<alias> ${c.after()} (join needs left= and right= aliases before where)`);
  }
  const left = given.get('left')!.value;
  const right = given.get('right')!;
  if (right.value === left) throw c.error(right.token, `expected a right alias other than the left one ('${left}')`);
  if (!isWord(where, 'where')) throw c.error(where, `expected where and the fields to match, such as where ${left}.id=${right.value}.id ${c.after()}`);
  c.take();

  const on: JoinCommand['on'] = [];
  const what = `a field qualified by ${left} or ${right.value}, such as ${left}.requestId`;
  for (;;) {
    const a = parseFieldRef(c, what);
    c.expectOp('=', "'=' between the two fields of a join condition");
    const b = parseFieldRef(c, what);
    const sa = side(c, a, left, right.value);
    const sb = side(c, b, left, right.value);
    if (sa === sb) throw syntaxError(c.src, b.span, `expected a field of ${sa === 'left' ? right.value : left} on the other side of '='`);
    on.push(sa === 'left' ? { left: a, right: b } : { left: b, right: a });
    if (!isWord(c.peek(), 'and')) break;
    c.take();
  }
  const nested = isOp(c.peek(true), '(') ? c.nestedQuery?.(c) : null;
  if (!nested) throw c.error(c.peek(true), `expected '(' and the query to join with, such as (SOURCE '/aws/lambda/my-function') ${c.after()}`);
  const type = given.get('type');
  return {
    kind: 'join',
    type: (type?.value ?? 'inner') as JoinCommand['type'],
    typeWritten: type !== undefined,
    left,
    right: right.value,
    on,
    query: nested.query,
    span: { start: kw.span.start, end: nested.span.end },
  };
}

/** Which alias qualifies `f` (`api.requestId`), or a positioned error. */
function side(c: Cursor, f: FieldRef, left: string, right: string): 'left' | 'right' {
  for (const [alias, s] of [[left, 'left'], [right, 'right']] as const) {
    if (f.name.startsWith(`${alias}.`) && f.name.length > alias.length + 1) return s;
  }
  throw syntaxError(c.src, f.span, `expected a field qualified by ${left} or ${right}, such as ${left}.requestId or ${right}.requestId`);
}
