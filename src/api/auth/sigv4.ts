/**
 * AWS Signature Version 4 verification: who sent this request, and was it changed on the way?
 *
 * Checks run in the order recorded from AWS, so a request with several faults gets the error AWS would
 * give: both auth styles → no auth (or not SigV4) → key=value syntax → missing parameters → algorithm →
 * Host (and our required headers) signed → date format → clock skew → credential shape → credential
 * scope → access key → payload hash → signature. Every failure is an ApiError and nothing else escapes,
 * whatever the input. Secrets and signatures never appear in messages.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ApiError, MESSAGES } from '../errors.js';
import {
  canonicalHeaders,
  canonicalPath,
  canonicalQuery,
  firstHeader,
  parseQuery,
  type HeaderMap,
  type QueryParam,
} from './canonical.js';
import { AUTH_MESSAGES as M } from './messages.js';
import type { SignedRequest, VerifiedCaller, VerifyOptions } from './types.js';

const ALGORITHM = 'AWS4-HMAC-SHA256';
const TERMINATOR = 'aws4_request';
const MAX_SKEW_S = 15 * 60;
const MAX_PRESIGN_EXPIRES_S = 604800;

/** What either auth style (Authorization header or presigned query) tells us, before any check of it. */
interface AuthParams {
  credential: string;
  signature: string;
  /** SignedHeaders exactly as sent: the canonical request repeats it verbatim. */
  signedHeaders: string;
  timestamp: string;
  /** Headers that must be in SignedHeaders, in AWS's spelling for the message. */
  mustSign: string[];
  /** Presigned URLs only: how long past `timestamp` the URL stays valid. */
  expiresS?: number;
  /** The client's claimed payload hash (x-amz-content-sha256), if it sent one. */
  payloadHash?: string;
}

const invalid = (message: string): ApiError => new ApiError('InvalidSignatureException', message);
const incomplete = (message: string): ApiError => new ApiError('IncompleteSignatureException', message);

