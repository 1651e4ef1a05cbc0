/**
 * The Logs Insights QL parser: query text to the typed AST of ast.ts. A query is an optional SOURCE
 * clause (parse-source.ts) and commands separated by `|`; expressions are in parse-expr.ts. Command
 * names and keywords are case-insensitive, as in AWS (`FIELDS ... | STATS ... BY BIN(5m)`).
 *
 * Every failure is a QueryError whose span is the offending token and whose message starts with AWS's
 * own wording (see lexer.ts), so `parseQuery` throws nothing else.
 */
import type { Binary, Command, DedupCommand, DiffPeriod, Expr, FilterIndexCommand, JsonCommand, LookupCommand, RelevantFieldsCommand, ParseCommand, PeriodLiteral, Projection, Query, SortKey, SourceClause, Span } from './ast.js';
import { QueryError, type FieldRef } from './ast.js';
import { describe, lineAndPosition, nextToken, syntaxError, type Token } from './lexer.js';
import { Cursor, isOp, isWord, parseExpr, parseFieldRef, parseName, parseOperand, parseProjection } from './parse-expr.js';
import { parseSource } from './parse-source.js';
import { parseAddTotals } from './parse-addtotals.js';
import { parseJoin } from './parse-join.js';
import { parseAccum, parseAutoregress, parseCountFrequent, parseFilldown, parseFillmissing, parseSessionize } from './parse-window.js';
import { parseAppendCols, parseCidrLookup, parseLogCompare, parseOutlier } from './parse-compare.js';

export function parseQuery(text: string): Query {
  const c = new Cursor(text);
  c.nestedQuery = nestedQuery;
  return parseBody(c, false);
}

/** A query up to the end of the text, or (nested) up to the `)` that closes it, which is not taken. */
function parseBody(c: Cursor, nested: boolean): Query {
  const text = c.src;
  const first = c.peek();
  const atEnd = (t: Token): boolean => t.kind === 'eof' || (nested && isOp(t, ')'));
  let source: SourceClause | null = null;
  const commands: Command[] = [];
  // A SOURCE clause may stand alone; otherwise `|` and at least one command follow.
  let commandsFollow = true;
  if (isWord(first, 'source')) {
    source = parseSource(c);
    if (atEnd(c.peek())) commandsFollow = false;
    else c.expectOp('|', "'|' and a command after the SOURCE clause");
  }
  if (commandsFollow) {
    for (;;) {
      const command = parseCommand(c);
      if (commands.at(-1)?.kind === 'dedup' && command.kind !== 'limit') {
        // AWS: "The only query command that you can use in a query after the dedup command is limit."
        throw syntaxError(text, { start: command.span.start, end: firstWordEnd(text, command.span.start) }, "only 'limit' may follow 'dedup'");
      }
      commands.push(command);
      const t = c.peek();
      if (atEnd(t)) break;
      if (!isOp(t, '|')) throw c.error(t, `expected '|' or ${nested ? "')' to end the nested query" : 'the end of the query'} ${c.after()}`);
      c.take();
    }
  }
  const end = c.last === null ? first.span.start : c.last.span.end;
  return { source, commands, span: { start: first.span.start, end } };
}

/**
 * `( <query> )` for `in` and `join`; null (nothing taken) when the word after `(` starts no query.
 * AWS: "Nested subqueries are not supported", so a nested query holds no join or subquery.
 */
function nestedQuery(c: Cursor, always = false): { query: Query; span: Span } | null {
  const open = c.peek(true);
  if (!startsNestedQuery(c, always)) return null;
  c.take(true);
  c.nestedQuery = nestedAlready;
  try {
    const query = parseBody(c, true);
    const close = c.expectOp(')', `'|' or ')' to end the nested query opened at position ${open.span.start}`);
    return { query, span: { start: open.span.start, end: close.span.end } };
  } finally {
    c.nestedQuery = nestedQuery;
  }
}

/** What a nested query's cursor parses `( <query> )` with: an error. */
function nestedAlready(c: Cursor, always = false): null {
  if (!startsNestedQuery(c, always)) return null;
  throw c.error(c.peek(true), 'expected no subquery or join inside a nested query (AWS: nested subqueries are not supported)');
}

/**
 * `(` followed by SOURCE or a command name, which an operator or `)` does not follow: `in (source >= 1)`
 * is still a parenthesized expression over a field named source. `always`: where only a query can
 * follow (appendcols), the command name is enough (`(fields /x/ ...)`).
 */
