import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueryError, type Expr, type Query } from './ast.js';
import { formatExpr, formatQuery } from './format.js';
import { spanProblems, stripSpans } from './parse-testing.js';
import { parseQuery } from './parse.js';

const filterExpr = (text: string): Expr => {
  const c = parseQuery(`filter ${text}`).commands[0]!;
  assert.equal(c.kind, 'filter');
  return (c as { expr: Expr }).expr;
};
/** The expression fully parenthesized, to show how it grouped. */
const grouped = (e: Expr): string => {
  switch (e.kind) {
    case 'binary':
      return `(${grouped(e.left)} ${e.op} ${grouped(e.right)})`;
    case 'unary':
      return `(${e.op === 'not' ? 'not ' : '-'}${grouped(e.operand)})`;
    default:
      return formatExpr(e);
  }
};
const group = (text: string): string => grouped(filterExpr(text));
const same = (a: string, b: string): void => assert.deepEqual(stripSpans(parseQuery(a)), stripSpans(parseQuery(b)), `${a}  vs  ${b}`);

function fails(text: string, start: number, end: number, message: string | RegExp, why = ''): void {
  assert.throws(
    () => parseQuery(text),
    (e: unknown) => {
      assert.ok(e instanceof QueryError, `${text}: ${String(e)} ${why}`);
      assert.deepEqual(e.span, { start, end }, `${text}: span of ${e.message}`);
      if (typeof message === 'string') assert.equal(e.message, message, text);
      else assert.match(e.message, message, text);
      return true;
    },
  );
}

test('precedence: or < and < not < comparisons < + - < * / % < ^ < unary minus', () => {
  assert.equal(group('a or b and c'), '(a or (b and c))');
  assert.equal(group('a and b or c and d'), '((a and b) or (c and d))');
  assert.equal(group('not a = b and c'), '((not (a = b)) and c)');
  assert.equal(group('not not a'), '(not (not a))');
  assert.equal(group('a + b * c ^ d'), '(a + (b * (c ^ d)))');
  assert.equal(group('a - b - c'), '((a - b) - c)');
  assert.equal(group('2 ^ 3 ^ 2'), '((2 ^ 3) ^ 2)', 'left-associative, as in PostgreSQL');
  assert.equal(group('-x ^ 2'), '((-x) ^ 2)');
  assert.equal(group('a < b + 1 and c like /x/ or d not in [1, 2]'), '(((a < (b + 1)) and (c like /x/)) or (d not in [1, 2]))');
  assert.equal(group('a = b = c'), '((a = b) = c)');
  assert.equal(group('(a or b) and c'), '((a or b) and c)');
  assert.equal(group('a % b / c * d'), '(((a % b) / c) * d)');
  assert.equal(group('x =~ /a/ and y != "b"'), '((x =~ /a/) and (y != "b"))');
});

test('a minus before a number is part of the literal; elsewhere it is an operator', () => {
  assert.deepEqual(stripSpans(filterExpr('-2 ^ 2')), {
    kind: 'binary',
    op: '^',
    left: { kind: 'number', value: -2, text: '-2' },
    right: { kind: 'number', value: 2, text: '2' },
  });
  assert.deepEqual(stripSpans(filterExpr('a - -1.5e3')), {
    kind: 'binary',
    op: '-',
    left: { kind: 'field', name: 'a', quoted: false },
    right: { kind: 'number', value: -1500, text: '-1.5e3' },
  });
  assert.deepEqual(stripSpans(filterExpr('a-1')), {
    kind: 'binary',
    op: '-',
    left: { kind: 'field', name: 'a', quoted: false },
    right: { kind: 'number', value: 1, text: '1' },
  });
  assert.deepEqual(stripSpans(filterExpr('-(5)')), { kind: 'unary', op: '-', operand: { kind: 'number', value: 5, text: '5' } });
  assert.equal(group('- - x'), '(-(-x))');
});

