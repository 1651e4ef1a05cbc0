/**
 * The filter pattern AST: unstructured terms, JSON patterns, space-delimited patterns and regular
 * expressions. Both back ends (predicate.ts, sql.ts)
 * must handle every kind, which the exhaustive switches enforce at compile time.
 */

/** A term matches when the message contains it as a case-sensitive substring. */
export interface TermsPattern {
  kind: 'terms';
  /** Every one must occur. */
  required: string[];
  /** When non-empty, at least one must occur (`?term`). */
  optional: string[];
  /** None may occur (`-term`). */
  excluded: string[];
}

/** A JSON selector: `$.a.b[0]` is `['a', 'b', 0]` (object keys are strings, array indexes numbers). */
export type JsonPath = Array<string | number>;

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
  /** A string value equal (or not) to `parts` joined by `*` wildcards; `parts.length > 1` iff wildcards. */
  | { kind: 'string'; op: '=' | '!='; parts: string[] }
  /** A number value; `text` is the literal as written (both back ends parse it the same way). */
  | { kind: 'number'; op: NumericOp; text: string }
  /** A string value the regex matches somewhere (or not). */
  | { kind: 'regex'; op: '=' | '!='; regex: FilterRegex }
  /** `IS TRUE`, `IS FALSE`, `IS NULL`. */
  | { kind: 'is'; value: boolean | null }
  | { kind: 'not-exists' };

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

/** One position of a space-delimited pattern: `...` (any number of fields) or a named field. */
export type DelimitedField = { kind: 'ellipsis' } | { kind: 'field'; name: string; test: DelimitedExpr | null };

/** `[ip, user, ..., status = 4*]`: matches fields of the message by position (parse-delimited.ts). */
export interface DelimitedPattern {
  kind: 'delimited';
  fields: DelimitedField[];
}

export type FilterPattern = TermsPattern | JsonPattern | RegexPattern | DelimitedPattern;

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