function startsNestedQuery(c: Cursor, always = false): boolean {
  const word = c.peekSecond();
  const name = word.kind === 'ident' ? word.text.toLowerCase() : '';
  if (!isOp(c.peek(true), '(') || !(name === 'source' || Object.hasOwn(COMMANDS, name) || Object.hasOwn(ALIASES, name) || UNSUPPORTED.includes(name))) return false;
  if (always) return true;
  const third = nextToken(c.src, word.span.end, false);
  return third.kind !== 'op' && !(third.kind === 'ident' && ['and', 'or', 'like', 'in', 'not'].includes(third.text.toLowerCase()));
}

function firstWordEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && /[A-Za-z]/.test(text[i]!)) i++;
  return i;
}

type CommandName = 'fields' | 'display' | 'filter' | 'filterindex' | 'stats' | 'sort' | 'limit' | 'parse' | 'dedup' | 'pattern' | 'diff' | 'anomaly' | 'unmask' | 'unnest' | 'addtotals' | 'expand' | 'lookup' | 'join' | 'json' | 'accum' | 'autoregress' | 'filldown' | 'fillmissing' | 'countfrequent' | 'sessionize' | 'relevantfields' | 'logcompare' | 'cidrlookup' | 'outlier' | 'appendcols';

/** One parser per command; the keyword token has been taken. */
const COMMANDS: Record<CommandName, (c: Cursor, kw: Token) => Command> = {
  fields: (c, kw) => ({ kind: 'fields', ...projections(c, kw) }),
  display: (c, kw) => ({ kind: 'display', ...projections(c, kw) }),
  filter: (c, kw) => {
    const expr = parseExpr(c);
    return { kind: 'filter', expr, span: { start: kw.span.start, end: c.last!.span.end } };
  },
  filterindex: parseFilterIndex,
  stats: parseStats,
  sort: parseSort,
  limit: (c, kw) => {
    // AWS: `limit any N` stops scanning once N events match.
    const any = isWord(c.peek(), 'any') && c.peekSecond().kind === 'number';
    if (any) c.take();
    const t = c.peek(true);
    if (t.kind !== 'number' || !/^\d+$/.test(t.text) || Number(t.text) < 1 || !Number.isSafeInteger(Number(t.text))) {
      throw c.error(t, `expected a whole number of results after '${kw.text}'`);
    }
    c.take(true);
    const span = { start: kw.span.start, end: t.span.end };
    return any ? { kind: 'limit', count: Number(t.text), any, span } : { kind: 'limit', count: Number(t.text), span };
  },
  parse: parseParse,
  json: parseJson,
  relevantfields: (c, kw): RelevantFieldsCommand => {
    // AWS: `relevantfields [field1, field2, ...] where condition`; a field called where is written `where`.
    const fields: FieldRef[] = [];
    if (!isWord(c.peek(), 'where')) {
      fields.push(parseFieldRef(c, "a field to analyze or 'where' and the condition"));
      while (isOp(c.peek(), ',')) {
        c.take();
        fields.push(parseFieldRef(c, 'a field to analyze'));
      }
      if (!isWord(c.peek(), 'where')) throw c.error(c.peek(), `expected ',' or 'where' and the condition ${c.after()}`);
    }
    c.take();
    const condition = parseExpr(c);
    return { kind: 'relevantfields', fields, condition, span: { start: kw.span.start, end: c.last!.span.end } };
  },
  dedup: (c, kw): DedupCommand => {
    const fields = [parseFieldRef(c)];
    while (isOp(c.peek(), ',')) {
      c.take();
      fields.push(parseFieldRef(c));
    }
    return { kind: 'dedup', fields, span: { start: kw.span.start, end: c.last!.span.end } };
  },
  pattern: (c, kw) => {
    const field = parseExpr(c);
    return { kind: 'pattern', field, span: { start: kw.span.start, end: c.last!.span.end } };
  },
  diff: (c, kw) => {
    const t = c.peek();
    const period = t.kind === 'ident' && Object.hasOwn(DIFF_PERIODS, t.text.toLowerCase()) ? DIFF_PERIODS[t.text.toLowerCase()] : undefined;
    if (period === undefined) {
      if (t.kind === 'eof' || isOp(t, '|') || isOp(t, ')')) return { kind: 'diff', period: 'previous', span: kw.span };
      throw c.error(t, `expected previousDay, previousWeek, previousMonth, '|' or the end of the query ${c.after()}`);
    }
    c.take();
    return { kind: 'diff', period, span: { start: kw.span.start, end: t.span.end } };
  },
  anomaly: (_c, kw) => ({ kind: 'anomaly', span: kw.span }),
  unmask: (c, kw) => {
    const field = parseExpr(c);
    return { kind: 'unmask', field, span: { start: kw.span.start, end: c.last!.span.end } };
  },
  unnest: (c, kw) => {
    const field = parseFieldRef(c, 'the field to unnest');
    if (!isWord(c.peek(), 'into')) throw c.error(c.peek(), `expected 'into' and a name for each element ${c.after()}`);
    c.take();
    const into = parseName(c, 'a name for each element').name;
    return { kind: 'unnest', field, into, span: { start: kw.span.start, end: c.last!.span.end } };
  },
  addtotals: parseAddTotals,
  expand: (c, kw) => {
    const field = parseFieldRef(c, 'the field to expand');
    return { kind: 'expand', field, span: { start: kw.span.start, end: field.span.end } };
  },
  lookup: parseLookup,
  join: parseJoin,
  accum: parseAccum,
  autoregress: parseAutoregress,
  filldown: parseFilldown,
  fillmissing: parseFillmissing,
  countfrequent: parseCountFrequent,
  sessionize: parseSessionize,
  logcompare: parseLogCompare,
  cidrlookup: parseCidrLookup,
  outlier: parseOutlier,
  appendcols: parseAppendCols,
};