test('literals: numbers, periods in every spelling AWS lists, strings, regexes, lists', () => {
  for (const [text, value] of [['0', 0], ['42', 42], ['0.5', 0.5], ['1e3', 1000], ['2.5E-3', 0.0025], ['123456789012', 123456789012]] as const) {
    assert.deepEqual(stripSpans(filterExpr(text)), { kind: 'number', value, text });
  }
  const periods: [string, number, string][] = [
    ['5m', 5, 'm'], ['1h', 1, 'h'], ['30s', 30, 's'], ['1d', 1, 'd'], ['2w', 2, 'w'], ['10ms', 10, 'ms'],
    ['1millisecond', 1, 'ms'], ['3msec', 3, 'ms'], ['3msecs', 3, 'ms'], ['5second', 5, 's'], ['5seconds', 5, 's'],
    ['5sec', 5, 's'], ['5secs', 5, 's'], ['5minute', 5, 'm'], ['5minutes', 5, 'm'], ['5min', 5, 'm'], ['5mins', 5, 'm'],
    ['1hour', 1, 'h'], ['2hours', 2, 'h'], ['1hr', 1, 'h'], ['2hrs', 2, 'h'], ['1day', 1, 'd'], ['7days', 7, 'd'],
    ['1week', 1, 'w'], ['2weeks', 2, 'w'], ['1month', 1, 'mo'], ['2months', 2, 'mo'], ['1mo', 1, 'mo'], ['2mos', 2, 'mo'],
    ['1mon', 1, 'mo'], ['2mons', 2, 'mo'], ['1quarter', 1, 'q'], ['1q', 1, 'q'], ['1qtr', 1, 'q'], ['2qtrs', 2, 'q'],
    ['1year', 1, 'y'], ['1y', 1, 'y'], ['1yr', 1, 'y'], ['3yrs', 3, 'y'], ['5MIN', 5, 'm'], ['1H', 1, 'h'],
  ];
  for (const [text, amount, unit] of periods) {
    assert.deepEqual(stripSpans(filterExpr(`bin(${text})`)), { kind: 'call', name: 'bin', args: [{ kind: 'period', amount, unit, text }], star: false }, text);
  }
  assert.deepEqual(stripSpans(filterExpr(`"a\\"b" = 'c\\'d\\\\e\\n'`)), {
    kind: 'binary',
    op: '=',
    left: { kind: 'string', value: 'a"b', quote: '"' },
    right: { kind: 'string', value: "c'd\\e\\n", quote: "'" },
  });
  assert.deepEqual(stripSpans(filterExpr(String.raw`x like /(?i)a\/b\d/`)), {
    kind: 'binary',
    op: 'like',
    left: { kind: 'field', name: 'x', quoted: false },
    right: { kind: 'regex', pattern: String.raw`(?i)a\/b\d` },
  });
  assert.deepEqual(stripSpans(filterExpr('x in []')), { kind: 'binary', op: 'in', left: { kind: 'field', name: 'x', quoted: false }, right: { kind: 'list', items: [] } });
  assert.deepEqual(stripSpans(filterExpr('count(*)')), { kind: 'call', name: 'count', args: [], star: true });
  assert.deepEqual(stripSpans(filterExpr('count()')), { kind: 'call', name: 'count', args: [], star: false });
  assert.deepEqual(stripSpans(filterExpr('avg (x)')), { kind: 'call', name: 'avg', args: [{ kind: 'field', name: 'x', quoted: false }], star: false });
});

test('field names: @ and dots bare, anything else in backquotes; keywords only in backquotes', () => {
  assert.deepEqual(stripSpans(filterExpr('@entity.Attributes.EC2.InstanceId')), { kind: 'field', name: '@entity.Attributes.EC2.InstanceId', quoted: false });
  assert.deepEqual(stripSpans(filterExpr('a.b.0.c')), { kind: 'field', name: 'a.b.0.c', quoted: false });
  assert.deepEqual(stripSpans(filterExpr('`foo-bar baz`')), { kind: 'field', name: 'foo-bar baz', quoted: true });
  assert.deepEqual(stripSpans(filterExpr('`by`')), { kind: 'field', name: 'by', quoted: true });
  fails('filter by = 1', 7, 9, "unexpected symbol found by at line 1 and position 7: expected an expression after 'filter' ('by' is a keyword: write `by` for a field of that name)");
  fails('fields ``', 7, 9, 'unexpected symbol found `` at line 1 and position 7: expected a field name between the backquotes');
  fails('fields `open', 7, 12, 'unexpected symbol found `open at line 1 and position 7: expected a closing ` to end the field name');
});

