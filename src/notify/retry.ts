/**
 * The retry loop every notification channel shares: up to `attempts` tries, waiting `backoffMs`,
 * then twice that, and so on, between them; an attempt says whether its failure is worth another try.
 */
export interface RetryPolicy {
  /** Attempts in all (default 4). */
  attempts: number;
  /** Wait before the 2nd attempt; doubled each time (default 1 s). */
  backoffMs: number;
  /** Per attempt (default 10 s). */
  timeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, backoffMs: 1000, timeoutMs: 10_000 };

export interface Attempted {
  ok: boolean;
  attempts: number;
  /** Why the last attempt failed. */
  error?: string;
}

export const realSleep = (ms: number): Promise<void> => new Promise<void>((r) => setTimeout(r, ms).unref());

export async function retrying(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<{ ok: boolean; error?: string; retry?: boolean }>,
  sleep: (ms: number) => Promise<void> = realSleep,
): Promise<Attempted> {
  let last: Attempted = { ok: false, attempts: 0 };
  for (let n = 1; n <= policy.attempts; n++) {
    if (n > 1) await sleep(policy.backoffMs * 2 ** (n - 2));
    const r = await attempt(n);
    if (r.ok) return { ok: true, attempts: n };
    last = { ok: false, attempts: n, ...(r.error !== undefined ? { error: r.error } : {}) };
    if (r.retry === false) return last;
  }
  return last;
}
