/**
 * The filter pattern AST. Issue #2 builds the unstructured-term subset; JSON, space-delimited and
 * regular-expression patterns (issue #3) add node kinds here, and both back ends (predicate.ts, sql.ts)
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

export type FilterPattern = TermsPattern;

export const MATCH_ALL: FilterPattern = { kind: 'terms', required: [], optional: [], excluded: [] };

export function matchesEverything(p: FilterPattern): boolean {
  return p.required.length === 0 && p.optional.length === 0 && p.excluded.length === 0;
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
  ) {
    super(message);
  }
}