test('command names and keywords are case-insensitive', () => {
  same('FIELDS a AS b | FILTER x AND NOT y OR z NOT LIKE /q/ | STATS count(*) BY c | SORT c DESC | LIMIT 5', 'fields a as b | filter x and not y or z not like /q/ | stats count(*) by c | sort c desc | limit 5');
  same('Filter x In [1] | Where y Not In [2]', 'filter x in [1] | filter y not in [2]');
  same('DIFF PREVIOUSDAY', 'diff previousDay');
  same('source LOGGROUPS(NAMEPREFIX: ["a"]) start=1 end=2 | fields x', "SOURCE logGroups(namePrefix: ['a']) START=1 END=2 | fields x");
});

test('comments run from # to the end of the line, except inside literals', () => {
  same('# first\nfields a # trailing | filter b\n| filter "#x" = `#y` # done', 'fields a | filter "#x" = `#y`');
  same('fields a\r\n# | filter b\r\n| sort a', 'fields a | sort a');
  assert.deepEqual(stripSpans(filterExpr('x like /#/')), { kind: 'binary', op: 'like', left: { kind: 'field', name: 'x', quoted: false }, right: { kind: 'regex', pattern: '#' } });
});

test('spans: each node covers exactly its own text', () => {
  const text = 'fields @timestamp, abs(f3 - f4) as d\n| filter (a = "x") and not b\n| sort d desc, @timestamp';
  const q = parseQuery(text);
  assert.deepEqual(spanProblems(text, q), []);
  assert.deepEqual(q.span, { start: 0, end: text.length });
  const [fields, filter, sort] = q.commands;
  assert.deepEqual(fields!.span, { start: 0, end: 36 });
  assert.ok(fields!.kind === 'fields');
  assert.deepEqual(fields.items[1]!.span, { start: 19, end: 36 });
  const call = fields.items[1]!.expr;
  assert.ok(call.kind === 'call');
  assert.deepEqual(call.nameSpan, { start: 19, end: 22 });
  assert.deepEqual(call.args[0]!.span, { start: 23, end: 30 });
  assert.ok(filter!.kind === 'filter' && filter.expr.kind === 'binary');
  assert.deepEqual(filter.span, { start: 39, end: 65 });
  assert.deepEqual(filter.expr.span, { start: 46, end: 65 }, 'the and starts at the parenthesis of its left operand');
  assert.deepEqual(filter.expr.left.span, { start: 47, end: 54 }, 'the comparison itself, without parentheses');
  assert.deepEqual(filter.expr.opSpan, { start: 56, end: 59 });
  assert.ok(sort!.kind === 'sort');
  assert.deepEqual(sort.keys.map((k) => k.span), [{ start: 73, end: 79 }, { start: 81, end: 91 }]);
  const notLike = filterExpr('a not  like b');
  assert.ok(notLike.kind === 'binary');
  assert.deepEqual(notLike.opSpan, { start: 9, end: 18 });
  // The checker itself must notice a wrong span.
  const broken = structuredClone(q) as Query;
  (broken.commands[0] as { items: { expr: Expr }[] }).items[0]!.expr.span = { start: 7, end: 12 };
  assert.equal(spanProblems(text, broken).length, 1);
});

