/**
 * `parse <field> "glob * pattern" as a, b` and `parse <field> /regex with (?<name>groups)/`: extracts
 * fields. Each `*` of a glob captures one field (the last one, at the end, takes the rest); a regex
 * gives its named groups. An event the pattern does not match keeps going, without those fields.
 *
 * The pattern reaches DuckDB as a session variable (SET VARIABLE, bound as a parameter), because
 * regexp_extract's one-pass form needs a constant pattern; field names never enter SQL text.
 */
import type { ParseCommand } from '../ast.js';
import { compileExpr } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asString } from '../functions/coerce.js';

const REGEX_SYNTAX = /[\\^$.|?*+()[\]{}]/g;

export function globRegex(glob: string): { regex: string; captures: number } {
  const pieces = glob.split('*');
  const captures = pieces.length - 1;
  let regex = '(?s)';
  pieces.forEach((piece, i) => {
    regex += piece.replace(REGEX_SYNTAX, '\\$&');
    if (i < captures) regex += i === captures - 1 && pieces[captures] === '' ? '(.*)' : '(.*?)';
  });
  return { regex, captures };
}

/**
 * A regex's capture groups: RE2 syntax for named groups (`(?<n>` becomes `(?P<n>`), and the 1-based
 * index of each named group among all capturing groups.
 */
export function namedGroups(pattern: string): { regex: string; groups: Array<{ name: string; index: number }>; captures: number } {
  let out = '';
  let captures = 0;
  const groups: Array<{ name: string; index: number }> = [];
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (pattern[i + 1] === ']') out += pattern[++i]!; // `[]...]`: a literal ] first
      continue;
    }
    if (c === '(') {
      const named = /^\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(pattern.slice(i));
      if (named) {
        captures++;
        groups.push({ name: named[1]!, index: captures });
        out += `(?P<${named[1]!}>`;
        i += named[0].length - 1;
        continue;
      }
      if (pattern[i + 1] !== '?') captures++;
    }
    out += c;
  }
  return { regex: out, groups, captures };
}

/**
 * logfmt pairs as a JSON object text: `key=value` and `key="quoted \"value\""`, separated by blanks;
 * a key without `=` is left out. The pattern is ours (no user text), so it is written into the SQL.
 */
const LOGFMT_PAIR = `'([^\\s="]+)=("(?:[^"\\\\]|\\\\.)*"|[^\\s"]*)'`;
function logfmtObject(subject: string): string {
  const keys = `regexp_extract_all(${subject}, ${LOGFMT_PAIR}, 1)`;
  const values = `regexp_extract_all(${subject}, ${LOGFMT_PAIR}, 2)`;
  const unquote = `CASE WHEN starts_with(x[2], '"') THEN regexp_replace(x[2][2:-2], '\\\\(.)', '\\1', 'g') ELSE x[2] END`;
  return `CASE WHEN ${subject} IS NOT NULL THEN '{' || array_to_string(list_transform(list_zip(${keys}, ${values}), lambda x: to_json(x[1]) || ':' || to_json(${unquote})), ',') || '}' END`;
}

export function compileParse(state: CompileState, cmd: ParseCommand): void {
  const subject = asString(compileExpr(state, cmd.field)).sql;
  if (cmd.pattern.kind === 'logfmt') {
    const name = cmd.names[0]!;
    state.define([[name, { sql: logfmtObject(subject), type: 'dynamic' }]]);
    state.defined.get(name)!.object = true;
    state.show(name);
    return;
  }
  let regex: string;
  let fields: Array<{ name: string; index: number }>;
  let captures: number;
  if (cmd.pattern.kind === 'glob') {
    ({ regex, captures } = globRegex(cmd.pattern.text));
    if (captures === 0) state.error('Expected at least one * in the parse pattern', cmd.pattern.span);
    if (cmd.names.length !== captures) {
      state.error(`The parse pattern has ${captures} wildcard${captures === 1 ? '' : 's'} (*) but ${cmd.names.length} name${cmd.names.length === 1 ? '' : 's'} after 'as'`, cmd.span);
    }
    fields = cmd.names.map((name, i) => ({ name, index: i + 1 }));
  } else {
    ({ regex, groups: fields, captures } = namedGroups(cmd.pattern.pattern));
    if (fields.length === 0) state.error('Expected a named group such as (?<name>...) in the parse regular expression', cmd.pattern.span);
  }
  const seen = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.name)) state.error(`The field '${f.name}' is extracted twice`, cmd.span);
    seen.add(f.name);
  }
  const col = state.hidden('p');
  const slots = Array.from({ length: captures }, (_, i) => `'g${i + 1}'`).join(', ');
  state.addStage(`*, regexp_extract(${subject}, ${state.variable(regex)}, [${slots}]) AS ${col}`);
  // regexp_extract gives '' for a group that did not take part (or no match): that is "no value".
  state.define(fields.map((f) => [f.name, { sql: `NULLIF(${col}.g${f.index}, '')`, type: 'dynamic' }]));
  for (const f of fields) state.show(f.name);
}
