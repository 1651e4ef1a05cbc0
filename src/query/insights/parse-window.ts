/**
 * The parsers of the commands that read rows in order or fill them in, as AWS's pages write them:
 *
 *   accum <field> [AS <out>]                                    (CWL_QuerySyntax-Accum)
 *   autoregress <field> [AS <alias>] [p=<start>[-<end>]]        (CWL_QuerySyntax-Autoregress)
 *   filldown [<field> [<field> ...]]   names may hold `*`       (CWL_QuerySyntax-Filldown)
 *   fillmissing [with <value> for <field> [, ...]]              (CWL_QuerySyntax-Fillmissing)
 *   countFrequent <field>[, <field> ...]   also count_frequent  (CWL_QuerySyntax-CountFrequent)
 *   sessionize <field>[, <field> ...] [maxspan <duration>] [AS <out>]   (CWL_QuerySyntax-Sessionize)
 *
 * Keywords (AS, p, with, for, maxspan) are case-insensitive, as everywhere in the language.
 */
import type { AccumCommand, AutoregressCommand, CountFrequentCommand, FieldPattern, FieldRef, FilldownCommand, FillmissingCommand, NumberLiteral, PeriodLiteral, SessionizeCommand, StringLiteral } from './ast.js';
import { periodUnit, UNIT_MS, type Token } from './lexer.js';
import { type Cursor, isOp, isWord, parseFieldRef, parseName } from './parse-expr.js';

/** The most lag fields one autoregress makes (p=1-100), and the deepest lag. */
export const MAX_LAGS = 100;
export const MAX_LAG = 10_000;

const commandEnd = (t: Token): boolean => t.kind === 'eof' || isOp(t, '|') || isOp(t, ')');

function optionalAlias(c: Cursor, what: string): string | null {
  if (!isWord(c.peek(), 'as')) return null;
  c.take();
  return parseName(c, what).name;
}

function fieldList(c: Cursor, what: string): FieldRef[] {
  const fields = [parseFieldRef(c, what)];
  while (isOp(c.peek(), ',')) {
    c.take();
    fields.push(parseFieldRef(c, what));
  }
  return fields;
}

export function parseAccum(c: Cursor, kw: Token): AccumCommand {
  const field = parseFieldRef(c, 'the numeric field to accumulate');
  const alias = optionalAlias(c, 'a name for the running total');
  return { kind: 'accum', field, alias, span: { start: kw.span.start, end: c.last!.span.end } };
}

export function parseAutoregress(c: Cursor, kw: Token): AutoregressCommand {
  const field = parseFieldRef(c, 'the field to copy from earlier rows');
  const alias = optionalAlias(c, 'a name for the lagged field');
  let lags: AutoregressCommand['lags'] = null;
  if (isWord(c.peek(), 'p') && isOp(c.peekSecond(), '=')) {
    c.take();
    c.take(); // =
    const lag = (): { value: number; token: Token } => {
      const t = c.peek(true);
      if (t.kind !== 'number' || !/^\d+$/.test(t.text) || Number(t.text) < 1 || Number(t.text) > MAX_LAG) {
        throw c.error(t, `expected a lag from 1 to ${MAX_LAG} (p=N or p=N-M) ${c.after()}`);
      }
      c.take(true);
      return { value: Number(t.text), token: t };
    };
    const from = lag();
    let to: { value: number; token: Token } | null = null;
    if (isOp(c.peek(), '-')) {
      c.take();
      to = lag();
      const span = { start: from.token.span.start, end: to.token.span.end };
      if (to.value < from.value) throw c.error({ ...to.token, span }, `expected a range of lags whose end is not below its start`);
      if (to.value - from.value + 1 > MAX_LAGS) throw c.error({ ...to.token, span }, `expected at most ${MAX_LAGS} lags in one autoregress`);
      // Splunk's rule: a name after AS is for one lag; a range names its fields <field>_p<N>.
      if (alias !== null) throw c.error({ ...to.token, span }, `expected a single lag p=N with AS (a range of lags names its fields ${field.name}_p<N>)`);
    }
    lags = { from: from.value, to: to === null ? null : to.value };
  }
  return { kind: 'autoregress', field, alias, lags, span: { start: kw.span.start, end: c.last!.span.end } };
}

const PATTERN_PIECE = /^[A-Za-z0-9_@.]+$/;

