import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QueryError, type BinaryOp, type Command, type Expr, type FieldPattern, type FieldRef, type NumberLiteral, type PeriodLiteral, type Projection, type Query, type SourceClause, type StringLiteral } from './ast.js';
import { formatQuery, formatRegex, formatString } from './format.js';
import { isPlainName } from './parse-expr.js';
import { spanProblems, stripSpans } from './parse-testing.js';
import { parseQuery } from './parse.js';

const SPAN = { start: 0, end: 0 };

// ---------------------------------------------------------------------------------------------
// Random ASTs of the shape the parser produces (spans aside)

const bareName = fc.constantFrom('a', 'b', 'x.y', '@message', '@timestamp', 'f_1', 'a.0.b', 'count', 'limit', 'source', 'logfmt', 'any', 'START', 'previousDay', 'csv', 'multi', 'field', 'json', 'e', 'm', 'true', 'by', 'NOT', 'In');
const anyName = fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }).filter((s) => !s.includes('`'));
const name = fc.oneof(bareName, anyName);

const fieldRef: fc.Arbitrary<FieldRef> = fc
  .tuple(name, fc.boolean())
  .map(([n, q]): FieldRef => ({ kind: 'field', name: n, quoted: q || !isPlainName(n), span: SPAN }));

const numberText = fc
  .tuple(fc.boolean(), fc.stringMatching(/^\d{1,6}$/), fc.option(fc.stringMatching(/^\.\d{1,3}$/)), fc.option(fc.stringMatching(/^[eE][+-]?\d{1,2}$/)))
  .map(([neg, int, frac, exp]) => `${neg ? '-' : ''}${int}${frac ?? ''}${exp ?? ''}`);

const SPELLINGS: [string, string][] = [
  ['millisecond', 'ms'], ['ms', 'ms'], ['msec', 'ms'], ['second', 's'], ['s', 's'], ['sec', 's'], ['minute', 'm'], ['m', 'm'], ['min', 'm'],
  ['hour', 'h'], ['h', 'h'], ['hr', 'h'], ['day', 'd'], ['d', 'd'], ['week', 'w'], ['w', 'w'], ['month', 'mo'], ['mo', 'mo'], ['mon', 'mo'],
  ['quarter', 'q'], ['q', 'q'], ['qtr', 'q'], ['year', 'y'], ['y', 'y'], ['yr', 'y'],
];

const REGEX_PIECES = ['a', 'B', '.', '*', '\\d', '\\/', '(?i)', '[^ ]', '\\\\', ' ', '\n', 'x+', '#', '"', "'", '`', '|', '$', '^'];
const regexPattern = fc.array(fc.constantFrom(...REGEX_PIECES), { maxLength: 6 }).map((xs) => xs.join(''));
const groupName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,5}$/);

const OPS: BinaryOp[] = ['+', '-', '*', '/', '%', '^', '=', '!=', '<', '<=', '>', '>=', 'and', 'or', 'like', 'not like', '=~', 'in', 'not in'];

const { expr } = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { maxDepth: 4, depthIdentifier: 'expr' },
    fieldRef,
    fc.tuple(fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom<'"' | "'">('"', "'")).map(([value, quote]): Expr => ({ kind: 'string', value, quote, span: SPAN })),
    numberText.map((text): Expr => ({ kind: 'number', value: Number(text), text, span: SPAN })),
    fc
      .tuple(fc.nat(1000), fc.constantFrom(...SPELLINGS), fc.boolean(), fc.boolean())
      .map(([amount, [spelling, unit], plural, upper]): Expr => {
        const s = `${spelling}${plural && spelling.length > 1 ? 's' : ''}`;
        return { kind: 'period', amount, unit: unit as never, text: `${amount}${upper ? s.toUpperCase() : s}`, span: SPAN };
      }),
    regexPattern.map((pattern): Expr => ({ kind: 'regex', pattern, span: SPAN })),
    fc.array(tie('expr'), { maxLength: 3 }).map((items): Expr => ({ kind: 'list', items, span: SPAN })),
    fc.tuple(fc.constantFrom<'-' | 'not'>('-', 'not'), tie('expr')).map(([op, operand]): Expr => ({ kind: 'unary', op, operand, span: SPAN })),
    fc.tuple(fc.constantFrom(...OPS), tie('expr'), tie('expr')).map(([op, left, right]): Expr => ({ kind: 'binary', op, left, right, opSpan: SPAN, span: SPAN })),
    fc
      .tuple(fc.constantFrom('abs', 'count', 'bin', 'count_distinct', 'isValidIpV4', 'BIN', 'f', 'source'), fc.boolean(), fc.array(tie('expr'), { maxLength: 3 }))
      .map(([n, star, args]): Expr => ({ kind: 'call', name: n, args: star ? [] : args, star, nameSpan: SPAN, span: SPAN })),
  ),
}));

