/**
 * A small client for Logward's topics API (src/api/topics): SigV4-signed JSON, signing name `sns`. There
 * is no SDK for it (it is not SNS's wire protocol), so it signs with the SDK's own signer.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { ClientSettings } from './client.js';

const TARGET = 'LogwardTopics_20261127.';

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data): Buffer => (typeof d === 'string' ? Buffer.from(d) : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d));

/** SHA-256 and HMAC-SHA-256 in the shape the signer takes. */
class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: Data) {
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(d: Data): void {
    this.h.update(bytes(d));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
  reset(): void {
    this.h = this.fresh();
  }
}

/** An API error, named as the server's `__type`, so the CLI prints it as it prints SDK errors. */
export class TopicsApiError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class TopicsClient {
  private readonly signer: SignatureV4;

  constructor(private readonly settings: ClientSettings) {
    // Credentials from the settings, else the SDK's default chain (as the other commands do).
    const credentials = settings.credentials ?? new CloudWatchClient({ region: settings.region }).config.credentials;
    this.signer = new SignatureV4({ service: 'sns', region: settings.region, credentials, sha256: Sha256 });
  }

  async call<T>(op: string, input: Record<string, unknown>): Promise<T> {
    const url = new URL(this.settings.endpoint);
    const body = JSON.stringify(input);
    const signed = await this.signer.sign({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port !== '' ? { port: Number(url.port) } : {}),
      path: url.pathname === '' ? '/' : url.pathname,
      headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${TARGET}${op}` },
      body,
    });
    const res = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body });
    const text = await res.text();
    const json = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
    if (!res.ok) throw new TopicsApiError(String(json.__type ?? `HTTP${res.status}`), String(json.message ?? text));
    return json as T;
  }
}
