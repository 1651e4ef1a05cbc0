/**
 * Helpers for the parser's and formatter's tests: comparing ASTs without their spans, and checking
 * that every span in an AST covers exactly the text of its node.
 */
import type { Command, Expr, Query } from './ast.js';

/** A deep copy without `span`, `opSpan` and `nameSpan`: what "equal modulo spans" compares. */
export function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k !== 'span' && k !== 'opSpan' && k !== 'nameSpan') out[k] = stripSpans(v);
  }
  return out;
}

/** Problems with the spans of `q` parsed from `text`: each node's span must be its own text. */
export function spanProblems(text: string, q: Query): string[] {
  const problems: string[] = [];
  const slice = (s: { start: number; end: number }): string => text.slice(s.start, s.end);
  const check = (ok: boolean, what: string, s: { start: number; end: number }): void => {
    if (!ok) problems.push(`${what} at ${s.start}-${s.end}: ${JSON.stringify(slice(s))}`);
  };
  const inside = (outer: { start: number; end: number }, inner: { start: number; end: number }): boolean =>
    outer.start <= inner.start && inner.end <= outer.end;
  const expr = (e: Expr): void => {
    const s = slice(e.span);
    check(0 <= e.span.start && e.span.start <= e.span.end && e.span.end <= text.length, `${e.kind} span out of range`, e.span);
    switch (e.kind) {
      case 'field':
        // `a[1].b` (list access) is the field `a.1.b`.
        check(e.quoted ? s === `\`${e.name}\`` : s.replace(/\[(\d+)\]/g, '.$1') === e.name, 'field', e.span);
        break;
      case 'string':
        check(s.length >= 2 && s.startsWith(e.quote) && s.endsWith(e.quote), 'string', e.span);
        break;
      case 'number':
        check(s.replace(/\s+/g, '') === e.text, 'number', e.span);
        break;
      case 'period':
        check(s === e.text, 'period', e.span);
        break;
      case 'regex':
        check(s === `/${e.pattern}/`, 'regex', e.span);
        break;
      case 'list':
        check(s.startsWith('[') && s.endsWith(']'), 'list', e.span);
        e.items.forEach((i) => (check(inside(e.span, i.span), 'list item outside its list', i.span), expr(i)));
        break;
      case 'call':
        check(slice(e.nameSpan) === e.name && e.nameSpan.start === e.span.start && s.endsWith(')'), 'call', e.span);
        e.args.forEach((a) => (check(inside(e.span, a.span), 'argument outside its call', a.span), expr(a)));
        break;
      case 'unary':
        check(e.op === '-' ? s.startsWith('-') : s.slice(0, 3).toLowerCase() === 'not', 'unary', e.span);
        check(inside(e.span, e.operand.span) && e.operand.span.end <= e.span.end, 'operand outside its unary', e.operand.span);
        expr(e.operand);
        break;
      case 'binary':
        check(slice(e.opSpan).toLowerCase().replace(/\s+/g, ' ') === e.op, 'operator', e.opSpan);
        check(inside(e.span, e.left.span) && inside(e.span, e.right.span) && e.left.span.end <= e.opSpan.start && e.opSpan.end <= e.right.span.start, 'binary', e.span);
        check(/^[(]*$/.test(text.slice(e.span.start, e.left.span.start).replace(/\s+/g, '')), 'binary starts before its left operand', e.span);
        check(/^[)]*$/.test(text.slice(e.right.span.end, e.span.end).replace(/\s+/g, '')), 'binary ends after its right operand', e.span);
        expr(e.left);
        expr(e.right);
        break;
      case 'subquery':
        check(s.startsWith('(') && s.endsWith(')') && inside(e.span, e.query.span), 'subquery', e.span);
        problems.push(...spanProblems(text, e.query));
        break;
    }
  };
  const command = (c: Command): void => {
    const word = slice(c.span).split(/[^A-Za-z]/)[0]!.toLowerCase();
    const written = c.kind === 'countFrequent' ? slice(c.span).split(/[^A-Za-z_]/)[0]!.toLowerCase() : word;
    check(written === c.kind.toLowerCase() || (c.kind === 'filter' && word === 'where') || (c.kind === 'countFrequent' && written === c.name.toLowerCase()), 'command keyword', c.span);
    const items = c.kind === 'fields' || c.kind === 'display' ? c.items : c.kind === 'stats' ? [...c.aggregations, ...c.by] : [];
    for (const p of items) {
      check(inside(c.span, p.span) && inside(p.span, p.expr.span), 'projection', p.span);
      if (p.alias !== null) check(slice(p.span).endsWith(p.alias) || slice(p.span).endsWith(`${p.alias}\``), 'alias', p.span);
      expr(p.expr);
    }
    if (c.kind === 'filter') expr(c.expr);
    if (c.kind === 'join') {
      c.on.forEach((k) => (expr(k.left), expr(k.right)));
      check(inside(c.span, c.query.span) && slice(c.span).endsWith(')'), 'joined query', c.query.span);
      problems.push(...spanProblems(text, c.query));
    }
    if (c.kind === 'appendcols') {
      check(inside(c.span, c.query.span) && slice(c.span).endsWith(')'), 'appended query', c.query.span);
      problems.push(...spanProblems(text, c.query));
    }
    if (c.kind === 'logcompare') expr(c.shift);
    if (c.kind === 'stats' && c.offset) expr(c.offset);
    if (c.kind === 'outlier') {
      c.fields.forEach(expr);
      if (c.param !== null) expr(c.param);
    }
    if (c.kind === 'cidrlookup') {
      [c.table, c.ipField, ...(c.cidrColumn ? [c.cidrColumn] : [])].forEach(expr);
      for (const o of c.outputs) {
        check(inside(c.span, o.span) && o.span.start === o.tableField.span.start && o.span.end === (o.eventField ?? o.tableField).span.end, 'cidrlookup output', o.span);
        expr(o.tableField);
        if (o.eventField !== null) expr(o.eventField);
      }
    }
    if (c.kind === 'filterIndex') expr(c.condition);
    if (c.kind === 'relevantfields') [...c.fields, c.condition].forEach(expr);
    if (c.kind === 'pattern' || c.kind === 'unmask') expr(c.field);
    if (c.kind === 'dedup' || c.kind === 'addtotals') c.fields.forEach(expr);
    if (c.kind === 'unnest' || c.kind === 'expand' || c.kind === 'json' || c.kind === 'accum' || c.kind === 'autoregress') expr(c.field);
    if (c.kind === 'countFrequent' || c.kind === 'sessionize') c.fields.forEach(expr);
    if (c.kind === 'sessionize' && c.maxspan !== null) expr(c.maxspan);
    if (c.kind === 'filldown') c.fields.forEach((f) => (f.kind === 'wildcard' ? check(slice(f.span) === f.pattern && f.pattern.includes('*'), 'filldown pattern', f.span) : expr(f)));
    if (c.kind === 'fillmissing') {
      for (const f of c.fills) {
        check(inside(c.span, f.span) && f.span.start === f.value.span.start && f.span.end === f.field.span.end, 'fillmissing fill', f.span);
        expr(f.value);
        expr(f.field);
      }
    }
    if (c.kind === 'lookup') {
      [c.table, ...c.outputs].forEach(expr);
      for (const k of c.keys) {
        check(inside(c.span, k.span) && k.span.start === k.tableField.span.start && k.span.end === (k.logField ?? k.tableField).span.end, 'lookup key', k.span);
        expr(k.tableField);
        if (k.logField !== null) expr(k.logField);
      }
    }
    if (c.kind === 'sort') {
      for (const k of c.keys) {
        check(inside(k.span, k.expr.span) && k.span.start === k.expr.span.start, 'sort key', k.span);
        if (k.explicit) check(slice(k.span).toLowerCase().endsWith(k.descending ? 'desc' : 'asc'), 'sort direction', k.span);
        expr(k.expr);
      }
    }
    if (c.kind === 'parse') {
      if (c.field.span.start !== c.field.span.end) expr(c.field);
      const p = slice(c.pattern.span);
      const pat = c.pattern;
      check(pat.kind === 'regex' ? p === `/${pat.pattern}/` : pat.kind === 'glob' ? p.startsWith(pat.quote) && p.endsWith(pat.quote) : p.toLowerCase() === pat.kind, 'parse pattern', pat.span);
    }
    check(slice(c.span).trimEnd() === slice(c.span), 'command span ends in blanks', c.span);
  };
  q.commands.forEach(command);
  if (q.source !== null) check(slice(q.source.span).slice(0, 6).toUpperCase() === 'SOURCE', 'source', q.source.span);
  check(slice(q.span).trim() === slice(q.span) && q.span.end <= text.length, 'query', q.span);
  return problems;
}
