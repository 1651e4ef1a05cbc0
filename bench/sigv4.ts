/**
 * A minimal SigV4 signer for awsJson1_1 `POST /` requests, on node:crypto alone.
 *
 * The load generator signs every request itself, so signing must cost microseconds: the signing key is
 * derived once per day and the payload hash is the only per-body work. sigv4.test.ts checks the output
 * against @smithy/signature-v4 (what the AWS SDK uses), header for header.
 */
import { createHash, createHmac } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const JSON_CONTENT_TYPE = 'application/x-amz-json-1.1';
export const TARGET_PREFIX = 'Logs_20140328.';
const SIGNED_HEADERS = 'content-type;host;x-amz-date;x-amz-target';

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** `20241010T135536Z` */
export function amzDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

export class Signer {
  private keyDay = '';
  private key: Buffer = Buffer.alloc(0);

  constructor(
    private readonly creds: Credentials,
    private readonly region: string,
    private readonly service = 'logs',
  ) {}

  private signingKey(day: string): Buffer {
    if (day !== this.keyDay) {
      const kDate = createHmac('sha256', `AWS4${this.creds.secretAccessKey}`).update(day).digest();
      const kRegion = createHmac('sha256', kDate).update(this.region).digest();
      const kService = createHmac('sha256', kRegion).update(this.service).digest();
      this.key = createHmac('sha256', kService).update('aws4_request').digest();
      this.keyDay = day;
    }
    return this.key;
  }

  /**
   * The headers of a signed `POST /` for `Logs_20140328.<operation>` (content-length excluded).
   * `host` must be exactly what the Host header will carry (`127.0.0.1:4599`).
   */
  sign(host: string, operation: string, body: Buffer | string, nowMs = Date.now()): Record<string, string> {
    const date = amzDate(nowMs);
    const day = date.slice(0, 8);
    const target = TARGET_PREFIX + operation;
    const canonical =
      `POST\n/\n\ncontent-type:${JSON_CONTENT_TYPE}\nhost:${host}\nx-amz-date:${date}\nx-amz-target:${target}\n\n` +
      `${SIGNED_HEADERS}\n${sha256Hex(body)}`;
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const toSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${sha256Hex(canonical)}`;
    const signature = createHmac('sha256', this.signingKey(day)).update(toSign).digest('hex');
    return {
      'content-type': JSON_CONTENT_TYPE,
      host,
      'x-amz-date': date,
      'x-amz-target': target,
      authorization: `AWS4-HMAC-SHA256 Credential=${this.creds.accessKeyId}/${scope}, SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
    };
  }
}
