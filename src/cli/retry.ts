/** Retrying throttled requests with exponential backoff and full jitter, for `logward put`. */
import { setTimeout as delay } from 'node:timers/promises';

export interface BackoffOptions {
  /** Tries in all, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** In [0, 1); Math.random unless a test fixes it. */
  random(): number;
  signal?: AbortSignal;
  /** Told before each wait, e.g. to say on stderr that the server is throttling. */
  onRetry?(error: unknown, attempt: number, delayMs: number): void;
}

/**
 * The SDK client also retries a throttled request (three tries in its standard mode) before the error
 * reaches us; these attempts come on top, with longer pauses, for a server that stays busy.
 */
export const DEFAULT_BACKOFF = {
  attempts: 6,
  baseMs: 200,
  maxMs: 10_000,
  random: Math.random,
  sleep: (ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }),
} satisfies Omit<BackoffOptions, 'signal' | 'onRetry'>;

/** True for the error the API returns when a client sends too fast. */
export function isThrottling(error: unknown): boolean {
  return error instanceof Error && error.name === 'ThrottlingException';
}

/** The wait before retry number `attempt` (1 for the first retry): random in [0, min(max, base * 2^(attempt-1))). */
export function backoffDelay(attempt: number, opts: Pick<BackoffOptions, 'baseMs' | 'maxMs' | 'random'>): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** (attempt - 1));
  return Math.floor(opts.random() * ceiling);
}

/** Runs `fn`, again after a growing pause while it fails with ThrottlingException; other errors pass through. */
export async function retryThrottled<T>(fn: () => Promise<T>, opts: BackoffOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (!isThrottling(error) || attempt >= opts.attempts) throw error;
      const wait = backoffDelay(attempt, opts);
      opts.onRetry?.(error, attempt, wait);
      await opts.sleep(wait, opts.signal);
    }
  }
}
