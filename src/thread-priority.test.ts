/** The background workers run at the lowest priority; the thread that started them keeps its own. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WorkerEncoder } from './subscriptions/piece-encoder.js';
import { BACKGROUND_NICE, osThreadId } from './thread-priority.js';

const linux = existsSync('/proc/thread-self');

/** Nice value of each of this process's threads, by id (Linux: /proc; field 19 of stat). */
function niceByThread(): Map<number, number> {
  const out = new Map<number, number>();
  for (const t of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${t}/stat`, 'utf8');
      out.set(Number(t), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}

test('the metric filter worker lowers its own priority, not its starter\'s', { skip: !linux && 'Linux only' }, async () => {
  const own = getPriority(osThreadId()!);
  const w = new Worker(new URL('./metrics/filter-worker.js', import.meta.url));
  try {
    const tid = await new Promise<number>((resolve) => w.once('message', (m: { kind: string; tid: number }) => resolve(m.tid)));
    assert.notEqual(tid, osThreadId());
    assert.equal(getPriority(tid), BACKGROUND_NICE);
    assert.equal(niceByThread().get(tid), BACKGROUND_NICE);
    assert.equal(getPriority(osThreadId()!), own);
  } finally {
    await w.terminate();
  }
});

test('the subscription encoder thread runs at the lowest priority', { skip: !linux && 'Linux only' }, async () => {
  const before = new Set([...niceByThread()].filter(([, n]) => n === BACKGROUND_NICE).map(([t]) => t));
  const own = getPriority(osThreadId()!);
  const encoder = new WorkerEncoder();
  try {
    // Starting the thread takes an encoding; its answer means the thread ran its start-up.
    await encoder.encode({ firstSeq: 0, offsets: null, timestamps: [1], messages: ['x'] });
    const lowered = [...niceByThread()].filter(([t, n]) => n === BACKGROUND_NICE && !before.has(t));
    assert.equal(lowered.length, 1, 'one new thread at the background priority');
    assert.equal(getPriority(osThreadId()!), own);
  } finally {
    await encoder.close();
  }
});
