/**
 * Pagination tokens. They are opaque to clients but deliberately simple and validated strictly:
 * a token that does not decode is answered with AWS's "The specified nextToken is invalid.".
 *
 * GetLogEvents tokens copy AWS's shape, `f/<56 digits>/s` and `b/<56 digits>/s`: 20 digits of
 * timestamp + 1, 20 of sequence number, 16 of stream id. Other tokens are base64url JSON.
 */
import { ApiError, MESSAGES } from './errors.js';

const invalid = (): ApiError => new ApiError('InvalidParameterException', MESSAGES.invalidNextToken);

export interface StreamPosition {
  direction: 'f' | 'b';
  /** Strictly after (f) or before (b) this (timestamp, seq); ts -1 means before every event. */
  ts: number;
  seq: number;
  streamId: number;
}

const STREAM_TOKEN = /^([fb])\/(\d{20})(\d{20})(\d{16})\/s$/;

export function encodeStreamToken(p: StreamPosition): string {
  const d = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${p.direction}/${d(p.ts + 1, 20)}${d(p.seq, 20)}${d(p.streamId, 16)}/s`;
}

export function decodeStreamToken(token: string, streamId: number): StreamPosition {
  const m = STREAM_TOKEN.exec(token);
  if (!m) throw invalid();
  const ts = Number(m[2]) - 1;
  const seq = Number(m[3]);
  const sid = Number(m[4]);
  if (!Number.isSafeInteger(ts) || !Number.isSafeInteger(seq) || sid !== streamId) throw invalid();
  return { direction: m[1] as 'f' | 'b', ts, seq, streamId: sid };
}

/** A JSON token for list operations and FilterLogEvents. `kind` ties a token to its operation. */
export function encodeToken(kind: string, value: unknown): string {
  return Buffer.from(JSON.stringify({ k: kind, v: value })).toString('base64url');
}

export function decodeToken<T>(kind: string, token: string, check: (v: unknown) => v is T): T {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(token)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { k?: unknown }).k !== kind) throw invalid();
  const v = (parsed as { v?: unknown }).v;
  if (!check(v)) throw invalid();
  return v;
}

export const isString = (v: unknown): v is string => typeof v === 'string';
