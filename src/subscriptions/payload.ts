/**
 * CloudWatch Logs' subscription payload: the JSON a destination receives, gzipped. One DATA_MESSAGE
 * holds events of one log stream; a CONTROL_MESSAGE is sent once when a subscription is created, to
 * check that the destination is reachable (consumers are expected to skip it).
 */
import { constants, createGzip, gzip } from 'node:zlib';
import { promisify } from 'node:util';

export interface SubscriptionEvent {
  id: string;
  timestamp: number;
  message: string;
}

export interface SubscriptionMessage {
  messageType: 'DATA_MESSAGE' | 'CONTROL_MESSAGE';
  owner: string;
  logGroup: string;
  logStream: string;
  subscriptionFilters: string[];
  logEvents: SubscriptionEvent[];
}

const ZEROS = '0'.repeat(36);
const padded = (n: number, width: number): string => {
  const s = String(n);
  return s.length >= width ? s : ZEROS.slice(0, width - s.length) + s;
};

/** The event id AWS gives subscription events: 56 digits, the same as FilterLogEvents' eventId here. */
export const subscriptionEventId = (ts: number, seq: number): string => padded(ts, 20) + padded(seq, 36);

export function dataMessage(owner: string, logGroup: string, logStream: string, filterName: string, logEvents: SubscriptionEvent[]): SubscriptionMessage {
  return { messageType: 'DATA_MESSAGE', owner, logGroup, logStream, subscriptionFilters: [filterName], logEvents };
}

/** As CloudWatch sends it: owner CloudWatchLogs, empty group and stream, one event naming the check. */
export function controlMessage(nowMs: number, what: string): SubscriptionMessage {
  return {
    messageType: 'CONTROL_MESSAGE',
    owner: 'CloudWatchLogs',
    logGroup: '',
    logStream: '',
    subscriptionFilters: [],
    logEvents: [{ id: '', timestamp: nowMs, message: `CWL CONTROL MESSAGE: Checking health of destination ${what}.` }],
  };
}

const gzipAsync = promisify(gzip);

/**
 * Gzip for delivery: on libuv's thread pool, not the event loop that serves ingest, and at the fastest
 * level (about three times cheaper than the default for 5-10% larger payloads), since every matching
 * event of every subscription goes through it.
 */
export const gzipForDelivery = (data: string | Buffer): Promise<Buffer> => gzipAsync(data, { level: constants.Z_BEST_SPEED });

/** Messages whose gzip is assembled from shared pieces (runs.ts), with the result once computed. */
const encoders = new WeakMap<SubscriptionMessage, { encode: () => Promise<Buffer>; result?: Promise<Buffer> }>();

/** Gives a message its own way to its gzip (the same bytes, up to deflate's choices); encodeMessage uses it. */
export function setEncoded(m: SubscriptionMessage, encode: () => Promise<Buffer>): void {
  encoders.set(m, { encode });
}

/** Pieces of JSON fed to gzip at a time: small enough to be cheap to turn into bytes (see encodeMessage). */
const CHUNK_CHARS = 64 * 1024;

/**
 * The bytes every destination gets: gzip of the JSON (base64 of it for function targets), exactly
 * JSON.stringify(m). The JSON is fed to gzip in pieces of about 64 KiB instead of as one string: turning
 * a string of a megabyte into bytes costs an allocation of fresh pages, about ten times the cost per
 * byte of small pieces, and that was the largest cost of delivery on the event loop.
 */
export function encodeMessage(m: SubscriptionMessage): Promise<Buffer> {
  const prepared = encoders.get(m);
  if (prepared)
    return (prepared.result ??= prepared.encode().catch((e: unknown) => {
      prepared.result = undefined; // encoded again when the delivery is retried
      throw e;
    }));
  const shell = JSON.stringify({ ...m, logEvents: [] });
  if (m.logEvents.length <= 16) return gzipForDelivery(JSON.stringify(m));
  // `shell` ends with `"logEvents":[]}`: the events go between its `[` and `]}`.
  const head = shell.slice(0, -2);
  return new Promise((resolve, reject) => {
    const z = createGzip({ level: constants.Z_BEST_SPEED });
    const out: Buffer[] = [];
    z.on('data', (b: Buffer) => out.push(b));
    z.on('end', () => resolve(Buffer.concat(out)));
    z.on('error', reject);
    let piece = head;
    for (let i = 0; i < m.logEvents.length; i++) {
      piece += (i === 0 ? '' : ',') + JSON.stringify(m.logEvents[i]);
      if (piece.length >= CHUNK_CHARS) {
        z.write(piece);
        piece = '';
      }
    }
    z.end(piece + ']}');
  });
}
