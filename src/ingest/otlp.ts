/**
 * OTLP/HTTP logs: `POST /v1/logs` on the server's port, protobuf (`application/x-protobuf`) or JSON
 * (`application/json`), optionally gzip (`Content-Encoding: gzip`), signed with SigV4 for the service
 * `logs` and the server's region (what the OpenTelemetry Collector's sigv4auth extension does).
 *
 * Where records go (the rule, per ResourceLogs, from its resource attributes):
 *   log group  = `aws.log.group.names` (its first value), else `service.name`, else `unknown_service`;
 *   log stream = `aws.log.stream.names` (its first value), else `host.name`, else `service.instance.id`,
 *                else `otlp`;
 * characters a name may not hold become `_`. Each record becomes one event: its time (`timeUnixNano`,
 * else `observedTimeUnixNano`, else the time of receipt), and JSON that Logs Insights discovers:
 * `{"body", "severityText", "severityNumber", "eventName", "attributes", "resource", "scope",
 * "traceId", "spanId", "flags"}` (empty ones left out; trace and span ids in hex).
 *
 * Authorization: `logs:PutLogEvents` on each log group, and `logs:CreateLogGroup` / `logs:CreateLogStream`
 * when one has to be created. Records are checked by PutLogEvents' rules (14 days back, 2 hours ahead,
 * retention, 1 MiB per event); those refused are counted in the answer's `partialSuccess`. The call is
 * audited as `logs:PutLogEvents` with the groups it wrote to.
 */
import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../api/errors.js';
import { verifySigV4 } from '../api/auth/sigv4.js';
import { reservedGroupName } from '../api/reserved-names.js';
import type { CredentialStore } from '../api/auth/credentials.js';
import type { AccessControl, Caller } from '../api/access.js';
import type { Clock } from '../clock.js';
import { retentionCutoff, type LogStore } from '../store/store.js';
import type { LogGroup, LogStream } from '../store/catalog.js';
import { checkBatch, EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS, MAX_EVENT_BYTES } from './put-log-events.js';
import { ExportLogsServiceRequest, ExportLogsServiceResponse } from './otlp-schema.js';

export const OTLP_LOGS_PATH = '/v1/logs';
/** Decompressed request bodies larger than this are refused. */
const MAX_DECODED_BYTES = 64 * 1024 * 1024;
const gunzipAsync = promisify(gunzip);

export interface OtlpDeps {
  store: LogStore;
  credentials: CredentialStore;
  access: AccessControl;
  region: string;
  accountId: string;
  clock: Clock;
  noteCall(req: FastifyRequest, info: { action?: string; caller?: Caller; resources?: string[] }): void;
}

/** An OTLP value as plain JSON. */
type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

interface Event {
  timestamp: number;
  message: string;
}

