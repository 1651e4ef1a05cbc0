/**
 * Extraction for metric filters: the values a matching message gives the pattern's names, in the
 * shape TestMetricFilter returns as `extractedValues`.
 *   - JSON: `{"$.latency": 50}`, keyed by the selector as the pattern wrote it. Strings stay strings
 *     and numbers numbers; true, false, null, arrays and objects are given as their JSON text. A
 *     selector that reaches nothing is left out.
 *   - Space-delimited: `{"$ip": "127.0.0.1", ...}`, every named field, as text (without the brackets
 *     or quotes of a `[...]` or `"..."` field).
 * Returns null when the message does not match; `{}` for patterns without names (terms, regex).
 */
import type { FilterPattern, JsonExpr } from './ast.js';
import { compileFields, compilePredicate, isMissing, parseObject, resolve, splitFields } from './predicate.js';

export type ExtractedValues = Record<string, string | number>;

export function extract(p: FilterPattern, message: string): ExtractedValues | null {
  if (p.kind === 'delimited') {
    const got = compileFields(p.fields)(splitFields(message));
    if (got === null) return null;
    const out: ExtractedValues = {};
    for (const [name, v] of got) out[`$${name}`] = v;
    return out;
  }
  if (!compilePredicate(p)(message)) return null;
  if (p.kind !== 'json') return {};
  const doc = parseObject(message)!; // it matched, so it is a JSON object
  const out: ExtractedValues = {};
  const visit = (e: JsonExpr): void => {
    if (e.kind !== 'cond') {
      visit(e.left);
      visit(e.right);
      return;
    }
    const v = resolve(doc, e.path);
    if (isMissing(v)) return;
    out[e.selector] = typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v);
  };
  visit(p.expr);
  return out;
}
