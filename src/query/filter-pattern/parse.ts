/**
 * Parses filter patterns. The first non-blank character decides the kind: `{` a JSON pattern
 * (parse-json.ts), `%` a regular expression (regex.ts), `[` a space-delimited pattern
 * (parse-delimited.ts), anything else unstructured terms: `ERROR`, `ERROR Exception` (all), `?ERROR ?WARN`
 * (any), `-DEBUG` (exclude), `"exact phrase"` (quoted, with \" and \\ escapes), and `""` or `" "`
 * (everything). `?` terms count only in a pattern of nothing but `?` terms: AWS documents that
 * "?ERROR ?ARGUMENTS REQUEST" matches every event containing REQUEST.
 */
import { FilterPatternError, MATCH_ALL, type FilterPattern } from './ast.js';
import { parseDelimitedPattern } from './parse-delimited.js';
import { parseJsonPattern } from './parse-json.js';
import { parseRegexAt } from './regex.js';

export function parseFilterPattern(source: string): FilterPattern {
  const start = source.search(/\S/);
  const first = start < 0 ? '' : source[start];
  if (first === '{') return { kind: 'json', expr: parseJsonPattern(source, start) };
  if (first === '%') {
    const { regex, end } = parseRegexAt(source, start);
    const rest = source.slice(end).search(/\S/);
    if (rest >= 0) {
      const at = end + rest;
      throw new FilterPatternError(`Invalid filter pattern: expected the end of the pattern after the regular expression at character ${at}`, { start: at, end: at + 1 });
    }
    return { kind: 'regex', regex };
  }
  if (first === '[') return { kind: 'delimited', fields: parseDelimitedPattern(source, start) };
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
  const alone = required.length === 0 && excluded.length === 0;
  return { kind: 'terms', required, optional: alone ? optional : [], excluded };
}
