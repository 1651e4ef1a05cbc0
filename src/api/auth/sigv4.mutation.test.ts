/**
 * Fuzz: random mutations of a validly signed request never verify. One change at a time to the method,
 * the path, the query, the Host, X-Amz-Date or X-Amz-Target header, an alphanumeric character of the
 * Authorization header, or the body; and the request verified for another service or region. Every
 * refusal is an ApiError (the AWS-shaped error the client gets), never another exception.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { ApiError } from '../errors.js';
import { verifySigV4 } from './sigv4.js';
import { smithySign, T0, TEST_KEY } from './testing.js';
import type { SignedRequest, VerifyOptions } from './types.js';

const OPTIONS: VerifyOptions = {
  service: 'logs',
  region: 'us-east-1',
  nowMs: T0,
  lookupSecret: (id) => (id === TEST_KEY.accessKeyId ? TEST_KEY.secretAccessKey : undefined),
};
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * `s` with the alphanumeric character at (about) `at` replaced by another alphanumeric character. In a
 * query, the hex digits of a `%XX` escape are left alone: `%2a` and `%2A` are the same character, and
 * the same request (a found counterexample: `a=%2A` changed to `a=%2a` verified, rightly).
 */
function changeAlnum(s: string, at: number, shift: number, query = false): string {
  const inEscape = (i: number): boolean => query && (s[i - 1] === '%' || s[i - 2] === '%');
  const positions = [...s].map((c, i) => (ALNUM.includes(c) && !inEscape(i) ? i : -1)).filter((i) => i >= 0);
  if (positions.length === 0) return `${s}x`;
  const i = positions[at % positions.length]!;
  const next = ALNUM[(ALNUM.indexOf(s[i]!) + 1 + (shift % (ALNUM.length - 1))) % ALNUM.length]!;
  return s.slice(0, i) + next + s.slice(i + 1);
}

type Mutation = (r: SignedRequest, at: number, shift: number) => { req: SignedRequest; opts?: Partial<VerifyOptions> };
const MUTATIONS: Record<string, Mutation> = {
  method: (r, at, shift) => ({ req: { ...r, method: changeAlnum(r.method, at, shift) } }),
  path: (r, at, shift) => ({ req: { ...r, path: r.path === '/' ? `/${ALNUM[shift % 62]}` : changeAlnum(r.path, at, shift) } }),
  query: (r, at, shift) => ({ req: { ...r, query: r.query === '' ? `a=${ALNUM[shift % 62]}` : changeAlnum(r.query, at, shift, true) } }),
  host: (r, at, shift) => ({ req: { ...r, headers: { ...r.headers, host: changeAlnum(String(r.headers.host), at, shift) } } }),
  date: (r, at, shift) => ({ req: { ...r, headers: { ...r.headers, 'x-amz-date': changeAlnum(String(r.headers['x-amz-date']), at, shift) } } }),
  target: (r, at, shift) => ({ req: { ...r, headers: { ...r.headers, 'x-amz-target': changeAlnum(String(r.headers['x-amz-target']), at, shift) } } }),
  authorization: (r, at, shift) => ({ req: { ...r, headers: { ...r.headers, authorization: changeAlnum(String(r.headers.authorization), at, shift) } } }),
  body: (r, at, shift) => {
    const body = Buffer.from(r.body);
    if (body.length === 0) return { req: { ...r, body: Buffer.from('x') } };
    const i = at % body.length;
    body[i] = (body[i] ?? 0) ^ (1 + (shift % 255));
    return { req: { ...r, body } };
  },
  service: (r) => ({ req: r, opts: { service: 'iam' } }),
  region: (r) => ({ req: r, opts: { region: 'eu-west-1' } }),
};

test('fuzz: a signed request changed in any one place never verifies', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({ body: fc.string({ maxLength: 200 }), query: fc.dictionary(fc.stringMatching(/^[a-z]{1,5}$/), fc.string({ maxLength: 6 }), { maxKeys: 2 }), applyChecksum: fc.boolean() }),
      fc.constantFrom(...Object.keys(MUTATIONS)),
      fc.nat(),
      fc.nat(),
      async (input, kind, at, shift) => {
        const req = await smithySign({ body: input.body, query: input.query, applyChecksum: input.applyChecksum });
        assert.deepEqual(verifySigV4(req, OPTIONS), { accessKeyId: TEST_KEY.accessKeyId });
        const m = MUTATIONS[kind]!(req, at, shift);
        assert.throws(() => verifySigV4(m.req, { ...OPTIONS, ...m.opts }), (e: unknown) => e instanceof ApiError, `${kind} mutation verified`);
      },
    ),
    { numRuns: 1000 },
  );
});