test('SOURCE: every documented form, and the one DescribeQueries shows', () => {
  const src = (text: string) => stripSpans(parseQuery(text).source);
  const empty = { names: [], namePrefixes: [], accountIdentifiers: [], logGroupClass: null, dataSources: [], tagFilters: [], startMs: null, endMs: null, startOffsetMs: null, endOffsetMs: null };
  assert.deepEqual(src('SOURCE logGroups()'), empty);
  assert.deepEqual(src("SOURCE logGroups(namePrefix: ['a', 'b'], class: 'STANDARD')"), { ...empty, namePrefixes: ['a', 'b'], logGroupClass: 'STANDARD' });
  assert.deepEqual(src("SOURCE logGroups(class: ['INFREQUENT_ACCESS'], accountIdentifiers:['111122223333'])"), { ...empty, logGroupClass: 'INFREQUENT_ACCESS', accountIdentifiers: ['111122223333'] });
  assert.deepEqual(src('SOURCE "group-name" START=1700000000000 END=1700000100999 | fields @message'), { ...empty, names: ['group-name'], startMs: 1700000000000, endMs: 1700000100999 });
  assert.deepEqual(src('SOURCE "/aws/a" "/aws/b" START=1 END=2|fields x'), { ...empty, names: ['/aws/a', '/aws/b'], startMs: 1, endMs: 2 });
  assert.deepEqual(src("SOURCE 'a' SOURCE b | fields x"), { ...empty, names: ['a', 'b'] });
  assert.deepEqual(src('SOURCE lg start=-1d end=now'), { ...empty, names: ['lg'], startOffsetMs: -86_400_000, endOffsetMs: 0 });
  assert.deepEqual(src('SOURCE logGroups() START=-3600s END=0s'), { ...empty, startOffsetMs: -3_600_000, endOffsetMs: 0 });
  assert.deepEqual(src('SOURCE logGroups() START=2026-01-23T00:00:00.000Z END=2026-01-23T00:00:01+01:00'), { ...empty, startMs: Date.UTC(2026, 0, 23), endMs: Date.UTC(2026, 0, 22, 23, 0, 1) });
  assert.deepEqual(src("SOURCE logGroups(logGroupIdentifier: ['x'], namePrefix: ['y'])"), { ...empty, names: ['x'], namePrefixes: ['y'] });
  // The data source and tag selectors (CWL_QuerySyntax-Source, the command table), alone or combined.
  assert.deepEqual(src("SOURCE dataSource(['amazon_vpc.flow'])"), { ...empty, dataSources: ['amazon_vpc.flow'] });
  assert.deepEqual(src("SOURCE dataSource(['amazon_vpc.flow']) logGroups(namePrefix: ['namePrefix1']) | fields x"), { ...empty, dataSources: ['amazon_vpc.flow'], namePrefixes: ['namePrefix1'] });
  assert.deepEqual(src(`SOURCE logGroupTags([{"key":"Application","values":["checkout"]}]) | fields x`), { ...empty, tagFilters: [{ key: 'Application', values: ['checkout'] }] });
  assert.deepEqual(src("SOURCE logGroupTags([{key: 'team', values: ['a', 'b']}, {key: 'env'}]) logGroups(class: 'STANDARD') dataSource('x')"), {
    ...empty,
    tagFilters: [{ key: 'team', values: ['a', 'b'] }, { key: 'env', values: [] }],
    logGroupClass: 'STANDARD',
    dataSources: ['x'],
  });
  const q = parseQuery('SOURCE "g" START=1 END=2 | fields x');
  assert.deepEqual(q.source!.span, { start: 0, end: 24 });
  assert.equal(formatQuery(parseQuery("SOURCE logGroups() dataSource(['a.b']) logGroupTags([{values: [], key: 'k'}])")), "SOURCE dataSource(['a.b']) logGroupTags([{key: 'k'}])");
  assert.equal(formatQuery(parseQuery("SOURCE logGroups(logGroupIdentifier: ['x'], namePrefix: ['y']) START=-90s END=-1500ms")), "SOURCE logGroups(logGroupIdentifiers: ['x'], namePrefix: ['y']) START=-90s END=-1500ms");
});

