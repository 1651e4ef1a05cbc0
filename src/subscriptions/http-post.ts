/**
 * One HTTP(S) POST for the function and OpenSearch sinks, through node:http(s) so that every connection
 * goes through the address policy's lookup (fetch offers no such hook without another dependency).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressPolicy } from './safety.js';

export interface PostResult {
  status: number;
  body: string;
}

/** `target`: a URL text, or a URL that policy.checkUrl already returned (a sink posting to it again and again). */
export function post(policy: AddressPolicy, target: string | URL, body: Buffer, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<PostResult> {
  const url = typeof target === 'string' ? policy.checkUrl(target) : target;
  const plain = url.protocol === 'http:';
  const send = plain ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(body.length) },
        lookup: policy.lookup(plain),
        timeout: timeoutMs,
        ...(signal ? { signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // Only the start of an answer is kept: it is for error messages and OpenSearch's item errors.
          if (size < 4 * 1024 * 1024) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.host} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
