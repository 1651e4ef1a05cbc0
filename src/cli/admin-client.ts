/**
 * A client for the server's admin API (src/api/admin.ts): JSON requests signed with SigV4 exactly like
 * the CloudWatch Logs calls (service `logs`), with the same endpoint, region and credentials.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../api/auth/node-sha256.js';
import { resolveClientSettings, type ClientOptions } from './client.js';
import { UsageError, type CliContext } from './context.js';

export class AdminError extends Error {
  override readonly name = 'AdminError';
}

export async function adminRequest(ctx: CliContext, opts: ClientOptions, method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
  const settings = await resolveClientSettings(opts, ctx);
  if (settings.credentials === undefined) {
    throw new UsageError('no credentials: set LOGWARD_ACCESS_KEY_ID and LOGWARD_SECRET_ACCESS_KEY (or run on the server machine with its --data-dir)');
  }
  const url = new URL(path, settings.endpoint);
  const payload = body === undefined ? '' : JSON.stringify(body);
  const signer = new SignatureV4({ service: 'logs', region: settings.region, credentials: settings.credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port !== '' ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers: { host: url.host, 'content-type': 'application/json' },
    body: payload,
  });
  const res = await fetch(url, { method, headers: signed.headers, ...(payload !== '' ? { body: payload } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? {} : JSON.parse(text);
  } catch (e) {
    throw new AdminError(`the server answered HTTP ${res.status} with something that is not JSON`, { cause: e });
  }
  if (!res.ok) {
    const err = json as { __type?: string; message?: string };
    throw new AdminError(`${err.__type ?? `HTTP ${res.status}`}: ${err.message ?? text}`);
  }
  return json;
}
