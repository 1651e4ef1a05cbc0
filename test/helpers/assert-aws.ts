/**
 * Assertions shared by the contract tests: AWS-shaped errors through the SDK and on the raw wire, and
 * small read-backs used to prove that a rejected request changed nothing.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  FilterLogEventsCommand,
  GetLogEventsCommand,
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  type LogGroup,
  type LogStream,
  type OutputLogEvent,
} from '@aws-sdk/client-cloudwatch-logs';
import type { RawResponse } from './raw.js';

/** A short random token so names from different runs and tests never collide. */
export function uid(): string {
  return randomBytes(4).toString('hex');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface AwsErrorLike {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number };
}

function isAwsError(e: unknown): e is AwsErrorLike {
  return typeof e === 'object' && e !== null && 'name' in e && 'message' in e;
}

/**
 * Awaits `p`, which must fail with the AWS error `code`; `message` (exact string or pattern) is checked
 * when given; the HTTP status must be `status` (400 for every modeled CloudWatch Logs error).
 */
export async function rejectsAws(
  p: Promise<unknown>,
  code: string,
  message?: string | RegExp,
  status = 400,
): Promise<AwsErrorLike> {
  let err: unknown;
  try {
    await p;
  } catch (e) {
    err = e;
  }
  if (err === undefined) assert.fail(`expected ${code} but the call succeeded`);
  if (!isAwsError(err)) throw err;
  assert.equal(err.name, code, `error code (message was: ${err.message})`);
  if (typeof message === 'string') assert.equal(err.message, message);
  else if (message !== undefined) assert.match(err.message, message);
  assert.equal(err.$metadata?.httpStatusCode, status, 'HTTP status');
  return err;
}

/** The error code of an awsJson `__type`, which AWS may send with a namespace (`ns#Code`). */
export function errorCode(type: string): string {
  const i = type.lastIndexOf('#');
  return i < 0 ? type : type.slice(i + 1);
}

/**
 * A raw answer must be a 4xx whose body is the awsJson error shape `{"__type": ..., "message": ...}`;
 * `code` and `message` are checked when given.
 */
export function assertJsonError(res: RawResponse, code?: string | string[], message?: string | RegExp): void {
  const where = `status ${res.status}, body ${JSON.stringify(res.text.slice(0, 500))}`;
  assert.ok(res.status >= 400 && res.status < 500, `expected a 4xx answer; got ${where}`);
  const body = res.json;
  assert.ok(typeof body === 'object' && body !== null && !Array.isArray(body), `expected a JSON object body; got ${where}`);
  const rec = body as Record<string, unknown>;
  assert.equal(typeof rec.__type, 'string', `__type must be a string; got ${where}`);
  assert.equal(typeof rec.message, 'string', `message must be a string; got ${where}`);
  const actual = errorCode(rec.__type as string);
  if (typeof code === 'string') assert.equal(actual, code, where);
  else if (code !== undefined) assert.ok(code.includes(actual), `__type ${actual} is not one of ${code.join(', ')}; ${where}`);
  if (typeof message === 'string') assert.equal(rec.message, message);
  else if (message !== undefined) assert.match(rec.message as string, message);
}

/** Every log group whose name starts with `prefix`, following nextToken. */
export async function describeAllGroups(
  client: CloudWatchLogsClient,
  input: { logGroupNamePrefix?: string; logGroupNamePattern?: string; limit?: number },
): Promise<{ groups: LogGroup[]; pages: number }> {
  const groups: LogGroup[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const r = await client.send(new DescribeLogGroupsCommand({ ...input, nextToken }));
    pages++;
    groups.push(...(r.logGroups ?? []));
    if (input.limit !== undefined) assert.ok((r.logGroups ?? []).length <= input.limit, 'page larger than limit');
    nextToken = r.nextToken;
    assert.ok(pages < 10_000, 'DescribeLogGroups pagination does not terminate');
  } while (nextToken !== undefined);
  return { groups, pages };
}

export async function groupExists(client: CloudWatchLogsClient, name: string): Promise<boolean> {
  const { groups } = await describeAllGroups(client, { logGroupNamePrefix: name });
  return groups.some((g) => g.logGroupName === name);
}

export async function describeAllStreams(
  client: CloudWatchLogsClient,
  input: {
    logGroupName: string;
    logStreamNamePrefix?: string;
    orderBy?: 'LogStreamName' | 'LastEventTime';
    descending?: boolean;
    limit?: number;
  },
): Promise<LogStream[]> {
  const streams: LogStream[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const r = await client.send(new DescribeLogStreamsCommand({ ...input, nextToken }));
    pages++;
    streams.push(...(r.logStreams ?? []));
    if (input.limit !== undefined) assert.ok((r.logStreams ?? []).length <= input.limit, 'page larger than limit');
    nextToken = r.nextToken;
    assert.ok(pages < 10_000, 'DescribeLogStreams pagination does not terminate');
  } while (nextToken !== undefined);
  return streams;
}

/** All events of a stream from the head, following nextForwardToken until it comes back unchanged. */
export async function getAllEvents(
  client: CloudWatchLogsClient,
  logGroupName: string,
  logStreamName: string,
): Promise<OutputLogEvent[]> {
  const events: OutputLogEvent[] = [];
  let token: string | undefined;
  for (let i = 0; ; i++) {
    assert.ok(i < 10_000, 'GetLogEvents pagination does not terminate');
    const r = await client.send(
      new GetLogEventsCommand({ logGroupName, logStreamName, startFromHead: true, nextToken: token }),
    );
    events.push(...(r.events ?? []));
    if (token !== undefined && r.nextForwardToken === token) return events;
    token = r.nextForwardToken;
    assert.ok(token !== undefined, 'GetLogEvents returned no nextForwardToken');
  }
}

/** Every event FilterLogEvents returns for `input`, following nextToken to the end. */
export async function filterAll(
  client: CloudWatchLogsClient,
  input: {
    logGroupName: string;
    filterPattern?: string;
    logStreamNames?: string[];
    logStreamNamePrefix?: string;
    startTime?: number;
    endTime?: number;
    limit?: number;
  },
): Promise<{ events: FilteredLogEvent[]; pages: number }> {
  const events: FilteredLogEvent[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const r = await client.send(new FilterLogEventsCommand({ ...input, nextToken }));
    pages++;
    events.push(...(r.events ?? []));
    if (input.limit !== undefined) assert.ok((r.events ?? []).length <= input.limit, 'page larger than limit');
    nextToken = r.nextToken;
    assert.ok(pages < 100_000, 'FilterLogEvents pagination does not terminate');
  } while (nextToken !== undefined);
  return { events, pages };
}

/** The group ARN as DescribeLogGroups reports it in `arn` (with the trailing `:*`). */
export function groupArn(name: string, account = '000000000000', region = 'us-east-1'): string {
  return `arn:aws:logs:${region}:${account}:log-group:${name}:*`;
}

/** The group ARN without `:*`: `logGroupArn`, and the form the tagging APIs take. */
export function groupArnBare(name: string, account = '000000000000', region = 'us-east-1'): string {
  return `arn:aws:logs:${region}:${account}:log-group:${name}`;
}

export function streamArn(group: string, stream: string, account = '000000000000', region = 'us-east-1'): string {
  return `arn:aws:logs:${region}:${account}:log-group:${group}:log-stream:${stream}`;
}
