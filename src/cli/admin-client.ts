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
  const res = await signedFetch(ctx, opts, method, path, body === undefined ? '' : JSON.stringify(body), { 'content-type': 'application/json' });
  return answerOf(res, await res.text());
}

/** An admin call whose request and answer are bytes (`extraHeaders` signed too); throws on an error answer. */
export async function adminBytesRequest(ctx: CliContext, opts: ClientOptions, path: string, body: Buffer, extraHeaders: Record<string, string>): Promise<Buffer> {
  const res = await signedFetch(ctx, opts, 'POST', path, body, { 'content-type': 'application/octet-stream', ...extraHeaders });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (!res.ok) answerOf(res, bytes.toString('utf8'));
  return bytes;
}

async function signedFetch(ctx: CliContext, opts: ClientOptions, method: string, path: string, payload: string | Buffer, headers: Record<string, string>): Promise<Response> {
  const settings = await resolveClientSettings(opts, ctx);
  if (settings.credentials === undefined) {
    throw new UsageError('no credentials: set LOGWARD_ACCESS_KEY_ID and LOGWARD_SECRET_ACCESS_KEY (or run on the server machine with its --data-dir)');
  }
  const url = new URL(path, settings.endpoint);
  const signer = new SignatureV4({ service: 'logs', region: settings.region, credentials: settings.credentials, sha256: NodeSha256 });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port !== '' ? { port: Number(url.port) } : {}),
    path: url.pathname,
    headers: { host: url.host, ...headers },
    body: payload,
  });
  return fetch(url, { method, headers: signed.headers, ...(payload.length > 0 ? { body: payload } : {}) });
}

/** The JSON of an answer; throws AdminError with the server's error when it is one. */
function answerOf(res: Response, text: string): unknown {
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
