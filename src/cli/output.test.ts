import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, formatBytes, formatTime, printable, renderTable, truncate } from './output.js';
import { formatRetention, renderGroups } from './commands/groups.js';
import { renderEvents } from './commands/filter.js';

test('columns are aligned to the widest cell, and no line ends in spaces', () => {
  const out = renderTable(['NAME', 'N'], [['a', '1'], ['longer-name', '22']]);
  assert.equal(out, 'NAME         N\na            1\nlonger-name  22\n');
});

test('an empty table is its header', () => {
  assert.equal(renderTable(['NAME', 'RETENTION'], []), 'NAME  RETENTION\n');
});

test('with a width, the last column is cut to fit, with an ellipsis', () => {
  const out = renderTable(['T', 'MESSAGE'], [['x', 'a message that is much too long']], { maxWidth: 15 });
  assert.equal(out, 'T  MESSAGE\nx  a message t…\n');
  for (const line of out.trimEnd().split('\n')) assert.ok(Array.from(line).length <= 15);
  // Too narrow for anything: the last column keeps its header's width rather than vanish.
  assert.equal(renderTable(['T', 'MESSAGE'], [['x', 'long message']], { maxWidth: 3 }), 'T  MESSAGE\nx  long m…\n');
});

test('cells are one line: control characters are escaped', () => {
  assert.equal(printable('a\nb\tc\r\u0001'), 'a\\nb\\tc\\r\\x01');
  assert.equal(renderTable(['M'], [['x\ny']]), 'M\nx\\ny\n');
});

test('truncation counts code points, never splitting a surrogate pair', () => {
  assert.equal(truncate('😀😀😀', 2), '😀…');
  assert.equal(truncate('abc', 3), 'abc');
  assert.equal(truncate('abc', 0), '');
});

test('bytes for people', () => {
  assert.deepEqual(
    [0, 512, 1023, 1024, 1536, 10 * 1024, 5 * 1024 ** 2 + 1, 3 * 1024 ** 4].map(formatBytes),
    ['0 B', '512 B', '1023 B', '1.0 KiB', '1.5 KiB', '10 KiB', '5.0 MiB', '3.0 TiB'],
  );
});

test('times are ISO 8601 UTC; a missing time is a dash', () => {
  assert.equal(formatTime(Date.UTC(2024, 4, 1, 12, 0, 0, 5)), '2024-05-01T12:00:00.005Z');
  assert.equal(formatTime(undefined), '-');
});

test('the groups table', () => {
  assert.equal(formatRetention(undefined), 'never');
  assert.equal(formatRetention(1), '1 day');
  const out = renderGroups([
    { logGroupName: 'app', retentionInDays: 30, storedBytes: 2048, creationTime: Date.UTC(2024, 0, 2) },
    { logGroupName: '/aws/lambda/f', creationTime: Date.UTC(2024, 0, 3) },
  ]);
  assert.equal(
    out,
    [
      'NAME           RETENTION  STORED   CREATED',
      'app            30 days    2.0 KiB  2024-01-02T00:00:00.000Z',
      '/aws/lambda/f  never      -        2024-01-03T00:00:00.000Z',
      '',
    ].join('\n'),
  );
});

test('the events table fits a terminal, messages in full without one', () => {
  const events = [{ timestamp: Date.UTC(2024, 0, 1), logStreamName: 's1', message: 'x'.repeat(200) + '\n' }];
  const fitted = renderEvents(events, 80).split('\n')[1]!;
  assert.equal(fitted.length, 80);
  assert.ok(fitted.endsWith('…'));
  assert.ok(renderEvents(events).includes('x'.repeat(200)));
  assert.ok(!renderEvents(events).includes('\\n'), 'the trailing newline of a message is not shown');
});

test('progress is drawn only on a terminal, and erased when done', () => {
  const written: string[] = [];
  const piped = new Progress({ write: (s: string) => written.push(s), isTTY: false }, 'groups');
  piped.update(5);
  piped.done();
  assert.equal(written.length, 0);
  const tty = new Progress({ write: (s: string) => written.push(s), isTTY: true }, 'groups');
  tty.update(5);
  tty.done();
  assert.deepEqual(written, ['\r\x1b[K5 groups...', '\r\x1b[K']);
});
