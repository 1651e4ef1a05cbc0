/**
 * Prints a query in canonical form: commands joined by ` | ` on one line (strings and regular
 * expressions keep any line breaks they contain), keywords and command names in lower case,
 * parentheses only where precedence needs them (see parse-expr.ts). The contract, which
 * format.test.ts checks on random ASTs: `parseQuery(formatQuery(q))` equals `q` except for spans, so
 * formatting is idempotent. Literals keep their quotes and their text as written (`1e3`, `5min`).
 *
 * A node the parser could not have produced (a bare field name that needs backquotes, a name with a
 * backquote in it) is printed in the form that parses back to the same value where one exists; names
 * containing a backquote have none, and throw.
 */
import type { AddTotalsCommand, Command, Expr, ParseCommand, Projection, Query, SortKey, SourceClause } from './ast.js';
import { UNIT_MS } from './lexer.js';
import { isPlainName } from './parse-expr.js';

export function formatQuery(q: Query): string {
  const parts: string[] = [];
  if (q.source !== null) parts.push(formatSource(q.source));
  for (const c of q.commands) parts.push(formatCommand(c));
  return parts.join(' | ');
}

// ---------------------------------------------------------------------------------------------
// Names and literals

/** A field name or alias: bare when it can be, else in backquotes. */
export function formatName(name: string, quoted = false): string {
  if (!quoted && isPlainName(name)) return name;
  if (name.includes('`') || name === '') throw new Error(`cannot write the field name ${JSON.stringify(name)}: it is empty or contains a backquote`);
  return `\`${name}\``;
}

/** A string literal: backslashes and the quote character escaped, everything else as is. */
export function formatString(value: string, quote: '"' | "'"): string {
  return quote + value.replace(/\\/g, '\\\\').split(quote).join(`\\${quote}`) + quote;
}

/** A regex literal; a `/` the pattern does not escape is escaped so the literal ends where it should. */
export function formatRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '\\' && i + 1 < pattern.length) {
      out += ch + pattern[++i]!;
    } else if (ch === '\\') {
      out += '\\\\';
    } else {
      out += ch === '/' ? '\\/' : ch;
    }
  }
  return `/${out}/`;
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** Binding strength, loosest first; must agree with parse-expr.ts. */
function level(e: Expr): number {
  if (e.kind === 'unary') return e.op === 'not' ? 3 : 8;
  if (e.kind !== 'binary') return 9;
  switch (e.op) {
    case 'or':
      return 1;
    case 'and':
      return 2;
    case '+':
    case '-':
      return 5;
    case '*':
    case '/':
    case '%':
      return 6;
    case '^':
      return 7;
    default:
      return 4; // comparisons, like, =~, in
  }
}

function wrap(e: Expr, parens: boolean): string {
  const s = formatExpr(e);
  return parens ? `(${s})` : s;
}

export function formatExpr(e: Expr): string {
  switch (e.kind) {
    case 'field':
      return formatName(e.name, e.quoted);
    case 'string':
      return formatString(e.value, e.quote);
    case 'number':
    case 'period':
      return e.text;
    case 'regex':
      return formatRegex(e.pattern);
    case 'list':
      return `[${e.items.map(formatExpr).join(', ')}]`;
    case 'call':
      return `${e.name}(${e.star ? '*' : e.args.map(formatExpr).join(', ')})`;
    case 'subquery':
      return `(${formatQuery(e.query)})`;
    case 'unary': {
      if (e.op === 'not') return `not ${wrap(e.operand, level(e.operand) < 3)}`;
      // `-5` would read back as the literal -5, and `--x` is no token: parenthesize those.
      const operand = formatExpr(e.operand);
      const parens = level(e.operand) < 8 || e.operand.kind === 'number' || operand.startsWith('-');
      return parens ? `-(${operand})` : `-${operand}`;
    }
    case 'binary': {
      const p = level(e);
      return `${wrap(e.left, level(e.left) < p)} ${e.op} ${wrap(e.right, level(e.right) <= p)}`;
    }
  }
}

function formatProjection(p: Projection): string {
  return p.alias === null ? formatExpr(p.expr) : `${formatExpr(p.expr)} as ${formatName(p.alias)}`;
}

// ---------------------------------------------------------------------------------------------
// Commands

function formatSortKey(k: SortKey): string {
  const expr = formatExpr(k.expr);
  return k.explicit ? `${expr} ${k.descending ? 'desc' : 'asc'}` : expr;
}

