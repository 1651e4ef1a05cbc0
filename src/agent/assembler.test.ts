import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Assembler, MAX_STAMP_LEAD_MS, MS_RUN_BYTES, MS_RUN_LINES } from './assembler.js';
import type { EventSink } from './record.js';
import { compileTimestampFormat } from './timestamp-format.js';
import { compileRegex } from './regex.js';
import { MAX_MESSAGE_BYTES, TRUNCATION_SUFFIX } from '../cli/batch.js';

const NOW = Date.UTC(2024, 4, 10, 12, 0, 0);
const plain = { trimTimestamp: false, encoding: 'utf-8', filters: [] };

interface AgentEvent {
  timestamp: number;
  message: string;
}

/** Collects the events as strings; `events` is the same array throughout. */
class Events implements EventSink {
  readonly events: AgentEvent[] = [];
  add(timestamp: number, src: Buffer, start: number, end: number): void {
    this.events.push({ timestamp, message: src.toString('utf8', start, end) });
  }
}

function feed(a: Assembler, ...chunks: string[]): AgentEvent[] {
  const out = new Events();
  for (const c of chunks) a.push(Buffer.from(c), out);
  return out.events;
}

test('assembler: lines split anywhere, CRLF, empty lines skipped; committed is the start of what is held', () => {
  const a = new Assembler(plain, 100, () => NOW);
  const out = feed(a, 'one\r\ntw', 'o\n\nthr');
  assert.deepEqual(out.map((e) => e.message), ['one', 'two']);
  assert.equal(a.committed, 100 + 'one\r\ntwo\n\n'.length);
  assert.ok(a.holding);
  const restSink = new Events();
  const rest = restSink.events;
  a.finish(restSink);
  assert.deepEqual(rest.map((e) => e.message), ['thr']);
  assert.equal(a.committed, 100 + 'one\r\ntwo\n\nthr'.length);
});

test('assembler: plain lines get the time they are read, the clock read again every 64 lines of a chunk', () => {
  let calls = 0;
  const a = new Assembler(plain, 0, () => NOW + calls++);
  const lines = Array.from({ length: 150 }, (_, i) => `line ${i}`);
  const out = feed(a, `${lines.join('\n')}\n`, 'next\n');
  assert.deepEqual(out.map((e) => e.message), [...lines, 'next']);
  const expected = [...lines.map((_, i) => NOW + Math.floor(i / 64)), NOW + 3];
  assert.deepEqual(out.map((e) => e.timestamp), expected);
});

test('assembler: multi-line events start at multi_line_start_pattern; {timestamp_format} stamps them', () => {
  const timestamp = compileTimestampFormat('%Y-%m-%d %H:%M:%S', 'UTC', 't');
  const a = new Assembler({ ...plain, timestamp, multiLineStart: timestamp.regex }, 0, () => NOW);
  const text = [
    '2024-05-03 11:40:02 ERROR boom',
    'java.lang.IllegalStateException: x',
    '    at A.b(A.java:1)',
    '2024-05-03 11:40:03 INFO next',
    '    continued',
    '',
  ].join('\n');
  const out = feed(a, text);
  assert.deepEqual(out, [{ timestamp: Date.UTC(2024, 4, 3, 11, 40, 2), message: '2024-05-03 11:40:02 ERROR boom\njava.lang.IllegalStateException: x\n    at A.b(A.java:1)' }]);
  assert.equal(a.committed, text.indexOf('2024-05-03 11:40:03'), 'the open event is read again after a restart');
  const moreSink = new Events();
  const more = moreSink.events;
  a.flushPending(moreSink);
  assert.deepEqual(more.map((e) => e.message), ['2024-05-03 11:40:03 INFO next\n    continued']);
  assert.equal(a.committed, text.length);
});

