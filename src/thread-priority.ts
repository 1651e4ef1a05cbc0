/**
 * Background threads yield to the thread that acknowledges ingestion.
 *
 * Metric filter evaluation and subscription encoding run in worker threads of their own, off the event
 * loop that answers PutLogEvents. On a machine whose cores are all busy they still take a core from it:
 * the kernel shares cores evenly between runnable threads, so the event loop waits for a core while a
 * worker evaluates, and ingest slows by about as much as the worker works. Each such worker lowers its
 * own scheduling priority (a nice value, per thread on Linux) when it starts: the kernel then runs the
 * event loop first and the worker in what is left, which on a machine with spare capacity is all it needs.
 * Nothing is dropped: under sustained saturation the worker's queue grows (each owner bounds it) and its
 * output comes later (metrics, deliveries), while acknowledged events are never at risk.
 *
 * Lowering a priority needs no privilege; raising it back would, so a thread does it once, for itself.
 * Linux only (a thread's id comes from /proc/thread-self); elsewhere threads keep the default priority.
 */
import { existsSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** The nice value of background workers: the lowest priority, so the event loop nearly always runs first. */
export const BACKGROUND_NICE = 19;

/** This thread's id in the operating system (Linux), or undefined elsewhere. */
export function osThreadId(): number | undefined {
  if (!existsSync('/proc/thread-self')) return undefined;
  const tid = Number(/\/task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1]);
  return Number.isInteger(tid) ? tid : undefined;
}

/**
 * Lowers the calling thread's scheduling priority to `nice` (Linux; a no-op elsewhere or if the system
 * refuses). Returns the thread's id in the operating system, when known.
 */
export function lowerThisThreadPriority(nice = BACKGROUND_NICE): number | undefined {
  const tid = osThreadId();
  if (tid === undefined) return undefined;
  try {
    setPriority(tid, nice);
  } catch {
    // A container may forbid it; the thread then runs at the default priority.
  }
  return tid;
}