function formatParse(c: ParseCommand): string {
  const field = formatExpr(c.field);
  switch (c.pattern.kind) {
    case 'glob':
      return `parse ${field} ${formatString(c.pattern.text, c.pattern.quote)} as ${c.names.map((n) => formatName(n)).join(', ')}`;
    case 'regex': {
      const names = c.pattern.aliased ? ` as ${c.names.map((n) => formatName(n)).join(', ')}` : '';
      return `parse ${field} ${formatRegex(c.pattern.pattern)}${names}${c.pattern.multi ? ' multi' : ''}`;
    }
    case 'logfmt':
      return `parse ${field} logfmt as ${formatName(c.names[0]!)}`;
    case 'csv':
      return `parse ${field} csv as ${c.names.map((n) => formatName(n)).join(', ')}`;
  }
}

export function formatCommand(c: Command): string {
  switch (c.kind) {
    case 'fields':
    case 'display':
      return `${c.kind} ${c.items.map(formatProjection).join(', ')}`;
    case 'filter':
      return `filter ${formatExpr(c.expr)}`;
    case 'stats': {
      const aggs = c.aggregations.map(formatProjection).join(', ');
      if (c.by.length === 0) return `stats ${aggs}`;
      return `stats ${aggs} by ${c.by.map(formatProjection).join(', ')}${c.offset ? ` offset ${c.offset.text}` : ''}`;
    }
    case 'sort':
      return `sort ${c.keys.map(formatSortKey).join(', ')}`;
    case 'limit':
      return c.any === true ? `limit any ${c.count}` : `limit ${c.count}`;
    case 'parse':
      return formatParse(c);
    case 'relevantfields':
      // A field called where would end the list: it is written in backquotes.
      return ['relevantfields', ...(c.fields.length > 0 ? [c.fields.map((f) => formatName(f.name, f.quoted || f.name.toLowerCase() === 'where')).join(', ')] : []), 'where', formatExpr(c.condition)].join(' ');
    case 'json':
      return `json field=${formatExpr(c.field)} ${formatString(c.path, c.quote)} as ${formatName(c.alias)}`;
    case 'dedup':
      return `dedup ${c.fields.map(formatExpr).join(', ')}`;
    case 'pattern':
    case 'unmask':
      return `${c.kind} ${formatExpr(c.field)}`;
    case 'diff':
      return c.period === 'previous' ? 'diff' : `diff ${c.period}`;
    case 'expand':
      return `expand ${formatExpr(c.field)}`;
    case 'unnest':
      return `unnest ${formatExpr(c.field)} into ${formatName(c.into)}`;
    case 'addtotals':
      return formatAddTotals(c);
    case 'lookup': {
      // `output` bare would end the match fields: a field of that name is written in backquotes.
      const name = (f: Expr & { kind: 'field' }): string => formatName(f.name, f.quoted || f.name.toLowerCase() === 'output');
      const keys = c.keys.map((k) => (k.logField === null ? name(k.tableField) : `${name(k.tableField)} as ${name(k.logField)}`));
      return `lookup ${name(c.table)} ${keys.join(', ')} OUTPUT ${c.outputs.map(name).join(', ')}`;
    }
    case 'join': {
      const on = c.on.map((k) => `${formatExpr(k.left)}=${formatExpr(k.right)}`).join(' and ');
      return `join ${c.typeWritten ? `type=${c.type} ` : ''}left=${formatName(c.left)} right=${formatName(c.right)} where ${on} (${formatQuery(c.query)})`;
    }
    case 'filterIndex':
      return `filterIndex ${formatExpr(c.condition)}`;
    case 'anomaly':
      return 'anomaly';
    case 'accum':
      return `accum ${formatExpr(c.field)}${c.alias === null ? '' : ` as ${formatName(c.alias)}`}`;
    case 'autoregress': {
      const lags = c.lags === null ? '' : ` p=${c.lags.from}${c.lags.to === null ? '' : `-${c.lags.to}`}`;
      return `autoregress ${formatExpr(c.field)}${c.alias === null ? '' : ` as ${formatName(c.alias)}`}${lags}`;
    }
    case 'filldown':
      return ['filldown', ...c.fields.map((f) => (f.kind === 'wildcard' ? f.pattern : formatExpr(f)))].join(' ');
    case 'fillmissing':
      return c.fills.length === 0 ? 'fillmissing' : `fillmissing with ${c.fills.map((f) => `${formatExpr(f.value)} for ${formatExpr(f.field)}`).join(', ')}`;
    case 'countFrequent':
      return `${c.name} ${c.fields.map(formatExpr).join(', ')}`;
    case 'sessionize': {
      const parts = [`sessionize ${c.fields.map(formatExpr).join(', ')}`];
      if (c.maxspan !== null) parts.push(`maxspan ${c.maxspan.text}`);
      if (c.alias !== null) parts.push(`as ${formatName(c.alias)}`);
      return parts.join(' ');
    }
    case 'logcompare':
      return `logcompare timeshift ${c.shift.text}`;
    case 'cidrlookup': {
      // A bare OUTPUT or OUTPUTNEW would be the keyword: a field of that name is written in backquotes.
      const name = (f: Expr & { kind: 'field' }): string => formatName(f.name, f.quoted || ['output', 'outputnew'].includes(f.name.toLowerCase()));
      const outputs = c.outputs.map((o) => (o.eventField === null ? formatExpr(o.tableField) : `${formatExpr(o.tableField)} as ${formatExpr(o.eventField)}`));
      return `cidrlookup ${name(c.table)} ${name(c.ipField)}${c.cidrColumn ? ` as ${name(c.cidrColumn)}` : ''} ${c.outputNew ? 'OUTPUTNEW' : 'OUTPUT'} ${outputs.join(', ')}`;
    }
    case 'outlier': {
      const parts = ['outlier'];
      if (c.action !== null) parts.push(`action=${c.action}`);
      if (c.param !== null) parts.push(`param=${c.param.text}`);
      if (c.uselower !== null) parts.push(`uselower=${c.uselower}`);
      if (c.mark !== null) parts.push(`mark=${c.mark}`);
      // An option's name followed by `=` would read as the option: such a field is written in backquotes.
      parts.push(...c.fields.map((f) => formatName(f.name, f.quoted)));
      return parts.join(' ');
    }
    case 'appendcols': {
      const opts = [c.override !== null ? `override=${c.override}` : '', c.max !== null ? `max=${c.max}` : ''].filter(Boolean);
      return `appendcols ${opts.map((o) => `${o} `).join('')}(${formatQuery(c.query)})`;
    }
  }
}

