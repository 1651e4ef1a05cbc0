import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { compileJavaPattern, translateJavaPattern, UnsupportedPatternError } from './java-regex.js';

const MODEL = new URL('../../../../model/logs-2014-03-28.service-2.json', import.meta.url);

function modelPatterns(): Map<string, string[]> {
  const model = JSON.parse(readFileSync(MODEL, 'utf8')) as { shapes: Record<string, { pattern?: string }> };
  const byPattern = new Map<string, string[]>();
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.pattern !== undefined) byPattern.set(shape.pattern, [...(byPattern.get(shape.pattern) ?? []), name]);
  }
  return byPattern;
}

/** Pattern → values Java's Matcher.matches() accepts, and values it rejects. */
const BEHAVIOUR: ReadonlyArray<{ pattern: string; accepts: string[]; rejects: string[] }> = [
  {
    pattern: '[\\.\\-_/#A-Za-z0-9]+', // LogGroupName
    accepts: ['/aws/lambda/my-function', 'a', 'API-Gateway_Execution_Logs#prod.v1', 'x'.repeat(600)],
    rejects: ['', 'has space', 'colon:name', 'star*', 'ümlaut', 'tab\tname', 'name\n'],
  },
  {
    pattern: '[^:*]*', // LogStreamName
    accepts: ['', '2024/05/01/[$LATEST]0123abcdef', 'i-0abc ümlaut 😀'],
    rejects: ['a:b', 'a*', ':'],
  },
  {
    pattern: '[\\.\\-_/#A-Za-z0-9]*', // LogGroupNamePattern: empty allowed
    accepts: ['', 'prod'],
    rejects: ['a b'],
  },
  {
    pattern: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$', // TagKey: Unicode letters, separators, numbers
    accepts: ['env', 'aws:cloudformation:stack-name', 'Ünïcode Кириллица 日本語', 'a\u00a0b', '٣'],
    rejects: ['', 'a!b', 'a#b', 'line\nbreak', 'emoji😀'],
  },
  {
    pattern: '^\\d{12}$', // AccountId: a final line terminator does not sneak past $ under matches()
    accepts: ['123456789012'],
    rejects: ['12345678901', '1234567890123', '123456789012\n', '12345678901a'],
  },
  {
    pattern: '^[a-zA-Z_][a-zA-Z0-9_]*', // no trailing $ in the model, yet the whole value must match
    accepts: ['field_1', '_x'],
    rejects: ['1field', 'field-1', ''],
  },
  {
    pattern: '\\S{36,128}', // ClientToken: Java's \S is "not ASCII whitespace", so NBSP counts as a token char
    accepts: ['x'.repeat(36), `${'y'.repeat(35)}\u00a0`, `${'z'.repeat(35)}\u2003`],
    rejects: ['x'.repeat(35), `${'x'.repeat(35)} `, `${'x'.repeat(35)}\u000b`, 'x'.repeat(129)],
  },
  {
    pattern: '[\\w-_]*', // a `-` after \w is a literal in Java (a syntax error under JavaScript's u flag)
    accepts: ['a-b_c', '---', ''],
    rejects: ['a.b', 'ä'],
  },
  {
    pattern: 's3://[a-z0-9][\\.\\-a-z0-9]{1,61}[a-z0-9](/.*)?', // Java's . excludes \u0085 too
    accepts: ['s3://my-bucket', 's3://my.bucket/prefix/key with space'],
    rejects: ['s3://B', 's3://my-bucket/a\nb', 's3://my-bucket/a\u0085b', 'S3://my-bucket'],
  },
  {
    pattern: '(\\^?[\\.\\-_\\/#A-Za-z0-9]{3,24})(\\|\\^?[\\.\\-_\\/#A-Za-z0-9]{3,24}){0,4}', // escaped ^ and |
    accepts: ['abc', '^abc|def|^ghi', 'a.b|c-d'],
    rejects: ['ab', 'abc|', 'a|b|c|d|e|f', '^abc|def|ghi|jkl|mno|pqr'],
  },
  {
    pattern: '^arn:aws[a-z\\-]*:kms:[-a-z0-9]*:[0-9]*:key/[-a-z0-9]*$',
    accepts: ['arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab', 'arn:aws-cn:kms:::key/'],
    rejects: ['arn:aws:kms:us-east-1:123456789012:alias/x'],
  },
];

test('every pattern in the model compiles, once', () => {
  const patterns = modelPatterns();
  assert.ok(patterns.size >= 20, `expected the model's patterns, found ${patterns.size}`);
  for (const [pattern, shapes] of patterns) {
    const re = compileJavaPattern(pattern);
    assert.equal(compileJavaPattern(pattern), re, `${shapes.join(', ')}: cached`);
    assert.equal(re.flags, 'u');
    assert.ok(re.source.startsWith('^(?:') && re.source.endsWith(')$'), `${pattern} is anchored`);
  }
});

test('the model patterns accept and reject as Java matches() does', () => {
  const inModel = modelPatterns();
  for (const { pattern, accepts, rejects } of BEHAVIOUR) {
    assert.ok(inModel.has(pattern), `${pattern} is a model pattern`);
    const re = compileJavaPattern(pattern);
    for (const v of accepts) assert.ok(re.test(v), `${pattern} accepts ${JSON.stringify(v)}`);
    for (const v of rejects) assert.ok(!re.test(v), `${pattern} rejects ${JSON.stringify(v)}`);
  }
});

test('Java syntax the model does not use yet translates too', () => {
  const matches = (java: string, value: string): boolean => compileJavaPattern(java).test(value);
  assert.ok(matches('a\\tb', 'a\tb'));
  assert.ok(matches('\\x41\\u0042\\x{1F600}', 'AB😀'));
  assert.ok(matches('\\Q.*+\\E', '.*+'));
  assert.ok(!matches('\\Q.*+\\E', 'aaa'));
  assert.ok(matches('[\\x41-\\x43]+', 'ABCA'));
  assert.ok(matches('[a\\]b]+', 'a]b'));
  assert.ok(matches('\\#\\ \\"', '# "'), 'Java reads an escaped non-letter as itself');
  assert.ok(matches('a$\\n', 'a\n'), 'Java $ matches before a final line terminator');
  assert.ok(matches('(?<year>\\d{4})-\\k<year>', '2024-2024'));
  assert.ok(matches('[\\s]+', ' \t\u000b'));
  assert.ok(!matches('\\s', '\u00a0'), 'Java \\s is ASCII whitespace only');
  assert.ok(matches('\\pL\\p{IsN}', 'é٣'));
  assert.ok(matches('a{2,}?', 'aaa'));
});

test('constructs JavaScript cannot express are refused, not approximated', () => {
  for (const java of [
    'a++',
    'a*+',
    '(?i)abc',
    '(?>abc)',
    '[a-z&&[^x]]',
    '[a[b]]',
    '\\p{Alpha}',
    '\\p{IsLatin}',
    '[\\S]',
    '\\Gx',
    '\\bword\\b',
    '[a-\\w]',
    '[z-a]',
    'x{',
    '[abc',
    'abc\\',
  ]) {
    assert.throws(() => translateJavaPattern(java), UnsupportedPatternError, java);
  }
});
