/**
 * The SOURCE clause that may open a query (AWS: supported only through the CLI and API):
 *   SOURCE logGroups()
 *   SOURCE logGroups(namePrefix: ['a', 'b'], accountIdentifiers: ['111122223333'], class: 'STANDARD')
 *   SOURCE logGroups(class: ['INFREQUENT_ACCESS'])
 *   SOURCE "group-name" START=1700000000000 END=1700000100999       (as DescribeQueries shows a query)
 *   SOURCE "a" "b" START=... END=...                                   (several groups, as start-query.ts writes them)
 *   SOURCE lg start=-1d end=now                                       (relative times, the logcompare page)
 *   SOURCE logGroups(namePrefix: []) START=2026-01-23T00:00:00.000Z END=2026-01-23T23:59:59.000Z
 * `SOURCE "a" SOURCE "b"` is read as `SOURCE "a" "b"`. Keys and keywords are case-insensitive.
 */
import type { SourceClause, Span } from './ast.js';
import { Cursor, isOp, isWord } from './parse-expr.js';
import { periodUnit, skipTrivia, syntaxError, UNIT_MS, type Token } from './lexer.js';

type Key = 'namePrefixes' | 'accountIdentifiers' | 'logGroupClass' | 'names';

/** The keys of `logGroups(...)`, lower-cased; AWS's pages spell some both ways. */
const KEYS: Record<string, Key> = {
  nameprefix: 'namePrefixes',
  accountidentifiers: 'accountIdentifiers',
  accountidentifier: 'accountIdentifiers',
  class: 'logGroupClass',
  loggroupclass: 'logGroupClass',
  loggroupidentifiers: 'names',
  loggroupidentifier: 'names',
};

export function parseSource(c: Cursor): SourceClause {
  const kw = c.take();
  const clause: SourceClause = {
    names: [],
    namePrefixes: [],
    accountIdentifiers: [],
    logGroupClass: null,
    startMs: null,
    endMs: null,
    startOffsetMs: null,
    endOffsetMs: null,
    span: kw.span,
  };
  let end = parseSelection(c, clause);
  // More names: `SOURCE "a" "b"` (as start-query.ts describes a query) or `SOURCE "a" SOURCE "b"`.
  if (clause.names.length > 0) {
    for (;;) {
      let t = c.peek();
      if (isWord(t, 'source')) {
        c.take();
        t = c.peek();
        if (t.kind !== 'string' && t.kind !== 'ident') throw c.error(t, `expected a log group name in quotes ${c.after()}`);
      } else if (t.kind !== 'string') {
        break;
      }
      c.take();
      clause.names.push(t.kind === 'string' ? t.value : t.text);
      end = t.span.end;
    }
  }
  const seen = new Set<string>();
  for (let t = c.peek(); (isWord(t, 'start') || isWord(t, 'end')) && isOp(c.peekSecond(), '='); t = c.peek()) {
    const which = t.text.toLowerCase();
    if (seen.has(which)) throw c.error(t, `expected ${which.toUpperCase()}= only once`);
    seen.add(which);
    c.take();
    c.take();
    const value = parseTime(c);
    if (which === 'start') {
      clause.startMs = value.ms;
      clause.startOffsetMs = value.offsetMs;
    } else {
      clause.endMs = value.ms;
      clause.endOffsetMs = value.offsetMs;
    }
    end = value.span.end;
  }
  clause.span = { start: kw.span.start, end };
  return clause;
}

