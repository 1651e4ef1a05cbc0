import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { ApiError, MESSAGES } from '../errors.js';
import type { ShapeSpec } from './types.js';
import { ModelValidator, validateRequest } from './validate.js';

const ROOT = new URL('../../../../', import.meta.url);
/** Responses recorded from real AWS, kept in the repository (see test/fixtures/aws-recorded-responses/README.md). */
const RECORDED = new URL('test/fixtures/aws-recorded-responses/', ROOT);

function rejection(operation: string, input: unknown): ApiError {
  try {
    validateRequest(operation, input);
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  return assert.fail(`${operation} accepted ${JSON.stringify(input).slice(0, 200)}`);
}

function rejects(operation: string, input: unknown, code: string, message: string): void {
  const e = rejection(operation, input);
  assert.equal(e.code, code);
  assert.equal(e.message, message);
}

const invalid = (operation: string, input: unknown, message: string): void =>
  rejects(operation, input, 'InvalidParameterException', message);
const serialization = (operation: string, input: unknown, message: string): void =>
  rejects(operation, input, 'SerializationException', message);
const one = (value: string, path: string, constraint: string): string =>
  `1 validation error detected: Value ${value} at '${path}' failed to satisfy constraint: ${constraint}`;

// ---- Recorded AWS answers ----

interface RecordedCase {
  readonly file: string;
  /** The pytest test function, which names the snapshot entry. */
  readonly test: string;
  readonly key: string;
  readonly operation: string;
  readonly input: unknown;
}

const X = (n: number): string => 'X'.repeat(n);
const transformation = (n: string): object => ({
  metricNamespace: `namespace${n}`,
  metricName: `metric${n}`,
  metricValue: '1',
});
const metricFilter = { logGroupName: 'test-log-group', filterName: 'valid-filter', filterPattern: 'pattern' };

/** The inputs are those of the localstack tests that recorded the answers. */
const RECORDED_CASES: readonly RecordedCase[] = [
  {
    file: 'test_logs_events',
    test: 'test_get_log_events_limit_validation',
    key: 'error-limit-exceeded',
    operation: 'GetLogEvents',
    input: { logGroupName: 'test-log-group', logStreamName: 'test-log-stream', limit: 10001 },
  },
  {
    file: 'test_logs_filter_events',
    test: 'test_filter_log_events_limit_validation',
    key: 'error-limit-exceeded',
    operation: 'FilterLogEvents',
    input: { logGroupName: 'test-log-group', limit: 10001 },
  },
  {
    file: 'test_logs_groups',
    test: 'test_create_log_group_invalid_name_length',
    key: 'error-invalid-name-length',
    operation: 'CreateLogGroup',
    input: { logGroupName: 'a'.repeat(513) },
  },
  {
    file: 'test_logs_metric_filters',
    test: 'test_put_metric_filter_invalid_filter_name',
    key: 'error-invalid-filter-name',
    operation: 'PutMetricFilter',
    input: { ...metricFilter, filterName: X(513), metricTransformations: [transformation('')] },
  },
  {
    file: 'test_logs_metric_filters',
    test: 'test_put_metric_filter_invalid_filter_pattern',
    key: 'error-invalid-filter-pattern',
    operation: 'PutMetricFilter',
    input: { ...metricFilter, filterPattern: X(1025), metricTransformations: [transformation('')] },
  },
  {
    file: 'test_logs_metric_filters',
    test: 'test_put_metric_filter_too_many_transformations',
    key: 'error-too-many-transformations',
    operation: 'PutMetricFilter',
    input: { ...metricFilter, metricTransformations: [transformation('1'), transformation('2')] },
  },
  {
    file: 'test_logs_metric_filters',
    test: 'test_delete_metric_filter_invalid_filter_name',
    key: 'error-invalid-filter-name',
    operation: 'DeleteMetricFilter',
    input: { logGroupName: 'test-log-group', filterName: X(513) },
  },
  {
    file: 'test_logs_metric_filters',
    test: 'test_delete_metric_filter_invalid_log_group_name',
    key: 'error-invalid-log-group-name',
    operation: 'DeleteMetricFilter',
    input: { logGroupName: X(513), filterName: 'valid-filter' },
  },
  {
    file: 'test_logs_metric_filters',
    test: 'test_describe_metric_filters_invalid_parameters',
    key: 'error-invalid-filter-prefix',
    operation: 'DescribeMetricFilters',
    input: { filterNamePrefix: X(513) },
  },
  {
    file: 'test_logs_metric_filters',
    test: 'test_describe_metric_filters_invalid_parameters',
    key: 'error-invalid-metric-name',
    operation: 'DescribeMetricFilters',
    input: { metricName: X(256), metricNamespace: 'valid' },
  },
  {
    file: 'test_logs_delivery',
    test: 'test_put_delivery_destination_invalid_format',
    key: 'error-invalid-format',
    operation: 'PutDeliveryDestination',
    input: {
      name: 'test-dd-1a2b3c',
      outputFormat: 'foobar',
      deliveryDestinationConfiguration: { destinationResourceArn: 'arn:aws:s3:::test-bucket' },
    },
  },
];

type Snapshot = Record<string, { 'recorded-content': Record<string, { Error?: { Code: string; Message: string } }> }>;

function snapshot(file: string): Snapshot {
  return JSON.parse(readFileSync(new URL(`${file}.snapshot.json`, RECORDED), 'utf8')) as Snapshot;
}

const VALIDATION_MESSAGE = /validation errors? detected|Invalid LogGroup or LogStream/;

/** Every recorded error answer that model validation produces. */
function recordedValidationErrors(): Array<{ file: string; test: string; key: string; code: string; message: string }> {
  const out = [];
  for (const name of readdirSync(RECORDED).filter((f) => f.endsWith('.snapshot.json')).sort()) {
    const file = name.replace(/\.snapshot\.json$/, '');
    for (const [id, entry] of Object.entries(snapshot(file))) {
      for (const [key, content] of Object.entries(entry['recorded-content'])) {
        const error = content.Error;
        if (error === undefined || !VALIDATION_MESSAGE.test(error.Message)) continue;
        out.push({ file, test: id.slice(id.lastIndexOf('::') + 2), key, code: error.Code, message: error.Message });
      }
    }
  }
  return out;
}

test('answers exactly what AWS answered, for every recorded validation error', () => {
  const recorded = recordedValidationErrors();
  assert.ok(recorded.length >= 11, `found ${recorded.length} recorded validation errors`);
  for (const r of recorded) {
    const c = RECORDED_CASES.find((k) => k.file === r.file && k.test === r.test && k.key === r.key);
    assert.ok(c !== undefined, `no case for ${r.file} ${r.test} ${r.key}: add one to RECORDED_CASES`);
    const e = rejection(c.operation, c.input);
    assert.equal(e.code, r.code, `${r.test} ${r.key}`);
    assert.equal(e.message, r.message, `${r.test} ${r.key}`);
  }
});

// ---- Constraint kinds ----

test('required members: absent or null is "Member must not be null", printed unquoted', () => {
  const message = one('null', 'logGroupName', 'Member must not be null');
  invalid('CreateLogGroup', {}, message);
  invalid('CreateLogGroup', { logGroupName: null }, message);
  assert.doesNotThrow(() => validateRequest('CreateLogGroup', { logGroupName: 'g', kmsKeyId: null, tags: null }));
});

test('string length: code points, max and min, each violated constraint reported', () => {
  const astral = '𝒜'; // one code point, two UTF-16 units, a letter TagValue's pattern allows
  assert.doesNotThrow(() => validateRequest('CreateLogGroup', { logGroupName: 'g', tags: { k: astral.repeat(256) } }));
  invalid(
    'DescribeMetricFilters',
    { metricName: X(256) },
    one(`'${X(256)}'`, 'metricName', 'Member must have length less than or equal to 255'),
  );
  invalid(
    'CreateLogGroup',
    { logGroupName: '' },
    '2 validation errors detected: ' +
      "Value '' at 'logGroupName' failed to satisfy constraint: Member must have length greater than or equal to 1; " +
      "Value '' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: " +
      '[\\.\\-_/#A-Za-z0-9]+',
  );
});

test('list and map length count entries; the value prints as a Java collection', () => {
  invalid(
    'PutLogEvents',
    { logGroupName: 'g', logStreamName: 's', logEvents: [] },
    one("'[]'", 'logEvents', 'Member must have length greater than or equal to 1'),
  );
  invalid(
    'CreateLogGroup',
    { logGroupName: 'g', tags: {} },
    one("'{}'", 'tags', 'Member must have length greater than or equal to 1'),
  );
  const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
  const printed = `{${Object.keys(tags).map((k) => `${k}=v`).join(', ')}}`;
  invalid(
    'CreateLogGroup',
    { logGroupName: 'g', tags },
    one(`'${printed}'`, 'tags', 'Member must have length less than or equal to 50'),
  );
});

test('numeric range: value max and min', () => {
  const base = { logGroupName: 'g', logStreamName: 's' };
  invalid(
    'GetLogEvents',
    { ...base, limit: 0 },
    one("'0'", 'limit', 'Member must have value greater than or equal to 1'),
  );
  invalid(
    'GetLogEvents',
    { ...base, limit: 2 ** 31 - 1 },
    one("'2147483647'", 'limit', 'Member must have value less than or equal to 10000'),
  );
  assert.doesNotThrow(() => validateRequest('GetLogEvents', { ...base, limit: 1 }));
  assert.doesNotThrow(() => validateRequest('GetLogEvents', { ...base, limit: 10000 }));
});

test('pattern and enum: the pattern exactly as in the model, enum values in model order', () => {
  invalid(
    'CreateLogGroup',
    { logGroupName: 'has space' },
    one("'has space'", 'logGroupName', 'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+'),
  );
  invalid(
    'CreateLogGroup',
    { logGroupName: 'g', logGroupClass: 'COLD' },
    one("'COLD'", 'logGroupClass', 'Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]'),
  );
});

test('several violations: counted, in member declaration order, joined by "; "', () => {
  invalid(
    'PutLogEvents',
    { logEvents: [], logStreamName: 'a:b', logGroupName: 'has space' },
    '3 validation errors detected: ' +
      "Value 'has space' at 'logGroupName' failed to satisfy constraint: " +
      'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+; ' +
      "Value 'a:b' at 'logStreamName' failed to satisfy constraint: " +
      'Member must satisfy regular expression pattern: [^:*]*; ' +
      "Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
  );
});

test('nested paths: list elements are <list>.<1-based index>.member, structure members join with .', () => {
  const base = { logGroupName: 'g', logStreamName: 's' };
  invalid(
    'PutLogEvents',
    { ...base, logEvents: [{ message: 'no timestamp' }] },
    one('null', 'logEvents.1.member.timestamp', 'Member must not be null'),
  );
  invalid(
    'PutLogEvents',
    {
      ...base,
      logEvents: [{ timestamp: 1, message: 'ok' }, { message: 'no timestamp' }, { timestamp: -1, message: '' }],
    },
    '3 validation errors detected: ' +
      "Value null at 'logEvents.2.member.timestamp' failed to satisfy constraint: Member must not be null; " +
      "Value '-1' at 'logEvents.3.member.timestamp' failed to satisfy constraint: " +
      'Member must have value greater than or equal to 0; ' +
      "Value '' at 'logEvents.3.member.message' failed to satisfy constraint: " +
      'Member must have length greater than or equal to 1',
  );
  invalid(
    'PutLogEvents',
    { ...base, logEvents: [{ timestamp: 1, message: 'm' }], entity: { keyAttributes: { Type: 'Service' } } },
    one("'{Type=Service}'", 'entity.keyAttributes', 'Member must have length greater than or equal to 2'),
  );
});

test('element constraints are reported once per collection, listing every constraint of the element shape', () => {
  const query = { startTime: 1, endTime: 2, queryString: 'fields @message' };
  const logGroupName =
    '[Member must have length less than or equal to 512, Member must have length greater than or equal to 1, ' +
    'Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+]';
  invalid(
    'StartQuery',
    { ...query, logGroupNames: ['ok', '', 'a b'] },
    one("'[ok, , a b]'", 'logGroupNames', `Member must satisfy constraint: ${logGroupName}`),
  );
  const tags = { 'bad!': 'v', ok: 'x'.repeat(257) };
  const printed = `{bad!=v, ok=${'x'.repeat(257)}}`;
  invalid(
    'CreateLogGroup',
    { logGroupName: 'g', tags },
    '2 validation errors detected: ' +
      `Value '${printed}' at 'tags' failed to satisfy constraint: Map keys must satisfy constraint: ` +
      '[Member must have length less than or equal to 128, Member must have length greater than or equal to 1, ' +
      'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]; ' +
      `Value '${printed}' at 'tags' failed to satisfy constraint: Map value must satisfy constraint: ` +
      '[Member must have length less than or equal to 256, ' +
      'Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$]',
  );
});

test('map values are <map>.<key>.member, elements inside them <list>.<n>.member (as DynamoDB answers)', () => {
  const shapes: Record<string, ShapeSpec> = {
    Req: { type: 'structure', members: { groups: 'Groups' } },
    Groups: { type: 'map', key: 'Key', value: 'Members' },
    Key: { type: 'string', min: 1 },
    Members: { type: 'list', member: 'Member', max: 2 },
    Member: { type: 'structure', members: { id: 'Id' }, required: ['id'] },
    Id: { type: 'string', pattern: '[a-z]+' },
  };
  const v = new ModelValidator(shapes, { Op: { input: 'Req', validationError: 'ValidationException' } });
  const body = { groups: { admins: [{ id: 'ok' }, {}], ops: [{ id: 'A1' }, { id: 'b' }, { id: 'c' }] } };
  assert.throws(
    () => v.validate('Op', body),
    new ApiError(
      'ValidationException',
      '3 validation errors detected: ' +
        "Value '{admins=[Member(id=ok), Member(id=null)], ops=[Member(id=A1), Member(id=b), Member(id=c)]}' " +
        "at 'groups' failed to satisfy constraint: " +
        'Map value must satisfy constraint: [Member must have length less than or equal to 2]; ' +
        "Value null at 'groups.admins.member.2.member.id' failed to satisfy constraint: Member must not be null; " +
        "Value 'A1' at 'groups.ops.member.1.member.id' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [a-z]+',
    ),
  );
  assert.throws(() => v.validate('Op', { groups: { x: [{ id: 5 }] } }), {
    code: 'SerializationException',
    message: "Unexpected value type for 'groups.x.member.1.member.id': expected string, got number",
  });
  const loop = new ModelValidator(
    { R: { type: 'structure', members: { r: 'R' } } },
    { Op: { input: 'R', validationError: 'ValidationException' } },
  );
  assert.throws(() => loop.validate('Op', {}), /recursive shape R/);
});

// ---- The log group / log stream name rule ----

test('a too-long log group or stream name gets the fixed message, which wins over other violations', () => {
  invalid('CreateLogStream', { logGroupName: 'g', logStreamName: 'a'.repeat(513) }, MESSAGES.nameTooLong);
  invalid('GetLogEvents', { logGroupName: X(513), logStreamName: 'has:colon', limit: 10001 }, MESSAGES.nameTooLong);
  invalid('DescribeLogGroups', { logGroupNamePrefix: X(513) }, MESSAGES.nameTooLong);
  assert.doesNotThrow(() => validateRequest('CreateLogGroup', { logGroupName: 'a'.repeat(512) }));
  assert.doesNotThrow(() => validateRequest('CreateLogStream', { logGroupName: 'g', logStreamName: 'a'.repeat(512) }));
  // Too short is the generic message; so is a too-long name inside a list.
  invalid(
    'CreateLogStream',
    { logGroupName: 'g', logStreamName: '' },
    one("''", 'logStreamName', 'Member must have length greater than or equal to 1'),
  );
  const e = rejection('StartQuery', { logGroupNames: [X(513)], startTime: 1, endTime: 2, queryString: 'q' });
  assert.equal(e.code, 'InvalidParameterException');
  assert.match(e.message, /^1 validation error detected: Value '\[X{513}\]' at 'logGroupNames' failed to satisfy /);
  assert.match(e.message, /Member must satisfy constraint: \[Member must have length less than or equal to 512, /);
});

test('operations that declare only ValidationException answer with it', () => {
  rejects('GetDelivery', {}, 'ValidationException', one('null', 'id', 'Member must not be null'));
  invalid('DeleteLogGroup', {}, one('null', 'logGroupName', 'Member must not be null'));
});

// ---- Deserialization: types and unknown members ----

test('a value of the wrong type is a SerializationException naming path, expected type and what came', () => {
  const base = { logGroupName: 'g', logStreamName: 's' };
  const at = (path: string, expected: string, got: string): string =>
    `Unexpected value type for '${path}': expected ${expected}, got ${got}`;
  serialization('GetLogEvents', { ...base, limit: '10' }, at('limit', 'integer', 'string'));
  serialization('GetLogEvents', { ...base, startFromHead: 'true' }, at('startFromHead', 'boolean', 'string'));
  serialization('CreateLogGroup', { logGroupName: {} }, at('logGroupName', 'string', 'object'));
  serialization('CreateLogGroup', { logGroupName: ['a'] }, at('logGroupName', 'string', 'array'));
  serialization('CreateLogGroup', { logGroupName: 5 }, at('logGroupName', 'string', 'number'));
  serialization('CreateLogGroup', { logGroupName: 'g', tags: { k: 1 } }, at('tags.k.member', 'string', 'number'));
  serialization('PutLogEvents', { ...base, logEvents: {} }, at('logEvents', 'list', 'object'));
  serialization('PutLogEvents', { ...base, logEvents: ['m'] }, at('logEvents.1.member', 'structure', 'string'));
  const bodies = [[[], 'array'], [null, 'null'], ['text', 'string'], [42, 'number'], [undefined, 'undefined']] as const;
  for (const [body, got] of bodies) {
    serialization('CreateLogGroup', body, `Unexpected value type for the request body: expected structure, got ${got}`);
  }
  serialization('PutLogEvents', { ...base, logEvents: [null] }, "Null element at 'logEvents.1.member'");
  serialization('CreateLogGroup', { logGroupName: 'g', tags: { k: null } }, "Null map value at 'tags.k.member'");
});

test('numbers must fit the model type: integer is 32-bit, long 64-bit, neither has a fraction', () => {
  const base = { logGroupName: 'g', logStreamName: 's' };
  const events = (timestamp: number): object => ({ ...base, logEvents: [{ timestamp, message: 'm' }] });
  const limit = "Unexpected value type for 'limit': expected integer, got ";
  serialization('GetLogEvents', { ...base, limit: 2 ** 31 }, `${limit}number 2147483648, outside the integer range`);
  serialization(
    'GetLogEvents',
    { ...base, limit: -(2 ** 31) - 1 },
    `${limit}number -2147483649, outside the integer range`,
  );
  serialization('GetLogEvents', { ...base, limit: 1.5 }, `${limit}non-integral number 1.5`);
  const ts = "Unexpected value type for 'logEvents.1.member.timestamp': expected long, ";
  serialization('PutLogEvents', events(1.5), `${ts}got non-integral number 1.5`);
  serialization('PutLogEvents', events(2 ** 63), `${ts}got number 9223372036854776000, outside the long range`);
  assert.doesNotThrow(() => validateRequest('PutLogEvents', events(Number.MAX_SAFE_INTEGER)));
  const fractional = { ...metricFilter, metricTransformations: [{ ...transformation(''), defaultValue: 0.25 }] };
  assert.doesNotThrow(() => validateRequest('PutMetricFilter', fractional), 'a double may have a fraction');
});

test('type errors win over constraint violations anywhere in the body', () => {
  serialization(
    'PutLogEvents',
    { logGroupName: 'has space', logStreamName: X(513), logEvents: [{ timestamp: 'x', message: '' }] },
    "Unexpected value type for 'logEvents.1.member.timestamp': expected long, got string",
  );
});

// Real AWS may ignore members its model does not know; Logward rejects them so a typo is not silently dropped.
test('unknown members are a SerializationException, at any depth, before constraints', () => {
  serialization('CreateLogGroup', { logGroupName: 'g', foo: 1 }, "Unknown member 'foo' in CreateLogGroupRequest");
  serialization('CreateLogGroup', { LogGroupName: 'g' }, "Unknown member 'LogGroupName' in CreateLogGroupRequest");
  serialization('CreateLogGroup', { logGroupName: '', foo: 1 }, "Unknown member 'foo' in CreateLogGroupRequest");
  const proto: unknown = JSON.parse('{"__proto__": {}, "logGroupName": "g"}');
  serialization('CreateLogGroup', proto, "Unknown member '__proto__' in CreateLogGroupRequest");
  serialization(
    'PutLogEvents',
    {
      logGroupName: 'g',
      logStreamName: 's',
      logEvents: [{ timestamp: 1, message: 'm' }, { timestamp: 1, message: 'm', level: 'info' }],
    },
    "Unknown member 'level' in InputLogEvent at 'logEvents.2.member'",
  );
  assert.doesNotThrow(() => validateRequest('CreateLogGroup', { logGroupName: 'g', foo: undefined }));
});

test('a union needs exactly one member', () => {
  const body = { integrationName: 'search', integrationType: 'OPENSEARCH' };
  const msg = "Union ResourceConfig at 'resourceConfig' must have exactly one member set, got 0";
  serialization('PutIntegration', { ...body, resourceConfig: {} }, msg);
  serialization('PutIntegration', { ...body, resourceConfig: { openSearchResourceConfig: null } }, msg);
  const config = { dataSourceRoleArn: 'arn:aws:iam::1:role/r', dashboardViewerPrincipals: [], retentionDays: 7 };
  const withConfig = { ...body, resourceConfig: { openSearchResourceConfig: config } };
  assert.doesNotThrow(() => validateRequest('PutIntegration', withConfig));
});

test('an unknown operation is UnknownOperationException', () => {
  for (const op of ['Nope', 'createLogGroup', 'constructor', '__proto__', 'toString']) {
    rejects(op, {}, 'UnknownOperationException', `Unknown operation ${op}`);
  }
});

test('real requests pass', () => {
  const valid: Array<[string, unknown]> = [
    [
      'CreateLogGroup',
      { logGroupName: '/aws/lambda/fn', tags: { env: 'prod', 'aws:team': 'Ünïcode' }, logGroupClass: 'STANDARD' },
    ],
    ['CreateLogStream', { logGroupName: 'g', logStreamName: '2024/05/01/[$LATEST]0123abcdef' }],
    [
      'PutLogEvents',
      {
        logGroupName: 'g',
        logStreamName: 's',
        logEvents: [{ timestamp: 1714550400000, message: '{"level":"error"}' }],
        entity: { keyAttributes: { Type: 'Service', Name: 'api' }, attributes: {} },
      },
    ],
    [
      'FilterLogEvents',
      { logGroupName: 'g', filterPattern: '{ $.level = "error" }', startTime: 0, endTime: 1714550400000, limit: 10000 },
    ],
    [
      'GetLogEvents',
      { logGroupIdentifier: 'arn:aws:logs:us-east-1:1:log-group:g', logStreamName: 's', startFromHead: true },
    ],
    [
      'PutMetricFilter',
      {
        ...metricFilter,
        metricTransformations: [{ ...transformation(''), defaultValue: 0, unit: 'Count', dimensions: { fn: '$.fn' } }],
      },
    ],
    ['StartQuery', { logGroupNames: ['a', 'b'], startTime: 1, endTime: 2, queryString: 'fields @message', limit: 100 }],
    ['DescribeLogGroups', {}],
    ['DescribeLogStreams', { logGroupName: 'g', orderBy: 'LastEventTime', descending: true, limit: 50 }],
    [
      'PutDeliveryDestination',
      { name: 'dest', outputFormat: 'json', deliveryDestinationConfiguration: { destinationResourceArn: 'arn:s3' } },
    ],
  ];
  for (const [op, body] of valid) assert.doesNotThrow(() => validateRequest(op, body), op);
});
