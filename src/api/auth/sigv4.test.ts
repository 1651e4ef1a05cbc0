import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CloudWatchLogsClient, PutLogEventsCommand, type CloudWatchLogsClientConfig } from '@aws-sdk/client-cloudwatch-logs';
import { ApiError, MESSAGES, type ApiErrorName } from '../errors.js';
import { verifySigV4 } from './sigv4.js';
import { smithySign, T0, TEST_KEY } from './testing.js';
import type { SignedRequest, VerifyOptions } from './types.js';

const MIN = 60_000;

function options(overrides: Partial<VerifyOptions> = {}): VerifyOptions {
  return {
    service: 'logs',
    region: 'us-east-1',
    nowMs: T0,
    lookupSecret: (id) => (id === TEST_KEY.accessKeyId ? TEST_KEY.secretAccessKey : undefined),
    ...overrides,
  };
}

function rejects(req: SignedRequest, code: ApiErrorName, message: string, opts = options()): void {
  assert.throws(
    () => verifySigV4(req, opts),
    (err: unknown) => {
      assert.ok(err instanceof ApiError, `not an ApiError: ${String(err)}`);
      assert.equal(err.code, code);
      assert.equal(err.message, message);
      return true;
    },
  );
}

const withHeader = (req: SignedRequest, name: string, value: string | string[] | undefined): SignedRequest => ({
  ...req,
  headers: { ...req.headers, [name]: value },
});

const CREDENTIAL = `${TEST_KEY.accessKeyId}/20240101/us-east-1/logs/aws4_request`;
const SIG = 'a'.repeat(64);

function withAuthorization(value: string, extra: Record<string, string | undefined> = {}): SignedRequest {
  return {
    method: 'POST',
    path: '/',
    query: '',
    headers: { host: 'localhost:4599', 'x-amz-date': '20240101T000000Z', authorization: value, ...extra },
    body: Buffer.from('{}'),
  };
}

