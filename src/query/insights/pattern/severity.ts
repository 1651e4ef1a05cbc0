/**
 * `@severityLabel`: the probable severity of a pattern's events, from level keywords in its static
 * text. AWS: "Severity is based only on keywords found in the patterns such as FATAL, ERROR, and WARN.
 * If none of these keywords are found, the severity of a pattern is marked as NONE" (Log anomaly
 * detection); the console's rule is that Error wins over Warn ("WARN if the pattern contains the word
 * Warn but doesn't contain Error"). So the most severe keyword present decides.
 *
 * Keywords are whole words, case-insensitive (`ERROR`, `[error]`, `level=Error`, `"level":"error"`),
 * not parts of identifiers (`OutOfMemoryError`, `errors=0`). Only static text counts: a dynamic token
 * varies between events, so it says nothing about all of them.
 */
import type { TemplateToken } from './drain.js';

export type SeverityLabel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE' | 'NONE';

/** Most severe first. */
const LEVELS: ReadonlyArray<readonly [SeverityLabel, readonly string[]]> = [
  ['FATAL', ['FATAL', 'CRITICAL', 'CRIT', 'EMERG', 'EMERGENCY', 'PANIC']],
  ['ERROR', ['ERROR', 'ERR', 'SEVERE']],
  ['WARN', ['WARN', 'WARNING']],
  ['INFO', ['INFO', 'INFORMATION', 'NOTICE']],
  ['DEBUG', ['DEBUG', 'FINE']],
  ['TRACE', ['TRACE', 'FINER', 'FINEST']],
];

const RANK = new Map<string, number>();
LEVELS.forEach(([, words], rank) => {
  for (const w of words) RANK.set(w, rank);
});

const WORDS = /[A-Za-z]+/g;

export function severityOfWords(words: Iterable<string>): SeverityLabel {
  let best = LEVELS.length;
  for (const w of words) {
    const r = RANK.get(w.toUpperCase());
    if (r !== undefined && r < best) best = r;
  }
  return best < LEVELS.length ? (LEVELS[best] as (typeof LEVELS)[number])[0] : 'NONE';
}

/** The label of a template: the most severe level keyword among its static tokens, else NONE. */
export function severityLabel(template: readonly TemplateToken[]): SeverityLabel {
  const words: string[] = [];
  for (const t of template) if (!t.dynamic) for (const m of t.text.matchAll(WORDS)) words.push(m[0]);
  return severityOfWords(words);
}
