/**
 * The pieces of a SigV4 canonical request, rebuilt from the request as it arrived.
 *
 * Contract: for any request the AWS SDK for JavaScript (@smithy/signature-v4) signs, these functions
 * produce the bytes it hashed, given what the wire carries. The SDK puts the once-encoded path on the
 * wire and signs it encoded a second time (non-S3 services); it signs the query re-encoded from decoded
 * values. None of these functions throws, whatever the input.
 */

/** RFC 3986 unreserved characters, the only bytes SigV4 leaves unencoded. */
const UNRESERVED = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[c.charCodeAt(0)] = 1;

const HEX = '0123456789ABCDEF';

/** Percent-encodes every byte but the unreserved ones, with upper-case hex (the SDK's `escapeUri`). */
export function encodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += UNRESERVED[b] === 1 ? String.fromCharCode(b) : `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

/** `escapeUri` on a string's UTF-8 bytes; unlike encodeURIComponent it cannot throw on lone surrogates. */
export function uriEncode(text: string): string {
  return encodeBytes(Buffer.from(text, 'utf8'));
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Decodes %XX escapes to bytes; other characters become their UTF-8 bytes. A '%' not followed by two
 * hex digits stays a literal '%'. '+' stays '+' (SigV4 clients encode a space as %20).
 */
export function percentDecode(text: string): Buffer {
  if (!text.includes('%')) return Buffer.from(text, 'utf8');
  const bytes: number[] = [];
  let literalStart = 0;
  const flush = (end: number): void => {
    if (end > literalStart) for (const b of Buffer.from(text.slice(literalStart, end), 'utf8')) bytes.push(b);
  };
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) !== 37) continue;
    const hi = hexValue(text.charCodeAt(i + 1));
    const lo = hexValue(text.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) continue;
    flush(i);
    bytes.push(hi * 16 + lo);
    i += 2;
    literalStart = i + 1;
  }
  flush(text.length);
  return Buffer.from(bytes);
}

export interface QueryParam {
  /** Decoded bytes of the name and value, as the signer saw them. */
  name: Buffer;
  value: Buffer;
}

/** Splits a raw query string; a parameter without '=' has an empty value, empty pieces are skipped. */
export function parseQuery(rawQuery: string): QueryParam[] {
  const params: QueryParam[] = [];
  if (rawQuery === '') return params;
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    params.push({
      name: percentDecode(eq < 0 ? piece : piece.slice(0, eq)),
      value: percentDecode(eq < 0 ? '' : piece.slice(eq + 1)),
    });
  }
  return params;
}

/** Parameters sorted by encoded name, then encoded value; `X-Amz-Signature` left out for presigned URLs. */
export function canonicalQuery(params: readonly QueryParam[], presigned: boolean): string {
  const pairs: [string, string][] = [];
  for (const p of params) {
    const name = encodeBytes(p.name);
    if (presigned && name === 'X-Amz-Signature') continue;
    pairs.push([name, encodeBytes(p.value)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** Removes empty, '.' and '..' segments, then encodes each segment again (the once-encoded path is on the wire). */
export function canonicalPath(rawPath: string): string {
  if (rawPath === '') return '/';
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(uriEncode(segment));
  }
  const lead = rawPath.startsWith('/') ? '/' : '';
  const trail = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `${lead}${segments.join('/')}${trail}`;
}

export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/** The values of a header by its lower-case name, ignoring anything inherited from Object.prototype. */
export function headerValues(headers: HeaderMap, name: string): string[] {
  if (!Object.prototype.hasOwnProperty.call(headers, name)) return [];
  const value: unknown = headers[name];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return [];
}

export function firstHeader(headers: HeaderMap, name: string): string | undefined {
  return headerValues(headers, name)[0];
}

/** Trims and collapses runs of spaces and tabs (line breaks count as spaces), as the SDK does. */
function normalizeValue(value: string): string {
  return value.replace(/[\r\n]/g, ' ').replace(/[ \t]+/g, ' ').replace(/^ | $/g, '');
}

/** One `name:value\n` line per signed header, in the order signed; several values are joined by ','. */
export function canonicalHeaders(headers: HeaderMap, signedHeaders: readonly string[]): string {
  let out = '';
  for (const name of signedHeaders) {
    out += `${name}:${headerValues(headers, name.toLowerCase()).map(normalizeValue).join(',')}\n`;
  }
  return out;
}