/** A name in `lookup`: `output` bare would end its match fields, so it is written (and read back) quoted. */
const lookupName: fc.Arbitrary<FieldRef> = fc
  .tuple(fc.oneof(name, fc.constantFrom('output', 'OUTPUT', 'user_data')), fc.boolean())
  .map(([n, q]): FieldRef => ({ kind: 'field', name: n, quoted: q || !isPlainName(n) || n.toLowerCase() === 'output', span: SPAN }));

const projection: fc.Arbitrary<Projection> = fc.tuple(expr, fc.option(name)).map(([e, alias]) => ({ expr: e, alias, span: SPAN }));
const projections = fc.array(projection, { minLength: 1, maxLength: 3 });

const parseCommand: fc.Arbitrary<Command> = fc.oneof(
  fc
    .tuple(fc.oneof(fieldRef, expr.filter((e) => e.kind === 'call')), fc.array(fc.string({ unit: 'binary', maxLength: 4 }).map((s) => s.replace(/\*/g, '')), { minLength: 2, maxLength: 4 }), fc.constantFrom<'"' | "'">('"', "'"), fc.array(name, { minLength: 3, maxLength: 3 }))
    .map(([field, segments, quote, names]): Command => ({
      kind: 'parse',
      field,
      pattern: { kind: 'glob', text: segments.join('*'), quote, span: SPAN },
      names: names.slice(0, segments.length - 1).concat(Array.from({ length: Math.max(0, segments.length - 4) }, (_, i) => `n${i}`)),
      span: SPAN,
    })),
  fc.tuple(fieldRef, fc.array(fc.tuple(regexPattern, groupName), { minLength: 1, maxLength: 3 }), regexPattern, fc.boolean()).map(([field, parts, tail, multi]): Command => ({
    kind: 'parse',
    field,
    pattern: { kind: 'regex', pattern: parts.map(([p, g]) => `${p}(?<${g}>${p})`).join('') + tail, multi, aliased: false, span: SPAN },
    names: parts.map(([, g]) => g),
    span: SPAN,
  })),
  // `parse f /(..)/ as a, b [multi]`: the parser takes any names (the compiler counts the groups).
  fc.tuple(fieldRef, regexPattern, fc.array(name, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([field, pattern, names, multi]): Command => ({
    kind: 'parse',
    field,
    pattern: { kind: 'regex', pattern, multi, aliased: true, span: SPAN },
    names,
    span: SPAN,
  })),
  fc.tuple(fieldRef, name).map(([field, alias]): Command => ({ kind: 'parse', field, pattern: { kind: 'logfmt', span: SPAN }, names: [alias], span: SPAN })),
  fc.tuple(fieldRef, fc.array(name, { minLength: 1, maxLength: 4 })).map(([field, names]): Command => ({ kind: 'parse', field, pattern: { kind: 'csv', span: SPAN }, names, span: SPAN })),
);

const literal: fc.Arbitrary<Expr> = fc.oneof(
  fc.tuple(fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom<'"' | "'">('"', "'")).map(([value, quote]): Expr => ({ kind: 'string', value, quote, span: SPAN })),
  numberText.map((text): Expr => ({ kind: 'number', value: Number(text), text, span: SPAN })),
);

const filterIndex: fc.Arbitrary<Command> = fc
  .tuple(fieldRef, fc.oneof(literal, fc.array(literal, { minLength: 1, maxLength: 3 })))
  .map(([field, value]): Command => {
    const right: Expr = Array.isArray(value) ? { kind: 'list', items: value, span: SPAN } : value;
    return { kind: 'filterIndex', field, condition: { kind: 'binary', op: Array.isArray(value) ? 'in' : '=', left: field, right, opSpan: SPAN, span: SPAN }, span: SPAN };
  });

const alias = fc.option(name);
const lags = fc.option(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.option(fc.integer({ min: 0, max: 49 }))).map(([from, extra]) => ({ from, to: extra === null ? null : from + extra })));
const wildcard = fc
  .array(fc.constantFrom('cpu', '*', 'a.b', '_x', '@m', 'as', 'by'), { minLength: 1, maxLength: 4 })
  .map((xs) => xs.join(''))
  .filter((p) => p.includes('*'))
  .map((pattern): FieldPattern => ({ kind: 'wildcard', pattern, span: SPAN }));
