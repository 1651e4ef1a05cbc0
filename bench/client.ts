/**
 * A small CloudWatch Logs client for the main thread (set-up, visibility probe, searches): signed
 * awsJson1_1 calls over a keep-alive agent, errors thrown as AwsCallError with the AWS error name.
 * The benchmark does not use the AWS SDK here so that what is timed is the server plus one HTTP round
 * trip, without the SDK's middleware stack.
 */
import { Agent, request } from 'node:http';
import { Signer, type Credentials } from './sigv4.js';

export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(`${code} (HTTP ${status}): ${message}`);
  }
}

export class LogsClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });
  private readonly signer: Signer;
  private readonly url: URL;

  constructor(
    url: string,
    creds: Credentials,
    region: string,
    private readonly timeoutMs = 300_000,
  ) {
    this.url = new URL(url);
    this.signer = new Signer(creds, region);
  }

  async call<T = Record<string, unknown>>(operation: string, input: object): Promise<T> {
    const body = Buffer.from(JSON.stringify(input));
    const headers = this.signer.sign(this.url.host, operation, body);
    const reply = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          agent: this.agent,
          host: this.url.hostname,
          port: this.url.port,
          method: 'POST',
          path: '/',
          headers: { ...headers, 'content-length': String(body.length) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`${operation}: no reply within ${this.timeoutMs} ms`)));
      req.end(body);
    });
    let parsed: Record<string, unknown> = {};
    if (reply.text.length > 0) {
      try {
        parsed = JSON.parse(reply.text) as Record<string, unknown>;
      } catch {
        throw new AwsCallError('NotJson', reply.status, reply.text.slice(0, 300));
      }
    }
    if (reply.status !== 200) {
      const type = String(parsed['__type'] ?? `HTTP${reply.status}`);
      const message = String(parsed['message'] ?? parsed['Message'] ?? reply.text.slice(0, 300));
      throw new AwsCallError(type.slice(type.lastIndexOf('#') + 1), reply.status, message);
    }
    return parsed as T;
  }

  /** Creates the group and its streams; existing ones are fine. */
  async ensureStreams(group: string, streams: readonly string[]): Promise<void> {
    const tolerate = async (op: string, input: object): Promise<void> => {
      try {
        await this.call(op, input);
      } catch (err) {
        if (!(err instanceof AwsCallError && err.code === 'ResourceAlreadyExistsException')) throw err;
      }
    };
    await tolerate('CreateLogGroup', { logGroupName: group });
    for (const s of streams) await tolerate('CreateLogStream', { logGroupName: group, logStreamName: s });
  }

  close(): void {
    this.agent.destroy();
  }
}
