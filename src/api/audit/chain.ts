/**
 * The audit record and its hash chain, shared by the server (which writes records) and
 * `logward audit verify` (which checks them).
 *
 * A record is one JSON object, stored as the message of one event of the `logward/audit` log group in its
 * canonical form: keys sorted (recursively), no whitespace, JSON.stringify's escaping. It carries
 * - `seq`: its position in the chain, 0, 1, 2, ... with no gaps;
 * - `prev`: the `hash` of the record before it (64 zeros for record 0);
 * - `hash`: SHA-256 (hex) of its own canonical form without the `hash` member.
 * So altering a record breaks its own `hash`; removing, inserting or reordering records breaks `seq` or
 * `prev`; and recomputing a forged record's hash breaks the `prev` of the record after it. The event's
 * timestamp is the record's `time` in milliseconds, so moving an event in time is caught too.
 */
import { createHash } from 'node:crypto';

/** The internal log group that holds the audit trail. */
export const AUDIT_GROUP = 'logward/audit';

export const GENESIS = '0'.repeat(64);

/** What the server knows of a call; the chain fields are added when it is appended. */
export interface AuditFields {
  /** ISO 8601 with milliseconds; the event timestamp is the same instant. */
  time: string;
  requestId: string;
  /** `logs:PutLogEvents`, `iam:CreateUser`, or the HTTP method and path when no action was named. */
  action: string;
  resources: string[];
  /** Caller ARN and the access key it signed with; null when the request was not authenticated. */
  caller: { arn: string; accessKeyId: string } | null;
  sourceIp: string;
  userAgent: string;
  httpStatus: number;
  /** The AWS error code when the call failed. */
  errorCode: string | null;
  errorMessage: string | null;
}

/**
 * Characters of an error message kept in a record. A validation message quotes the value it refused
 * (AWS's wording), which can be megabytes of log content (a 10 MB lookup table, 1 MiB events): the record
 * keeps its start and says how long it was.
 */
export const MAX_ERROR_MESSAGE_CHARS = 4096;

/** `message` cut to MAX_ERROR_MESSAGE_CHARS (never inside a surrogate pair), with its full length. */
export function clipErrorMessage(message: string): string {
  if (message.length <= MAX_ERROR_MESSAGE_CHARS) return message;
  let end = MAX_ERROR_MESSAGE_CHARS;
  const last = message.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${message.slice(0, end)}... (${message.length} characters in all)`;
}

export interface AuditRecord extends AuditFields {
  seq: number;
  prev: string;
  hash: string;
}

/** Canonical JSON: object keys sorted by code unit, recursively; arrays in order; no whitespace. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** The next record after `head` (undefined: the chain is empty), as the message text to store. */
export function chainRecord(fields: AuditFields, head: { seq: number; hash: string } | undefined): { record: AuditRecord; message: string } {
  const body = { ...fields, seq: head === undefined ? 0 : head.seq + 1, prev: head?.hash ?? GENESIS };
  const record: AuditRecord = { ...body, hash: sha256(canonical(body)) };
  return { record, message: canonical(record) };
}

export interface ChainProblem {
  /** The chain position where the problem shows (the record that is wrong or missing). */
  seq: number;
  kind: 'altered' | 'removed' | 'reordered' | 'malformed';
  detail: string;
}

/**
 * Checks records one by one, in the order the log group returns them (timestamp, then ingestion).
 * push() returns the first problem and the verifier then stops checking.
 */
export class ChainVerifier {
  private last: { seq: number; hash: string; time: number } | undefined;
  private problem: ChainProblem | undefined;
  count = 0;
  /** The seq of the first record seen (above 0 when older records expired or were removed). */
  firstSeq: number | undefined;

  push(message: string, timestampMs: number): ChainProblem | undefined {
    if (this.problem !== undefined) return this.problem;
    const expected = this.last === undefined ? undefined : this.last.seq + 1;
    const at = expected ?? 0;
    let r: AuditRecord;
    try {
      r = JSON.parse(message) as AuditRecord;
    } catch {
      return (this.problem = { seq: at, kind: 'malformed', detail: `the event after record ${at - 1} is not JSON` });
    }
    if (typeof r !== 'object' || r === null || !Number.isSafeInteger(r.seq) || typeof r.hash !== 'string' || typeof r.prev !== 'string') {
      return (this.problem = { seq: at, kind: 'malformed', detail: `the event after record ${at - 1} is not an audit record` });
    }
    const { hash, ...body } = r;
    if (canonical(r) !== message || sha256(canonical(body)) !== hash) {
      return (this.problem = { seq: r.seq, kind: 'altered', detail: `record ${r.seq} does not match its hash` });
    }
    if (Date.parse(r.time) !== timestampMs) {
      return (this.problem = { seq: r.seq, kind: 'altered', detail: `record ${r.seq} has timestamp ${timestampMs}, not its time ${r.time}` });
    }
    if (expected === undefined) {
      this.firstSeq = r.seq;
      if (r.seq === 0 && r.prev !== GENESIS) return (this.problem = { seq: 0, kind: 'altered', detail: 'record 0 does not start the chain' });
    } else if (r.seq > expected) {
      return (this.problem = { seq: expected, kind: 'removed', detail: `records ${expected} to ${r.seq - 1} are missing (record ${r.seq} follows ${expected - 1})` });
    } else if (r.seq < expected) {
      return (this.problem = { seq: r.seq, kind: 'reordered', detail: `record ${r.seq} comes after record ${expected - 1}` });
    } else if (r.prev !== this.last!.hash) {
      return (this.problem = { seq: r.seq, kind: 'altered', detail: `record ${r.seq} does not follow the record ${expected - 1} stored before it (one of them was replaced)` });
    }
    this.last = { seq: r.seq, hash: r.hash, time: timestampMs };
    this.count++;
    return undefined;
  }

  /** The last record checked: the head of the chain once every record was pushed. */
  get head(): { seq: number; hash: string } | undefined {
    return this.last === undefined ? undefined : { seq: this.last.seq, hash: this.last.hash };
  }
}
