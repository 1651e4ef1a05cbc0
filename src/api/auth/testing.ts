/**
 * Test support: requests signed by the AWS SDK's own signer (@smithy/signature-v4), turned into the
 * SignedRequest the HTTP layer would hand to verifySigV4. Used by this folder's tests only.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256.js';
import type { SignedRequest } from './types.js';

export { NodeSha256 };

export const TEST_KEY = {
  accessKeyId: 'LKIATESTTESTTEST0001',
  secretAccessKey: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNl',
};
export const T0 = Date.UTC(2024, 0, 1, 0, 0, 0);

export interface SignInput {
  method?: string;
  /** The path as it goes on the wire (already percent-encoded, as the SDK builds it). */
  path?: string;
  /** Decoded query parameters, as the SDK holds them. */
  query?: Record<string, string | string[]>;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  at?: number;
  region?: string;
  service?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** false: no x-amz-content-sha256 header, as the aws CLI sends. */
  applyChecksum?: boolean;
  presign?: { expiresIn: number };
}

/** The SDK's escapeUri: RFC 3986, only A-Z a-z 0-9 - _ . ~ left as they are. */
export const escapeUri = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function buildQuery(query: Record<string, string | string[] | null>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) {
      parts.push(v === null ? escapeUri(key) : `${escapeUri(key)}=${escapeUri(v)}`);
    }
  }
  return parts.join('&');
}

export async function smithySign(input: SignInput = {}): Promise<SignedRequest> {
  const signer = new SignatureV4({
    service: input.service ?? 'logs',
    region: input.region ?? 'us-east-1',
    credentials: input.credentials ?? TEST_KEY,
    sha256: NodeSha256,
    applyChecksum: input.applyChecksum ?? true,
  });
  const body = input.body ?? '{"logGroupName":"g"}';
  const request = {
    method: input.method ?? 'POST',
    protocol: 'http:',
    hostname: 'localhost',
    port: 4599,
    path: input.path ?? '/',
    query: input.query ?? {},
    headers: {
      host: 'localhost:4599',
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'Logs_20140328.DescribeLogGroups',
      ...input.headers,
    },
    body,
  };
  const signingDate = new Date(input.at ?? T0);
  const signed =
    input.presign === undefined
      ? await signer.sign(request, { signingDate })
      : await signer.presign(request, { signingDate, expiresIn: input.presign.expiresIn });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  return {
    method: signed.method,
    path: signed.path,
    query: buildQuery(signed.query ?? {}),
    headers,
    body: Buffer.from(typeof body === 'string' ? Buffer.from(body, 'utf8') : body),
  };
}
