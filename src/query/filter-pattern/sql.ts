/**
 * The SQL back end: a WHERE clause over a message column. User values travel only as bound
 * parameters, appended to `params`; the column name comes from the store, never from the user.
 *
 * JSON patterns use DuckDB's JSON functions. A message that is not valid JSON makes those functions
 * throw, so every JSON clause is guarded by `CASE WHEN json_valid(...)`, which DuckDB evaluates lazily.
 * Selectors become JSON paths with every key quoted (`$."a"[0]."b"`), bound as parameters too. A
 * selector with a wildcard (`$."a"[*]`) makes json_extract return a list of JSON values; the condition
 * holds when the test holds for one of them (list_bool_or), and NOT EXISTS when the list is empty.
 * Known divergences from the predicate (JSON.parse), both outside what JSON.stringify produces:
 * DuckDB also accepts trailing commas and NaN/Infinity, and with a duplicate key it reads the first
 * occurrence where JSON.parse keeps the last.
 *
 * Space-delimited patterns split the message with regexp_extract_all over FIELD_REGEX (the same regex
 * the predicate uses) and test the fields by list position, inside a one-element list_transform so
 * that the split is computed once per message. When the last position takes the rest of the message
 * (no `...`, more fields than positions), the rest starts where a regex that skips the fields before
 * it stops: RE2 picks the same leftmost-first split as the predicate's matchAll.
 */
import { isMatchAnything, type DelimitedExpr, type DelimitedField, type FilterPattern, type JsonExpr, type JsonPath, type ValueTest } from './ast.js';
import { FIELD_REGEX } from './parse-delimited.js';
import { NUMBER } from './parse-json.js';

export function toSql(p: FilterPattern, column: string, params: unknown[]): string {
  const bind = (v: string): string => {
    params.push(v);
    return `$${params.length}`;
  };
  switch (p.kind) {
    case 'terms': {
      const parts: string[] = [];
      for (const t of p.required) parts.push(`contains(${column}, ${bind(t)})`);
      for (const t of p.excluded) parts.push(`NOT contains(${column}, ${bind(t)})`);
      if (p.optional.length > 0) parts.push(`(${p.optional.map((t) => `contains(${column}, ${bind(t)})`).join(' OR ')})`);
      return parts.length === 0 ? 'TRUE' : parts.join(' AND ');
    }
    case 'regex':
      return regexSql(column, p.regex.pattern, bind);
    case 'delimited':
      return delimitedSql(p.fields, column, bind);
    case 'json':
      return `(CASE WHEN json_valid(${column}) AND json_type(${column}) = 'OBJECT' THEN ${jsonSql(p.expr, column, bind)} ELSE FALSE END)`;
  }
}

/** `$."a"[0]."b"[*].*`: keys are limited by the parser to characters that need no escaping inside quotes. */
export function jsonPath(path: JsonPath): string {
  return '$' + path.map((k) => (typeof k === 'number' ? `[${k}]` : typeof k === 'string' ? `."${k}"` : k.wildcard === 'element' ? '[*]' : '.*')).join('');
}

function jsonSql(e: JsonExpr, col: string, bind: (v: string) => string): string {
  switch (e.kind) {
    case 'and':
      return `(${jsonSql(e.left, col, bind)} AND ${jsonSql(e.right, col, bind)})`;
    case 'or':
      return `(${jsonSql(e.left, col, bind)} OR ${jsonSql(e.right, col, bind)})`;
    case 'cond': {
      // `!= *` can hold for no value; said before binding the path, as an unused parameter is an error.
      if (e.test.kind === 'string' && e.test.op === '!=' && isMatchAnything(e.test.parts)) return 'FALSE';
      const path = bind(jsonPath(e.path));
      if (!e.path.some((k) => typeof k === 'object')) {
        if (e.test.kind === 'not-exists') return `(json_type(${col}, ${path}) IS NULL)`;
        return testSql(e.test, `json_type(${col}, ${path})`, `json_extract_string(${col}, ${path})`, bind);
      }
      const values = `json_extract(${col}, ${path})`;
      if (e.test.kind === 'not-exists') return `(len(${values}) = 0)`;
      return `coalesce(list_bool_or(list_transform(${values}, v -> ${testSql(e.test, 'json_type(v)', "json_extract_string(v, '$')", bind)})), FALSE)`;
    }
  }
}

/**
 * "The regex matches somewhere in `subject`", as a full match between two `.*`. Not regexp_matches:
 * DuckDB 1.5's regexp_matches gets misplaced anchors wrong (`$-` matches "-1", `^^` matches nothing),
 * which the property test found; regexp_full_match does not. The user's regex contains no parentheses
 * (the syntax forbids them), so it cannot escape the group.
 */