const maxspan = fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom(...SPELLINGS.filter(([, u]) => !['mo', 'q', 'y'].includes(u)))).map(([amount, [spelling, unit]]): PeriodLiteral => ({ kind: 'period', amount, unit: unit as PeriodLiteral['unit'], text: `${amount}${spelling}`, span: SPAN }));
const windowCommand: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(fc.array(fc.oneof(fieldRef, fc.constant<FieldRef>({ kind: 'field', name: 'where', quoted: true, span: SPAN })), { maxLength: 3 }), expr).map(([fields, condition]): Command => ({ kind: 'relevantfields', fields, condition, span: SPAN })),
  fc.tuple(fieldRef, alias).map(([field, a]): Command => ({ kind: 'accum', field, alias: a, span: SPAN })),
  fc.tuple(fieldRef, alias, lags).map(([field, a, l]): Command => ({ kind: 'autoregress', field, alias: l !== null && l.to !== null ? null : a, lags: l, span: SPAN })),
  fc.array(fc.oneof(fieldRef, wildcard), { maxLength: 4 }).map((fields): Command => ({ kind: 'filldown', fields, span: SPAN })),
  fc.array(fc.tuple(literal, fieldRef), { maxLength: 3 }).map((fills): Command => ({ kind: 'fillmissing', fills: fills.map(([value, field]) => ({ value: value as StringLiteral | NumberLiteral, field, span: SPAN })), span: SPAN })),
  fc.tuple(fc.constantFrom<'countFrequent' | 'count_frequent'>('countFrequent', 'count_frequent'), fc.array(fieldRef, { minLength: 1, maxLength: 3 })).map(([n, fields]): Command => ({ kind: 'countFrequent', name: n, fields, span: SPAN })),
  fc.tuple(fc.array(fieldRef, { minLength: 1, maxLength: 3 }), fc.option(maxspan), alias).map(([fields, m, a]): Command => ({ kind: 'sessionize', fields, maxspan: m, alias: a, span: SPAN })),
);

/** A name in `cidrlookup`: a bare OUTPUT or OUTPUTNEW would be the keyword, so it is written quoted. */
const cidrName: fc.Arbitrary<FieldRef> = fc
  .tuple(fc.oneof(name, fc.constantFrom('output', 'OUTPUTNEW', 'cidr')), fc.boolean())
  .map(([n, q]): FieldRef => ({ kind: 'field', name: n, quoted: q || !isPlainName(n) || ['output', 'outputnew'].includes(n.toLowerCase()), span: SPAN }));

/** A nested query (appendcols): commands only, none nested further. */
const nestedQuery: fc.Arbitrary<Query> = fc
  .array(fc.oneof(projections.map((items): Command => ({ kind: 'fields', items, span: SPAN })), fc.integer({ min: 1, max: 1e6 }).map((count): Command => ({ kind: 'limit', count, span: SPAN }))), { minLength: 1, maxLength: 2 })
  .map((commands) => ({ source: null, commands, span: SPAN }));

