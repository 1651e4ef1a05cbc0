/**
 * CloudWatch Logs' subscription payload: the JSON a destination receives, gzipped. One DATA_MESSAGE
 * holds events of one log stream; a CONTROL_MESSAGE is sent once when a subscription is created, to
 * check that the destination is reachable (consumers are expected to skip it).
 */
import { gzipSync } from 'node:zlib';

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

/** The event id AWS gives subscription events: 56 digits, the same as FilterLogEvents' eventId here. */
export const subscriptionEventId = (ts: number, seq: number): string => `${String(ts).padStart(20, '0')}${String(seq).padStart(36, '0')}`;

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

/** The bytes every destination gets: gzip of the JSON (base64 of it for function targets). */
export const encodeMessage = (m: SubscriptionMessage): Buffer => gzipSync(JSON.stringify(m));