/** One name of filldown: a field, or a pattern of name characters and `*` written without blanks. */
function fieldOrPattern(c: Cursor): FieldRef | FieldPattern {
  const first = c.peek();
  if (!isOp(first, '*')) {
    // A name alone, unless a `*` follows it directly.
    const next = first.kind === 'ident' ? c.peekSecond() : null;
    if (next === null || !isOp(next, '*') || next.span.start !== first.span.end) return parseFieldRef(c, "a field name, a pattern such as cpu*, or '|'");
  }
  let text = '';
  let end = first.span.start;
  for (;;) {
    const t = c.peek(true);
    const piece = isOp(t, '*') || ((t.kind === 'ident' || t.kind === 'number' || t.kind === 'period') && PATTERN_PIECE.test(t.text));
    if (!piece || t.span.start !== end) break;
    c.take(true);
    text += t.text;
    end = t.span.end;
  }
  return { kind: 'wildcard', pattern: text, span: { start: first.span.start, end } };
}

export function parseFilldown(c: Cursor, kw: Token): FilldownCommand {
  const fields: FilldownCommand['fields'] = [];
  while (!commandEnd(c.peek())) {
    // AWS separates the names with blanks; Splunk's commas are accepted too.
    if (fields.length > 0 && isOp(c.peek(), ',')) c.take();
    fields.push(fieldOrPattern(c));
  }
  return { kind: 'filldown', fields, span: { start: kw.span.start, end: c.last!.span.end } };
}

function constant(c: Cursor): StringLiteral | NumberLiteral {
  const t = c.peek(true);
  if (isOp(t, '-') && c.peekSecond().kind === 'number') {
    c.take(true);
    const u = c.take(true);
    return { kind: 'number', value: -Number(u.text), text: `-${u.text}`, span: { start: t.span.start, end: u.span.end } };
  }
  if (t.kind === 'number') {
    c.take(true);
    return { kind: 'number', value: Number(t.text), text: t.text, span: t.span };
  }
  if (t.kind === 'string') {
    c.take(true);
    return { kind: 'string', value: t.value, quote: t.quote, span: t.span };
  }
  throw c.error(t, `expected a number or a string in quotes to fill in ${c.after()}`);
}

export function parseFillmissing(c: Cursor, kw: Token): FillmissingCommand {
  const fills: FillmissingCommand['fills'] = [];
  if (!commandEnd(c.peek())) {
    if (!isWord(c.peek(), 'with')) throw c.error(c.peek(), `expected 'with <value> for <field>', '|' or the end of the query ${c.after()}`);
    c.take();
    for (;;) {
      const value = constant(c);
      if (!isWord(c.peek(), 'for')) throw c.error(c.peek(), `expected 'for' and the field to fill ${c.after()}`);
      c.take();
      const field = parseFieldRef(c, 'the field to fill');
      fills.push({ value, field, span: { start: value.span.start, end: field.span.end } });
      if (!isOp(c.peek(), ',')) break;
      c.take();
    }
  }
  return { kind: 'fillmissing', fills, span: { start: kw.span.start, end: c.last!.span.end } };
}

export function parseCountFrequent(c: Cursor, kw: Token): CountFrequentCommand {
  const fields = fieldList(c, 'a field to count the values of');
  const name = kw.text.toLowerCase() === 'count_frequent' ? 'count_frequent' : 'countFrequent';
  return { kind: 'countFrequent', name, fields, span: { start: kw.span.start, end: c.last!.span.end } };
}

export function parseSessionize(c: Cursor, kw: Token): SessionizeCommand {
  const fields = fieldList(c, 'an identity field (user, device...)');
  let maxspan: PeriodLiteral | null = null;
  if (isWord(c.peek(), 'maxspan')) {
    c.take();
    const t = c.peek(true);
    const digits = /^\d+/.exec(t.text)?.[0] ?? '';
    const unit = t.kind === 'period' ? periodUnit(t.text.slice(digits.length)) : undefined;
    // Months and years have no fixed length: a gap is measured in time units that do.
    if (unit === undefined || UNIT_MS[unit] === undefined || Number(digits) < 1) {
      throw c.error(t, `expected a duration such as 30m or 1h after 'maxspan' (units: ms, s, m, h, d, w)`);
    }
    c.take(true);
    maxspan = { kind: 'period', amount: Number(digits), unit, text: t.text, span: t.span };
  }
  const alias = optionalAlias(c, 'a name for the session field');
  return { kind: 'sessionize', fields, maxspan, alias, span: { start: kw.span.start, end: c.last!.span.end } };
}
