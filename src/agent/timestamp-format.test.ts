import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileTimestampFormat } from './timestamp-format.js';

const NOW = Date.UTC(2024, 4, 10, 12, 0, 0);

test('timestamp_format: the CloudWatch agent directives, found anywhere in the line', () => {
  const cases: [string, string, number][] = [
    ['%Y-%m-%d %H:%M:%S', 'INFO 2024-05-03 11:40:02 started', Date.UTC(2024, 4, 3, 11, 40, 2)],
    ['%Y-%m-%dT%H:%M:%S.%f%z', '2024-05-03T11:40:02.511+02:00 x', Date.UTC(2024, 4, 3, 9, 40, 2, 511)],
    ['%d/%b/%Y:%H:%M:%S %z', '1.2.3.4 - - [03/May/2024:11:40:02 -0100] "GET /"', Date.UTC(2024, 4, 3, 12, 40, 2)],
    ['%b %-d %H:%M:%S', 'May 3 11:40:02 host sshd[1]: ok', Date.UTC(2024, 4, 3, 11, 40, 2)],
    ['%A, %B %d, %Y %I:%M:%S %p', 'Friday, May 03, 2024 01:05:09 PM done', Date.UTC(2024, 4, 3, 13, 5, 9)],
    ['%y%m%d %T', '240503 11:40:02 mysqld', Date.UTC(2024, 4, 3, 11, 40, 2)],
    ['%Y-%m-%d %H:%M:%S,%f %Z', '2024-05-03 11:40:02,5 UTC x', Date.UTC(2024, 4, 3, 11, 40, 2, 500)],
  ];
  for (const [format, line, ms] of cases) {
    const f = compileTimestampFormat(format, 'UTC', 'test');
    assert.equal(f.parse(line, NOW)?.ms, ms, `${format} on ${line}`);
  }
});

test('timestamp_format: no year takes the current one, or the previous one for a date ahead', () => {
  const f = compileTimestampFormat('%b %d %H:%M:%S', 'UTC', 'test');
  assert.equal(f.parse('Dec 31 23:59:59 x', Date.UTC(2025, 0, 1, 0, 0, 5))?.ms, Date.UTC(2024, 11, 31, 23, 59, 59));
  assert.equal(f.parse('Jan 01 00:00:01 x', Date.UTC(2025, 0, 1, 0, 0, 5))?.ms, Date.UTC(2025, 0, 1, 0, 0, 1));
});

test('timestamp_format: a line without a timestamp, or with an impossible one, has none', () => {
  const f = compileTimestampFormat('%Y-%m-%d %H:%M:%S', 'UTC', 'test');
  assert.equal(f.parse('    at Foo.bar(Foo.java:12)', NOW), undefined);
  assert.equal(f.parse('2024-13-03 11:40:02', NOW), undefined);
  assert.deepEqual(f.parse('ab 2024-05-03 11:40:02 cd', NOW), { ms: Date.UTC(2024, 4, 3, 11, 40, 2), start: 3, end: 22 });
});
