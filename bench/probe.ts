/**
 * Visibility probe: how long after PutLogEvents is acknowledged an event can be found by FilterLogEvents.
 *
 * Every `intervalMs` (while fewer than `maxOutstanding` probes are waiting) it writes one event carrying
 * a unique token to its own stream, then polls FilterLogEvents over the stream's whole group with
 * filterPattern = the token and startTime one minute before the event (what `aws logs tail --follow`
 * does), every `pollMs`, following nextToken, until the token comes back. Latency is measured from the
 * PutLogEvents 200 to the reply that contains the token, so it is an upper bound by at most one poll
 * interval plus one round trip. A probe still invisible after `timeoutMs` counts as Infinity.
 */
import { AwsCallError, type LogsClient } from './client.js';

export interface ProbeOptions {
  group: string;
  stream: string;
  intervalMs: number;
  pollMs: number;
  maxOutstanding: number;
  timeoutMs: number;
}

export interface ProbeResult {
  /** Milliseconds from ack to visibility, one per completed probe; Infinity for a timeout. */
  latenciesMs: number[];
  timeouts: number;
  errors: number;
  errorSamples: string[];
  polls: number;
  /** Probe PutLogEvents answered with ThrottlingException (then retried). */
  throttled: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface FilterReply {
  events?: { message?: string }[];
  nextToken?: string;
}

export class VisibilityProbe {
  private stopping = false;
  private readonly result: ProbeResult = { latenciesMs: [], timeouts: 0, errors: 0, errorSamples: [], polls: 0, throttled: 0 };
  private readonly runTag = Math.floor(Math.random() * 36 ** 6).toString(36);
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: LogsClient,
    private readonly opts: ProbeOptions,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** Stops starting probes and waits for those in flight. */
  async stop(): Promise<ProbeResult> {
    this.stopping = true;
    await this.loop;
    return this.result;
  }

  private error(err: unknown): void {
    this.result.errors++;
    if (this.result.errorSamples.length < 5) this.result.errorSamples.push(err instanceof Error ? err.message : String(err));
  }

  private async run(): Promise<void> {
    const outstanding = new Set<Promise<void>>();
    for (let n = 0; !this.stopping; n++) {
      const tick = Date.now();
      if (outstanding.size < this.opts.maxOutstanding) {
        const p: Promise<void> = this.probe(n).catch((err: unknown) => this.error(err));
        outstanding.add(p);
        void p.finally(() => outstanding.delete(p));
      }
      await sleep(Math.max(0, this.opts.intervalMs - (Date.now() - tick)));
    }
    await Promise.all(outstanding);
  }

  private async probe(n: number): Promise<void> {
    // Letters and digits only, so every reading of "term" in a filter pattern matches it whole.
    const token = `vis${this.runTag}x${n}`;
    let ts = Date.now();
    // Throttled like any client under load: retried, and timed from the PutLogEvents that succeeds.
    for (let attempt = 0; ; attempt++) {
      try {
        ts = Date.now();
        await this.client.call('PutLogEvents', {
          logGroupName: this.opts.group,
          logStreamName: this.opts.stream,
          logEvents: [{ timestamp: ts, message: `visibility probe ${token} sent ${new Date(ts).toISOString()}` }],
        });
        break;
      } catch (err) {
        if (!(err instanceof AwsCallError && err.code === 'ThrottlingException') || attempt >= 20) throw err;
        this.result.throttled++;
        await sleep(Math.min(1000, 50 * 2 ** Math.min(attempt, 5)) * (0.5 + Math.random()));
      }
    }
    const acked = performance.now();
    for (;;) {
      const pollStart = performance.now();
      if (pollStart - acked > this.opts.timeoutMs) {
        this.result.timeouts++;
        this.result.latenciesMs.push(Number.POSITIVE_INFINITY);
        return;
      }
      if (await this.visible(token, ts, acked + this.opts.timeoutMs)) {
        this.result.latenciesMs.push(performance.now() - acked);
        return;
      }
      await sleep(Math.max(0, this.opts.pollMs - (performance.now() - pollStart)));
    }
  }

  private async visible(token: string, ts: number, deadline: number): Promise<boolean> {
    let nextToken: string | undefined;
    do {
      this.result.polls++;
      const reply = await this.client.call<FilterReply>('FilterLogEvents', {
        logGroupName: this.opts.group,
        filterPattern: token,
        startTime: ts - 60_000,
        ...(nextToken === undefined ? {} : { nextToken }),
      });
      if ((reply.events ?? []).some((e) => e.message?.includes(token) === true)) return true;
      nextToken = reply.nextToken;
    } while (nextToken !== undefined && performance.now() < deadline);
    return false;
  }
}