test('SOURCE errors point at the offending token', () => {
  fails("SOURCE logGroups(prefix: ['a'])", 17, 23, "unexpected symbol found prefix at line 1 and position 17: expected namePrefix, accountIdentifiers or class after '('");
  fails("SOURCE logGroups(class: ['A', 'B'])", 24, 34, "unexpected symbol found ['A', 'B'] at line 1 and position 24: expected one log class: 'STANDARD' or 'INFREQUENT_ACCESS'");
  fails("SOURCE logGroups(namePrefix: ['a'], namePrefix: ['b'])", 36, 46, /^unexpected symbol found namePrefix at line 1 and position 36: expected each of/);
  fails('SOURCE "g" START=1 START=2', 19, 24, 'unexpected symbol found START at line 1 and position 19: expected START= only once');
  fails('SOURCE "g" START=yesterday', 17, 26, /^unexpected symbol found yesterday at line 1 and position 17: expected epoch milliseconds, an ISO 8601 time, now, or a relative time/);
  fails('SOURCE "g" END=-1mo', 15, 19, /^unexpected symbol found -1mo at line 1 and position 15/);
  fails('SOURCE "g" fields x', 11, 17, "unexpected symbol found fields at line 1 and position 11: expected '|' and a command after the SOURCE clause after '\"g\"'");
  fails('SOURCE', 6, 6, "unexpected symbol found <EOF> at line 1 and position 6: expected logGroups(...), dataSource([...]), logGroupTags([...]) or a log group name in quotes after 'SOURCE'");
  fails("SOURCE logGroups(namePrefix: ['a', 'b', 'c', 'd', 'e', 'f'])", 29, 59, /expected at most 5 name prefixes$/);
  fails(`SOURCE dataSource([${Array.from({ length: 11 }, (_, i) => `'s${i}'`).join(', ')}])`, 18, 85, /expected one to 10 data source names/);
  fails('SOURCE dataSource([])', 18, 20, /expected one to 10 data source names/);
  fails("SOURCE dataSource(['a']) dataSource(['b'])", 25, 35, /expected dataSource\(\[\.\.\.\]\) only once in a SOURCE clause$/);
  fails("SOURCE logGroupTags([{values: ['x']}])", 21, 36, /expected a key in the tag/);
  fails("SOURCE logGroupTags([{key: 'a', key: 'b'}])", 32, 35, /expected values after ','$/);
  fails("SOURCE logGroupTags([{key: team}])", 27, 31, /expected the tag key in quotes/);
  fails('SOURCE logGroupTags([])', 21, 22, /expected '\{' and a tag/);
  fails('SOURCE logGroupTags(team)', 20, 24, /expected '\[' and a list of tags/);
  fails('SOURCE "g" |', 12, 12, /^unexpected symbol found <EOF> at line 1 and position 12: expected a command/);
});

test('parse: glob, regex, implicit @message, and the checks AWS documents', () => {
  const p = parseQuery('parse @message "[*] *" as level, msg').commands[0]!;
  assert.deepEqual(stripSpans(p), {
    kind: 'parse',
    field: { kind: 'field', name: '@message', quoted: false },
    pattern: { kind: 'glob', text: '[*] *', quote: '"' },
    names: ['level', 'msg'],
  });
  const implicit = parseQuery("parse '*=*' as k, v").commands[0]!;
  assert.ok(implicit.kind === 'parse');
  assert.deepEqual(implicit.field, { kind: 'field', name: '@message', quoted: false, span: { start: 6, end: 6 } });
  const re = parseQuery('parse /(?<a>\\d+)-(?P<b>x)(?:y)\\(?<c>/').commands[0]!;
  assert.ok(re.kind === 'parse');
  assert.deepEqual(re.names, ['a', 'b'], 'named groups, not escaped parentheses or non-capturing groups');
  same('parse toupper(@message) "*" as x', 'parse toupper(@message) "*" as x');
  same('parse @message /(?<x>.)/ | limit 1', 'parse @message /(?<x>.)/ | limit 1');
  fails('parse @message "* *" as a', 15, 25, `parse pattern "* *" at line 1 and position 15 has 2 * wildcards but 1 name follows 'as': expected one name per *`);
  fails('parse @message "*"', 18, 18, "unexpected symbol found <EOF> at line 1 and position 18: expected 'as' and the names of the extracted fields after '\"*\"'");
  fails('parse @message /abc/', 15, 20, "unexpected symbol found /abc/ at line 1 and position 15: expected a regular expression with named capture groups such as (?<name>...), or 'as' and a name for each group after it");
  // AWS's other forms on the parse page: names after a regex, csv, and `json field=`.
  const aliased = parseQuery('parse @message /(\\d+\\.\\d+)/ as ip_addr multi').commands[0]!;
  assert.ok(aliased.kind === 'parse' && aliased.pattern.kind === 'regex');
  assert.deepEqual([aliased.names, aliased.pattern.aliased, aliased.pattern.multi], [['ip_addr'], true, true]);
  same('parse @message /(?<payload>\\{.*\\})/ as payload', 'parse @message /(?<payload>\\{.*\\})/ as payload');
  const csv = parseQuery('parse csv as timestamp, level, message').commands[0]!;
  assert.deepEqual(stripSpans(csv), { kind: 'parse', field: { kind: 'field', name: '@message', quoted: false }, pattern: { kind: 'csv' }, names: ['timestamp', 'level', 'message'] });
  same('parse csv csv as a', 'parse csv csv as a'); // a field called csv, parsed as CSV
  const json = parseQuery('json field=requestContext "identity.sourceIp" as caller_ip').commands[0]!;
  assert.deepEqual(stripSpans(json), { kind: 'json', field: { kind: 'field', name: 'requestContext', quoted: false }, path: 'identity.sourceIp', quote: '"', alias: 'caller_ip' });
  fails('parse @message csv', 18, 18, "unexpected symbol found <EOF> at line 1 and position 18: expected 'as' and a name for each comma-separated value after 'csv'");
  fails('json payload "a" as b', 5, 12, "unexpected symbol found payload at line 1 and position 5: expected field= and the field that holds the JSON after 'json'");
  fails('json field=payload as b', 19, 21, `unexpected symbol found as at line 1 and position 19: expected the key to extract in quotes, such as "user.name" after 'payload'`);
  fails('json field=payload "a"', 22, 22, "unexpected symbol found <EOF> at line 1 and position 22: expected 'as' and a name for the extracted value after '\"a\"'");
  fails('parse @message logfmt lf', 22, 24, "unexpected symbol found lf at line 1 and position 22: expected 'as' and a name for the parsed pairs after 'logfmt'");
  fails('parse @message', 14, 14, "unexpected symbol found <EOF> at line 1 and position 14: expected a pattern in quotes, a /regular expression/, logfmt or csv after '@message'");
});