const compareCommands: fc.Arbitrary<Command> = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(...SPELLINGS)).map(([amount, [spelling, unit]]): Command => ({ kind: 'logcompare', shift: { kind: 'period', amount, unit: unit as never, text: `${amount}${spelling}`, span: SPAN }, span: SPAN })),
  fc
    .tuple(cidrName, cidrName, fc.option(cidrName), fc.boolean(), fc.array(fc.tuple(fieldRef, fc.option(fieldRef)), { minLength: 1, maxLength: 3 }))
    .map(([table, ipField, cidrColumn, outputNew, outputs]): Command => ({ kind: 'cidrlookup', table, ipField, cidrColumn, outputNew, outputs: outputs.map(([tableField, eventField]) => ({ tableField, eventField, span: SPAN })), span: SPAN })),
  fc
    .tuple(fc.option(fc.constantFrom<'remove' | 'transform'>('remove', 'transform')), fc.option(fc.constantFrom('2.5', '3.0', '1', '0.5e1')), fc.option(fc.boolean()), fc.option(fc.boolean()), fc.array(fc.oneof(fieldRef, fc.constantFrom('mark', 'param', 'x').map((n): FieldRef => ({ kind: 'field', name: n, quoted: false, span: SPAN }))), { minLength: 1, maxLength: 3 }))
    .map(([action, param, uselower, mark, fields]): Command => ({ kind: 'outlier', action, param: param === null ? null : { kind: 'number', value: Number(param), text: param, span: SPAN }, uselower, mark, fields, span: SPAN })),
  fc.tuple(fc.option(fc.boolean()), fc.option(fc.integer({ min: 1, max: 100_000 })), nestedQuery).map(([override, max, query]): Command => ({ kind: 'appendcols', override, max, query, span: SPAN })),
);

const command: fc.Arbitrary<Command> = fc.oneof(
  windowCommand,
  compareCommands,
  filterIndex,
  fc.constant<Command>({ kind: 'anomaly', span: SPAN }),
  projections.map((items): Command => ({ kind: 'fields', items, span: SPAN })),
  projections.map((items): Command => ({ kind: 'display', items, span: SPAN })),
  expr.map((e): Command => ({ kind: 'filter', expr: e, span: SPAN })),
  fc.tuple(projections, fc.array(projection, { maxLength: 3 })).map(([aggregations, by]): Command => ({ kind: 'stats', aggregations, by, span: SPAN })),
  // `by ... offset 1h`: the offset only after a by clause.
  fc
    .tuple(projections, projections, fc.integer({ min: 1, max: 1000 }), fc.constantFrom(...SPELLINGS))
    .map(([aggregations, by, amount, [spelling, unit]]): Command => ({ kind: 'stats', aggregations, by, offset: { kind: 'period', amount, unit: unit as never, text: `${amount}${spelling}`, span: SPAN }, span: SPAN })),
  fc
    .array(fc.tuple(fieldRef, fc.boolean(), fc.boolean()), { minLength: 1, maxLength: 3 })
    .map((keys): Command => ({ kind: 'sort', keys: keys.map(([e, explicit, desc]) => ({ expr: e, explicit, descending: explicit && desc, span: SPAN })), span: SPAN })),
  fc.tuple(fc.integer({ min: 1, max: 1e9 }), fc.boolean()).map(([count, any]): Command => (any ? { kind: 'limit', count, any, span: SPAN } : { kind: 'limit', count, span: SPAN })),
  parseCommand,
  fc.array(fieldRef, { minLength: 1, maxLength: 3 }).map((fields): Command => ({ kind: 'dedup', fields, span: SPAN })),
  expr.map((e): Command => ({ kind: 'pattern', field: e, span: SPAN })),
  expr.map((e): Command => ({ kind: 'unmask', field: e, span: SPAN })),
  fc.constantFrom('previous', 'previousDay', 'previousWeek', 'previousMonth').map((period): Command => ({ kind: 'diff', period: period as never, span: SPAN })),
  fc.tuple(fieldRef, name).map(([field, into]): Command => ({ kind: 'unnest', field, into, span: SPAN })),
  fieldRef.map((field): Command => ({ kind: 'expand', field, span: SPAN })),
  fc
    .tuple(fieldRef, fc.string({ unit: 'binary', minLength: 1, maxLength: 8 }), fc.constantFrom<'"' | "'">('"', "'"), name)
    .map(([field, path, quote, alias]): Command => ({ kind: 'json', field, path, quote, alias, span: SPAN })),
  fc
    .tuple(fc.option(name), fc.option(fc.boolean()), fc.option(fc.boolean()), fc.array(fc.oneof(fieldRef, fc.constantFrom('row', 'col', 'fieldname', 'Total').map((n): FieldRef => ({ kind: 'field', name: n, quoted: false, span: SPAN }))), { maxLength: 3 }))
    .map(([fieldName, row, col, fields]): Command => ({ kind: 'addtotals', fieldName, row, col, fields, span: SPAN })),
  fc
    .tuple(lookupName, fc.array(fc.tuple(lookupName, fc.option(lookupName)), { minLength: 1, maxLength: 3 }), fc.array(lookupName, { minLength: 1, maxLength: 3 }))
    .map(([table, keys, outputs]): Command => ({ kind: 'lookup', table, keys: keys.map(([tableField, logField]) => ({ tableField, logField, span: SPAN })), outputs, span: SPAN })),
);

