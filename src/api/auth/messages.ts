/**
 * The wording of every authentication failure, in one place.
 *
 * AWS's services share one SigV4 front end, so these strings are the same across CloudWatch Logs,
 * DynamoDB, Kinesis, STS and the rest; each one below was checked against a response recorded from real
 * AWS (quoted in client bug reports or in emulators that record them), except where a comment says it is
 * ours. Tests assert them exactly. Nothing here may echo a signature or a secret: text taken from the
 * request is quoted through `quoteSafe`.
 */

import { createHash } from 'node:crypto';

const ISO_8601_LINK = 'http://en.wikipedia.org/wiki/ISO_8601';

export const AUTH_MESSAGES = {
  bothMethods: "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header.",
  unsupportedAlgorithm: (algorithm: string): string =>
    `Unsupported AWS 'algorithm': '${quoteSafe(algorithm)}' (only AWS4-HMAC-SHA256 for now). `,
  /** Today's AWS hashes the header instead of quoting it, so a bearer token pasted by mistake is not echoed. */
  missingEqualSign: (header: string): string =>
    'Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with ' +
    `Base64): '${createHash('sha256').update(header, 'utf8').digest('base64')}'.`,
  requiresParameter: (name: 'Credential' | 'Signature' | 'SignedHeaders'): string =>
    `Authorization header requires '${name}' parameter. `,
  requiresDate: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
  /** Appended after the `requires...` sentences. AWS quotes the whole header; we quote its first word only. */
  authorizationEcho: (algorithm: string): string => `Authorization=${quoteSafe(algorithm)}`,
  queryRequires: (name: string): string => `AWS query-string parameters must include '${name}'. `,
  queryReexamine: 'Re-examine the query-string parameters.',
  /** Recorded for 'Host'; the same sentence for X-Amz-Date, Date and X-Amz-Target is ours (see sigv4.ts). */
  mustBeSigned: (header: string): string => `'${header}' must be a 'SignedHeader' in the AWS Authorization.`,
  badDate: (value: string): string =>
    `Date must be in ISO-8601 'basic format'. Got '${quoteSafe(value)}'. See ${ISO_8601_LINK}`,
  expired: (request: string, earliest: string, now: string, window: string): string =>
    `Signature expired: ${request} is now earlier than ${earliest} (${now} - ${window}.)`,
  notYetCurrent: (request: string, latest: string, now: string, window: string): string =>
    `Signature not yet current: ${request} is still later than ${latest} (${now} + ${window}.)`,
  credentialParts: (credential: string): string =>
    'Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, ' +
    `got '${quoteSafe(credential)}'`,
  // The four scope sentences are concatenated in this order when several apply; each ends in ". ".
  scopeRegion: (got: string): string =>
    `Credential should be scoped to a valid region, not '${quoteSafe(got)}'. `,
  scopeService: (expected: string): string => `Credential should be scoped to correct service: '${expected}'. `,
  scopeTerminator: (got: string): string =>
    `Credential should be scoped with a valid terminator: 'aws4_request', not '${quoteSafe(got)}'. `,
  scopeDate: (scopeDate: string, requestDate: string, requestTime: string): string =>
    'Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: ' +
    `'${quoteSafe(scopeDate)}' != '${requestDate}', from '${requestTime}'.`,
  /** S3's XAmzContentSHA256Mismatch wording; the JSON services have no such check of their own. */
  contentSha256Mismatch: "The provided 'x-amz-content-sha256' header does not match what was computed.",
  // Presigned URLs: S3's wording (ours for the JSON services, which document no presigned limits).
  expiresNotNumber: 'X-Amz-Expires should be a number',
  expiresTooLong: 'X-Amz-Expires must be less than a week (in seconds) that is 604800',
} as const;

/**
 * Client text as it may be quoted back in a message: in every `key=value` token, the value becomes `***`
 * (so `Signature=...`, even glued to a neighbouring parameter by a broken client, is never echoed), and
 * a token that starts with `Signature` without its equal sign (`Signature0f3a...`) keeps only that word.
 */
export function quoteSafe(text: string): string {
  return text.replace(/[^\s,]+/g, (token) => {
    const eq = token.indexOf('=');
    if (eq >= 0) return `${token.slice(0, eq)}=***`;
    return /^signature./i.test(token) ? `${token.slice(0, 'signature'.length)}***` : token;
  });
}
