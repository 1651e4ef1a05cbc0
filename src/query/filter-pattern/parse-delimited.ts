/**
 * Space-delimited patterns: `[ip, user, ..., status_code = 4* || status_code = 5*, bytes > 1000]`.
 *
 *   pattern := '[' ']' | '[' field (',' field)* ']'
 *   field   := '...' | '' | name | name test (('&&' | '||') name test)*   (every name in a field is the same)
 *   test    := ('=' | '!=') value | ('<' | '<=' | '>' | '>=') number      (values as in JSON patterns)
 *
 * && binds tighter than ||. At most one `...` per pattern (more would need backtracking; rejected).
 * An empty field (`[..., status_code=4*,]`, from AWS's TestMetricFilter examples) is an unnamed
 * position; `[]` matches every event and extracts every field, which is what `[...]` does, so it
 * parses to that.
 * How a message splits into fields is defined once, in FIELD_REGEX below, for both back ends.
 */
import { FilterPatternError, type DelimitedField, type DelimitedExpr, type FieldTest } from './ast.js';
import { Scanner, value } from './parse-json.js';

/**
 * One field of a message: a `[...]` or `"..."` group (spaces inside do not split it), else a run of
 * non-spaces. The brackets or quotes of a group are not part of the field's value. Read leftmost-first
 * by both engines (JavaScript, RE2).
 */
export const FIELD_REGEX = '\\[[^\\]]*\\]|"[^"]*"|[^ ]+';

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function parseDelimitedPattern(src: string, start: number): DelimitedField[] {
  const s = new Scanner(src, start);
  s.stops = /[\s,\]]/;
  s.expect('[', "'['");
  if (s.eat(']')) {
    s.skip();
    if (s.i < src.length) throw s.error('expected the end of the pattern after ]');
    return [{ kind: 'ellipsis' }];
  }
  const fields: DelimitedField[] = [];
  let ellipses = 0;
  do {
    s.skip();
    if (s.peek(',') || s.peek(']')) {
      fields.push({ kind: 'field', name: '', test: null });
      continue;
    }
    if (s.eat('...')) {
      if (++ellipses > 1) throw s.error('only one ... is supported in a pattern', s.i - 3, s.i);
      fields.push({ kind: 'ellipsis' });
      continue;
    }
    const name = ident(s);
    s.skip();
    if (s.peek(',') || s.peek(']')) {
      fields.push({ kind: 'field', name, test: null });
      continue;
    }
    fields.push({ kind: 'field', name, test: or(s, name) });
  } while (s.eat(','));
  s.expect(']', "',' or ']'");
  s.skip();
  if (s.i < src.length) throw s.error('expected the end of the pattern after ]');
  return fields;
}

function ident(s: Scanner): string {
  s.skip();
  const m = NAME.exec(s.src.slice(s.i));
  if (!m) throw s.error("expected a field name, '...', ',' or ']'");
  s.i += m[0].length;
  return m[0];
}

function or(s: Scanner, name: string): DelimitedExpr {
  let left = and(s, name);
  while (s.eat('||')) left = { kind: 'or', left, right: and(s, name, true) };
  return left;
}

function and(s: Scanner, name: string, named = false): DelimitedExpr {
  let left: DelimitedExpr = { kind: 'test', test: cond(s, name, named) };
  while (s.eat('&&')) left = { kind: 'and', left, right: { kind: 'test', test: cond(s, name, true) } };
  return left;
}

function cond(s: Scanner, name: string, named: boolean): FieldTest {
  if (named) {
    const at = (s.skip(), s.i);
    const n = ident(s);
    if (n !== name) throw new FilterPatternError(`Invalid filter pattern: expected the field name ${name} at character ${at}, found ${n}`, { start: at, end: at + n.length });
  }
  const t = value(s);
  if (t.kind === 'is' || t.kind === 'not-exists') throw s.error('expected = != < <= > >= in a space-delimited field');
  return t;
}
