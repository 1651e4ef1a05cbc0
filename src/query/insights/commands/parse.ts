/**
 * `parse <field> "glob * pattern" as a, b`, `parse <field> /regex with (?<name>groups)/` (or
 * `/(group)/ as name`), `parse <field> logfmt as lf` and `parse <field> csv as a, b`: extracts fields.
 * Each `*` of a glob captures one field (the last one, at the end, takes the rest); a regex gives its
 * named groups; csv gives the n-th comma-separated value to the n-th name. An event the pattern does
 * not match keeps going, without those fields.
 *
 * A glob runs without regular expressions (globSql): each literal piece is found with strpos after
 * the previous one, which is what the glob as a regex (lazy captures, leftmost match) finds,
 * at a fraction of RE2's cost for capturing groups. A regex pattern reaches DuckDB as a session
 * variable (SET VARIABLE, bound as a parameter), because regexp_extract's one-pass form needs a
 * constant pattern; field names never enter SQL text.
 */
import type { ParseCommand } from '../ast.js';
import { compileExpr } from '../compile/expr.js';
import type { CompileState } from '../compile/state.js';
import { asString } from '../functions/coerce.js';

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

/**
 * One comma-separated value: RFC 4180 quoted (commas and doubled quotes inside the quotes), else
 * anything up to the next comma. What follows a closing quote before the comma stays in the value,
 * which is then not unquoted (a malformed field is kept as it is written). The pattern is ours.
 */
const CSV_VALUE = `'(?:^|,)("(?:[^"]|"")*"[^,]*|[^,]*)'`;
const csvUnquote = (v: string): string =>
  `CASE WHEN length(${v}) >= 2 AND starts_with(${v}, '"') AND ends_with(${v}, '"') THEN replace(${v}[2:-2], '""', '"') ELSE ${v} END`;

export function compileParse(state: CompileState, cmd: ParseCommand): void {
  const subject = asString(compileExpr(state, cmd.field)).sql;
  if (cmd.pattern.kind === 'logfmt') {
    const name = cmd.names[0]!;
    state.define([[name, { sql: logfmtObject(subject), type: 'dynamic' }]]);
    state.defined.get(name)!.object = true;
    state.show(name);
    return;
  }
  if (cmd.pattern.kind === 'glob') {
    const captures = cmd.pattern.text.split('*').length - 1;
    if (captures === 0) state.error('Expected at least one * in the parse pattern', cmd.pattern.span);
    if (cmd.names.length !== captures) {
      state.error(`The parse pattern has ${captures} wildcard${captures === 1 ? '' : 's'} (*) but ${cmd.names.length} name${cmd.names.length === 1 ? '' : 's'} after 'as'`, cmd.span);
    }
    checkDistinct(state, cmd.names, cmd);
    const values = globSql(state, subject, cmd.pattern.text);
    state.define(cmd.names.map((name, i) => [name, { sql: values[i]!, type: 'dynamic' }]));
    for (const name of cmd.names) state.show(name);
    return;
  }
  if (cmd.pattern.kind === 'csv') {
    checkDistinct(state, cmd.names, cmd);
    const list = state.hidden('pc');
    state.addStage(`*, regexp_extract_all(${subject}, ${CSV_VALUE}, 1) AS ${list}`);
    state.define(cmd.names.map((name, i) => [name, { sql: `NULLIF(${csvUnquote(`${list}[${i + 1}]`)}, '')`, type: 'dynamic' }]));
    for (const name of cmd.names) state.show(name);
    return;
  }
  let { regex, groups: fields, captures } = namedGroups(cmd.pattern.pattern);
  if (cmd.pattern.aliased) {
    // `as` names the capture groups in order; a regex without any names its whole match.
    if (captures === 0 && cmd.names.length === 1) [regex, captures] = [`(${regex})`, 1];
    if (cmd.names.length !== captures) {
      state.error(`The parse regular expression has ${captures} capture group${captures === 1 ? '' : 's'} but ${cmd.names.length} name${cmd.names.length === 1 ? '' : 's'} after 'as': expected one name per group`, cmd.span);
    }
    fields = cmd.names.map((name, i) => ({ name, index: i + 1 }));
  }
  if (fields.length === 0) state.error('Expected a named group such as (?<name>...) in the parse regular expression', cmd.pattern.span);
  checkDistinct(state, fields.map((f) => f.name), cmd);
  if (cmd.pattern.multi) return compileMultiMatch(state, subject, regex, fields);
  const col = state.hidden('p');
  const slots = Array.from({ length: captures }, (_, i) => `'g${i + 1}'`).join(', ');
  state.addStage(`*, regexp_extract(${subject}, ${state.variable(regex)}, [${slots}]) AS ${col}`);
  // regexp_extract gives '' for a group that did not take part (or no match): that is "no value".
  state.define(fields.map((f) => [f.name, { sql: `NULLIF(${col}.g${f.index}, '')`, type: 'dynamic' }]));
  for (const f of fields) state.show(f.name);
}