export function registerOtlpRoutes(app: FastifyInstance, deps: OtlpDeps): void {
  app.post(OTLP_LOGS_PATH, async (req, reply) => {
    deps.noteCall(req, { action: 'logs:PutLogEvents' });
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const nowMs = deps.clock.now();
    const { accessKeyId } = verifySigV4(
      { method: req.method, path: OTLP_LOGS_PATH, query: (req.raw.url ?? '').split('?')[1] ?? '', headers: req.headers, body: raw },
      { service: 'logs', region: deps.region, nowMs, lookupSecret: (k) => deps.credentials.lookupSecret(k) },
    );
    const caller = deps.access.caller(accessKeyId);
    deps.noteCall(req, { caller });
    const ctype = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const proto = ctype === 'application/x-protobuf';
    if (!proto && ctype !== 'application/json') throw new ApiError('SerializationException', `Unsupported Content-Type '${ctype}': expected application/x-protobuf or application/json`, { status: 415 });
    const body = await decompress(raw, String(req.headers['content-encoding'] ?? 'identity').toLowerCase());
    const batches = proto ? fromProtobuf(body, nowMs) : fromJson(body, nowMs);

    const facts = { sourceIp: req.ip, userAgent: String(req.headers['user-agent'] ?? ''), nowMs };
    const arn = (group: string, stream?: string): string => `arn:aws:logs:${deps.region}:${deps.accountId}:log-group:${group}${stream === undefined ? '' : `:log-stream:${stream}`}`;
    const resources = [...new Set([...batches.keys()].map((k) => arn(JSON.parse(k)[0] as string)))];
    deps.noteCall(req, { resources });
    // Every group is authorized before anything is written: a refusal changes nothing.
    const { store } = deps;
    for (const key of batches.keys()) {
      const [group, stream] = JSON.parse(key) as [string, string];
      const checks: [string, string][] = [['logs:PutLogEvents', arn(group)]];
      const g = store.catalog.groups.get(group);
      const reserved = g === undefined ? reservedGroupName(group) : undefined;
      if (reserved !== undefined) throw new ApiError('InvalidParameterException', reserved);
      if (!g) checks.push(['logs:CreateLogGroup', arn(group)]);
      if (!g?.streams.has(stream)) checks.push(['logs:CreateLogStream', arn(group, stream)]);
      for (const [action, resource] of checks) {
        const denial = deps.access.check(caller, action, [resource], facts);
        if (denial !== undefined) throw new ApiError('AccessDeniedException', denial.message);
      }
    }
    let rejected = 0;
    for (const [key, events] of batches) {
      const [group, stream] = JSON.parse(key) as [string, string];
      const { g, s } = await store.withWriteLock(async () => {
        const g = store.catalog.groups.get(group) ?? (await store.catalog.createGroup(group, nowMs, {}, null, 'STANDARD'));
        const s = g.streams.get(stream) ?? (await store.catalog.createStream(g, stream, nowMs));
        return { g, s };
      });
      rejected += await write(store, g, s, events, nowMs);
    }
    const out = rejected > 0 ? { partialSuccess: { rejectedLogRecords: rejected, errorMessage: `${rejected} log records were outside the accepted time range (14 days back to 2 hours ahead, and the group's retention) or larger than 1 MiB.` } } : {};
    reply.header('x-amzn-requestid', req.id);
    if (proto) return reply.header('content-type', 'application/x-protobuf').send(Buffer.from(ExportLogsServiceResponse.encode(ExportLogsServiceResponse.fromObject(out)).finish()));
    return reply.header('content-type', 'application/json').send(JSON.stringify(rejected > 0 ? { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: out.partialSuccess!.errorMessage } } : {}));
  });
}

async function decompress(body: Buffer, encoding: string): Promise<Buffer> {
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip') throw new ApiError('SerializationException', `Unsupported Content-Encoding '${encoding}': expected gzip or none`, { status: 415 });
  try {
    return await gunzipAsync(body, { maxOutputLength: MAX_DECODED_BYTES });
  } catch (e) {
    throw new ApiError('SerializationException', `The request body is not valid gzip (or inflates past ${MAX_DECODED_BYTES} bytes).`, { cause: e });
  }
}