test('assembler: a line without a timestamp takes the previous one; filters; trim_timestamp', () => {
  const timestamp = compileTimestampFormat('%H:%M:%S', 'UTC', 't');
  const a = new Assembler(
    { ...plain, timestamp, trimTimestamp: true, filters: [{ type: 'include', expression: compileRegex('(?i)keep', 't') }, { type: 'exclude', expression: /secret/ }] },
    0,
    () => NOW,
  );
  const out = feed(a, '10:00:00 KEEP a\nkeep b\ndrop c\n10:00:01 keep secret\n');
  assert.deepEqual(out, [
    { timestamp: Date.UTC(2024, 4, 10, 10, 0, 0), message: 'KEEP a' },
    { timestamp: Date.UTC(2024, 4, 10, 10, 0, 0), message: 'keep b' },
  ]);
  assert.equal(a.filtered, 2);
});

test('assembler: an over-long line is cut as the CloudWatch agent cuts it, however it arrives', () => {
  const a = new Assembler(plain, 0, () => NOW);
  const long = 'é'.repeat(MAX_MESSAGE_BYTES);
  const bytes = Buffer.from(`${long}\nnext\n`);
  const outSink = new Events();
  const out = outSink.events;
  for (let i = 0; i < bytes.length; i += 65_536) a.push(bytes.subarray(i, i + 65_536), outSink);
  assert.equal(out.length, 2);
  assert.ok(out[0]?.message.endsWith(TRUNCATION_SUFFIX));
  assert.ok(Buffer.byteLength(out[0]?.message ?? '') <= MAX_MESSAGE_BYTES);
  assert.equal(out[1]?.message, 'next');
  assert.equal(a.committed, bytes.length);
});

test('assembler: other encodings are decoded', () => {
  const a = new Assembler({ ...plain, encoding: 'latin1' }, 0, () => NOW);
  assert.deepEqual(feed(a, '').length, 0);
  const outSink = new Events();
  const out = outSink.events;
  a.push(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), outSink);
  assert.equal(out[0]?.message, 'café');
});

test('assembler: bytes that are not UTF-8 become U+FFFD, and the lines around them are untouched', () => {
  const a = new Assembler(plain, 0, () => NOW);
  const out = new Events();
  a.push(Buffer.concat([Buffer.from('ok\nbad '), Buffer.from([0xff, 0xc3]), Buffer.from('\ntab\there "q" \\\n')]), out);
  assert.deepEqual(out.events.map((e) => e.message), ['ok', 'bad \ufffd\ufffd', 'tab\there "q" \\']);
});

test('assembler: a millisecond stamps at most MS_RUN_BYTES or MS_RUN_LINES of plain lines, never going back nor too far ahead', () => {
  let now = NOW;
  const a = new Assembler(plain, 0, () => now);
  // 4 MiB of 200-byte lines read "in one millisecond", then 100 short lines a little later.
  const line = `${'x'.repeat(199)}\n`;
  const out = feed(a, line.repeat(20_000));
  now = NOW + 3;
  out.push(...feed(a, 'a\n'.repeat(3000)));
  const runs = new Map<number, { bytes: number; lines: number }>();
  let prev = -Infinity;
  for (const e of out) {
    assert.ok(e.timestamp >= prev, 'stamps never go back');
    prev = e.timestamp;
    const r = runs.get(e.timestamp) ?? { bytes: 0, lines: 0 };
    r.bytes += Buffer.byteLength(e.message) + 26;
    r.lines++;
    runs.set(e.timestamp, r);
  }
  for (const [ms, r] of runs) {
    assert.ok(r.bytes <= MS_RUN_BYTES && r.lines <= MS_RUN_LINES, `${ms - NOW}: ${r.bytes} bytes, ${r.lines} lines`);
    assert.ok(ms - NOW <= MAX_STAMP_LEAD_MS, `${ms - NOW} ms ahead`);
  }
  // 20,000 lines at 225 bytes each take 35 milliseconds; the 3,000 short lines (more than a run's lines)
  // at least one more.
  assert.ok(runs.size >= 36, `${runs.size} milliseconds`);
});

test('assembler: lines read faster than the runs allow stay at most MAX_STAMP_LEAD_MS ahead of the clock', () => {
  const a = new Assembler(plain, 0, () => NOW);
  const out = feed(a, 'a\n'.repeat(MS_RUN_LINES * (MAX_STAMP_LEAD_MS + 5)));
  const last = out[out.length - 1]!.timestamp;
  assert.equal(last, NOW + MAX_STAMP_LEAD_MS);
});