/**
 * `parse field /regex/ multi`: every match of the regex (leftmost first, not overlapping), one row each
 * with the match's named groups and every other field of the event; rows of one event keep the
 * matches' order. An event without a match stays, once, without the fields (as one that a single-match
 * pattern does not match).
 */
function compileMultiMatch(state: CompileState, subject: string, regex: string, fields: Array<{ name: string; index: number }>): void {
  const re = state.variable(regex);
  const lists = fields.map(() => state.hidden('pm'));
  state.addStage(`*, ${fields.map((f, i) => `regexp_extract_all(${subject}, ${re}, ${f.index}) AS ${lists[i]}`).join(', ')}`);
  const matches = state.hidden('pm');
  state.addStage(`*, coalesce(len(${lists[0]}), 0) AS ${matches}`);
  // Lists of one event have one element per match; [NULL] keeps an event without a match.
  const padded = (l: string): string => `CASE WHEN ${matches} = 0 THEN [NULL] ELSE ${l} END`;
  const cols = fields.map(() => state.hidden('pm'));
  const index = state.hidden('pm');
  state.addStage(
    `* EXCLUDE (${lists.join(', ')}, ${matches}), ${fields.map((_, i) => `unnest(${padded(lists[i]!)}) AS ${cols[i]}`).join(', ')}, ` +
      `generate_subscripts(${padded(lists[0]!)}, 1) AS ${index}`,
  );
  state.define(fields.map((f, i) => [f.name, { sql: `NULLIF(${cols[i]}, '')`, type: 'dynamic' }]));
  for (const f of fields) state.show(f.name);
  if (state.order !== null || state.eventRows) state.order = [...(state.order ?? [state.orderSql()]), `${index} ASC`];
}

function checkDistinct(state: CompileState, names: readonly string[], cmd: ParseCommand): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) state.error(`The field '${n}' is extracted twice`, cmd.span);
    seen.add(n);
  }
}

/**
 * A glob's captures without regular expressions: one stage per piece, each finding the piece with
 * strpos in what follows the previous one. First occurrences are what the glob's regex finds (a later
 * occurrence of a piece leaves less text for the rest, so it can only match if the first does; the
 * captures are lazy), and a glob that does not match gives no field at all, as regexp_extract's ''.
 * Positions and lengths count characters, as strpos and substr do. Returns each capture's SQL.
 */
export function globSql(state: CompileState, subject: string, glob: string): string[] {
  const pieces = glob.split('*');
  const chars = (t: string): number => [...t].length;
  const text = state.hidden('gl');
  state.addStage(`*, ${subject} AS ${text}`);
  // end: the position after the last piece found (NULL once a piece is missing).
  let end = state.hidden('gl');
  const first = pieces[0]!;
  state.addStage(`*, ${first === '' ? `CASE WHEN ${text} IS NOT NULL THEN 1 END` : `CASE WHEN strpos(${text}, ${lit(state, first)}) > 0 THEN strpos(${text}, ${lit(state, first)}) + ${chars(first)} END`} AS ${end}`);
  const captures: string[] = [];
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (i === pieces.length - 1 && piece === '') {
      captures.push(`substr(${text}, ${end})`); // a trailing * takes the rest
      break;
    }
    const at = state.hidden('gl');
    const next = state.hidden('gl');
    state.addStage(`*, strpos(substr(${text}, ${end}), ${lit(state, piece)}) AS ${at}`);
    state.addStage(`*, CASE WHEN ${at} > 0 THEN ${end} + ${at} - 1 + ${chars(piece)} END AS ${next}`);
    captures.push(`substr(${text}, ${end}, ${at} - 1)`);
    end = next;
  }
  // `end` is NULL when some piece is missing: then no capture is a value.
  return captures.map((c) => `CASE WHEN ${end} IS NOT NULL THEN NULLIF(${c}, '') END`);
}

const lit = (state: CompileState, t: string): string => `CAST(${state.param(t)} AS VARCHAR)`;