/** Writes one stream's events as PutLogEvents batches (each within its limits); returns the records refused. */
async function write(store: LogStore, g: LogGroup, s: LogStream, events: Event[], nowMs: number): Promise<number> {
  events.sort((a, b) => a.timestamp - b.timestamp);
  let refused = 0;
  const fit = events.filter((e) => {
    const ok = Buffer.byteLength(e.message) + EVENT_OVERHEAD_BYTES <= MAX_EVENT_BYTES;
    if (!ok) refused++;
    return ok;
  });
  let start = 0;
  while (start < fit.length) {
    let end = start;
    let bytes = 0;
    while (end < fit.length && end - start < MAX_BATCH_EVENTS && fit[end]!.timestamp - fit[start]!.timestamp <= MAX_BATCH_SPAN_MS) {
      const size = Buffer.byteLength(fit[end]!.message) + EVENT_OVERHEAD_BYTES;
      if (bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      end++;
    }
    const batch = fit.slice(start, end);
    start = end;
    const accepted = checkBatch(batch, nowMs, retentionCutoff(g, nowMs));
    refused += batch.length - (accepted.hi - accepted.lo);
    if (accepted.hi > accepted.lo) {
      // The write-ahead log keeps the PutLogEvents request this batch would have been.
      const body = Buffer.from(JSON.stringify({ logGroupName: g.name, logStreamName: s.name, logEvents: batch }));
      await store.append({ group: g, stream: s, body, ...accepted, ingestMs: nowMs });
    }
  }
  return refused;
}

const GROUP_CHARS = /[^.\-_/#A-Za-z0-9]/g;

function first(v: Value | undefined): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'string' && x !== '' ? x : typeof x === 'number' ? String(x) : undefined;
}

/** The rule of the module comment. */
export function destinationOf(resource: Record<string, Value>): { group: string; stream: string } {
  const group = (first(resource['aws.log.group.names']) ?? first(resource['service.name']) ?? 'unknown_service').replace(GROUP_CHARS, '_').slice(0, 512);
  const stream = (first(resource['aws.log.stream.names']) ?? first(resource['host.name']) ?? first(resource['service.instance.id']) ?? 'otlp').replace(/[:*]/g, '_').slice(0, 512);
  return { group, stream };
}

const bad = (message: string): ApiError => new ApiError('InvalidParameterException', `Invalid OTLP logs request: ${message}`);

/** Nanoseconds (a string of digits, a number, or a protobufjs Long as a string) to ms; undefined for 0 or none. */
function nanosToMs(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '' || v === 0 || v === '0') return undefined;
  const text = typeof v === 'number' ? (Number.isSafeInteger(v) ? String(v) : '') : typeof v === 'string' ? v : '';
  if (!/^\d{1,20}$/.test(text)) throw bad(`a timestamp must be a whole number of nanoseconds, not ${JSON.stringify(v)}`);
  return Number(BigInt(text) / 1_000_000n);
}

type Accumulator = Map<string, Event[]>;

