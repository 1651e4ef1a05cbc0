/**
 * The SOURCE clause that may open a query (AWS: supported only through the CLI and API):
 *   SOURCE logGroups()
 *   SOURCE logGroups(namePrefix: ['a', 'b'], accountIdentifiers: ['111122223333'], class: 'STANDARD')
 *   SOURCE logGroups(class: ['INFREQUENT_ACCESS'])
 *   SOURCE "group-name" START=1700000000000 END=1700000100999       (as DescribeQueries shows a query)
 *   SOURCE "a" "b" START=... END=...                                   (several groups, as start-query.ts writes them)
 *   SOURCE lg start=-1d end=now                                       (relative times, the logcompare page)
 *   SOURCE logGroups(namePrefix: []) START=2026-01-23T00:00:00.000Z END=2026-01-23T23:59:59.000Z
 *   SOURCE dataSource(['amazon_vpc.flow']) logGroups(namePrefix: ['namePrefix1'])
 *   SOURCE logGroupTags([{key: 'team', values: ['payments']}, {key: 'env'}])
 * `SOURCE "a" SOURCE "b"` is read as `SOURCE "a" "b"`. Keys and keywords are case-insensitive. The
 * selectors logGroups(...), dataSource([...]) and logGroupTags([...]) may be combined, each once, in any
 * order: a group must meet all of them. AWS's quotas (CWL_QuerySyntax-Source): at most five name
 * prefixes, 20 account identifiers and ten data sources.
 */
import type { SourceClause, Span, TagFilter } from './ast.js';
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
    dataSources: [],
    tagFilters: [],
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

/** What the selectors are called, lower-cased, and how each is written. */
const SELECTORS: Record<string, string> = { loggroups: 'logGroups(...)', datasource: 'dataSource([...])', loggrouptags: 'logGroupTags([...])' };

const isSelector = (c: Cursor): boolean => {
  const t = c.peek();
  return t.kind === 'ident' && Object.hasOwn(SELECTORS, t.text.toLowerCase()) && isOp(c.peekSecond(), '(');
};

/** Selectors (logGroups, dataSource, logGroupTags), a quoted name, or a bare name; returns the end offset. */
function parseSelection(c: Cursor, clause: SourceClause): number {
  const t = c.peek();
  if (t.kind === 'string') {
    c.take();
    clause.names.push(t.value);
    return t.span.end;
  }
  if (isSelector(c)) {
    const seen = new Set<string>();
    let end = t.span.end;
    while (isSelector(c)) {
      const word = c.take();
      const which = word.text.toLowerCase();
      if (seen.has(which)) throw c.error(word, `expected ${SELECTORS[which]} only once in a SOURCE clause`);
      seen.add(which);
      c.take();
      if (which === 'loggroups') parseLogGroups(c, clause);
      else if (which === 'datasource') parseDataSources(c, clause);
      else parseTagFilters(c, clause);
      end = c.expectOp(')', `${which === 'loggroups' ? "',' or " : ''}')' to end ${SELECTORS[which]}`).span.end;
    }
    return end;
  }
  if (t.kind === 'ident' && !isOp(c.peekSecond(), '(')) {
    c.take();
    clause.names.push(t.text);
    return t.span.end;
  }
  throw c.error(t, `expected logGroups(...), dataSource([...]), logGroupTags([...]) or a log group name in quotes ${c.after()}`);
}

/** The keys of `logGroups(...)`, after its `(`. */
function parseLogGroups(c: Cursor, clause: SourceClause): void {
  const seen = new Set<Key>();
  if (isOp(c.peek(), ')')) return;
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
      const most = key === 'namePrefixes' ? MAX_PREFIXES : key === 'accountIdentifiers' ? MAX_ACCOUNTS : Infinity;
      if (values.items.length > most) throw syntaxError(c.src, values.span, `expected at most ${most} ${key === 'namePrefixes' ? 'name prefixes' : 'account identifiers'}`);
      clause[key].push(...values.items);
    }
    if (!isOp(c.peek(), ',')) break;
    c.take();
  }
}

const MAX_PREFIXES = 5;
const MAX_ACCOUNTS = 20;
const MAX_DATA_SOURCES = 10;

/** `['amazon_vpc.flow', ...]` after `dataSource(`: one to ten names. */
function parseDataSources(c: Cursor, clause: SourceClause): void {
  const values = parseStrings(c);
  if (values.items.length === 0 || values.items.length > MAX_DATA_SOURCES || values.items.some((v) => v === '')) {
    throw syntaxError(c.src, values.span, `expected one to ${MAX_DATA_SOURCES} data source names such as 'amazon_vpc.flow'`);
  }
  clause.dataSources.push(...values.items);
}

/** `[{key: 'k', values: ['a', 'b']}, ...]` after `logGroupTags(`: at least one tag; values may be left out. */
function parseTagFilters(c: Cursor, clause: SourceClause): void {
  c.expectOp('[', "'[' and a list of tags such as {key: 'team', values: ['payments']}");
  for (;;) {
    clause.tagFilters.push(parseTagFilter(c));
    if (!isOp(c.peek(), ',')) break;
    c.take();
  }
  c.expectOp(']', "',' or ']' to end the list of tags");
}

function parseTagFilter(c: Cursor): TagFilter {
  const open = c.expectOp('{', "'{' and a tag such as {key: 'team', values: ['payments']}");
  let key: string | null = null;
  let values: string[] | null = null;
  for (;;) {
    const name = c.peek();
    const which = name.kind === 'ident' || name.kind === 'string' ? (name.kind === 'ident' ? name.text : name.value).toLowerCase() : '';
    if ((which !== 'key' && which !== 'values') || (which === 'key' ? key !== null : values !== null)) {
      throw c.error(name, `expected ${key === null ? 'key' : 'values'} ${c.after()}`);
    }
    c.take();
    c.expectOp(':');
    if (which === 'key') {
      const k = c.peek();
      if (k.kind !== 'string' || k.value === '') throw c.error(k, `expected the tag key in quotes ${c.after()}`);
      c.take();
      key = k.value;
    } else {
      values = parseStrings(c).items;
    }
    if (!isOp(c.peek(), ',')) break;
    c.take();
  }
  const close = c.expectOp('}', "',' or '}' to end the tag");
  if (key === null) throw syntaxError(c.src, { start: open.span.start, end: close.span.end }, "expected a key in the tag, such as {key: 'team'}");
  return { key, values: values ?? [] };
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
