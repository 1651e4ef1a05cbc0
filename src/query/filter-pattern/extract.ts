/**
 * Extraction for metric filters: the values a matching message gives the pattern's names, in the
 * shape TestMetricFilter returns as `extractedValues`.
 *   - JSON: `{"$.latency": 50}`, keyed by the selector as the pattern wrote it. Strings stay strings
 *     and numbers numbers; true, false, null, arrays and objects are given as their JSON text. A
 *     selector that selects nothing is left out; one with a wildcard gives the first value it selects
 *     that passes the condition's test (else the first it selects).
 *   - Space-delimited: every field of the message, as text (without the brackets or quotes of a
 *     `[...]` or `"..."` field): a named position as `$name`, and fields that `...` stands for or that
 *     an empty position (`[a, , c]`) takes as `$N`, N counting fields from 1. This is what AWS's
 *     TestMetricFilter examples show (`[..., size]` gives `$1` to `$6` and `$size`).
 * Returns null when the message does not match; `{}` for patterns without names (terms, regex).
 */
import type { FilterPattern, JsonExpr } from './ast.js';
import { compileFields, compilePredicate, compileTest, parseObject, select } from './predicate.js';

export type ExtractedValues = Record<string, string | number>;

export function extract(p: FilterPattern, message: string): ExtractedValues | null {
  if (p.kind === 'delimited') return extractFields(p.fields, message);
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
    const vs = select(doc, e.path);
    if (vs.length === 0) return;
    const t = e.test.kind === 'not-exists' ? null : compileTest(e.test);
    const v = (t && vs.find(t)) ?? vs[0];
    out[e.selector] = typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v);
  };
  visit(p.expr);
  return out;
}

function extractFields(fields: Extract<FilterPattern, { kind: 'delimited' }>['fields'], message: string): ExtractedValues | null {
  const got = compileFields(fields)(message);
  if (got === null) return null;
  const { values, tokens, covered } = got;
  const positions = fields.filter((f) => f.kind === 'field');
  const split = fields.findIndex((f) => f.kind === 'ellipsis');
  const before = split < 0 ? positions.length : split;
  const out: ExtractedValues = {};
  positions.forEach((f, k) => {
    const field = k < before ? k : tokens.length - positions.length + k;
    out[f.name === '' ? `$${field + 1}` : `$${f.name}`] = values[k]!;
  });
  for (let i = covered.from; i < covered.to; i++) out[`$${i + 1}`] = tokens[i]!.value;
  return out;
}