const UNITS_MS = [1, 1000, 60_000, 3_600_000, 86_400_000, 604_800_000];
const time = fc.oneof(
  fc.constant({ ms: null, offsetMs: null }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }).map((ms) => ({ ms, offsetMs: null })),
  fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.constantFrom(...UNITS_MS)).map(([k, unit]) => ({ ms: null, offsetMs: k === 0 ? 0 : k * unit })),
);
const strings = fc.array(fc.string({ unit: 'binary', maxLength: 6 }), { maxLength: 3 });
const nonEmpty = fc.string({ unit: 'binary', minLength: 1, maxLength: 6 });
const dataSources = fc.array(nonEmpty, { maxLength: 3 });
const tagFilters = fc.array(fc.record({ key: nonEmpty, values: strings }), { maxLength: 3 });
const source: fc.Arbitrary<SourceClause> = fc
  .tuple(strings, strings, strings, fc.option(fc.string({ unit: 'binary', maxLength: 6 })), dataSources, tagFilters, time, time)
  .map(([names, namePrefixes, accountIdentifiers, logGroupClass, dataSources, tagFilters, start, end]) => ({
    names,
    namePrefixes,
    accountIdentifiers,
    logGroupClass,
    dataSources,
    tagFilters,
    startMs: start.ms,
    startOffsetMs: start.offsetMs,
    endMs: end.ms,
    endOffsetMs: end.offsetMs,
    span: SPAN,
  }));

const query: fc.Arbitrary<Query> = fc.tuple(fc.option(source), fc.array(command, { maxLength: 5 })).map(([src, cmds]) => {
  // AWS: only `limit` may follow `dedup`.
  const at = cmds.findIndex((c) => c.kind === 'dedup');
  const commands = at < 0 ? cmds : [...cmds.slice(0, at + 1), ...cmds.slice(at + 1).filter((c) => c.kind === 'limit')];
  if (src === null && commands.length === 0) commands.push({ kind: 'diff', period: 'previous', span: SPAN });
  return { source: src, commands, span: SPAN };
});

// ---------------------------------------------------------------------------------------------

test('round trip: parseQuery(formatQuery(q)) is q, spans aside, for random queries', () => {
  fc.assert(
    fc.property(query, (q) => {
      const text = formatQuery(q);
      const back = parseQuery(text);
      assert.deepEqual(stripSpans(back), stripSpans(q), text);
      assert.equal(formatQuery(back), text, 'formatting is idempotent');
      assert.deepEqual(spanProblems(text, back), [], text);
    }),
    { numRuns: 3000 },
  );
});