/** Command names as AWS spells them, where that is not lower case. */
const SPELLINGS: Record<string, string> = { filterindex: 'filterIndex', countfrequent: 'countFrequent' };

/** The commands the parser knows, as AWS spells them (golden.test.ts checks that golden cases use each). */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS).map((n) => SPELLINGS[n] ?? n);

/** AWS's aliases: "Use the where command as an alias for the filter command."; countFrequent is "also available as count_frequent". */
const ALIASES: Record<string, CommandName> = { where: 'filter', count_frequent: 'countfrequent' };

/** Commands AWS documents that Logward does not run (yet): named in the error rather than "unknown". */
const UNSUPPORTED = ['head', 'tail', 'search', 'order'];

const DIFF_PERIODS: Record<string, DiffPeriod> = { previousday: 'previousDay', previousweek: 'previousWeek', previousmonth: 'previousMonth' };

function parseCommand(c: Cursor): Command {
  const t = c.peek();
  const name = t.kind === 'ident' ? t.text.toLowerCase() : '';
  const command = (Object.hasOwn(COMMANDS, name) ? name : Object.hasOwn(ALIASES, name) ? ALIASES[name] : undefined) as CommandName | undefined;
  if (command === undefined) {
    if (UNSUPPORTED.includes(name)) throw c.error(t, `Logward does not support the '${t.text}' command`);
    throw c.error(t, `expected a command (${COMMAND_NAMES.slice(0, -1).join(', ')} or ${COMMAND_NAMES.at(-1)}) ${c.after()}`);
  }
  c.take();
  return COMMANDS[command](c, t);
}

/**
 * `filterIndex field = value` or `filterIndex field in [value, ...]`, the two forms AWS documents
 * (CWL_QuerySyntax-FilterIndex); values are string or number literals.
 */
function parseFilterIndex(c: Cursor, kw: Token): FilterIndexCommand {
  const field = parseFieldRef(c, 'an indexed field name');
  const op = c.peek();
  const isIn = isWord(op, 'in');
  if (!isOp(op, '=') && !isIn) throw c.error(op, `expected '=' or 'in' after the indexed field ${c.after()}`);
  c.take();
  const literal = (): Expr => {
    const t = c.peek(true);
    if (isOp(t, '-') && c.peekSecond().kind === 'number') {
      c.take(true);
      const u = c.take(true);
      return { kind: 'number', value: -Number(u.text), text: `-${u.text}`, span: { start: t.span.start, end: u.span.end } };
    }
    if (t.kind !== 'string' && t.kind !== 'number') throw c.error(t, `expected a string or number value for filterIndex ${c.after()}`);
    return parseOperand(c);
  };
  let right: Expr;
  if (isIn) {
    const open = c.peek(true);
    if (!isOp(open, '[')) throw c.error(open, `expected '[' and a list of values after 'in' ${c.after()}`);
    c.take(true);
    const items = [literal()];
    while (isOp(c.peek(), ',')) {
      c.take();
      items.push(literal());
    }
    const close = c.peek();
    if (!isOp(close, ']')) throw c.error(close, `expected ',' or ']' to end the list of values ${c.after()}`);
    c.take();
    right = { kind: 'list', items, span: { start: open.span.start, end: close.span.end } };
  } else right = literal();
  const condition: Binary = { kind: 'binary', op: isIn ? 'in' : '=', left: field, right, opSpan: op.span, span: { start: field.span.start, end: right.span.end } };
  return { kind: 'filterIndex', field, condition, span: { start: kw.span.start, end: c.last!.span.end } };
}

