/**
 * Raw HTTP access to the server for tests that must send what no SDK would: malformed bodies, odd
 * headers, expired or wrong signatures. Requests are signed with @smithy/signature-v4 (the signer the
 * SDK itself uses) over node:http, so every header and byte on the wire is under the test's control.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/api/auth/testing.js';
import { TEST_REGION, type Credentials } from './server.js';

export const TARGET_PREFIX = 'Logs_20140328';
export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';


export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

export interface RawRequest {
  method?: string;
  path?: string;
  /** Sent exactly as given (names are case-insensitive on the wire). */
  headers: Record<string, string>;
  body?: Buffer | string;
}

/**
 * One HTTP/1.1 request on a fresh connection. If the server answers before it has read the whole body
 * and then closes the connection (a 413, say), the answer still counts: a write error after the
 * response arrived is ignored.
 */
export function rawRequest(baseUrl: string, req: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  const headers: Record<string, string> = { ...req.headers };
  const hasHeader = (n: string): boolean => Object.keys(headers).some((k) => k.toLowerCase() === n);
  if (body !== undefined && !hasHeader('content-length')) headers['content-length'] = String(body.length);
  if (!hasHeader('host')) headers.host = url.host;
  return new Promise<RawResponse>((resolve, reject) => {
    let gotResponse = false;
    const r = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        method: req.method ?? 'POST',
        path: req.path ?? '/',
        headers,
        agent: false,
        setHost: false,
      },
      (res) => {
        gotResponse = true;
        const chunks: Buffer[] = [];
        const done = (): void => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          if (text.trim() !== '') {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined; // not JSON; callers assert on `json` and see undefined
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        };
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', done);
        res.once('aborted', done);
        res.once('error', done);
      },
    );
    r.on('error', (err) => {
      if (!gotResponse) {
        reject(new Error(`connection failed before the server answered: ${err.message}`, { cause: err }));
      }
    });
    // The whole body in one write, as the SDKs' HTTP handlers do.
    if (body === undefined) r.end();
    else r.end(body);
  });
}

export interface SignedCall {
  /** The operation name; sent as `X-Amz-Target: Logs_20140328.<target>` unless `rawTarget` is given. */
  target?: string;
  /** The X-Amz-Target header exactly; null sends none. */
  rawTarget?: string | null;
  body?: Buffer | string;
  contentType?: string | null;
  headers?: Record<string, string>;
  credentials?: Credentials;
  region?: string;
  service?: string;
  signingDate?: Date;
  /** Send x-amz-content-sha256 (the JS SDK does; botocore does not for this service). Default true. */
  applyChecksum?: boolean;
  method?: string;
  path?: string;
}

/** Builds the headers of a SigV4-signed awsJson1_1 request, signed over exactly `body`. */
export async function signHeaders(baseUrl: string, call: SignedCall & { credentials: Credentials }): Promise<Record<string, string>> {
  const url = new URL(baseUrl);
  const body = call.body ?? '';
  const headers: Record<string, string> = { host: url.host, ...call.headers };
  if (call.contentType !== null) headers['content-type'] = call.contentType ?? JSON_CONTENT_TYPE;
  const target = call.rawTarget !== undefined ? call.rawTarget : `${TARGET_PREFIX}.${call.target ?? ''}`;
  if (target !== null) headers['x-amz-target'] = target;
  const signer = new SignatureV4({
    service: call.service ?? 'logs',
    region: call.region ?? TEST_REGION,
    credentials: call.credentials,
    sha256: NodeSha256,
    applyChecksum: call.applyChecksum ?? true,
  });
  const signed = await signer.sign(
    {
      method: call.method ?? 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: call.path ?? '/',
      query: {},
      headers,
      body: typeof body === 'string' ? body : new Uint8Array(body),
    },
    call.signingDate === undefined ? {} : { signingDate: call.signingDate },
  );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) out[k] = String(v);
  return out;
}

/** Sends a signed awsJson1_1 request with the given (possibly broken) body. */
export async function signedRequest(
  srv: { url: string; credentials: Credentials },
  call: SignedCall,
): Promise<RawResponse> {
  const credentials = call.credentials ?? srv.credentials;
  const headers = await signHeaders(srv.url, { ...call, credentials });
  return rawRequest(srv.url, {
    method: call.method ?? 'POST',
    path: call.path ?? '/',
    headers,
    ...(call.body === undefined ? {} : { body: call.body }),
  });
}

/** Sends an unsigned awsJson1_1 request. */
export function unsignedRequest(baseUrl: string, target: string, body: string): Promise<RawResponse> {
  return rawRequest(baseUrl, {
    headers: { 'content-type': JSON_CONTENT_TYPE, 'x-amz-target': `${TARGET_PREFIX}.${target}` },
    body,
  });
}