function formatAddTotals(c: AddTotalsCommand): string {
  const parts = ['addtotals'];
  if (c.fieldName !== null) parts.push(`fieldname=${formatName(c.fieldName)}`);
  if (c.row !== null) parts.push(`row=${c.row}`);
  if (c.col !== null) parts.push(`col=${c.col}`);
  if (c.fields.length > 0) parts.push(c.fields.map(formatExpr).join(', '));
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// SOURCE

const strings = (xs: string[]): string => `[${xs.map((x) => formatString(x, "'")).join(', ')}]`;

/** A relative time in the largest unit that divides it: -86400000 is `-1d`. */
function formatOffset(ms: number): string {
  if (ms === 0) return '0s';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

function formatTime(keyword: string, ms: number | null, offsetMs: number | null): string[] {
  if (ms !== null) return [`${keyword}=${ms}`];
  if (offsetMs !== null) return [`${keyword}=${formatOffset(offsetMs)}`];
  return [];
}

export function formatSource(s: SourceClause): string {
  const parts: string[] = [];
  const others = s.dataSources.length > 0 || s.tagFilters.length > 0;
  if (s.names.length > 0 && s.namePrefixes.length === 0 && s.accountIdentifiers.length === 0 && s.logGroupClass === null && !others) {
    // As start-query.ts writes the selection into DescribeQueries' queryString.
    parts.push(`SOURCE ${s.names.map((n) => formatString(n, '"')).join(' ')}`);
  } else {
    const selectors: string[] = [];
    if (s.dataSources.length > 0) selectors.push(`dataSource(${strings(s.dataSources)})`);
    const args: string[] = [];
    if (s.names.length > 0) args.push(`logGroupIdentifiers: ${strings(s.names)}`);
    if (s.namePrefixes.length > 0) args.push(`namePrefix: ${strings(s.namePrefixes)}`);
    if (s.accountIdentifiers.length > 0) args.push(`accountIdentifiers: ${strings(s.accountIdentifiers)}`);
    if (s.logGroupClass !== null) args.push(`class: ${formatString(s.logGroupClass, "'")}`);
    // `logGroups()` alone selects every group; beside another selector it adds nothing.
    if (args.length > 0 || !others) selectors.push(`logGroups(${args.join(', ')})`);
    if (s.tagFilters.length > 0) {
      const tags = s.tagFilters.map((t) => `{key: ${formatString(t.key, "'")}${t.values.length > 0 ? `, values: ${strings(t.values)}` : ''}}`);
      selectors.push(`logGroupTags([${tags.join(', ')}])`);
    }
    parts.push(`SOURCE ${selectors.join(' ')}`);
  }
  parts.push(...formatTime('START', s.startMs, s.startOffsetMs), ...formatTime('END', s.endMs, s.endOffsetMs));
  return parts.join(' ');
}