function projectionList(c: Cursor): Projection[] {
  const items = [parseProjection(c)];
  while (isOp(c.peek(), ',')) {
    c.take();
    items.push(parseProjection(c));
  }
  return items;
}

function projections(c: Cursor, kw: Token): { items: Projection[]; span: { start: number; end: number } } {
  const items = projectionList(c);
  return { items, span: { start: kw.span.start, end: c.last!.span.end } };
}

function parseStats(c: Cursor, kw: Token): Command {
  const aggregations = projectionList(c);
  let by: Projection[] = [];
  if (isWord(c.peek(), 'by')) {
    c.take();
    by = projectionList(c);
    // `by bin(5m) offset 1h`: the time-series functions page's time shift.
    if (isWord(c.peek(), 'offset') && nextToken(c.src, c.peek().span.end, true).kind === 'period') {
      c.take();
      const offset = parseOperand(c) as PeriodLiteral;
      return { kind: 'stats', aggregations, by, offset, span: { start: kw.span.start, end: offset.span.end } };
    }
  }
  return { kind: 'stats', aggregations, by, span: { start: kw.span.start, end: c.last!.span.end } };
}

function parseSort(c: Cursor, kw: Token): Command {
  const keys: SortKey[] = [];
  for (;;) {
    const expr = parseFieldRef(c, 'a field name to sort by');
    // AWS sorts by fields only: `sort bin(1d) desc` is "unexpected symbol found (".
    if (isOp(c.peek(), '(')) throw c.error(c.peek(), `expected asc, desc, ',' or '|' ${c.after()} (sort takes field names; give an expression a name in fields or stats first)`);
    const dir = c.peek();
    let key: SortKey = { expr, descending: false, explicit: false, span: expr.span };
    if (isWord(dir, 'asc') || isWord(dir, 'desc')) {
      c.take();
      key = { expr, descending: isWord(dir, 'desc'), explicit: true, span: { start: expr.span.start, end: dir.span.end } };
    }
    keys.push(key);
    if (!isOp(c.peek(), ',')) break;
    c.take();
  }
  return { kind: 'sort', keys, span: { start: kw.span.start, end: c.last!.span.end } };
}

/** The named groups of a regular expression: `(?<name>...)` and RE2's `(?P<name>...)`. */
export function namedGroups(pattern: string): string[] {
  const names: string[] = [];
  const re = /\\.|\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>/g;
  for (let m = re.exec(pattern); m !== null; m = re.exec(pattern)) if (m[1] !== undefined) names.push(m[1]);
  return names;
}

function parseParse(c: Cursor, kw: Token): ParseCommand {
  // AWS: "If fieldName is omitted, @message is used by default."
  let field: ParseCommand['field'];
  const first = c.peek(true);
  const modeNext = (isWord(first, 'logfmt') || isWord(first, 'csv')) && isWord(c.peekSecond(), 'as');
  if (first.kind === 'string' || first.kind === 'regex' || modeNext) {
    field = { kind: 'field', name: '@message', quoted: false, span: { start: first.span.start, end: first.span.start } };
  } else if (first.kind === 'ident' || first.kind === 'quoted') {
    // A field or a call, but no operators: `parse @message /re/` must not read `/` as division.
    field = parseOperand(c);
  } else {
    throw c.error(first, `expected a field name, a pattern in quotes or a /regular expression/ ${c.after()}`);
  }
  const p = c.peek(true);
  const start = kw.span.start;
  if (p.kind === 'regex') {
    c.take(true);
    // AWS's examples name the groups inside the regex, or after it: `parse @message /(\d+)/ as ip multi`.
    const aliased = isWord(c.peek(), 'as');
    const names = aliased ? (c.take(), asNames(c, 'a name for the extracted field')) : namedGroups(p.value);
    if (names.length === 0) throw c.error(p, `expected a regular expression with named capture groups such as (?<name>...), or 'as' and a name for each group after it`);
    // AWS's multi-match mode: "Add the keyword multi after the regex pattern."
    const multi = isWord(c.peek(), 'multi');
    if (multi) c.take();
    return { kind: 'parse', field, pattern: { kind: 'regex', pattern: p.value, multi, aliased, span: p.span }, names, span: { start, end: c.last!.span.end } };
  }
  if (isWord(p, 'csv')) {
    // AWS: `parse fieldName csv as alias1, alias2`; "Each comma-separated value is assigned to the corresponding alias."
    c.take(true);
    if (!isWord(c.peek(), 'as')) throw c.error(c.peek(), `expected 'as' and a name for each comma-separated value ${c.after()}`);
    c.take();
    const names = asNames(c, 'a name for a comma-separated value');
    return { kind: 'parse', field, pattern: { kind: 'csv', span: p.span }, names, span: { start, end: c.last!.span.end } };
  }
  if (isWord(p, 'logfmt')) {
    // AWS: `parse fieldName logfmt as alias`; "The result is a map that you access with dot notation".
    c.take(true);
    if (!isWord(c.peek(), 'as')) throw c.error(c.peek(), `expected 'as' and a name for the parsed pairs ${c.after()}`);
    c.take();
    const alias = parseName(c, 'a name for the parsed pairs').name;
    return { kind: 'parse', field, pattern: { kind: 'logfmt', span: p.span }, names: [alias], span: { start, end: c.last!.span.end } };
  }
  if (p.kind === 'string') {
    c.take(true);
    if (!isWord(c.peek(), 'as')) throw c.error(c.peek(), `expected 'as' and the names of the extracted fields ${c.after()}`);
    c.take();
    const names = asNames(c, 'a name for the extracted field');
    const end = c.last!.span.end;
    const stars = p.value.split('*').length - 1;
    if (stars !== names.length) {
      const { line, position } = lineAndPosition(c.src, p.span.start);
      throw new QueryError(
        `parse pattern ${describe(c.src, p.span)} at line ${line} and position ${position} has ${stars} * wildcard${stars === 1 ? '' : 's'} but ${names.length} name${names.length === 1 ? ' follows' : 's follow'} 'as': expected one name per *`,
        { start: p.span.start, end },
      );
    }
    return { kind: 'parse', field, pattern: { kind: 'glob', text: p.value, quote: p.quote, span: p.span }, names, span: { start, end } };
  }
  throw c.error(p, `expected a pattern in quotes, a /regular expression/, logfmt or csv ${c.after()}`);
}

