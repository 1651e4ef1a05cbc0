/**
 * The golden table: one row per case, checked by golden.test.ts against both back ends (and the
 * extractor when `extracted` is given). `doc` names the AWS documentation page a case comes from;
 * cases without it are our own edge cases. `match: 'error'` means the pattern must be rejected with a
 * FilterPatternError whose message starts "Invalid filter pattern". It is a TypeScript table rather than
 * one file per case so that cases stay next to the documentation examples they cite; add a row per case.
 */
export interface GoldenCase {
  pattern: string;
  message: string;
  match: boolean | 'error';
  doc?: string;
  /** When given: what extract() returns (TestMetricFilter's extractedValues). */
  extracted?: Record<string, string | number>;
}

// Pages whose examples we could read (in excerpts) while writing this table, and pages whose examples
// are reconstructed from memory of AWS's documentation and were NOT checked against the page text:
// the "(recalled)" ones should be re-checked against docs.aws.amazon.com.
const JSON_PAGE = 'Using filter patterns to match terms in JSON log events';
const JSON_RECALLED = `${JSON_PAGE} (recalled)`;
const DELIMITED_PAGE = 'Using filter patterns to match terms in space-delimited log events (recalled)';
const APACHE = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534';
const APACHE_404 = '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 0';
const SYNTAX_PAGE = 'Filter pattern syntax (FilterAndPatternSyntax.html)';
const SYNTAX_RECALLED = `${SYNTAX_PAGE} (recalled)`;

