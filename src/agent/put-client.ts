/**
 * PutLogEvents as the agent sends it: the request body written directly (one JSON.stringify per message,
 * no SDK serializer walking the input), signed with the SDK's own SigV4 signer, over keep-alive HTTP.
 * It is the agent's hot path (the SDK's serializer took a fifth of the agent's CPU); everything else goes
 * through @aws-sdk/client-cloudwatch-logs, whose configuration (endpoint, region, credentials chain) this
 * client takes, so it reaches exactly what the SDK client would (Logward or AWS).
 *
 * Errors look like the SDK's: `name` is the AWS error code, `$metadata.httpStatusCode` the status;
 * connection errors are thrown as they are (with their `code`).
 */
import http from 'node:http';
import https from 'node:https';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { CloudWatchLogsClient, PutLogEventsCommandOutput, RejectedLogEventsInfo } from '@aws-sdk/client-cloudwatch-logs';

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data): Buffer => (typeof d === 'string' ? Buffer.from(d) : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d));

/** SHA-256 and HMAC-SHA-256 in the shape the signer takes. */
class Sha256 {
  private h: Hash | Hmac;
  constructor(private readonly secret?: Data) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(d: Data): void {
    this.h.update(bytes(d));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

export class PutLogEventsError extends Error {
  readonly $metadata: { httpStatusCode: number };
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
  }
}

/** Sends a PutLogEvents request body (written by BatchBuilder). */
export type PutFn = (body: Buffer) => Promise<{ rejectedLogEventsInfo?: RejectedLogEventsInfo }>;

export function createPutClient(client: CloudWatchLogsClient, opts: { maxSockets: number; timeoutMs: number }): { put: PutFn; destroy(): void } {
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: opts.maxSockets });
  let signer: Promise<SignatureV4> | undefined;
  const getSigner = (): Promise<SignatureV4> =>
    (signer ??= client.config.region().then((region) => new SignatureV4({ service: 'logs', region, credentials: client.config.credentials, sha256: Sha256 })));

  const put: PutFn = async (body) => {
    const endpoint = await client.config.endpoint?.();
    if (endpoint === undefined) throw new Error('the CloudWatch Logs client has no endpoint');
    const host = endpoint.port === undefined ? endpoint.hostname : `${endpoint.hostname}:${endpoint.port}`;
    const signed = await (await getSigner()).sign({
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port === undefined ? {} : { port: endpoint.port }),
      path: endpoint.path === '' ? '/' : endpoint.path,
      headers: {
        host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.PutLogEvents',
        'content-length': String(body.length),
      },
      body,
    });
    const secure = endpoint.protocol === 'https:';
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(
        {
          method: 'POST',
          host: endpoint.hostname.replace(/^\[|\]$/g, ''),
          port: endpoint.port,
          path: endpoint.path === '' ? '/' : endpoint.path,
          headers: signed.headers,
          agent: secure ? httpsAgent : httpAgent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            let json: Record<string, unknown> = {};
            try {
              json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
            } catch {
              // A body that is not JSON (a proxy's error page): the status says what happened.
            }
            if (status >= 200 && status < 300) {
              resolve(json as Pick<PutLogEventsCommandOutput, 'rejectedLogEventsInfo'>);
              return;
            }
            const type = String(json.__type ?? res.headers['x-amzn-errortype'] ?? `Http${status}Error`).split('#').pop()?.split(':')[0] ?? 'UnknownError';
            reject(new PutLogEventsError(type, String(json.message ?? json.Message ?? text.slice(0, 200)), status));
          });
        },
      );
      req.setTimeout(opts.timeoutMs, () => req.destroy(Object.assign(new Error(`no answer within ${opts.timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(body);
    });
  };
  return {
    put,
    destroy: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