/** The names after `as`: one or more, separated by commas. */
function asNames(c: Cursor, what: string): string[] {
  const names = [parseName(c, what).name];
  while (isOp(c.peek(), ',')) {
    c.take();
    names.push(parseName(c, what).name);
  }
  return names;
}

/** `json field=<field> "<key.path>" as <name>` (AWS's JSON field extraction). */
function parseJson(c: Cursor, kw: Token): JsonCommand {
  if (!isWord(c.peek(), 'field') || !isOp(c.peekSecond(), '=')) throw c.error(c.peek(), `expected field= and the field that holds the JSON ${c.after()}`);
  c.take();
  c.take(); // =
  const field = parseFieldRef(c, 'the field that holds the JSON');
  const p = c.peek(true);
  if (p.kind !== 'string' || p.value === '') throw c.error(p, `expected the key to extract in quotes, such as "user.name" ${c.after()}`);
  c.take(true);
  if (!isWord(c.peek(), 'as')) throw c.error(c.peek(), `expected 'as' and a name for the extracted value ${c.after()}`);
  c.take();
  const alias = parseName(c, 'a name for the extracted value').name;
  return { kind: 'json', field, path: p.value, quote: p.quote, alias, span: { start: kw.span.start, end: c.last!.span.end } };
}

/** `lookup <table> <field> [as <log field>], ... OUTPUT <field>, ...` (OUTPUT in any case). */
function parseLookup(c: Cursor, kw: Token): LookupCommand {
  const table = parseFieldRef(c, 'the name of a lookup table');
  const keys: LookupCommand['keys'] = [];
  // A bare OUTPUT is the keyword, never a field (a field of that name is written `output`).
  const name = (what: string): FieldRef => {
    if (isWord(c.peek(), 'output')) throw c.error(c.peek(), `expected ${what} ${c.after()}`);
    return parseFieldRef(c, what);
  };
  for (;;) {
    const tableField = name('a field of the lookup table to match');
    let logField: FieldRef | null = null;
    if (isWord(c.peek(), 'as')) {
      c.take();
      logField = name('the log field to match');
    }
    keys.push({ tableField, logField, span: { start: tableField.span.start, end: (logField ?? tableField).span.end } });
    if (isWord(c.peek(), 'output')) break;
    if (!isOp(c.peek(), ',')) throw c.error(c.peek(), `expected ',', 'as' or OUTPUT and the fields to add ${c.after()}`);
    c.take();
  }
  c.take();
  const outputs = [parseFieldRef(c, 'a field of the lookup table to add')];
  while (isOp(c.peek(), ',')) {
    c.take();
    outputs.push(parseFieldRef(c, 'a field of the lookup table to add'));
  }
  return { kind: 'lookup', table, keys, outputs, span: { start: kw.span.start, end: c.last!.span.end } };
}