export function verifySigV4(req: SignedRequest, opts: VerifyOptions): VerifiedCaller {
  const query = parseQuery(req.query);
  const authorization = (firstHeader(req.headers, 'authorization') ?? '').trim();
  const presigned = query.some((p) => p.name.toString('utf8') === 'X-Amz-Algorithm');
  if (authorization !== '' && presigned) throw invalid(M.bothMethods);
  if (authorization === '' && !presigned) {
    throw new ApiError('MissingAuthenticationTokenException', MESSAGES.missingToken);
  }
  const auth = presigned ? fromQuery(query, req.headers) : fromHeader(authorization, req.headers);

  // X-Amz-Target selects the operation: left unsigned, a captured request could be replayed as another
  // action with the same body. Every AWS SDK and the aws CLI sign it.
  if (firstHeader(req.headers, 'x-amz-target') !== undefined) auth.mustSign.push('X-Amz-Target');
  const signed = new Set(auth.signedHeaders.split(';').map((h) => h.toLowerCase()));
  if (!signed.has('host')) throw invalid(M.mustBeSigned('Host'));
  for (const name of auth.mustSign) if (!signed.has(name.toLowerCase())) throw invalid(M.mustBeSigned(name));

  const requestS = parseBasicIso8601(auth.timestamp);
  if (requestS === undefined) throw incomplete(M.badDate(auth.timestamp));
  checkClock(auth.timestamp, requestS, opts.nowMs, auth.expiresS);

  const parts = auth.credential.split('/');
  if (parts.length !== 5) throw incomplete(M.credentialParts(auth.credential));
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  let scopeErrors = '';
  if (region !== opts.region) scopeErrors += M.scopeRegion(region);
  if (service !== opts.service) scopeErrors += M.scopeService(opts.service);
  if (terminator !== TERMINATOR) scopeErrors += M.scopeTerminator(terminator);
  if (date !== auth.timestamp.slice(0, 8)) scopeErrors += M.scopeDate(date, auth.timestamp.slice(0, 8), auth.timestamp);
  if (scopeErrors !== '') throw invalid(scopeErrors);

  const secret = opts.lookupSecret(accessKeyId);
  if (secret === undefined) throw new ApiError('UnrecognizedClientException', MESSAGES.unknownKey);

  // The one pass over the body (up to ~1 MB for PutLogEvents).
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  if (auth.payloadHash !== undefined && auth.payloadHash.toLowerCase() !== bodyHash) {
    throw invalid(M.contentSha256Mismatch);
  }
  const canonicalRequest = [
    req.method,
    canonicalPath(req.path),
    canonicalQuery(query, presigned),
    canonicalHeaders(req.headers, auth.signedHeaders.split(';')),
    auth.signedHeaders,
    auth.payloadHash ?? bodyHash,
  ].join('\n');
  const stringToSign = [
    ALGORITHM,
    auth.timestamp,
    `${date}/${region}/${service}/${TERMINATOR}`,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const key = signingKey(secret, date, region, service);
  const expected = createHmac('sha256', key).update(stringToSign, 'utf8').digest();
  if (!/^[0-9a-f]{64}$/.test(auth.signature) || !timingSafeEqual(expected, Buffer.from(auth.signature, 'hex'))) {
    throw invalid(MESSAGES.badSignature);
  }
  return { accessKeyId };
}

function fromHeader(authorization: string, headers: HeaderMap): AuthParams {
  // Not even trying SigV4 (Basic, Bearer, a bare token): to AWS that is no AWS credential at all, and
  // nothing of the header is quoted back.
  if (!authorization.startsWith('AWS4-')) {
    throw new ApiError('MissingAuthenticationTokenException', MESSAGES.missingToken);
  }
  const space = authorization.search(/\s/);
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  const fields = new Map<string, string>();
  for (const token of (space < 0 ? '' : authorization.slice(space)).split(/[\s,]+/)) {
    if (token === '') continue;
    const eq = token.indexOf('=');
    if (eq < 0) throw incomplete(M.missingEqualSign(authorization));
    fields.set(token.slice(0, eq), token.slice(eq + 1)); // the last one wins, as at AWS
  }
  const amzDate = firstHeader(headers, 'x-amz-date');
  const timestamp = amzDate ?? firstHeader(headers, 'date');
  let missing = '';
  for (const name of ['Credential', 'Signature', 'SignedHeaders'] as const) {
    if (!fields.has(name)) missing += M.requiresParameter(name);
  }
  if (timestamp === undefined) missing += M.requiresDate;
  if (missing !== '') throw incomplete(missing + M.authorizationEcho(algorithm));
  if (algorithm !== ALGORITHM) throw incomplete(M.unsupportedAlgorithm(algorithm));

  return {
    credential: fields.get('Credential') ?? '',
    signature: fields.get('Signature') ?? '',
    signedHeaders: fields.get('SignedHeaders') ?? '',
    timestamp: (timestamp ?? '').trim(),
    // The request time is only authenticated if the header carrying it is signed.
    mustSign: [amzDate !== undefined ? 'X-Amz-Date' : 'Date'],
    payloadHash: firstHeader(headers, 'x-amz-content-sha256')?.trim(),
  };
}

function fromQuery(query: readonly QueryParam[], headers: HeaderMap): AuthParams {
  const get = (name: string): string => {
    const found = query.find((p) => p.name.toString('utf8') === name);
    return found === undefined ? '' : found.value.toString('utf8');
  };
  const algorithm = get('X-Amz-Algorithm');
  if (algorithm !== '' && algorithm !== ALGORITHM) {
    throw new ApiError('MissingAuthenticationTokenException', MESSAGES.missingToken);
  }
  const required = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'];
  const missing = required.filter((name) => get(name) === '');
  if (missing.length > 0) throw incomplete(missing.map(M.queryRequires).join('') + M.queryReexamine);

  let expiresS: number | undefined;
  const expires = get('X-Amz-Expires');
  if (expires !== '') {
    if (!/^\d{1,7}$/.test(expires)) throw incomplete(M.expiresNotNumber);
    expiresS = Number(expires);
    if (expiresS > MAX_PRESIGN_EXPIRES_S) throw incomplete(M.expiresTooLong);
  }
  const claimed = get('X-Amz-Content-Sha256') || firstHeader(headers, 'x-amz-content-sha256')?.trim();
  return {
    credential: get('X-Amz-Credential'),
    signature: get('X-Amz-Signature'),
    signedHeaders: get('X-Amz-SignedHeaders'),
    timestamp: get('X-Amz-Date'),
    mustSign: [], // the date travels in the query, which is always signed
    expiresS,
    payloadHash: claimed === '' ? undefined : claimed,
  };
}

/** Seconds since the epoch for `YYYYMMDDTHHMMSSZ`, or undefined when it is not a real UTC instant. */
function parseBasicIso8601(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which maps years 0-99 to 1900-1999
  date.setUTCHours(h, mi, s, 0);
  const ok =
    date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d &&
    date.getUTCHours() === h && date.getUTCMinutes() === mi && date.getUTCSeconds() === s;
  return ok ? date.getTime() / 1000 : undefined;
}

/** `YYYYMMDDTHHMMSSZ` for seconds since the epoch. */
function formatBasicIso8601(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

const windowText = (s: number): string => (s % 60 === 0 ? `${s / 60} min` : `${s} sec`);

/** ±15 minutes around now; a presigned URL instead stays valid X-Amz-Expires seconds after its date. */
function checkClock(timestamp: string, requestS: number, nowMs: number, expiresS: number | undefined): void {
  const nowS = Math.floor(nowMs / 1000);
  const now = formatBasicIso8601(nowS);
  const pastS = expiresS ?? MAX_SKEW_S;
  if (requestS < nowS - pastS) {
    throw invalid(M.expired(timestamp, formatBasicIso8601(nowS - pastS), now, windowText(pastS)));
  }
  if (requestS > nowS + MAX_SKEW_S) {
    throw invalid(M.notYetCurrent(timestamp, formatBasicIso8601(nowS + MAX_SKEW_S), now, windowText(MAX_SKEW_S)));
  }
}

/**
 * kSigning for (secret, date, region, service). It changes once a day per key, so a few entries serve
 * every request; the bound only guards against a pathological number of keys. Entries are made only
 * after the key is known and the date is within the clock window, so strangers cannot fill it.
 */
const signingKeys = new Map<string, Buffer>();
const SIGNING_KEY_CACHE_SIZE = 64;

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const id = `${date}/${region}/${service}/${secret}`;
  const cached = signingKeys.get(id);
  if (cached !== undefined) return cached;
  let key: Buffer = createHmac('sha256', `AWS4${secret}`).update(date, 'utf8').digest();
  for (const part of [region, service, TERMINATOR]) key = createHmac('sha256', key).update(part, 'utf8').digest();
  if (signingKeys.size >= SIGNING_KEY_CACHE_SIZE) {
    const oldest = signingKeys.keys().next();
    if (oldest.done !== true) signingKeys.delete(oldest.value);
  }
  signingKeys.set(id, key);
  return key;
}
