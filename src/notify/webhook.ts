/**
 * Webhook delivery: a JSON POST signed with HMAC-SHA256, retried with exponential backoff.
 *
 * Signature: `X-Logward-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with the
 * timestamp (epoch seconds) in `X-Logward-Timestamp`, so a receiver can reject replays; without a secret
 * the request is not signed. `X-Logward-Delivery` is the same UUID on every attempt (deduplication).
 * Retried: network errors, timeouts, 408, 429 and 5xx; not retried: other answers (a 4xx will not change)
 * and an address the policy refuses. Sent through node:http(s) with the policy's lookup, so every address
 * the name resolves to is checked on the connection that uses it; redirects are not followed.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { DestinationRefusedError, type AddressPolicy } from '../subscriptions/safety.js';
import { post } from '../subscriptions/http-post.js';

export interface WebhookRequest {
  url: string;
  /** The JSON body, as sent and signed. */
  body: string;
  secret?: string;
}

export interface WebhookPolicy {
  /** Attempts in all (default 4). */
  attempts: number;
  /** Wait before the 2nd attempt; doubled each time (default 1 s). */
  backoffMs: number;
  /** Per attempt (default 10 s). */
  timeoutMs: number;
}

export interface WebhookResult {
  ok: boolean;
  attempts: number;
  /** The last HTTP status, when there was an answer. */
  status?: number;
  /** Why the last attempt failed. */
  error?: string;
}

export const DEFAULT_WEBHOOK_POLICY: WebhookPolicy = { attempts: 4, backoffMs: 1000, timeoutMs: 10_000 };

export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

const retryable = (status: number): boolean => status === 408 || status === 429 || status >= 500;

export async function deliverWebhook(
  req: WebhookRequest,
  addresses: AddressPolicy,
  policy: WebhookPolicy = DEFAULT_WEBHOOK_POLICY,
  opts: { now?: () => number; sleep?: (ms: number) => Promise<void>; signal?: AbortSignal } = {},
): Promise<WebhookResult> {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref()));
  const delivery = randomUUID();
  let last: WebhookResult = { ok: false, attempts: 0 };
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) await sleep(policy.backoffMs * 2 ** (attempt - 2));
    if (opts.signal?.aborted === true) return { ...last, error: 'aborted' };
    const timestamp = String(Math.floor(now() / 1000));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': 'Logward-Notifications/1',
      'x-logward-delivery': delivery,
      'x-logward-timestamp': timestamp,
    };
    if (req.secret !== undefined) headers['x-logward-signature'] = signature(req.secret, timestamp, req.body);
    try {
      const signal = opts.signal === undefined ? AbortSignal.timeout(policy.timeoutMs) : AbortSignal.any([opts.signal, AbortSignal.timeout(policy.timeoutMs)]);
      const res = await post(addresses, req.url, Buffer.from(req.body), headers, policy.timeoutMs, signal);
      if (res.status >= 200 && res.status < 300) return { ok: true, attempts: attempt, status: res.status };
      last = { ok: false, attempts: attempt, status: res.status, error: `HTTP ${res.status}` };
      if (!retryable(res.status)) return last;
    } catch (e) {
      const err = e as Error;
      if (err instanceof DestinationRefusedError) return { ok: false, attempts: attempt, error: err.message };
      const timedOut = err.name === 'TimeoutError' || (err.cause as Error | undefined)?.name === 'TimeoutError';
      last = { ok: false, attempts: attempt, error: timedOut ? `timed out after ${policy.timeoutMs} ms` : err.message };
    }
  }
  return last;
}
