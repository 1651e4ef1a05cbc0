/**
 * `GET /metrics` for Prometheus, and the one rule of who may read it.
 *
 * The rule: with a scrape token configured (`LOGWARD_METRICS_TOKEN`), a request must carry
 * `Authorization: Bearer <token>` (Prometheus: `authorization: { credentials_file: ... }`); without
 * one, /metrics is open, like /health, which suits a scraper on a private network or on the loopback
 * address the server listens on by default. The server warns at start when it listens elsewhere
 * without a token. SigV4 and IAM policies do not apply here: Prometheus cannot sign requests. Whoever
 * wires authorization for the rest of the API changes this function only.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface MetricsEndpoint {
  /** undefined: no token, open. */
  bearerToken: string | undefined;
  render(): Promise<string>;
}

export function metricsScrapeAllowed(bearerToken: string | undefined, authorization: string | undefined): boolean {
  if (bearerToken === undefined) return true;
  const m = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!m) return false;
  const got = Buffer.from(m[1]!);
  const want = Buffer.from(bearerToken);
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function serveMetricsEndpoint(ep: MetricsEndpoint, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (!metricsScrapeAllowed(ep.bearerToken, req.headers.authorization)) {
    return reply.code(401).header('www-authenticate', 'Bearer realm="logward-metrics"').header('content-type', 'text/plain; charset=utf-8').send('unauthorized\n');
  }
  return reply.header('content-type', 'text/plain; version=0.0.4; charset=utf-8').send(await ep.render());
}
