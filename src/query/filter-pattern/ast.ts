/**
 * The filter pattern AST: unstructured terms, JSON patterns, space-delimited patterns and regular
 * expressions. Both back ends (predicate.ts, sql.ts)
 * must handle every kind, which the exhaustive switches enforce at compile time.
 */

/**
 * A term matches when the message contains it as a case-sensitive substring. AWS ignores `?term`s
 * when the pattern has any other term ("If you combine "?" with other filter patterns, all question
 * mark terms will be ignored"), so the parser leaves `optional` empty unless it is the only kind.
 */
export interface TermsPattern {
  kind: 'terms';
  /** Every one must occur. */
  required: string[];
  /** When non-empty (and then `required` and `excluded` are empty), at least one must occur (`?term`). */
  optional: string[];
  /** None may occur (`-term`). */
  excluded: string[];
}

/** `.*`: every field of an object (`field`); `[*]`: every element of an array (`element`). */
export interface JsonWildcard {
  wildcard: 'field' | 'element';
}

/**
 * A JSON selector: `$.a.b[0]` is `['a', 'b', 0]` (object keys are strings, array indexes numbers);
 * `$.a[*].b` is `['a', { wildcard: 'element' }, 'b']`. A selector selects a set of values: none or one
 * without a wildcard, any number with one (the parser allows one wildcard per selector).
 */
export type JsonPath = Array<string | number | JsonWildcard>;

/**
 * A regular expression `%...%` in the restricted syntax AWS allows (regex.ts). `pattern` is the
 * canonical translation both engines (JavaScript with the `u` flag, DuckDB's RE2) read the same way.
 */
export interface FilterRegex {
  source: string;
  pattern: string;
}

export type NumericOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** What a condition asks of the value a selector reaches. */
export type ValueTest =
  /**
   * A string value equal (or not) to `parts` joined by `*` wildcards; `parts.length > 1` iff wildcards.
   * A lone `*` (every part empty) matches any string or number: AWS's `{ $.latency = * }`.
   */
  | { kind: 'string'; op: '=' | '!='; parts: string[] }
  /** A number value; `text` is the literal as written (both back ends parse it the same way). */
  | { kind: 'number'; op: NumericOp; text: string }
  /** A string value the regex matches somewhere (or not). */
  | { kind: 'regex'; op: '=' | '!='; regex: FilterRegex }
  /** `IS TRUE`, `IS FALSE`, `IS NULL`. */
  | { kind: 'is'; value: boolean | null }
  | { kind: 'not-exists' };

/**
 * A condition holds when some value its selector selects passes the test (`not-exists`: when the
 * selector selects nothing).
 */
export type JsonExpr =
  | { kind: 'and' | 'or'; left: JsonExpr; right: JsonExpr }
  | { kind: 'cond'; path: JsonPath; selector: string; test: ValueTest };

/** `{ $.a = "x" && $.b > 1 }`: only messages that are JSON objects can match. */
export interface JsonPattern {
  kind: 'json';
  expr: JsonExpr;
}

/** `%regex%`: matches when the regex matches somewhere in the message. */
export interface RegexPattern {
  kind: 'regex';
  regex: FilterRegex;
}

export type DelimitedExpr =
  | { kind: 'and' | 'or'; left: DelimitedExpr; right: DelimitedExpr }
  | { kind: 'test'; test: FieldTest };

/** What a space-delimited field can be compared with: strings (with `*`), numbers, regexes. */
export type FieldTest = Exclude<ValueTest, { kind: 'is' } | { kind: 'not-exists' }>;

/**
 * One position of a space-delimited pattern: `...` (any number of fields) or a field. A field's
 * `name` is '' when the pattern leaves the position empty (`[..., status,]`); extraction then names
 * it by its 1-based position (`$7`), as it does the fields an ellipsis covers.
 */
export type DelimitedField = { kind: 'ellipsis' } | { kind: 'field'; name: string; test: DelimitedExpr | null };

/**
 * `[ip, user, ..., status = 4*]`: matches fields of the message by position (parse-delimited.ts).
 * Without `...`, a message with more fields than the pattern has positions gives its last position
 * the rest of the message (from that field's start to the end of the last field): AWS's
 * `[w1=ERROR, w2]` matches "ERROR 09/25/2014 12:00:02 Failed to process request".
 */
export interface DelimitedPattern {
  kind: 'delimited';
  fields: DelimitedField[];
}

export type FilterPattern = TermsPattern | JsonPattern | RegexPattern | DelimitedPattern;

/** A string test of a lone `*` (every part empty): matches any string or number. */
export const isMatchAnything = (parts: string[]): boolean => parts.length > 1 && parts.every((x) => x === '');

export const MATCH_ALL: FilterPattern = { kind: 'terms', required: [], optional: [], excluded: [] };

export function matchesEverything(p: FilterPattern): boolean {
  return p.kind === 'terms' && p.required.length === 0 && p.optional.length === 0 && p.excluded.length === 0;
}

export interface Span {
  start: number;
  end: number;
}

/** A pattern the user got wrong: where, and what was expected. */
export class FilterPatternError extends Error {
  override readonly name = 'FilterPatternError';
  constructor(
    message: string,
    readonly span: Span,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