describe('verifySigV4 accepts what the AWS SDK signs', () => {
  it('with x-amz-content-sha256 (the SDK default)', async () => {
    const req = await smithySign();
    assert.ok(typeof req.headers['x-amz-content-sha256'] === 'string');
    assert.deepEqual(verifySigV4(req, options()), { accessKeyId: TEST_KEY.accessKeyId });
  });

  it('without x-amz-content-sha256 (the aws CLI)', async () => {
    const req = await smithySign({ applyChecksum: false });
    assert.equal(req.headers['x-amz-content-sha256'], undefined);
    assert.deepEqual(verifySigV4(req, options()), { accessKeyId: TEST_KEY.accessKeyId });
  });

  it('a PutLogEvents request built by @aws-sdk/client-cloudwatch-logs itself', async () => {
    let captured: SignedRequest | undefined;
    const handler = {
      handle: async (request: {
        method: string;
        path: string;
        headers: Record<string, string>;
        body?: unknown;
      }): Promise<never> => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
        captured = {
          method: request.method,
          path: request.path,
          query: '',
          headers,
          // The SDK hands over a Uint8Array (a JSON bytes adapter), or a string.
          body: ArrayBuffer.isView(request.body)
            ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength)
            : Buffer.from(typeof request.body === 'string' ? request.body : '', 'utf8'),
        };
        throw new Error('captured');
      },
    };
    const client = new CloudWatchLogsClient({
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:4599',
      credentials: TEST_KEY,
      maxAttempts: 1,
      requestHandler: handler as unknown as CloudWatchLogsClientConfig['requestHandler'],
    });
    const message = 'x'.repeat(1000);
    await assert.rejects(
      client.send(
        new PutLogEventsCommand({
          logGroupName: 'g',
          logStreamName: 's',
          logEvents: [{ timestamp: Date.now(), message }],
        }),
      ),
      /captured/,
    );
    assert.ok(captured !== undefined);
    assert.equal(captured.headers['x-amz-target'], 'Logs_20140328.PutLogEvents');
    assert.deepEqual(verifySigV4(captured, options({ nowMs: Date.now() })), { accessKeyId: TEST_KEY.accessKeyId });
    rejects({ ...captured, body: Buffer.from(captured.body.toString().replace('"s"', '"t"')) }, 'InvalidSignatureException',
      "The provided 'x-amz-content-sha256' header does not match what was computed.", options({ nowMs: Date.now() }));
  });

  it('with unsigned headers added after signing', async () => {
    const req = await smithySign();
    const extra = withHeader(withHeader(req, 'user-agent', 'curl/8'), 'x-forwarded-for', '10.0.0.1');
    assert.ok(!/user-agent|x-forwarded-for/.test(String(req.headers['authorization'])));
    verifySigV4(extra, options());
  });

  it('with header values holding runs of spaces and tabs, and repeated headers', async () => {
    const req = await smithySign({ headers: { 'x-custom': 'a   b \t c', 'x-multi': 'one,two' } });
    assert.match(String(req.headers['authorization']), /x-custom/);
    verifySigV4(req, options());
    // Node delivers repeated headers as separate values; the SDK signed them joined with ','.
    verifySigV4(withHeader(req, 'x-multi', ['one', 'two']), options());
  });

  it('with a percent-encoded, dot-segmented path and a query string', async () => {
    const req = await smithySign({
      method: 'GET',
      path: '/a%20b/c%2Fd/./e/../f//g/',
      query: { b: '2', a: ['z', 'y'], 'sp ace': 'v+1/é', empty: '' },
      body: '',
    });
    assert.ok(req.query.includes('sp%20ace=v%2B1%2F%C3%A9'));
    verifySigV4(req, options());
  });

  it('exactly 15 minutes either side of now', async () => {
    verifySigV4(await smithySign({ at: T0 }), options({ nowMs: T0 + 15 * MIN }));
    verifySigV4(await smithySign({ at: T0 + 15 * MIN }), options({ nowMs: T0 }));
  });

  it('a presigned GET URL', async () => {
    const req = await smithySign({ method: 'GET', body: '', presign: { expiresIn: 3600 } });
    assert.equal(req.headers['authorization'], undefined);
    assert.match(req.query, /X-Amz-Signature=/);
    verifySigV4(req, options({ nowMs: T0 + 59 * MIN }));
    rejects(req, 'InvalidSignatureException',
      'Signature expired: 20240101T000000Z is now earlier than 20240101T000100Z (20240101T010100Z - 60 min.)',
      options({ nowMs: T0 + 61 * MIN }));
    rejects({ ...req, query: req.query.replace('X-Amz-Expires=3600', 'X-Amz-Expires=7200') },
      'InvalidSignatureException', MESSAGES.badSignature);
  });
});

describe('verifySigV4 rejects a changed request', () => {
  it('a signed header value changed', async () => {
    const req = await smithySign();
    rejects(withHeader(req, 'x-amz-target', 'Logs_20140328.DeleteLogGroup'), 'InvalidSignatureException', MESSAGES.badSignature);
    rejects(withHeader(req, 'host', 'evil:4599'), 'InvalidSignatureException', MESSAGES.badSignature);
  });

  it('the body changed, with and without x-amz-content-sha256', async () => {
    const withHash = await smithySign({ body: '{"a":1}' });
    rejects({ ...withHash, body: Buffer.from('{"a":2}') }, 'InvalidSignatureException',
      "The provided 'x-amz-content-sha256' header does not match what was computed.");
    const withoutHash = await smithySign({ body: '{"a":1}', applyChecksum: false });
    rejects({ ...withoutHash, body: Buffer.from('{"a":2}') }, 'InvalidSignatureException', MESSAGES.badSignature);
  });

  it('the body and its x-amz-content-sha256 both replaced (the signature covers the hash)', async () => {
    const req = await smithySign({ body: '{"a":1}' });
    const body = Buffer.from('{"a":2}');
    const { createHash } = await import('node:crypto');
    const forged = withHeader(req, 'x-amz-content-sha256', createHash('sha256').update(body).digest('hex'));
    rejects({ ...forged, body }, 'InvalidSignatureException', MESSAGES.badSignature);
  });

  it('the method, path or query changed', async () => {
    const req = await smithySign({ path: '/a', query: { q: '1' } });
    rejects({ ...req, method: 'PUT' }, 'InvalidSignatureException', MESSAGES.badSignature);
    rejects({ ...req, path: '/b' }, 'InvalidSignatureException', MESSAGES.badSignature);
    rejects({ ...req, query: 'q=2' }, 'InvalidSignatureException', MESSAGES.badSignature);
  });

  it('signed with the wrong secret', async () => {
    const req = await smithySign({ credentials: { accessKeyId: TEST_KEY.accessKeyId, secretAccessKey: 'wrong' } });
    rejects(req, 'InvalidSignatureException', MESSAGES.badSignature);
  });

  it('an unknown access key', async () => {
    const req = await smithySign({ credentials: { accessKeyId: 'LKIAUNKNOWNUNKNOWN00', secretAccessKey: 'x' } });
    rejects(req, 'UnrecognizedClientException', 'The security token included in the request is invalid.');
  });
});

