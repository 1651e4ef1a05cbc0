import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSyslog } from './syslog-parse.js';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);

test('RFC 5424: header fields, structured data with escapes, BOM, nil values', () => {
  const r = parseSyslog('<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Appl\\"ication" eventID="1011"][examplePriority@32473 class="high\\]"] \uFEFFAn application event', NOW);
  assert.deepEqual(r, {
    ok: true,
    record: {
      format: 'rfc5424',
      facility: 'local4',
      severity: 'notice',
      timestamp: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      hostname: 'mymachine.example.com',
      appName: 'evntslog',
      procId: null,
      msgId: 'ID47',
      structuredData: { 'exampleSDID@32473': { iut: '3', eventSource: 'Appl"ication', eventID: '1011' }, 'examplePriority@32473': { class: 'high]' } },
      message: 'An application event',
    },
  });
  const nil = parseSyslog('<34>1 - - - - - -', NOW);
  assert.ok(nil.ok);
  assert.deepEqual([nil.record.timestamp, nil.record.hostname, nil.record.structuredData, nil.record.message, nil.record.facility, nil.record.severity], [null, null, null, '', 'auth', 'crit']);
  const offset = parseSyslog('<13>1 2026-11-27T10:00:00.5+02:00 h app 42 - - hello world', NOW);
  assert.ok(offset.ok);
  assert.equal(offset.record.timestamp, Date.UTC(2026, 10, 27, 8, 0, 0, 500));
  assert.equal(offset.record.procId, '42');
  assert.equal(offset.record.message, 'hello world');
});

test('RFC 3164: timestamp in the current year (or the last), host, tag and pid', () => {
  const r = parseSyslog('<34>Oct 11 22:14:15 mymachine su[230]: \'su root\' failed for lonvick on /dev/pts/8', NOW);
  assert.ok(r.ok);
  assert.deepEqual(r.record, {
    format: 'rfc3164',
    facility: 'auth',
    severity: 'crit',
    timestamp: Date.UTC(2026, 9, 11, 22, 14, 15),
    hostname: 'mymachine',
    appName: 'su',
    procId: '230',
    msgId: null,
    structuredData: null,
    message: "'su root' failed for lonvick on /dev/pts/8",
  });
  const december = parseSyslog('<13>Dec  5 01:02:03 host cron: job', NOW);
  assert.ok(december.ok);
  assert.equal(december.record.timestamp, Date.UTC(2025, 11, 5, 1, 2, 3), 'a date ahead of now is last year');
  const noTag = parseSyslog('<13>Nov 27 11:00:00 host just words here', NOW);
  assert.ok(noTag.ok);
  assert.equal(noTag.record.message, 'just words here');
});

test('what does not parse says why', () => {
  for (const [line, why] of [
    ['no pri at all', /PRI/],
    ['<999>1 - - - - - -', /out of range/],
    ['<13>1 yesterday h a p m - x', /timestamp/],
    ['<13>1 - h a p m [broken', /STRUCTURED-DATA/],
    ['<13>1 - h a', /header/],
    ['<13>Foo 99 99:99:99 h x', /month|timestamp|neither/],
    ['<13>garbage', /neither/],
  ] as const) {
    const r = parseSyslog(line, NOW);
    assert.equal(r.ok, false, line);
    if (!r.ok) assert.match(r.error, why, line);
  }
});
