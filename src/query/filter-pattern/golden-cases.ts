/**
 * The golden table: one row per case, checked by golden.test.ts against both back ends (and the
 * extractor when `extracted` is given). `doc` names the AWS documentation page a case comes from;
 * cases without it are our own edge cases. `match: 'error'` means the pattern must be rejected with a
 * FilterPatternError whose message starts "Invalid filter pattern". It is a TypeScript table rather than
 * one file per case so that cases stay next to the documentation examples they cite; add a row per case.
 *
 * Every documented row was checked against the text of its page (patterns, events and stated outcomes
 * copied as the page prints them). Where a page states no outcome for an event, the group says so and
 * the outcome is the one the page's definitions give. Pages of docs.aws.amazon.com/AmazonCloudWatch/
 * latest/logs/ unless said otherwise; the 2022 and 2023 revisions of FilterAndPatternSyntax are the
 * ones kept in the awsdocs/amazon-cloudwatch-logs-user-guide repository (doc_source/FilterAndPatternSyntax.md).
 */
export interface GoldenCase {
  pattern: string;
  message: string;
  match: boolean | 'error';
  doc?: string;
  /** When given: what extract() returns (TestMetricFilter's extractedValues). */
  extracted?: Record<string, string | number>;
}

const SYNTAX = 'FilterAndPatternSyntax.html (Filter pattern syntax for metric filters, subscription filters, filter log events, and Live Tail)';
const REGEX = 'regex-expressions.html (Supported regular expressions (regex) syntax)';
const UNSTRUCTURED = 'matching-terms-unstructured-log-events.html (Using filter patterns to match terms in unstructured log events)';
const JSON_PAGE = 'matching-terms-json-log-events.html (Using filter patterns to match terms in JSON log events)';
const TMF = 'APIReference/API_TestMetricFilter.html (TestMetricFilter, Examples)';
const SYNTAX_2023 = 'FilterAndPatternSyntax, 2023 revision (Filter and pattern syntax)';
const SYNTAX_2022 = 'FilterAndPatternSyntax, 2022 revision (Filter and Pattern Syntax)';

/** One row per message, all with the same pattern and outcome. */
function each(doc: string | undefined, pattern: string, messages: string[], match: boolean): GoldenCase[] {
  return messages.map((message) => (doc === undefined ? { pattern, message, match } : { doc, pattern, message, match }));
}

/** The JSON pages' example event (current revision: "cluster.name" instead of "ThisFlag"). */
const EVENT = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
  SomeObject: null,
  'cluster.name': 'c',
});

/** The 2022 revision's example event. */
const EVENT_2022 = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
  SomeObject: null,
  ThisFlag: true,
});

/** The 2023 revision's event for dimensions. */
const EVENT_DIMENSIONS = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [
    { name: 'a', id: 1 },
    { name: 'b', id: 2 },
  ],
});

/** The JSON pages' example event for compound conditions. */
const COMPOUND = JSON.stringify({
  user: { id: 1, email: 'John.Stiles@example.com' },
  users: [
    { id: 2, email: 'John.Doe@example.com' },
    { id: 3, email: 'Jane.Doe@example.com' },
  ],
  actions: ['GET', 'PUT', 'DELETE'],
  coordinates: [
    [0, 1, 2],
    [4, 5, 6],
    [7, 8, 9],
  ],
});

/** The space-delimited example event of the 2023 and 2024 revisions. */
const PROD = '127.0.0.1 Prod frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534';

/** TestMetricFilter's access-log events (also the 2022 revision's). */
const ACCESS = [
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
  '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
  '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
] as const;

/** TestMetricFilter's events for `[..., request=*.html*, status_code=4*,]`. */
const HTML = [
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
  '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /about-us/index.html HTTP/1.0" 200 5324',
  '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 404 4355',
  '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /products/index.html HTTP/1.0" 400 1534',
] as const;

/** TestMetricFilter's application-log events. */
const APP = [
  '02 May 2014 00:34:12,525 [INFO] Starting the application',
  '02 May 2014 00:35:14,245 [DEBUG] Database connection established',
  '02 May 2014 00:34:14,663 [INFO] Executing SQL Query',
  '02 May 2014 00:34:16,142 [ERROR] Unhanded exception: InvalidQueryException',
  '02 May 2014 00:34:16,224 [ERROR] Terminating the application',
] as const;

/** The 2024 revision's events for matching terms in order. */
const LEVELS = [
  'INFO 09/25/2014 12:00:00 GET /service/resource/67 1200',
  'INFO 09/25/2014 12:00:01 POST /service/resource/67/part/111 1310',
  'WARNING 09/25/2014 12:00:02 Invalid user request',
  'ERROR 09/25/2014 12:00:02 Failed to process request',
] as const;

/** What TestMetricFilter extracts from ACCESS[i] for the fields it does not name. */
function accessFields(i: 0 | 1 | 2): Record<string, string> {
  const [, time, status, bytes] = /\[(\S+) -0700\] "GET \/apache_pb.gif HTTP\/1.0" (\d+) (\d+)$/.exec(ACCESS[i])!;
  return { $1: '127.0.0.1', $2: '-', $3: 'frank', $4: `${time} -0700`, $5: 'GET /apache_pb.gif HTTP/1.0', $6: status!, $7: bytes! };
}

