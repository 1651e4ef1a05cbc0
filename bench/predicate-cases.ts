/**
 * The filter patterns the benchmark times, chosen for what bench/generate.ts emits, each with a
 * hand-written reference: the plain JavaScript a caller would write for the same question without the
 * pattern language. The reference is the floor the predicate back end is measured against; where it is
 * an exact equivalent (`sameMatches`), a different match count means the predicate is wrong.
 *
 * Shares of the generated data (seed 20240601, 1M events): `slow` ("slow request", warn-level app logs)
 * in about 2.4% of the events; the marker term in exactly the marked ones; the JSON pattern in about
 * 0.3% (warn-level app logs with `"duration_ms"` over 2000); 5xx nginx lines in about 0.7%.
 */

export type CaseKind = 'term' | 'json' | 'delimited' | 'regex';

export interface PredicateCase {
  /** Short name for the report, e.g. `term, common`. */
  name: string;
  kind: CaseKind;
  /** The filter pattern as a user writes it. */
  pattern: string;
  /** Events per second per core the predicate must reach (issue #3); undefined: no bar. */
  barPerS: number | undefined;
  reference: { label: string; test: (message: string) => boolean; sameMatches: boolean };
}

/** The events a JSON pattern case asks for, as hand-written JavaScript over a parsed object. */
function jsonReference(m: string): boolean {
  if (m.charCodeAt(0) !== 0x7b) return false; // '{': every JSON message of the generator starts with it
  const o = JSON.parse(m) as Record<string, unknown>;
  return o.level === 'warn' && typeof o.duration_ms === 'number' && o.duration_ms > 2000;
}

/** An nginx combined line with $request_time: ten fields, the status the sixth. */
const NGINX = /^\S+ \S+ \S+ \[[^\]]*\] "[^"]*" (\d+) \S+ "[^"]*" "[^"]*" \S+$/;

export function predicateCases(markerTerm: string): PredicateCase[] {
  return [
    {
      name: 'term, ~2% of events',
      kind: 'term',
      pattern: 'slow',
      barPerS: 1_000_000,
      reference: { label: 'String.prototype.includes', test: (m) => m.includes('slow'), sameMatches: true },
    },
    {
      name: 'term, rare marker',
      kind: 'term',
      pattern: markerTerm,
      barPerS: 1_000_000,
      reference: { label: 'String.prototype.includes', test: (m) => m.includes(markerTerm), sameMatches: true },
    },
    {
      name: 'JSON, string and number',
      kind: 'json',
      pattern: '{ $.level = "warn" && $.duration_ms > 2000 }',
      barPerS: 300_000,
      reference: { label: 'JSON.parse + hand-written test', test: jsonReference, sameMatches: true },
    },
    {
      name: 'space-delimited, nginx 5xx',
      kind: 'delimited',
      pattern: '[ip, id, user, timestamp, request, status_code >= 500, bytes, referer, agent, request_time]',
      barPerS: undefined,
      reference: {
        label: 'hand-written nginx RegExp',
        test: (m) => {
          const x = NGINX.exec(m);
          return x !== null && Number(x[1]) >= 500;
        },
        // The pattern's field splitting is more general than the hand-written line format.
        sameMatches: false,
      },
    },
    {
      name: 'regex, nginx 5xx',
      kind: 'regex',
      pattern: '%HTTP/1\\.1.\\s5\\d\\d\\s%',
      barPerS: undefined,
      reference: { label: 'native RegExp, no u flag', test: (m) => /HTTP\/1\.1.\s5\d\d\s/.test(m), sameMatches: true },
    },
  ];
}

/**
 * The rare JSON search of the search scenario: the marker term inside the `msg` string of the app logs
 * (the generator puts it there in marked app events; marked nginx and CloudTrail events do not match),
 * and the ripgrep regex that asks the same of the text.
 */
export function rareJsonSearch(markerTerm: string): { pattern: string; rgRegex: string } {
  return { pattern: `{ $.msg = "*${markerTerm}*" }`, rgRegex: `"msg":"[^"]*${markerTerm}` };
}
