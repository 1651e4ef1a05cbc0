/**
 * Parses unstructured-term filter patterns: `ERROR`, `ERROR Exception` (all), `?ERROR ?WARN` (any),
 * `-DEBUG` (exclude), `"exact phrase"` (quoted, with \" and \\ escapes), and `""` or `" "` (everything).
 */
import { FilterPatternError, MATCH_ALL, type FilterPattern } from './ast.js';

const STRUCTURED = /^\s*[{[%]/;

export function parseFilterPattern(source: string): FilterPattern {
  if (STRUCTURED.test(source)) {
    const start = source.search(/[{[%]/);
    throw new FilterPatternError(
      'Invalid filter pattern: JSON, space-delimited and regular-expression patterns are not supported yet (only unstructured terms)',
      { start, end: start + 1 },
    );
  }
  const required: string[] = [];
  const optional: string[] = [];
  const excluded: string[] = [];
  let i = 0;
  const n = source.length;
  while (i < n) {
    const ch = source[i]!;
    // One notion of whitespace everywhere, or a term could end before it starts.
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    let sink = required;
    if ((ch === '?' || ch === '-') && i + 1 < n && !/\s/.test(source[i + 1]!)) {
      sink = ch === '?' ? optional : excluded;
      i++;
    }
    let term = '';
    if (source[i] === '"') {
      const open = i++;
      let closed = false;
      while (i < n) {
        const c = source[i]!;
        if (c === '\\' && i + 1 < n) {
          term += source[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          closed = true;
          break;
        } else {
          term += c;
          i++;
        }
      }
      if (!closed) throw new FilterPatternError('Invalid filter pattern: unterminated quoted term, expected a closing "', { start: open, end: n });
      // A quoted blank (`" "` or `""`) is AWS's way of writing "match everything".
      if (term.trim() === '') continue;
    } else {
      while (i < n && !/\s/.test(source[i]!)) term += source[i++];
    }
    sink.push(term);
  }
  if (required.length === 0 && optional.length === 0 && excluded.length === 0) return MATCH_ALL;
  return { kind: 'terms', required, optional, excluded };
}
