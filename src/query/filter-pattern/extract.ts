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
import type { FilterPattern, JsonExpr, JsonPath } from './ast.js';
import { compileFields, compilePredicate, compileTest, parseObject, select } from './predicate.js';

export type ExtractedValues = Record<string, string | number>;

export type Extractor = (message: string) => ExtractedValues | null;

export function extract(p: FilterPattern, message: string): ExtractedValues | null {
  return compileExtractor(p)(message);
}

/** extract, with the pattern compiled once: the ingest path applies metric filters to every event. */
export function compileExtractor(p: FilterPattern): Extractor {
  if (p.kind === 'delimited') {
    const fields = p.fields;
    const compiled = compileFields(fields);
    return (message) => extractFields(fields, compiled, message);
  }
  const matches = compilePredicate(p);
  if (p.kind !== 'json') return (message) => (matches(message) ? {} : null);
  const conds: Array<{ selector: string; path: JsonPath; test: ((v: unknown) => boolean) | null }> = [];
  const visit = (e: JsonExpr): void => {
    if (e.kind !== 'cond') {
      visit(e.left);
      visit(e.right);
      return;
    }
    conds.push({ selector: e.selector, path: e.path, test: e.test.kind === 'not-exists' ? null : compileTest(e.test) });
  };
  visit(p.expr);
  return (message) => {
    if (!matches(message)) return null;
    const doc = parseObject(message)!; // it matched, so it is a JSON object
    const out: ExtractedValues = {};
    for (const c of conds) {
      const vs = select(doc, c.path);
      if (vs.length === 0) continue;
      const v = (c.test && vs.find(c.test)) ?? vs[0];
      out[c.selector] = typeof v === 'string' || typeof v === 'number' ? v : JSON.stringify(v);
    }
    return out;
  };
}

function extractFields(
  fields: Extract<FilterPattern, { kind: 'delimited' }>['fields'],
  compiled: ReturnType<typeof compileFields>,
  message: string,
): ExtractedValues | null {
  const got = compiled(message);
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