const PIECES = [
  'fields', 'filter', 'stats', 'sort', 'limit', 'parse', 'dedup', 'pattern', 'diff', 'unmask', 'display', 'where', 'SOURCE', 'logGroups', 'into', 'row=', 'col=true', 'fieldname=',
  'lookup', 'OUTPUT', 'expand', 'multi', 'accum', 'autoregress', 'p=1-4', 'p=2', 'filldown', 'cpu*', 'fillmissing', 'with', 'for', 'countFrequent', 'count_frequent', 'sessionize', 'maxspan',
  'OUTPUTNEW', 'relevantfields', 'action=remove', 'mark=', 'param=2.5', 'override=true', 'max=3', 'timeshift',
  '(', ')', '[', ']', ',', '|', ' ', '\n', '#c\n', 'a', '@message', 'x.y', '`q r`', '"s"', "'t'", '/re/', '/(?<n>x)/', '5m', '1.5', '-', '+',
  '*', '/', '%', '^', '=', '!=', '<', '<=', '>', '>=', '=~', 'like', 'not', 'in', 'and', 'or', 'as', 'by', 'asc', 'desc', 'count(*)', 'bin(',
  'namePrefix:', 'class:', "['p']", 'START=', 'END=', '0', '-1h', 'now', 'any', 'previousDay', '"*"', '"* *"', '"', '`', '\\', '1e3', 'é', '😀',
];

const COMMAND_WORDS = ['fields ', 'filter ', 'stats ', 'sort ', 'limit ', 'parse ', 'dedup ', 'pattern ', 'diff ', 'unmask ', 'display ', 'where ', 'SOURCE ', 'unnest ', 'addtotals ', 'expand ', 'lookup ', 'json ', 'accum ', 'autoregress ', 'filldown ', 'fillmissing ', 'countFrequent ', 'count_frequent ', 'sessionize ', 'relevantfields ', 'logcompare timeshift ', 'cidrlookup ', 'outlier ', 'appendcols '];

function parsesOrFailsCleanly(text: string): boolean {
  let q: Query;
  try {
    q = parseQuery(text);
  } catch (e) {
    if (!(e instanceof QueryError)) throw e;
    assert.ok(0 <= e.span.start && e.span.start <= e.span.end && e.span.end <= text.length, `span ${JSON.stringify(e.span)} outside ${JSON.stringify(text)}`);
    assert.match(e.message, /^(unexpected symbol found .* at line \d+ and position \d+: |parse pattern )/);
    return false;
  }
  const formatted = formatQuery(q);
  assert.deepEqual(stripSpans(parseQuery(formatted)), stripSpans(q), `${text} -> ${formatted}`);
  assert.deepEqual(spanProblems(text, q), [], text);
  return true;
}

test('any string: parseQuery returns or throws a QueryError with a span inside the string', () => {
  let parsed = 0;
  fc.assert(
    // Segments that start with a command word parse often enough to test the success path too.
    fc.property(fc.array(fc.tuple(fc.constantFrom(...COMMAND_WORDS), fc.array(fc.constantFrom(...PIECES), { maxLength: 5 })), { minLength: 1, maxLength: 3 }), fc.boolean(), (segments, spaced) => {
      const text = segments.map(([c, xs]) => [c, ...xs].join(spaced ? ' ' : '')).join(' | ');
      if (parsesOrFailsCleanly(text)) parsed++;
    }),
    { numRuns: 10_000 },
  );
  fc.assert(fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 14 }), (xs) => void parsesOrFailsCleanly(xs.join(''))), { numRuns: 5000 });
  fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => void parsesOrFailsCleanly(s)), { numRuns: 3000 });
  assert.ok(parsed > 200, `only ${parsed} of the token soups parsed`);
});

test('strings and regexes print so that they read back the same', () => {
  assert.equal(formatString('a"b\\c', '"'), '"a\\"b\\\\c"');
  assert.equal(formatString("it's", "'"), "'it\\'s'");
  assert.equal(formatString('say "hi"', "'"), `'say "hi"'`);
  assert.equal(formatRegex('a/b\\/c'), '/a\\/b\\/c/', 'an unescaped slash is escaped, an escaped one kept');
});