/** `logGroups(...)`, a quoted name, or a bare name; returns the end offset. */
function parseSelection(c: Cursor, clause: SourceClause): number {
  const t = c.peek();
  if (t.kind === 'string') {
    c.take();
    clause.names.push(t.value);
    return t.span.end;
  }
  if (t.kind === 'ident' && isWord(t, 'loggroups') && isOp(c.peekSecond(), '(')) {
    c.take();
    c.take();
    const seen = new Set<Key>();
    if (!isOp(c.peek(), ')')) {
      for (;;) {
        const keyToken = c.peek();
        const key = keyToken.kind === 'ident' && Object.hasOwn(KEYS, keyToken.text.toLowerCase()) ? KEYS[keyToken.text.toLowerCase()] : undefined;
        if (key === undefined) throw c.error(keyToken, `expected namePrefix, accountIdentifiers or class ${c.after()}`);
        if (seen.has(key)) throw c.error(keyToken, `expected each of namePrefix, accountIdentifiers and class only once`);
        seen.add(key);
        c.take();
        c.expectOp(':');
        const values = parseStrings(c);
        if (key === 'logGroupClass') {
          if (values.items.length !== 1) throw syntaxError(c.src, values.span, "expected one log class: 'STANDARD' or 'INFREQUENT_ACCESS'");
          clause.logGroupClass = values.items[0]!;
        } else {
          clause[key].push(...values.items);
        }
        if (!isOp(c.peek(), ',')) break;
        c.take();
      }
    }
    return c.expectOp(')', "',' or ')' to end logGroups(...)").span.end;
  }
  if (t.kind === 'ident' && !isOp(c.peekSecond(), '(')) {
    c.take();
    clause.names.push(t.text);
    return t.span.end;
  }
  throw c.error(t, `expected logGroups(...) or a log group name in quotes ${c.after()}`);
}

/** `'a'` or `['a', 'b']` (possibly empty). */
function parseStrings(c: Cursor): { items: string[]; span: Span } {
  const t = c.peek();
  if (t.kind === 'string') {
    c.take();
    return { items: [t.value], span: t.span };
  }
  const open = c.expectOp('[', 'a string in quotes or a list of them in [ ]');
  const items: string[] = [];
  if (!isOp(c.peek(), ']')) {
    for (;;) {
      const s = c.peek();
      if (s.kind !== 'string') throw c.error(s, `expected a string in quotes ${c.after()}`);
      c.take();
      items.push(s.value);
      if (!isOp(c.peek(), ',')) break;
      c.take();
    }
  }
  const close = c.expectOp(']', "',' or ']' to end the list");
  return { items, span: { start: open.span.start, end: close.span.end } };
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
const RELATIVE = /^(-?)(\d+)([A-Za-z]+)$/;

/**
 * The value after `START=` or `END=`: epoch milliseconds, an ISO 8601 time, `now`, or a relative time
 * (`-1h`, `0s`). It is read as one word up to a blank, `|` or `)`, since `2026-01-23T00:00:00.000Z` is no token.
 */
function parseTime(c: Cursor): { ms: number | null; offsetMs: number | null; span: Span } {
  const start = skipTrivia(c.src, c.pos);
  let end = start;
  // `)` ends a nested query's SOURCE clause (parse.ts).
  while (end < c.src.length && !/[\s|#)]/.test(c.src[end]!)) end++;
  const span = { start, end };
  const word = c.src.slice(start, end);
  const fail = (): never => {
    throw syntaxError(c.src, span, `expected epoch milliseconds, an ISO 8601 time, now, or a relative time such as -1h ${c.after()}`);
  };
  let ms: number | null = null;
  let offsetMs: number | null = null;
  const rel = RELATIVE.exec(word);
  if (/^\d+$/.test(word)) {
    ms = Number(word);
    if (!Number.isSafeInteger(ms)) fail();
  } else if (ISO.test(word)) {
    ms = Date.parse(word);
    if (Number.isNaN(ms)) fail();
  } else if (word.toLowerCase() === 'now') {
    offsetMs = 0;
  } else if (rel !== null) {
    const unit = periodUnit(rel[3]!);
    const unitMs = unit === undefined ? undefined : UNIT_MS[unit];
    if (unitMs === undefined) fail();
    offsetMs = (rel[1] === '-' ? -1 : 1) * Number(rel[2]) * unitMs!;
    if (!Number.isSafeInteger(offsetMs)) fail();
    if (offsetMs === 0) offsetMs = 0; // not -0
  } else {
    fail();
  }
  c.pos = end;
  c.last = { kind: 'ident', text: word, value: word, quote: '"', span } satisfies Token;
  return { ms, offsetMs, span };
}