test('sort takes field names (AWS: `sort bin(1d)` is "unexpected symbol found (")', () => {
  const s = parseQuery('sort a, b ASC, `c d` desc').commands[0]!;
  assert.deepEqual(stripSpans(s), {
    kind: 'sort',
    keys: [
      { expr: { kind: 'field', name: 'a', quoted: false }, descending: false, explicit: false },
      { expr: { kind: 'field', name: 'b', quoted: false }, descending: false, explicit: true },
      { expr: { kind: 'field', name: 'c d', quoted: true }, descending: true, explicit: true },
    ],
  });
  fails('stats count(*) by bin(1d) | sort bin(1d) desc', 36, 37, /^unexpected symbol found \( at line 1 and position 36: expected asc, desc, ',' or '\|' after 'bin'/);
});

test('the command sequence: only limit after dedup, limit values, diff periods, unknown and unsupported commands', () => {
  same('fields a | dedup a, `b` | limit 5', 'fields a | dedup a, `b` | limit 5');
  fails('fields a | dedup a | sort a', 21, 25, "unexpected symbol found sort at line 1 and position 21: only 'limit' may follow 'dedup'");
  fails('limit 0', 6, 7, "unexpected symbol found 0 at line 1 and position 6: expected a whole number of results after 'limit'");
  fails('limit 2.5', 6, 9, "unexpected symbol found 2.5 at line 1 and position 6: expected a whole number of results after 'limit'");
  fails('limit any', 6, 9, "unexpected symbol found any at line 1 and position 6: expected a whole number of results after 'limit'");
  assert.deepEqual(stripSpans(parseQuery('limit any 3').commands[0]), { kind: 'limit', count: 3, any: true });
  assert.deepEqual(stripSpans(parseQuery('limit 3').commands[0]), { kind: 'limit', count: 3 });
  fails('diff yesterday', 5, 14, "unexpected symbol found yesterday at line 1 and position 5: expected previousDay, previousWeek, previousMonth, '|' or the end of the query after 'diff'");
  fails('fields @timestamp, custom_field | count()', 34, 39, /^unexpected symbol found count at line 1 and position 34: expected a command \(fields, display, filter/);
  fails('fields a | head 5', 11, 15, "unexpected symbol found head at line 1 and position 11: Logward does not support the 'head' command");
  fails('fields a | logcompare b', 22, 23, "unexpected symbol found b at line 1 and position 22: expected timeshift and a duration, such as timeshift 7d after 'logcompare'");
  same('filterIndex requestId = "a-1" | limit 5', 'filterIndex requestId = "a-1" | limit 5');
  same('FILTERINDEX ip IN ["198.51.100.0", 7]', 'filterIndex ip in ["198.51.100.0", 7]');
  same('pattern @message | ANOMALY | sort @timestamp desc', 'pattern @message | anomaly | sort @timestamp desc');
  fails('filterIndex ip like "x"', 15, 19, "unexpected symbol found like at line 1 and position 15: expected '=' or 'in' after the indexed field after 'ip'");
  fails('filterIndex ip = concat("a")', 17, 23, "unexpected symbol found concat at line 1 and position 17: expected a string or number value for filterIndex after '='");
  fails('filterIndex ip in "a"', 18, 21, "unexpected symbol found \"a\" at line 1 and position 18: expected '[' and a list of values after 'in' after 'in'");
  fails('filterIndex ip in ["a" "b"]', 23, 26, "unexpected symbol found \"b\" at line 1 and position 23: expected ',' or ']' to end the list of values after '\"a\"'");
  fails('filterIndex = "a"', 12, 13, /^unexpected symbol found = at line 1 and position 12: expected an indexed field name/);
  fails('pattern @message | anomaly x', 27, 28, "unexpected symbol found x at line 1 and position 27: expected '|' or the end of the query after 'anomaly'");
  fails('', 0, 0, /^unexpected symbol found <EOF> at line 1 and position 0: expected a command .* at the start of the query$/);
  fails('  # only a comment\n', 19, 19, /^unexpected symbol found <EOF> at line 2 and position 0: expected a command/);
  fails('fields a |', 10, 10, /^unexpected symbol found <EOF> at line 1 and position 10: expected a command .* after '\|'$/);
  fails('fields a | | filter b', 11, 12, /^unexpected symbol found \| at line 1 and position 11: expected a command/);
  fails('| fields a', 0, 1, /^unexpected symbol found \| at line 1 and position 0: expected a command/);
  // Names are looked up as own keys only (fast-check found `__proto__`).
  fails('__proto__', 0, 9, /^unexpected symbol found __proto__ at line 1 and position 0: expected a command/);
  fails('diff constructor', 5, 16, /^unexpected symbol found constructor at line 1 and position 5: expected previousDay/);
  fails("SOURCE logGroups(__proto__: ['a'])", 17, 26, /^unexpected symbol found __proto__ at line 1 and position 17: expected namePrefix/);
});

test('syntax errors: AWS wording, what was expected, and the offending token as span', () => {
  fails('fields | x', 7, 8, "unexpected symbol found | at line 1 and position 7: expected an expression after 'fields'");
  fails('fields a b', 9, 10, "unexpected symbol found b at line 1 and position 9: expected '|' or the end of the query after 'a'");
  fails('fields a,', 9, 9, "unexpected symbol found <EOF> at line 1 and position 9: expected an expression after ','");
  fails('filter (a = 1', 13, 13, "unexpected symbol found <EOF> at line 1 and position 13: expected ')' to close the '(' at position 7 after '1'");
  fails('filter f(a, b', 13, 13, "unexpected symbol found <EOF> at line 1 and position 13: expected ',' or ')' in the arguments of f() after 'b'");
  fails('filter a in [1, 2', 17, 17, "unexpected symbol found <EOF> at line 1 and position 17: expected ',' or ']' in the list opened at position 12 after '2'");
  fails('filter a = "open', 11, 16, 'unexpected symbol found "open at line 1 and position 11: expected a closing " to end the string');
  fails("filter a = 'it''s'", 15, 18, "unexpected symbol found 's' at line 1 and position 15: expected '|' or the end of the query after ''it''", 'a doubled quote is no escape');
  fails('filter a like /open', 14, 19, 'unexpected symbol found /open at line 1 and position 14: expected a closing / to end the regular expression');
  fails('filter a ~= 1', 9, 10, 'unexpected symbol found ~ at line 1 and position 9: expected a field name, a literal, an operator or a command');
  fails('stats count(*) by bin(5x)', 22, 24, /^unexpected symbol found 5x at line 1 and position 22: expected a number, or a time period such as 5m/);
  fails('stats count(*) by bin(1.5h)', 22, 26, 'unexpected symbol found 1.5h at line 1 and position 22: expected a number');
  fails('fields 2xx', 7, 10, /^unexpected symbol found 2xx at line 1 and position 7: expected a number, or a time period/);
  fails('fields 1e999', 7, 12, 'unexpected symbol found 1e999 at line 1 and position 7: expected a number within the range of a double');
  fails('filter a not b', 13, 14, "unexpected symbol found b at line 1 and position 13: expected 'like' or 'in' after 'not'");
  fails('stats count(*) by', 17, 17, "unexpected symbol found <EOF> at line 1 and position 17: expected an expression after 'by'");
  fails('fields a as', 11, 11, "unexpected symbol found <EOF> at line 1 and position 11: expected a name after 'as'");
  fails('fields a as desc', 12, 16, "unexpected symbol found desc at line 1 and position 12: expected a name after 'as' ('desc' is a keyword: write `desc` for a field of that name)");
  fails('fields a\n| filter b = \n| sort c', 23, 24, "unexpected symbol found | at line 3 and position 0: expected an expression after '='");
  fails('fields "é" | filter 😀', 20, 22, 'unexpected symbol found 😀 at line 1 and position 20: expected a field name, a literal, an operator or a command');
});

test('deep nesting is an error, not a stack overflow', () => {
  fails(`filter ${'('.repeat(5000)}a${')'.repeat(5000)}`, 207, 208, /^unexpected symbol found \( at line 1 and position 207: expected at most 200 levels of nesting$/);
  fails(`filter ${'-'.repeat(5000)}a`, 207, 208, /expected at most 200 levels of nesting/);
  fails(`filter ${'not '.repeat(5000)}a`, 807, 810, /expected at most 200 levels of nesting/);
});

test('unnest: a field, into, a name', () => {
  assert.deepEqual(stripSpans(parseQuery('fields jsonParse(@message) as js | UNNEST js.events INTO event').commands[1]), {
    kind: 'unnest',
    field: { kind: 'field', name: 'js.events', quoted: false },
    into: 'event',
  });
  same('unnest `a b` into `c`', 'unnest `a b` into c');
  fails('fields a | unnest x', 19, 19, "unexpected symbol found <EOF> at line 1 and position 19: expected 'into' and a name for each element after 'x'");
  fails('unnest x as y', 9, 11, "unexpected symbol found as at line 1 and position 9: expected 'into' and a name for each element after 'x'");
  fails('unnest into y', 12, 13, "unexpected symbol found y at line 1 and position 12: expected 'into' and a name for each element after 'into'");
  fails('unnest x into | limit 1', 14, 15, "unexpected symbol found | at line 1 and position 14: expected a name for each element after 'into'");
  fails('unnest jsonParse(x) into y', 16, 17, "unexpected symbol found ( at line 1 and position 16: expected 'into' and a name for each element after 'jsonParse'");
  fails('unnest | limit 1', 7, 8, "unexpected symbol found | at line 1 and position 7: expected the field to unnest after 'unnest'");
});

test('addtotals: options in any order, each once, then the fields', () => {
  const cmd = (q: string): unknown => stripSpans(parseQuery(q).commands.at(-1));
  assert.deepEqual(cmd('fields a, b | addtotals'), { kind: 'addtotals', fieldName: null, row: null, col: null, fields: [] });
  assert.deepEqual(cmd('addtotals col=TRUE Row=false fieldname=`Row Sum` x, row'), {
    kind: 'addtotals',
    fieldName: 'Row Sum',
    row: false,
    col: true,
    fields: [
      { kind: 'field', name: 'x', quoted: false },
      { kind: 'field', name: 'row', quoted: false },
    ],
  });
  same('addtotals col=TRUE Row=false fieldname=`Row Sum` x, row', 'addtotals fieldname=`Row Sum` row=false col=true x, row');
  assert.deepEqual(cmd('limit 1 | addtotals row'), { kind: 'addtotals', fieldName: null, row: null, col: null, fields: [{ kind: 'field', name: 'row', quoted: false }] });
  fails('addtotals row=maybe', 14, 19, "unexpected symbol found maybe at line 1 and position 14: expected true or false after 'row='");
  fails('addtotals col=1', 14, 15, "unexpected symbol found 1 at line 1 and position 14: expected true or false after 'col='");
  fails('addtotals row=true row=false', 19, 22, "unexpected symbol found row at line 1 and position 19: expected each of fieldname=, row= and col= at most once ('row' is given twice)");
  fails('addtotals fieldname=', 20, 20, "unexpected symbol found <EOF> at line 1 and position 20: expected a name for the row total after '='");
  fails('addtotals x col=true', 12, 15, "unexpected symbol found col at line 1 and position 12: expected '|' or the end of the query after 'x'");
  fails('addtotals a,', 12, 12, "unexpected symbol found <EOF> at line 1 and position 12: expected a field to sum after ','");
  fails('addtotals 5', 10, 11, "unexpected symbol found 5 at line 1 and position 10: expected a field to sum or an option (fieldname=, row=, col=) after 'addtotals'");
});