describe('verifySigV4 gives the AWS error', () => {
  it('for an expired request', async () => {
    rejects(await smithySign({ at: T0 }), 'InvalidSignatureException',
      'Signature expired: 20240101T000000Z is now earlier than 20240101T001000Z (20240101T002500Z - 15 min.)',
      options({ nowMs: T0 + 25 * MIN }));
  });

  it('for a request from the future', async () => {
    rejects(await smithySign({ at: T0 + 30 * MIN }), 'InvalidSignatureException',
      'Signature not yet current: 20240101T003000Z is still later than 20240101T001500Z (20240101T000000Z + 15 min.)',
      options({ nowMs: T0 }));
  });

  it('for the wrong region, service or both', async () => {
    rejects(await smithySign({ region: 'eu-west-1' }), 'InvalidSignatureException',
      "Credential should be scoped to a valid region, not 'eu-west-1'. ");
    rejects(await smithySign({ service: 'monitoring' }), 'InvalidSignatureException',
      "Credential should be scoped to correct service: 'logs'. ");
    rejects(await smithySign({ region: 'eu-west-1', service: 'monitoring' }), 'InvalidSignatureException',
      "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct service: 'logs'. ");
  });

  it('for a credential scope date that is not the request date', async () => {
    const req = await smithySign();
    const auth = String(req.headers['authorization']).replace('/20240101/', '/20240102/');
    rejects(withHeader(req, 'authorization', auth), 'InvalidSignatureException',
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240102' != '20240101', from '20240101T000000Z'.");
  });

  it('for a credential with the wrong number of parts or terminator', () => {
    rejects(withAuthorization(`AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/logs, SignedHeaders=host;x-amz-date, Signature=${SIG}`),
      'IncompleteSignatureException',
      "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKID/20240101/us-east-1/logs'");
    rejects(withAuthorization(`AWS4-HMAC-SHA256 Credential=AKID/20240101/us-east-1/logs/aws5_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`),
      'InvalidSignatureException', "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ");
    // A client that lost the separator before Signature: the signature is not quoted back.
    rejects(withAuthorization(`AWS4-HMAC-SHA256 SignedHeaders=host;x-amz-date, Signature=${SIG}, Credential=${CREDENTIAL}Signature=${SIG}`),
      'InvalidSignatureException', "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws4_requestSignature=***'. ");
  });

  it('for no Authorization header', () => {
    rejects(withAuthorization(''), 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    rejects(withHeader(withAuthorization(''), 'authorization', undefined), 'MissingAuthenticationTokenException',
      'Missing Authentication Token');
  });

  it('for missing parameters, quoting only the first word of the header', () => {
    rejects(withAuthorization(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, Signature=${SIG}`), 'IncompleteSignatureException',
      "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256");
    rejects(withAuthorization('AWS4-HMAC-SHA256', { 'x-amz-date': undefined }), 'IncompleteSignatureException',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a " +
        "'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256");
  });

  it('for a missing date', () => {
    rejects(withAuthorization(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host, Signature=${SIG}`, { 'x-amz-date': undefined }),
      'IncompleteSignatureException',
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. " +
        'Authorization=AWS4-HMAC-SHA256');
  });

  it('for a date that is not ISO 8601 basic format', () => {
    rejects(withAuthorization(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIG}`,
      { 'x-amz-date': '2024-01-01T00:00:00Z' }), 'IncompleteSignatureException',
      "Date must be in ISO-8601 'basic format'. Got '2024-01-01T00:00:00Z'. See http://en.wikipedia.org/wiki/ISO_8601");
    rejects(withAuthorization(`AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature=${SIG}`,
      { 'x-amz-date': '20240230T000000Z' }), 'IncompleteSignatureException',
      "Date must be in ISO-8601 'basic format'. Got '20240230T000000Z'. See http://en.wikipedia.org/wiki/ISO_8601");
  });

  it('for another algorithm, without echoing a signature', () => {
    rejects(withAuthorization(`AWS4-HMAC-SHA512 Credential=${CREDENTIAL}, SignedHeaders=host, Signature=${SIG}`),
      'IncompleteSignatureException', "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). ");
    rejects(withAuthorization(`AWS4-HMAC-SHA512Signature=${SIG}`), 'IncompleteSignatureException',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA512Signature=***");
    rejects(withAuthorization('AWS4-'), 'IncompleteSignatureException',
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-");
    rejects(withAuthorization(`AWS4-HMAC-SHA512Signature=${SIG} Credential=${CREDENTIAL}, SignedHeaders=host, Signature=${SIG}`),
      'IncompleteSignatureException', "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512Signature=***' (only AWS4-HMAC-SHA256 for now). ");
  });

  it('for an Authorization header that is not SigV4 at all, quoting none of it', () => {
    for (const header of ['Bearer eyJhbGciOi', 'Basic dXNlcjpwYXNz', `Signature=${SIG}`, 'AWS AKID:c2ln']) {
      rejects(withAuthorization(header), 'MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
  });

  it('for a parameter without an equal sign, hashing the header', () => {
    const header = `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders, Signature=${SIG}`;
    assert.throws(() => verifySigV4(withAuthorization(header), options()), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 'IncompleteSignatureException');
      assert.match(err.message,
        /^Invalid key=value pair \(missing equal-sign\) in Authorization header \(hashed with SHA-256 and encoded with Base64\): '[A-Za-z0-9+/]{43}='\.$/);
      assert.ok(!err.message.includes(SIG));
      return true;
    });
  });

  it('for Host, X-Amz-Date or X-Amz-Target left out of SignedHeaders', () => {
    const auth = (signed: string): string => `AWS4-HMAC-SHA256 Credential=${CREDENTIAL}, SignedHeaders=${signed}, Signature=${SIG}`;
    rejects(withAuthorization(auth('x-amz-date')), 'InvalidSignatureException',
      "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    rejects(withAuthorization(auth('')), 'InvalidSignatureException', "'Host' must be a 'SignedHeader' in the AWS Authorization.");
    rejects(withAuthorization(auth('host')), 'InvalidSignatureException',
      "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization.");
    rejects(withAuthorization(auth('host'), { 'x-amz-date': undefined, date: '20240101T000000Z' }), 'InvalidSignatureException',
      "'Date' must be a 'SignedHeader' in the AWS Authorization.");
    rejects(withAuthorization(auth('host;x-amz-date'), { 'x-amz-target': 'Logs_20140328.PutLogEvents' }),
      'InvalidSignatureException', "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.");
  });

  it('for a signature that is not 64 lower-case hex digits', async () => {
    const req = await smithySign();
    const auth = String(req.headers['authorization']);
    const upper = auth.replace(/Signature=([0-9a-f]+)/, (_m, s: string) => `Signature=${s.toUpperCase()}`);
    rejects(withHeader(req, 'authorization', upper), 'InvalidSignatureException', MESSAGES.badSignature);
    rejects(withHeader(req, 'authorization', auth.replace(/Signature=[0-9a-f]+/, 'Signature=abc')),
      'InvalidSignatureException', MESSAGES.badSignature);
  });

  it('for both an Authorization header and a presigned query', async () => {
    const req = await smithySign();
    rejects({ ...req, query: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' }, 'InvalidSignatureException',
      "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.");
  });

  it('for an incomplete presigned query', () => {
    const req: SignedRequest = { method: 'GET', path: '/', query: 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240101T000000Z',
      headers: { host: 'localhost' }, body: Buffer.alloc(0) };
    rejects(req, 'IncompleteSignatureException',
      "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include " +
        "'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the query-string parameters.");
    rejects({ ...req, query: 'X-Amz-Algorithm=HMAC' }, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  });
});