export const GOLDEN: GoldenCase[] = [
  // ---- Unstructured terms: the current sub-page.
  ...each(UNSTRUCTURED, 'ERROR', ['[ERROR 400] BAD REQUEST', '[ERROR 401] UNAUTHORIZED REQUEST', '[ERROR 419] MISSING ARGUMENTS'], true),
  ...each(UNSTRUCTURED, 'ERROR ARGUMENTS', ['[ERROR 419] MISSING ARGUMENTS', '[ERROR 420] INVALID ARGUMENTS'], true),
  ...each(UNSTRUCTURED, '?ERROR ?ARGUMENTS', ['[ERROR 400] BAD REQUEST', '[ERROR 419] MISSING ARGUMENTS', '[INFO] INVALID ARGUMENTS PROVIDED'], true),
  ...each(UNSTRUCTURED, '"INTERNAL SERVER ERROR"', ['[ERROR 500] INTERNAL SERVER ERROR'], true),
  ...each(UNSTRUCTURED, 'ERROR -ARGUMENTS', ['[ERROR 400] BAD REQUEST', '[ERROR 401] UNAUTHORIZED REQUEST'], true),
  // "Capture all log activity": the page gives no event; any will do.
  ...each(UNSTRUCTURED, '" "', ['[INFO 200] SUCCESSFUL REQUEST', ''], true),

  // ---- Unstructured terms: the syntax page's own section (2024), which also says what does not match.
  ...each(SYNTAX, 'ERROR', ['[ERROR 420] INVALID ARGUMENTS'], true),
  ...each(SYNTAX, 'ERROR ARGUMENTS', ['[ERROR 400] BAD REQUEST', '[ERROR 401] UNAUTHORIZED REQUEST'], false),
  ...each(SYNTAX, '?ERROR ?ARGUMENTS', ['[ERROR 401] UNAUTHORIZED REQUEST', '[ERROR 420] INVALID ARGUMENTS'], true),
  // "If you combine "?" with other filter patterns, all question mark terms will be ignored."
  ...each(SYNTAX, '?ERROR ?ARGUMENTS REQUEST', ['[INFO] REQUEST FAILED', '[WARN] UNAUTHORIZED REQUEST', '[ERROR] 400 BAD REQUEST'], true),
  ...each(SYNTAX, 'ERROR -ARGUMENTS', ['[ERROR 419] MISSING ARGUMENTS', '[ERROR 420] INVALID ARGUMENTS'], false),
  ...each(SYNTAX, '%AUTHORIZED%', ['[ERROR 401] UNAUTHORIZED REQUEST', '[SUCCESS 200] AUTHORIZED REQUEST'], true),

  // ---- Unstructured terms: the 2022 revision.
  ...each(SYNTAX_2022, '""', ['[ERROR] A fatal exception has occurred'], true),
  ...each(SYNTAX_2022, 'ERROR', ['[ERROR] A fatal exception has occurred', 'Exiting with ERRORCODE: -1'], true),
  ...each(SYNTAX_2022, 'ERROR Exception', ['[ERROR] Caught IllegalArgumentException', '[ERROR] Unhandled Exception'], true),
  ...each(SYNTAX_2022, 'Failed to process the request', ['[WARN] Failed to process the request', '[ERROR] Unable to continue: Failed to process the request'], true),
  // "OR Pattern Matching": `ERROR` matches examples 1 and 2, `?ERROR ?WARN` all three, `ERROR WARN`
  // only 1, `ERROR -WARN` 2.
  ...each(SYNTAX_2022, 'ERROR', ['ERROR WARN message', 'ERROR message'], true),
  ...each(SYNTAX_2022, 'ERROR', ['WARN message'], false),
  ...each(SYNTAX_2022, '?ERROR ?WARN', ['ERROR WARN message', 'ERROR message', 'WARN message'], true),
  ...each(SYNTAX_2022, 'ERROR WARN', ['ERROR WARN message'], true),
  ...each(SYNTAX_2022, 'ERROR WARN', ['ERROR message', 'WARN message'], false),
  ...each(SYNTAX_2022, 'ERROR -WARN', ['ERROR message'], true),
  ...each(SYNTAX_2022, 'ERROR -WARN', ['ERROR WARN message', 'WARN message'], false),
  // `[w1=ERROR, w2]` "matches pattern 2 because ERROR is the first word", `[w1=ERROR || w1=WARN, w2]`
  // "matches patterns 2 and 3". (The revision leaves out pattern 1, "ERROR WARN message", which the
  // 2024 revision's "[w1=ERROR, w2]" on a six-field event says it matches too; see LEVELS below.)
  ...each(SYNTAX_2022, '[w1=ERROR, w2]', ['ERROR message'], true),
  ...each(SYNTAX_2022, '[w1=ERROR, w2]', ['WARN message'], false),
  ...each(SYNTAX_2022, '[w1=ERROR || w1=WARN, w2]', ['ERROR message', 'WARN message'], true),
  // `{$.foo = bar}` matches pattern 1, `{$.foo = baz }` pattern 2, and the || of both, 1 and 2.
  ...each(SYNTAX_2022, '{$.foo = bar}', ['{"foo": "bar"}'], true),
  ...each(SYNTAX_2022, '{$.foo = bar}', ['{"foo": "baz"}'], false),
  ...each(SYNTAX_2022, '{$.foo = baz }', ['{"foo": "baz"}'], true),
  ...each(SYNTAX_2022, '{$.foo = baz }', ['{"foo": "bar"}'], false),
  ...each(SYNTAX_2022, '{$.foo = bar || $.foo = baz }', ['{"foo": "bar"}', '{"foo": "baz"}'], true),

  // ---- TestMetricFilter's examples: matches and extractedValues as its sample responses give them.
  // The first response prints "$size": "1534," and "5324," for events 0 and 1 but "4355" for event 2;
  // the trailing commas are a typo of the page (the event has no comma), so the rows expect "1534".
  ...ACCESS.map((message, i) => {
    const f = accessFields(i as 0 | 1 | 2);
    return {
      doc: TMF,
      pattern: '[ip, identity, user_id, timestamp, request, status_code, size]',
      message,
      match: true,
      extracted: { $ip: f.$1!, $identity: f.$2!, $user_id: f.$3!, $timestamp: f.$4!, $request: f.$5!, $status_code: f.$6!, $size: f.$7! },
    };
  }),
  ...ACCESS.map((message, i) => {
    const { $7, ...rest } = accessFields(i as 0 | 1 | 2);
    return { doc: TMF, pattern: '[..., size]', message, match: true, extracted: { ...rest, $size: $7! } };
  }),
  ...ACCESS.map((message, i) => ({ doc: TMF, pattern: '[]', message, match: true, extracted: accessFields(i as 0 | 1 | 2) })),
  ...([0, 2] as const).map((i) => {
    const { $6, $7, ...rest } = accessFields(i);
    return { doc: TMF, pattern: '[..., status_code=200, size]', message: ACCESS[i], match: true, extracted: { ...rest, $status_code: $6!, $size: $7! } };
  }),
  { doc: TMF, pattern: '[..., status_code=200, size]', message: ACCESS[1], match: false },
  {
    doc: TMF,
    pattern: '[..., request=*.html*, status_code=4*,]',
    message: HTML[0],
    match: true,
    extracted: { $status_code: '404', $request: 'GET /index.html HTTP/1.0', $7: '1534', $4: '10/Oct/2000:13:25:15 -0700', $2: '-', $3: 'frank', $1: '127.0.0.1' },
  },
  ...each(TMF, '[..., request=*.html*, status_code=4*,]', [HTML[1], HTML[2]], false),
  {
    doc: TMF,
    pattern: '[..., request=*.html*, status_code=4*,]',
    message: HTML[3],
    match: true,
    extracted: { $status_code: '400', $request: 'GET /products/index.html HTTP/1.0', $7: '1534', $4: '10/Oct/2000:13:25:15 -0700', $2: '-', $3: 'frank', $1: '127.0.0.1' },
  },
  ...each(TMF, '"[ERROR]"', [APP[0], APP[1], APP[2]], false),
  ...[APP[3], APP[4]].map((message) => ({ doc: TMF, pattern: '"[ERROR]"', message, match: true, extracted: {} })),
  ...each(TMF, '"[ERROR]" Exception', [APP[0], APP[1], APP[2], APP[4]], false),
  { doc: TMF, pattern: '"[ERROR]" Exception', message: APP[3], match: true, extracted: {} },

  // ---- JSON: the current sub-page and the 2024 syntax page, over EVENT.
  { doc: JSON_PAGE, pattern: '{ $.eventType = "UpdateTrail" }', message: EVENT, match: true, extracted: { '$.eventType': 'UpdateTrail' } },
  { doc: JSON_PAGE, pattern: '{ $.sourceIPAddress != 123.123.* }', message: EVENT, match: true, extracted: { '$.sourceIPAddress': '111.111.111.111' } },
  { doc: JSON_PAGE, pattern: '{ $.arrayKey[0] = "value" }', message: EVENT, match: true },
  { doc: JSON_PAGE, pattern: '{ $.eventType = %Trail% }', message: EVENT, match: true },
  { doc: JSON_PAGE, pattern: '{ $.arrayKey[*] = %val.{2}% }', message: EVENT, match: true, extracted: { '$.arrayKey[*]': 'value' } },
  { doc: JSON_PAGE, pattern: '{ $.* = %111\\.111\\.111\\.1[0-9]{1,2}% }', message: EVENT, match: true },
  { doc: JSON_PAGE, pattern: "{ $.['cluster.name'] = \"c\" }", message: EVENT, match: true, extracted: { "$.['cluster.name']": 'c' } },
  { doc: JSON_PAGE, pattern: '{ $.SomeObject IS NULL }', message: EVENT, match: true, extracted: { '$.SomeObject': 'null' } },
  { doc: JSON_PAGE, pattern: '{ $.SomeOtherObject NOT EXISTS }', message: EVENT, match: true, extracted: {} },
  // "This pattern works with any JSON logs containing an eventType field, such as" these three; only
  // the third has the eventType the pattern asks for.
  { doc: JSON_PAGE, pattern: '{ $.eventType = "UpdateTrail" }', message: '{"eventType": "UpdateTrail", "source": "cloudtrail"}', match: true },
  ...each(JSON_PAGE, '{ $.eventType = "UpdateTrail" }', ['{"eventType": "UserLogin", "userId": "123"}', '{"eventType": "ConfigUpdate", "component": "database"}'], false),
  // "The variables IS NOT and EXISTS currently aren't supported."
  { doc: JSON_PAGE, pattern: '{ $.SomeObject IS NOT NULL }', message: EVENT, match: 'error' },
  { doc: JSON_PAGE, pattern: '{ $.SomeObject EXISTS }', message: EVENT, match: 'error' },
  // "You can only use up to one wildcard selector in a property selector, and up to three wildcard
  // selectors in a filter pattern with compound expressions."
  { doc: JSON_PAGE, pattern: '{ $.objectList[*].* = 1 }', message: EVENT, match: 'error' },
  { doc: JSON_PAGE, pattern: '{ $.a[*] = 1 || $.b[*] = 1 || $.c[*] = 1 || $.d.* = 1 }', message: EVENT, match: 'error' },
  { doc: JSON_PAGE, pattern: '{ $.arrayKey[*] = x || $.objectList[*].id = 2 || $.* = x }', message: EVENT, match: true },
  // Compound expressions over COMPOUND: matches, matches, does not match, does not match.
  { doc: JSON_PAGE, pattern: '{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', message: COMPOUND, match: true },
  { doc: JSON_PAGE, pattern: '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch" && $.actions[2] = "nonmatch" }', message: COMPOUND, match: true },
  { doc: JSON_PAGE, pattern: '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }', message: COMPOUND, match: false },
  { doc: JSON_PAGE, pattern: '{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', message: COMPOUND, match: false },
  // The syntax page's number examples; it gives them no event, so each gets one it matches.
  ...[
    ['{ $.bandwidth > 75 }', '{"bandwidth": 76}'],
    ['{ $.latency < 50 }', '{"latency": 49.5}'],
    ['{ $.refreshRate >= 60 }', '{"refreshRate": 60}'],
    ['{ $.responseTime <= 5 }', '{"responseTime": 5}'],
    ['{ $.errorCode = 400}', '{"errorCode": 400}'],
    ['{ $.errorCode != 500 }', '{"errorCode": 404}'],
    ['{ $.number[0] = 1e+3 }', '{"number": [1000]}'],
    ['{ $.number[0] != 1e-3 }', '{"number": [0.01]}'],
  ].map(([pattern, message]) => ({ doc: SYNTAX, pattern: pattern!, message: message!, match: true })),

  // ---- JSON: the 2022 and 2023 revisions.
  ...[
    '{ $.eventType = "UpdateTrail" }',
    '{ $.sourceIPAddress != 123.123.* }',
    '{ $.arrayKey[0] = "value" }',
    '{ $.objectList[1].id = 2 }',
    '{ $.SomeObject IS NULL }',
    '{ $.SomeOtherObject NOT EXISTS }',
    '{ $.ThisFlag IS TRUE }',
  ].map((pattern) => ({ doc: SYNTAX_2022, pattern, message: EVENT_2022, match: true })),
  { doc: SYNTAX_2022, pattern: '{ $.objectList[1].id = 2 }', message: EVENT_2022, match: true, extracted: { '$.objectList[1].id': 2 } },
  { doc: SYNTAX_2022, pattern: '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', message: COMPOUND, match: true },
  { doc: SYNTAX_2022, pattern: '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', message: COMPOUND, match: false },
  // "both {$.users = 1} and {$.users != 1} will fail to match a log event where users is an array".
  ...each(SYNTAX_2022, '{$.users = 1}', ['{"users": [1, 2, 3]}'], false),
  ...each(SYNTAX_2022, '{$.users != 1}', ['{"users": [1, 2, 3]}'], false),
  // Number syntax: "An integer with an optional + or - sign, ... or a number in scientific notation";
  // the page's examples, with events of ours that they match.
  ...[
    ['{ $.latency >= 500 }', '{"latency": 500}'],
    ['{ $.numbers[0] < 10e3 }', '{"numbers": [9999]}'],
    ['{ $.numbers[0] < 10e-3 }', '{"numbers": [0.001]}'],
    ['{ $.processes[4].averageRuntime <= 55.5 }', '{"processes": [{}, {}, {}, {}, {"averageRuntime": 55.5}]}'],
    ['{ $.latency > +1000 }', '{"latency": 1001}'],
  ].map(([pattern, message]) => ({ doc: SYNTAX_2022, pattern: pattern!, message: message!, match: true })),
  ...each(SYNTAX_2022, '{ $.latency > +1000 }', ['{"latency": 1000}'], false),
  ...each(SYNTAX_2023, '{ $.number[0] = 1e-3 }', ['{"number": [0.001]}'], true),
  ...each(SYNTAX_2023, '{ $.number[0] != 1e+3 }', ['{"number": [1e3]}'], false),
  // "{ $.latency = * } metricValue: $.latency ... matches the term "latency" in the example JSON log
  // event and publishes a numeric value of 50".
  { doc: SYNTAX_2023, pattern: '{ $.latency = * }', message: '{\n"latency": 50,\n"requestType": "GET"\n}', match: true, extracted: { '$.latency': 50 } },
  // "The metric filter increments the metric whenever a JSON log event contain the properties
  // eventType and "sourceIPAddress"."
  {
    doc: SYNTAX_2023,
    pattern: '{ $.eventType = "*" && $.sourceIPAddress != 123.123.* }',
    message: EVENT_DIMENSIONS,
    match: true,
    extracted: { '$.eventType': 'UpdateTrail', '$.sourceIPAddress': '111.111.111.111' },
  },

  // ---- Space-delimited: the 2023 and 2024 revisions over PROD.
  {
    doc: SYNTAX_2023,
    pattern: '[ip, user, username, timestamp, request =*.html*, status_code = 4*, bytes]',
    message: PROD,
    match: true,
    extracted: { $bytes: '1534', $status_code: '404', $request: 'GET /index.html HTTP/1.0', $timestamp: '10/Oct/2000:13:25:15 -0700', $username: 'frank', $user: 'Prod', $ip: '127.0.0.1' },
  },
  ...each(SYNTAX_2023, '[..., request =*.html*, status_code = 4*, bytes]', [PROD], true),
  ...each(SYNTAX_2023, '[ip, user, username, timestamp, request =*.html*, status_code = 404 || status_code = 410, bytes]', [PROD], true),
  {
    doc: SYNTAX_2023,
    pattern: '[ip, server, username, timestamp, request, status_code, bytes > 1000]',
    message: PROD,
    match: true,
    extracted: { $bytes: '1534', $status_code: '404', $request: 'GET /index.html HTTP/1.0', $timestamp: '10/Oct/2000:13:25:15 -0700', $username: 'frank', $server: 'Prod', $ip: '127.0.0.1' },
  },
  ...each(SYNTAX, '[ip=%127\\.0\\.0\\.[1-9]%, user, username, timestamp, request =*.html*, status_code = 4*, bytes]', [PROD], true),
  // The syntax page's opening list: "Use [ip, user, timestamp, request, status_code = 4*, bytes] to
  // find failed HTTP requests". It names six fields; on the seven-field access log its status_code
  // position falls on the request, so it does not match there.
  ...each(SYNTAX, '[ip, user, timestamp, request, status_code = 4*, bytes]', [PROD], false),
  // LEVELS: `[w1=ERROR, w2]` "returns log events where the first word in the log events is ERROR",
  // `[w1=ERROR || w1=WARNING, w2]` where it "is ERROR or WARNING", `[w1!=ERROR && w1!=WARNING, w2]` where
  // "the first words aren't ERROR and WARNING". The last position takes the rest of the event.
  { doc: SYNTAX, pattern: '[w1=ERROR, w2]', message: LEVELS[3], match: true, extracted: { $w1: 'ERROR', $w2: '09/25/2014 12:00:02 Failed to process request' } },
  ...each(SYNTAX, '[w1=ERROR, w2]', [LEVELS[0], LEVELS[1], LEVELS[2]], false),
  ...each(SYNTAX, '[w1=ERROR || w1=WARNING, w2]', [LEVELS[2], LEVELS[3]], true),
  ...each(SYNTAX, '[w1=ERROR || w1=WARNING, w2]', [LEVELS[0], LEVELS[1]], false),
  ...each(SYNTAX, '[w1!=ERROR && w1!=WARNING, w2]', [LEVELS[0], LEVELS[1]], true),
  ...each(SYNTAX, '[w1!=ERROR && w1!=WARNING, w2]', [LEVELS[2], LEVELS[3]], false),
  // "matches the top level item in a resource URI" / "the child level item".
  ...each(SYNTAX, '[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]', [LEVELS[0]], true),
  ...each(SYNTAX, '[logLevel, date, time, method, url=%/service/resource/[0-9]+$%, response_time]', [LEVELS[1], LEVELS[2], LEVELS[3]], false),
  ...each(SYNTAX, '[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]', [LEVELS[1]], true),
  ...each(SYNTAX, '[logLevel, date, time, method, url=%/service/resource/[0-9]+/part/[0-9]+$%, response_time]', [LEVELS[0], LEVELS[2], LEVELS[3]], false),
  // The 2023 revision writes the OR example `[w1=ERROR || W1=WARNING, w2]`; the 2024 one corrects it to
  // w1. Conditions must name their own field, so the misspelt one is rejected.
  { doc: SYNTAX_2023, pattern: '[w1=ERROR || W1=WARNING, w2]', message: LEVELS[3], match: 'error' },

  // ---- Space-delimited: the 2022 revision's patterns over its access-log events (ACCESS). The page
  // states no outcomes; these are the ones its definitions give.
  ...each(SYNTAX_2022, '[ip, user, username, timestamp, request, status_code, bytes]', [...ACCESS], true),
  ...each(SYNTAX_2022, '[..., status_code, bytes]', [ACCESS[0]], true),
  ...each(SYNTAX_2022, '[ip, user, ..., status_code, bytes]', [ACCESS[0]], true),
  ...each(SYNTAX_2022, '[ip, user, ...]', [ACCESS[0]], true),
  ...each(SYNTAX_2022, '[ip, user, username, timestamp, request, status_code, bytes > 1000]', [ACCESS[0]], true),
  ...each(SYNTAX_2022, '[ip, user, username, timestamp, request, status_code = 200, bytes]', [ACCESS[0], ACCESS[2]], true),
  ...each(SYNTAX_2022, '[ip, user, username, timestamp, request, status_code = 200, bytes]', [ACCESS[1]], false),
  ...each(SYNTAX_2022, '[ip, user, username, timestamp, request, status_code = 4*, bytes]', [...ACCESS], false),
  ...each(SYNTAX_2022, '[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]', [...ACCESS], false),
  ...each(SYNTAX_2022, '[ip, user, username, timestamp, request, status_code = 403 || status_code = 404, bytes]', [...ACCESS], false),
  // The page's `&&` example puts a condition on `bytes` in the status_code position of a pattern that
  // has no bytes field; a condition names its own field, so this is rejected.
  { doc: SYNTAX_2022, pattern: '[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]', message: ACCESS[0], match: 'error' },

  // ---- Regular expressions: regex-expressions.html (the same text as the syntax page's section).
  { doc: REGEX, pattern: '%something!%', message: 'something!', match: 'error' },
  { doc: REGEX, pattern: '%a(b)%', message: 'ab', match: 'error' },
  { doc: REGEX, pattern: '%é%', message: 'é', match: 'error' },
  { doc: REGEX, pattern: '{ $.a = %x% && $.b = %y% && $.c = %z% }', message: '{"a": "x", "b": "y", "c": "z"}', match: 'error' },
  { doc: REGEX, pattern: '[a = %x%, b = %y%, c = %z%]', message: 'x y z', match: 'error' },
  ...each(REGEX, '%AUTHORIZED%', ['[ERROR 401] UNAUTHORIZED REQUEST', '[SUCCESS 200] AUTHORIZED REQUEST'], true),
  // "to match any IP address format" (event ours).
  ...each(REGEX, '%\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}%', ['from 10.0.0.1 port 22'], true),
  ...each(REGEX, '%[Ee]rror|[Ff]ail%', ['Error', 'error', 'Fail', 'fail'], true),
  ...each(REGEX, '%^[hc]at%', ['hat', 'cat'], true),
  ...each(REGEX, '%^[hc]at%', ['a cat'], false),
  ...each(REGEX, '%[hc]at$%', ['hat', 'cat'], true),
  ...each(REGEX, '%[hc]at$%', ['cats'], false),
  ...each(REGEX, '%colou?r%', ['color', 'colour'], true),
  ...each(REGEX, '%[abc]%', ['a', 'b', 'c'], true),
  ...each(REGEX, '%[a-z]%', ['a', 'q', 'z'], true),
  ...each(REGEX, '%[a-z]%', ['Q'], false),
  ...each(REGEX, '%[abcx-z]%', ['a', 'b', 'c', 'x', 'y', 'z'], true),
  ...each(REGEX, '%[abcx-z]%', ['w'], false),
  // "%a{3,5}% matches only "aaa", "aaaa", and "aaaaa"" (a longer run contains one of them).
  ...each(REGEX, '%a{3,5}%', ['aaa', 'aaaa', 'aaaaa'], true),
  ...each(REGEX, '%a{3,5}%', ['aa'], false),
  // "Either m or n can be omitted".
  ...each(REGEX, '%^a{,2}b%', ['b', 'ab', 'aab'], true),
  ...each(REGEX, '%^a{,2}b%', ['aaab'], false),
  ...each(REGEX, '%^a{2,}b%', ['aab', 'aaaab'], true),
  ...each(REGEX, '%^a{2,}b%', ['ab'], false),
  ...each(REGEX, '%gra|ey%', ['gray', 'grey'], true),
  ...each(REGEX, '%^starting|^initializing|^shutting down%', ['starting ...', 'initializing ...', 'shutting down'], true),
  ...each(REGEX, '%^starting|^initializing|^shutting down%', ['skipping initializing ...'], false),
  // The page prints this one without its closing % ("%abcc|ab[^c]$"), and its events as "abcc ...",
  // "aba ...", "aac ..."; with `$` anchoring "aba" at the end, the events are read as the bare words.
  ...each(REGEX, '%abcc|ab[^c]$%', ['abcc', 'aba'], true),
  ...each(REGEX, '%abcc|ab[^c]$%', ['aac'], false),
  ...each(REGEX, '%\\[.\\]%', ['[a]', '[b]', '[7]', '[@]', '[]]', '[ ]'], true),
  ...each(REGEX, '%10\\.10\\.0\\.1%', ['10.10.0.1'], true),
  ...each(REGEX, '%10\\.10\\.0\\.1%', ['10010,051'], false),
  ...each(REGEX, '%ab*c%', ['ac', 'abc', 'abbbc'], true),
  ...each(REGEX, '%ab[0-9]*%', ['ab', 'ab0', 'ab129'], true),
  ...each(REGEX, '%ab+c%', ['abc', 'abbc', 'abbbc'], true),
  ...each(REGEX, '%ab+c%', ['ac'], false),
  ...each(REGEX, '%.at%', ['hat', 'cat', 'bat', '4at', '#at', ' at'], true),
  ...each(REGEX, '%10.10.0.1%', ['10010,051'], true),
  // `\d` "is equivalent to %[0-9]%", `\D` to `%[^0-9]%`, `\w` to `%[a-zA-Z_0-9]%`, `\W` to
  // `%[^a-zA-Z_0-9]%`; whitespace includes "the tab (\t), space( ), and newline (\n)" (events ours).
  ...each(REGEX, '%\\d%', ['7'], true),
  ...each(REGEX, '%\\d%', ['x'], false),
  ...each(REGEX, '%\\D%', ['x'], true),
  ...each(REGEX, '%\\D%', ['7'], false),
  ...each(REGEX, '%\\w%', ['_'], true),
  ...each(REGEX, '%\\w%', ['-'], false),
  ...each(REGEX, '%\\W%', ['-'], true),
  ...each(REGEX, '%\\W%', ['a_1'], false),
  ...each(REGEX, '%a\\sb%', ['a\tb', 'a b', 'a\nb'], true),
  ...each(REGEX, '%\\S%', [' \t\n'], false),
  // "%\x3A% matches :; and %\x28% matches (".
  ...each(REGEX, '%\\x3A%', [':'], true),
  ...each(REGEX, '%\\x28%', ['('], true),

  // ---- Own edge cases: unstructured terms.
  { pattern: 'ERROR', message: 'error: lower case', match: false },
  { pattern: 'café', message: 'un café', match: true },
  { pattern: 'CAFÉ', message: 'café', match: false },
  { pattern: '😀', message: 'hi 😀', match: true },
  { pattern: '"a \\"quoted\\" word"', message: 'say a "quoted" word', match: true },
  { pattern: '"back\\\\slash"', message: 'a back\\slash', match: true },
  { pattern: '?ERROR ?WARN -DEBUG', message: 'INFO ok', match: true },
  { pattern: '?ERROR ?WARN -DEBUG', message: 'ERROR DEBUG', match: false },
  { pattern: '"unterminated', message: '', match: 'error' },
  // ---- Own edge cases: JSON.
  { pattern: '{ $.eventType = "Update*" }', message: EVENT, match: true },
  { pattern: '{ $.eventType = *Trail }', message: EVENT, match: true },
  { pattern: '{ $.eventType = "update*" }', message: EVENT, match: false },
  { pattern: '{ $.eventType != "UpdateTrail" }', message: EVENT, match: false },
  { pattern: '{ $.eventType = %Update[A-Za-z]+% }', message: EVENT, match: true },
  { pattern: '{ $.missing != "x" }', message: EVENT, match: false },
  { pattern: '{ $.objectList[1].id >= 2 && $.objectList[0].id < 1.5 }', message: EVENT, match: true },
  { pattern: '{ $.objectList[*].id = 2 }', message: EVENT, match: true, extracted: { '$.objectList[*].id': 2 } },
  { pattern: '{ $.objectList[*].id = 3 }', message: EVENT, match: false },
  { pattern: '{ $.objectList[*].id != 1 }', message: EVENT, match: true },
  { pattern: '{ $.objectList[*].nope NOT EXISTS }', message: EVENT, match: true },
  { pattern: '{ $.objectList[*].id NOT EXISTS }', message: EVENT, match: false },
  { pattern: '{ $.* = 1 }', message: '{"a": 1}', match: true },
  { pattern: '{ $.* = 1 }', message: '{"a": [1]}', match: false },
  { pattern: '{ $.a[*] = 1 }', message: '{"a": {"x": 1}}', match: false },
  { pattern: '{ $.a.* = 1 }', message: '{"a": [1]}', match: false },
  { pattern: '{ $.coordinates[0][1] = 1 }', message: COMPOUND, match: true },
  { pattern: '{ $.n = * }', message: '{"n": "x"}', match: true },
  { pattern: '{ $.n = * }', message: '{"n": true}', match: false },
  { pattern: '{ $.n = * }', message: '{"n": null}', match: false },
  { pattern: '{ $.n = * }', message: '{"n": [1]}', match: false },
  { pattern: '{ $.n != * }', message: '{"n": 1}', match: false },
  { pattern: '{ $.n > 1e3 }', message: '{"n": 1001}', match: true },
  { pattern: '{ $.n > 1E+3 }', message: '{"n": 1000}', match: false },
  { pattern: '{ $.n = 2.0 }', message: '{"n": 2}', match: true },
  { pattern: '{ $.n = 2 }', message: '{"n": "2"}', match: false },
  { pattern: '{ $.n = "2" }', message: '{"n": 2}', match: false },
  { pattern: '{ $.n = -0 }', message: '{"n": 0}', match: true },
  // Huge numbers: everything is compared as a double, so past 2^53 neighbours are equal, and past the
  // double range a number is infinite.
  { pattern: '{ $.n = 9007199254740993 }', message: '{"n": 9007199254740992}', match: true },
  { pattern: '{ $.n = 18446744073709551616 }', message: '{"n": 18446744073709551616}', match: true },
  { pattern: '{ $.n < -9223372036854775808 }', message: '{"n": -9223372036854775809}', match: false },
  { pattern: '{ $.n > 1e308 }', message: '{"n": 1.7e308}', match: true },
  { pattern: '{ $.n > 1e308 }', message: '{"n": 1e400}', match: true },
  { pattern: '{ $.n = 1e999 }', message: '{"n": 1e400}', match: true },
  { pattern: '{ $.n < 1e-400 }', message: '{"n": 1e-320}', match: false },
  { pattern: '{ $.f IS FALSE }', message: '{"f": false}', match: true },
  { pattern: '{ $.f IS FALSE }', message: '{"f": 0}', match: false },
  { pattern: '{ $.f IS NULL }', message: '{}', match: false },
  { pattern: '{ $.f NOT EXISTS }', message: '{"f": null}', match: false },
  { pattern: '{ $.f NOT EXISTS }', message: 'not json', match: false },
  { pattern: '{ $.f NOT EXISTS }', message: '[1, 2]', match: false },
  { pattern: '{ $.a = 1 || $.b = 1 && $.c = 1 }', message: '{"a": 1, "b": 0, "c": 0}', match: true },
  { pattern: '{ ($.a = 1 || $.b = 1) && $.c = 1 }', message: '{"a": 1, "b": 0, "c": 0}', match: false },
  { pattern: '{ $.a = "50%_off" }', message: '{"a": "50%_off"}', match: true },
  { pattern: '{ $.a = "50%_off" }', message: '{"a": "50%Xoff"}', match: false },
  { pattern: '{ $.a = "" }', message: '{"a": ""}', match: true },
  { pattern: '{ $.a = "" }', message: '{"a": "x"}', match: false },
  { pattern: '{ $.a = "a*b" }', message: '{"a": "a*b"}', match: true },
  { pattern: '{ $.a = "say \\"hi\\"" }', message: '{"a": "say \\"hi\\""}', match: true },
  { pattern: '{ $.a = "C:\\\\temp" }', message: '{"a": "C:\\\\temp"}', match: true },
  { pattern: '{ $.name = "Zoë" }', message: '{"name": "Zo\\u00eb"}', match: true },
  { pattern: '{ $.name = "😀*" }', message: '{"name": "😀 ok"}', match: true },
  { pattern: "{ $.['a b'].c = 1 }", message: '{"a b": {"c": 1}}', match: true },
  { pattern: "{ $['x.y'] = 1 }", message: '{"x": {"y": 1}}', match: false },
  { pattern: '{ $.a[0] = 1 }', message: '{"a": {"0": 1}}', match: false },
  { pattern: '{ $.a.b = 1 }', message: '{"a": [{"b": 1}]}', match: false },
  { pattern: '{ $.a = "x" }', message: '{"a": "x"', match: false },
  { pattern: '{ $.a = }', message: '', match: 'error' },
  { pattern: '{ $.a > "x" }', message: '', match: 'error' },
  { pattern: '{ $.a > x }', message: '', match: 'error' },
  { pattern: '{ $.a[*][*] = 1 }', message: '', match: 'error' },
  { pattern: "{ $.['*'] = 1 }", message: '', match: 'error' },
  { pattern: "{ $.['a = 1 }", message: '', match: 'error' },
  { pattern: '{ $ = 1 }', message: '', match: 'error' },
  { pattern: '{ $.a = 1 ', message: '', match: 'error' },
  { pattern: '{ ($.a = 1 }', message: '', match: 'error' },
  { pattern: '{ $.a IS MAYBE }', message: '', match: 'error' },
  { pattern: '{ $.a = 1 } trailing', message: '', match: 'error' },
  { pattern: '{ $.a = ++1 }', message: '{"a": 1}', match: false },
  // ---- Own edge cases: regex.
  { pattern: '%^[0-9]{3}$%', message: '404', match: true },
  { pattern: '%^[0-9]{3}$%', message: '4040', match: false },
  { pattern: '%a.c%', message: 'a\nc', match: false },
  { pattern: '%a\\sc%', message: 'a\u00a0c', match: false },
  { pattern: '%a\\sc%', message: 'a\tc', match: true },
  { pattern: '%ERR%', message: 'err', match: false },
  { pattern: '%ERROR|WARN%', message: '[WARN] disk', match: true },
  { pattern: '%a b%', message: 'a b', match: true },
  { pattern: '%a{3, 5}%', message: 'aaa', match: true },
  { pattern: '%[\\x41-\\x43]%', message: 'B', match: true },
  { pattern: '%\\x2A%', message: 'a*', match: true },
  { pattern: '%.%', message: '😀', match: true },
  { pattern: '%^.$%', message: '😀', match: true },
  { pattern: '%%', message: '', match: 'error' },
  { pattern: '%ab', message: '', match: 'error' },
  { pattern: '%*a%', message: '', match: 'error' },
  { pattern: '%a{,}%', message: '', match: 'error' },
  { pattern: '%\\xE9%', message: '', match: 'error' },
  { pattern: '%\\x4%', message: '', match: 'error' },
  { pattern: '%a% b', message: '', match: 'error' },
  // ---- Own edge cases: space-delimited.
  { pattern: '[a, b]', message: 'one two three', match: true, extracted: { $a: 'one', $b: 'two three' } },
  { pattern: '[a, b]', message: 'one  [two words]  "and more" ', match: true, extracted: { $a: 'one', $b: '[two words]  "and more"' } },
  { pattern: '[a, b]', message: 'one', match: false },
  { pattern: '[a, b = two*]', message: 'one two three', match: true },
  { pattern: '[a, b = two]', message: 'one two three', match: false },
  { pattern: '[a, b, c]', message: 'one  two three', match: true },
  { pattern: '[a, b = "two words"]', message: 'one "two words"', match: true },
  { pattern: '[a, b = two*]', message: 'one [two words]', match: true },
  { pattern: '[a, b]', message: 'x ""', match: true, extracted: { $a: 'x', $b: '' } },
  { pattern: '[a, b = ""]', message: 'x ""', match: true },
  { pattern: '[a, , c]', message: 'x y z', match: true, extracted: { $a: 'x', $2: 'y', $c: 'z' } },
  { pattern: '[a, ]', message: 'x y', match: true, extracted: { $a: 'x', $2: 'y' } },
  { pattern: '[a, ]', message: 'x', match: false },
  { pattern: '[..., a = é*]', message: 'x éa', match: true },
  { pattern: '[a, b > 10 && b < 20]', message: 'x 15', match: true },
  { pattern: '[a, b > 10 && b < 20]', message: 'x 15ms', match: false },
  { pattern: '[a, b > 1000]', message: 'x +1e999', match: true },
  { pattern: '[a, b != 5]', message: 'x y', match: false },
  { pattern: '[a, b != 5]', message: 'x 6', match: true },
  { pattern: '[a, b != "5"]', message: 'x y', match: true },
  { pattern: '[a, b = %^[0-9]+$%]', message: 'x 123', match: true },
  { pattern: '[a, ..., z = end]', message: 'start end', match: true },
  { pattern: '[a, ..., z = end]', message: 'end', match: false },
  { pattern: '[...]', message: '', match: true, extracted: {} },
  { pattern: '[..., ..., a]', message: '', match: 'error' },
  { pattern: '[a, b = 1 && c = 2]', message: '', match: 'error' },
  { pattern: '[a b]', message: '', match: 'error' },
  { pattern: '[a, b IS NULL]', message: '', match: 'error' },
  { pattern: '[a, b', message: '', match: 'error' },
  { pattern: '[] x', message: '', match: 'error' },
];
