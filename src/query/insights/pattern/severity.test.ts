import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Drain } from './drain.js';
import { severityLabel } from './severity.js';

const label = (line: string): string => {
  const d = new Drain();
  return severityLabel(d.add(line).template);
};

test('the most severe level keyword in the static text decides', () => {
  const cases: Array<[string, string]> = [
    ['2024-05-01T10:00:00Z ERROR payment failed', 'ERROR'],
    ['[error] upstream timed out', 'ERROR'],
    ['{"level":"Error","msg":"boom"}', 'ERROR'],
    ['level=warn msg="disk 91% full"', 'WARN'],
    ['WARNING: retrying', 'WARN'],
    ['INFO retrying after error', 'ERROR'],
    ['FATAL: out of memory', 'FATAL'],
    ['CRITICAL system halted', 'FATAL'],
    ['SEVERE: connection lost', 'ERROR'],
    ['DEBUG cache miss', 'DEBUG'],
    ['TRACE enter()', 'TRACE'],
    ['[INFO] Calling DynamoDB', 'INFO'],
    ['GET /health 200', 'NONE'],
    ['java.lang.OutOfMemoryError: Java heap space', 'NONE'],
    ['errors=0 warnings=0', 'NONE'],
  ];
  for (const [line, want] of cases) assert.equal(label(line), want, line);
});

test('a level word that became a parameter does not count', () => {
  const d = new Drain({ similarity: 0.5 });
  d.add('job 1 finished with ERROR status');
  const c = d.add('job 2 finished with OK status');
  assert.equal(severityLabel(c.template), 'NONE');
});
