import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { amzDate, Signer } from './sigv4.js';

/** node:crypto behind the Checksum interface @smithy/signature-v4 expects (a key makes it an HMAC). */
class NodeSha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', typeof secret === 'string' ? secret : Buffer.from(secret as Uint8Array));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(typeof data === 'string' ? data : Buffer.from(data as Uint8Array));
  }
  async digest(): Promise<Uint8Array> {
    return this.h.digest();
  }
  reset(): void {
    throw new Error('the signer never resets a hash');
  }
}

test('amzDate formats an instant the way SigV4 wants it', () => {
  assert.equal(amzDate(Date.UTC(2024, 9, 10, 13, 55, 36, 123)), '20241010T135536Z');
});

test('the bench signer agrees with @smithy/signature-v4', async () => {
  const creds = { accessKeyId: 'BENCHAKIDEXAMPLE0001', secretAccessKey: 'benchSecretKeyExample0000000000000000000' };
  const body = '{"logGroupName":"g","logStreamName":"s","logEvents":[{"timestamp":1,"message":"héllo"}]}';
  const when = Date.UTC(2024, 9, 10, 13, 55, 36);
  const ours = new Signer(creds, 'us-east-1').sign('127.0.0.1:4599', 'PutLogEvents', body, when);
  const smithy = new SignatureV4({ service: 'logs', region: 'us-east-1', credentials: creds, sha256: NodeSha256, applyChecksum: false });
  const signed = await smithy.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4599,
      path: '/',
      query: {},
      headers: {
        host: '127.0.0.1:4599',
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': 'Logs_20140328.PutLogEvents',
      },
      body,
    },
    { signingDate: new Date(when) },
  );
  assert.equal(ours['authorization'], signed.headers['authorization']);
  assert.equal(ours['x-amz-date'], signed.headers['x-amz-date']);
});