function regexSql(subject: string, pattern: string, bind: (v: string) => string): string {
  return `regexp_full_match(${subject}, ${bind(`(?s:.*)(?:${pattern})(?s:.*)`)})`;
}

/** LIKE pattern for `*` wildcards, with `\` as the escape character. */
export function likePattern(parts: string[]): string {
  return parts.map((s) => s.replace(/[\\%_]/g, '\\$&')).join('%');
}

/** A test of one JSON value, given as its JSON type (`type`) and its text (`str`). */
function testSql(t: Exclude<ValueTest, { kind: 'not-exists' }>, type: string, str: string, bind: (v: string) => string): string {
  switch (t.kind) {
    case 'string': {
      if (isMatchAnything(t.parts)) return t.op === '=' ? `(${type} IN ('VARCHAR', 'BIGINT', 'UBIGINT', 'DOUBLE'))` : 'FALSE';
      const cmp = t.parts.length === 1 ? `${str} = ${bind(t.parts[0]!)}` : `${str} LIKE ${bind(likePattern(t.parts))} ESCAPE '\\'`;
      return `(${type} = 'VARCHAR' AND ${t.op === '=' ? cmp : `NOT (${cmp})`})`;
    }
    case 'regex': {
      const cmp = regexSql(str, t.regex.pattern, bind);
      return `(${type} = 'VARCHAR' AND ${t.op === '=' ? cmp : `NOT ${cmp}`})`;
    }
    case 'number':
      return (
        `(${type} IN ('BIGINT', 'UBIGINT', 'DOUBLE') AND ` +
        `TRY_CAST(${str} AS DOUBLE) ${t.op === '!=' ? '<>' : t.op} CAST(${bind(t.text)} AS DOUBLE))`
      );
    case 'is':
      return t.value === null ? `(${type} = 'NULL')` : `(${type} = 'BOOLEAN' AND ${str} = '${t.value}')`;
  }
}

function delimitedSql(pattern: DelimitedField[], col: string, bind: (v: string) => string): string {
  const e = pattern.findIndex((f) => f.kind === 'ellipsis');
  const before = e < 0 ? pattern : pattern.slice(0, e);
  const after = e < 0 ? [] : pattern.slice(e + 1);
  const want = before.length + after.length;
  const parts = [`len(fs) >= ${want}`];
  before.forEach((f, k) => {
    if (f.kind !== 'field' || !f.test) return;
    const last = e < 0 && k === want - 1;
    parts.push(fieldSql(f.test, last ? `(CASE WHEN len(fs) = ${want} THEN fs[${want}] ELSE ${restSql(col, want - 1, bind)} END)` : `fs[${k + 1}]`, bind));
  });
  after.forEach((f, k) => {
    if (f.kind === 'field' && f.test) parts.push(fieldSql(f.test, `fs[${k - after.length}]`, bind));
  });
  const split =
    `list_transform(regexp_extract_all(${col}, ${bind(FIELD_REGEX)}), f -> CASE WHEN length(f) >= 2 AND ` +
    `((f[1] = '[' AND f[-1] = ']') OR (f[1] = '"' AND f[-1] = '"')) THEN substr(f, 2, length(f) - 2) ELSE f END)`;
  return `coalesce(list_transform([${split}], fs -> ${parts.join(' AND ')})[1], FALSE)`;
}

/** The message from the start of field `skip` (0-based) to the end of its last field. */
function restSql(col: string, skip: number, bind: (v: string) => string): string {
  const prefix = bind(`^((?: *(?:${FIELD_REGEX})){${skip}} *)`);
  return `rtrim(substr(${col}, length(regexp_extract(${col}, ${prefix}, 1)) + 1), ' ')`;
}

function fieldSql(e: DelimitedExpr, v: string, bind: (v: string) => string): string {
  switch (e.kind) {
    case 'and':
    case 'or':
      return `(${fieldSql(e.left, v, bind)} ${e.kind === 'and' ? 'AND' : 'OR'} ${fieldSql(e.right, v, bind)})`;
    case 'test': {
      const t = e.test;
      switch (t.kind) {
        case 'string': {
          const cmp = t.parts.length === 1 ? `${v} = ${bind(t.parts[0]!)}` : `${v} LIKE ${bind(likePattern(t.parts))} ESCAPE '\\'`;
          return t.op === '=' ? `(${cmp})` : `(NOT (${cmp}))`;
        }
        case 'regex': {
          const cmp = regexSql(v, t.regex.pattern, bind);
          return t.op === '=' ? cmp : `(NOT ${cmp})`;
        }
        case 'number':
          return (
            `(regexp_full_match(${v}, ${bind(NUMBER.source.slice(1, -1))}) AND ` +
            `TRY_CAST(${v} AS DOUBLE) ${t.op === '!=' ? '<>' : t.op} CAST(${bind(t.text)} AS DOUBLE))`
          );
      }
    }
  }
}