/** Builds the events of one ResourceLogs list, in either encoding (both are objects in OTLP's JSON mapping by now). */
function collect(resourceLogs: unknown, nowMs: number, value: (v: unknown) => Value, hex: (v: unknown) => string | undefined): Accumulator {
  const out: Accumulator = new Map();
  if (resourceLogs === undefined) return out;
  if (!Array.isArray(resourceLogs)) throw bad('resourceLogs must be a list');
  for (const rl of resourceLogs as unknown[]) {
    const r = obj(rl, 'resourceLogs[]');
    const resource = attributes(obj(r.resource ?? {}, 'resource').attributes, value);
    const { group, stream } = destinationOf(resource);
    const key = JSON.stringify([group, stream]);
    let events = out.get(key);
    if (!events) out.set(key, (events = []));
    for (const sl of list(r.scopeLogs, 'scopeLogs')) {
      const sc = obj(sl, 'scopeLogs[]');
      const scopeObj = obj(sc.scope ?? {}, 'scope');
      const scope = { ...(typeof scopeObj.name === 'string' && scopeObj.name !== '' ? { name: scopeObj.name } : {}), ...(typeof scopeObj.version === 'string' && scopeObj.version !== '' ? { version: scopeObj.version } : {}) };
      for (const lr of list(sc.logRecords, 'logRecords')) {
        const rec = obj(lr, 'logRecords[]');
        const timestamp = nanosToMs(rec.timeUnixNano) ?? nanosToMs(rec.observedTimeUnixNano) ?? nowMs;
        const attrs = attributes(rec.attributes, value);
        const severityNumber = rec.severityNumber === undefined ? 0 : Number(rec.severityNumber);
        if (!Number.isInteger(severityNumber) || severityNumber < 0 || severityNumber > 24) throw bad(`severityNumber ${JSON.stringify(rec.severityNumber)} is not 0 to 24`);
        const fields: Record<string, Value> = {};
        if (rec.body !== undefined && rec.body !== null) fields.body = value(rec.body);
        if (typeof rec.severityText === 'string' && rec.severityText !== '') fields.severityText = rec.severityText;
        if (severityNumber > 0) fields.severityNumber = severityNumber;
        if (typeof rec.eventName === 'string' && rec.eventName !== '') fields.eventName = rec.eventName;
        if (Object.keys(attrs).length > 0) fields.attributes = attrs;
        fields.resource = resource;
        if (Object.keys(scope).length > 0) fields.scope = scope;
        const traceId = hex(rec.traceId);
        const spanId = hex(rec.spanId);
        if (traceId) fields.traceId = traceId;
        if (spanId) fields.spanId = spanId;
        if (typeof rec.flags === 'number' && rec.flags !== 0) fields.flags = rec.flags;
        events.push({ timestamp, message: JSON.stringify(fields) });
      }
    }
  }
  for (const [k, v] of out) if (v.length === 0) out.delete(k);
  return out;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${what} must be an object`);
  return v as Record<string, unknown>;
}

function list(v: unknown, what: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(`${what} must be a list`);
  return v;
}

function attributes(v: unknown, value: (v: unknown) => Value): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const kv of list(v, 'attributes')) {
    const o = obj(kv, 'attributes[]');
    if (typeof o.key !== 'string') throw bad('an attribute key must be a string');
    out[o.key] = o.value === undefined || o.value === null ? null : value(o.value);
  }
  return out;
}

/** OTLP's AnyValue (JSON mapping: camelCase keys, int64 as string or number, bytes as base64) as JSON. */
function anyValue(v: unknown, depth = 0): Value {
  if (depth > 32) throw bad('values nest too deep');
  const o = obj(v, 'value');
  if (typeof o.stringValue === 'string') return o.stringValue;
  if (typeof o.boolValue === 'boolean') return o.boolValue;
  if (o.intValue !== undefined) {
    const n = typeof o.intValue === 'string' && /^-?\d{1,20}$/.test(o.intValue) ? Number(o.intValue) : typeof o.intValue === 'number' && Number.isInteger(o.intValue) ? o.intValue : NaN;
    if (Number.isNaN(n)) throw bad(`intValue ${JSON.stringify(o.intValue)} is not an integer`);
    return n;
  }
  if (o.doubleValue !== undefined) {
    const n = typeof o.doubleValue === 'number' ? o.doubleValue : typeof o.doubleValue === 'string' ? Number(o.doubleValue) : NaN;
    return Number.isFinite(n) ? n : String(o.doubleValue);
  }
  if (o.arrayValue !== undefined) return list(obj(o.arrayValue, 'arrayValue').values, 'arrayValue.values').map((x) => anyValue(x, depth + 1));
  if (o.kvlistValue !== undefined) {
    const out: Record<string, Value> = {};
    for (const kv of list(obj(o.kvlistValue, 'kvlistValue').values, 'kvlistValue.values')) {
      const p = obj(kv, 'kvlistValue.values[]');
      if (typeof p.key !== 'string') throw bad('a key must be a string');
      out[p.key] = p.value === undefined || p.value === null ? null : anyValue(p.value, depth + 1);
    }
    return out;
  }
  if (o.bytesValue !== undefined) return typeof o.bytesValue === 'string' ? o.bytesValue : Buffer.from(o.bytesValue as Uint8Array).toString('base64');
  return null;
}

export function fromJson(body: Buffer, nowMs: number): Accumulator {
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new ApiError('SerializationException', `The request body is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  // OTLP/JSON: trace and span ids are hex strings.
  const hex = (v: unknown): string | undefined => {
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string' || !/^[0-9a-fA-F]{1,64}$/.test(v)) throw bad(`a trace or span id must be hex, not ${JSON.stringify(v)}`);
    return /^0+$/.test(v) ? undefined : v.toLowerCase();
  };
  return collect(obj(input, 'the request').resourceLogs, nowMs, (v) => anyValue(v), hex);
}

export function fromProtobuf(body: Buffer, nowMs: number): Accumulator {
  let message: protobufMessage;
  try {
    message = ExportLogsServiceRequest.toObject(ExportLogsServiceRequest.decode(body), { longs: String, defaults: false, oneofs: false });
  } catch (e) {
    throw new ApiError('SerializationException', `The request body is not a valid OTLP ExportLogsServiceRequest: ${(e as Error).message}`, { cause: e });
  }
  const hex = (v: unknown): string | undefined => {
    if (!(v instanceof Uint8Array) || v.length === 0) return undefined;
    const h = Buffer.from(v).toString('hex');
    return /^0+$/.test(h) ? undefined : h;
  };
  return collect(message.resourceLogs, nowMs, (v) => anyValue(v), hex);
}

type protobufMessage = { resourceLogs?: unknown };