/** The JSON page's example event. */
const EVENT = JSON.stringify({
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

/** The JSON page's example event for compound conditions. */
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

export const GOLDEN: GoldenCase[] = [
  // JSON page, single conditions over EVENT.
  { doc: JSON_PAGE, pattern: '{ $.eventType = "UpdateTrail" }', message: EVENT, match: true, extracted: { '$.eventType': 'UpdateTrail' } },
  { doc: JSON_PAGE, pattern: '{ $.sourceIPAddress != 123.123.* }', message: EVENT, match: true },
  { doc: JSON_RECALLED, pattern: '{ $.arrayKey[0] = "value" }', message: EVENT, match: true },
  { doc: JSON_RECALLED, pattern: '{ $.objectList[1].id = 2 }', message: EVENT, match: true, extracted: { '$.objectList[1].id': 2 } },
  { doc: JSON_RECALLED, pattern: '{ $.SomeObject IS NULL }', message: EVENT, match: true },
  { doc: JSON_RECALLED, pattern: '{ $.SomeOtherObject NOT EXISTS }', message: EVENT, match: true },
  { doc: JSON_RECALLED, pattern: '{ $.ThisFlag IS TRUE }', message: EVENT, match: true },
  // JSON page, compound conditions over COMPOUND.
  { doc: JSON_RECALLED, pattern: '{($.user.id = 2 && $.users[0].email = "John.Doe@example.com") || $.actions[2] = "GET"}', message: COMPOUND, match: false },
  { doc: JSON_RECALLED, pattern: '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = "nonmatch") && $.actions[2] = "nonmatch" }', message: COMPOUND, match: false },
  { doc: JSON_RECALLED, pattern: '{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', message: COMPOUND, match: true },
  { doc: JSON_RECALLED, pattern: '{ $.coordinates[0][1] = 1 }', message: COMPOUND, match: true },
  // Syntax page: regex (standalone and inside JSON).
  { doc: SYNTAX_PAGE, pattern: '%something!%', message: 'something!', match: 'error' },
  { doc: SYNTAX_RECALLED, pattern: '%ERROR|WARN%', message: '[WARN] disk', match: true },
  { doc: SYNTAX_RECALLED, pattern: '{ $.eventType = %Update[A-Za-z]+% }', message: EVENT, match: true },
  { doc: SYNTAX_PAGE, pattern: '%a(b)%', message: 'ab', match: 'error' },

  // Own edge cases: JSON.
  { pattern: '{ $.eventType = "Update*" }', message: EVENT, match: true },
  { pattern: '{ $.eventType = *Trail }', message: EVENT, match: true },
  { pattern: '{ $.eventType = "update*" }', message: EVENT, match: false },
  { pattern: '{ $.eventType != "UpdateTrail" }', message: EVENT, match: false },
  { pattern: '{ $.missing != "x" }', message: EVENT, match: false },
  { pattern: '{ $.objectList[1].id >= 2 && $.objectList[0].id < 1.5 }', message: EVENT, match: true },
  { pattern: '{ $.n > 1e3 }', message: '{"n": 1001}', match: true },
  { pattern: '{ $.n > 1E+3 }', message: '{"n": 1000}', match: false },
  { pattern: '{ $.n = 2.0 }', message: '{"n": 2}', match: true },
  { pattern: '{ $.n = 2 }', message: '{"n": "2"}', match: false },
  { pattern: '{ $.n = "2" }', message: '{"n": 2}', match: false },
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
  { pattern: '{ $.a[0] = 1 }', message: '{"a": {"0": 1}}', match: false },
  { pattern: '{ $.a.b = 1 }', message: '{"a": [{"b": 1}]}', match: false },
  { pattern: '{ $.a = "x" }', message: '{"a": "x"', match: false },
  { pattern: '{ $.a = }', message: '', match: 'error' },
  { pattern: '{ $.a > "x" }', message: '', match: 'error' },
  { pattern: '{ $.a > x }', message: '', match: 'error' },
  { pattern: '{ $.* = 1 }', message: '', match: 'error' },
  { pattern: '{ $ = 1 }', message: '', match: 'error' },
  { pattern: '{ $.a = 1 ', message: '', match: 'error' },
  { pattern: '{ ($.a = 1 }', message: '', match: 'error' },
  { pattern: '{ $.a IS MAYBE }', message: '', match: 'error' },
  { pattern: '{ $.a = 1 } trailing', message: '', match: 'error' },
  { pattern: '{ $.a = %x% && $.b = %y% && $.c = %z% }', message: '', match: 'error' },
  // Own edge cases: regex.
  { pattern: '%^[0-9]{3}$%', message: '404', match: true },
  { pattern: '%^[0-9]{3}$%', message: '4040', match: false },
  { pattern: '%a.c%', message: 'a\nc', match: false },
  { pattern: '%a\\sc%', message: 'a\u00a0c', match: false },
  { pattern: '%a\\sc%', message: 'a\tc', match: true },
  { pattern: '%ERR%', message: 'err', match: false },
  { pattern: '%%', message: '', match: 'error' },
  { pattern: '%a b%', message: '', match: 'error' },
  { pattern: '%ab', message: '', match: 'error' },
  { pattern: '%*a%', message: '', match: 'error' },
  { pattern: '%é%', message: '', match: 'error' },
  { pattern: '%a% b', message: '', match: 'error' },
  // Space-delimited page: the example Apache access-log event.
  { doc: DELIMITED_PAGE, pattern: '[ip, user, username, timestamp, request, status_code, bytes]', message: APACHE, match: true },
  { doc: DELIMITED_PAGE, pattern: '[ip, user, username, timestamp, request = "*.html*", status_code = 4*, bytes]', message: APACHE, match: false },
  {
    doc: DELIMITED_PAGE,
    pattern: '[ip, user, username, timestamp, request = "*.gif*", status_code = 2*, bytes > 1000]',
    message: APACHE,
    match: true,
    extracted: { $ip: '127.0.0.1', $user: '-', $username: 'frank', $timestamp: '10/Oct/2000:13:25:15 -0700', $request: 'GET /apache_pb.gif HTTP/1.0', $status_code: '200', $bytes: '1534' },
  },
  { doc: DELIMITED_PAGE, pattern: '[ip, user, username, timestamp, request, status_code = 4*, bytes]', message: APACHE_404, match: true },
  { doc: DELIMITED_PAGE, pattern: '[..., status_code = 404, bytes]', message: APACHE_404, match: true },
  { doc: DELIMITED_PAGE, pattern: '[ip, ..., status_code = 4* || status_code = 5*, bytes]', message: APACHE_404, match: true },
  { doc: DELIMITED_PAGE, pattern: '[ip = 127.0.0.1, ...]', message: APACHE, match: true },
  // Own edge cases: space-delimited.
  { pattern: '[a, b]', message: 'one two three', match: false },
  { pattern: '[a, b, c]', message: 'one  two three', match: true },
  { pattern: '[a, b = "two words"]', message: 'one "two words"', match: true },
  { pattern: '[a, b = two*]', message: 'one [two words]', match: true },
  { pattern: '[a, b > 10 && b < 20]', message: 'x 15', match: true },
  { pattern: '[a, b > 10 && b < 20]', message: 'x 15ms', match: false },
  { pattern: '[a, b != 5]', message: 'x y', match: false },
  { pattern: '[a, b != 5]', message: 'x 6', match: true },
  { pattern: '[a, b != "5"]', message: 'x y', match: true },
  { pattern: '[a, b = %^[0-9]+$%]', message: 'x 123', match: true },
  { pattern: '[a, ..., z = end]', message: 'start end', match: true },
  { pattern: '[a, ..., z = end]', message: 'end', match: false },
  { pattern: '[..., ..., a]', message: '', match: 'error' },
  { pattern: '[a, b = 1 && c = 2]', message: '', match: 'error' },
  { pattern: '[a b]', message: '', match: 'error' },
  { pattern: '[a, b IS NULL]', message: '', match: 'error' },
  { pattern: '[a, ]', message: '', match: 'error' },
];
