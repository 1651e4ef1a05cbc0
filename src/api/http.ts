/**
 * The HTTP front, one port for every service, told apart by `X-Amz-Target`:
 *   CloudWatch Logs    AWS JSON 1.1, `Logs_20140328.<Operation>`, SigV4 service `logs`;
 *   CloudWatch         AWS JSON 1.0 (awsQueryCompatible), `GraniteServiceVersion20100801.<Operation>`,
 *                      SigV4 service `monitoring` (metrics and alarms); also Smithy RPC v2 CBOR,
 *                      `POST /service/GraniteServiceVersion20100801/operation/<Operation>` (cbor-wire.ts);
 *   Logward topics     AWS JSON 1.1, `LogwardTopics_20261127.<Operation>`, SigV4 service `sns`
 *                      (where alarm actions are delivered, src/api/topics);
 * and `GET /metrics`, the Prometheus exposition (its access rule lives in metrics-endpoint.ts), and
 * `POST /v1/logs`, OTLP/HTTP logs (src/ingest/otlp.ts, signed for `logs`).
 *
 * The IAM Query API shares the port too: a form-encoded `POST /` without X-Amz-Target (iam/handler.ts).
 *
 * Order of checks, as AWS does it: operation name, signature, content type, body (UTF-8, JSON),
 * model validation, authorization of `<service>:<Operation>` on the resources of the request
 * (AccessDeniedException), the audit group's protection, then the action. Every failure is an
 * AWS-shaped error (`{"__type": ..., "message": ...}`), never a 5xx for anything the client sent.
 *
 * Every call, whatever its outcome, is recorded in the audit trail before it is answered (the onSend
 * hook); when the record cannot be made durable the answer becomes ServiceUnavailableException, and
 * the server refuses calls from then on (audit/trail.ts). Scrapes of /health and /metrics are not
 * calls of an API and are not recorded.
 */
import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiError, MESSAGES, type ApiErrorName } from './errors.js';
import { verifySigV4 } from './auth/sigv4.js';
import type { CredentialStore } from './auth/credentials.js';
import { validateMonitoringRequest, validateRequest } from './model/validate.js';
import { actions, isImplemented } from './actions/index.js';
import type { ActionContext, InsightsContext, SubscriptionsContext } from './actions/context.js';
import { ADMIN_PREFIX, registerAdminRoutes } from './admin.js';
import { registerKeyRoutes } from './admin-keys.js';
import { registerSourceRoutes } from './admin-sources.js';
import type { SourceManager } from '../sources/manager.js';
import { callOf, type CallInfo } from './call-info.js';
import { OTLP_LOGS_PATH, registerOtlpRoutes } from '../ingest/otlp.js';
import { parsePutLogEventsBody } from '../ingest/put-body.js';
import { isImplementedMonitoring, monitoringActions } from './monitoring/index.js';
import type { MonitoringContext } from './monitoring/context.js';
import { OPERATIONS as MONITORING_OPERATIONS } from './model/generated/monitoring-shapes.js';
import type { MetricFilterEngine } from '../metrics/metric-filters.js';
import { type MetricsEndpoint, serveMetricsEndpoint } from './metrics-endpoint.js';
import { TOPICS_OPERATIONS, topicsActions, validateTopicsRequest, type TopicsContext } from './topics/index.js';
import type { LogStore } from '../store/store.js';
import { StoreUnavailableError } from '../store/store.js';
import { privatePaths } from '../store/private-paths.js';
import type { Clock } from '../clock.js';
import type { LogsOperation } from './model/generated/logs-types.js';
import { resourcesFor } from '../iam/actions.js';
import type { UserStore } from '../iam/user-store.js';
import { decodePtr } from '../query/insights/engine.js';
import type { AccessControl, Caller, RequestFacts } from './access.js';
import type { AuditTrail } from './audit/trail.js';
import type { AuditGuard } from './audit/guard.js';
import { clipErrorMessage } from './audit/chain.js';
import { handleIam } from './iam/handler.js';
import { FORM_CONTENT_TYPE, IamApiError, errorXml, fromApiError } from './iam/protocol.js';
import { monitoringResources, topicResources } from '../iam/service-resources.js';
import { CBOR_CONTENT_TYPE, SMITHY_PROTOCOL, readCborBody, rpcV2Path, writeCborError, writeCborOutput } from './cbor-wire.js';

export const TARGET_PREFIX = 'Logs_20140328.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';
export const MONITORING_TARGET_PREFIX = 'GraniteServiceVersion20100801.';
export const MONITORING_CONTENT_TYPE = 'application/x-amz-json-1.0';
export const TOPICS_TARGET_PREFIX = 'LogwardTopics_20261127.';
/** Large enough for any valid PutLogEvents body (1 MiB of messages, JSON-escaped), small enough to bound memory. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;
/**
 * CreateLookupTable and UpdateLookupTable carry up to 10 MB of CSV (MAX_TABLE_BYTES) as one JSON string,
 * where quotes and line breaks take two bytes each: their bodies may be this large.
 */
export const MAX_TABLE_REQUEST_BYTES = 24 * 1024 * 1024;
const TABLE_OPERATIONS: ReadonlySet<string> = new Set(['CreateLookupTable', 'UpdateLookupTable']);

export interface HttpDeps {
  store: LogStore;
  insights: InsightsContext;
  subscriptions: SubscriptionsContext;
  credentials: CredentialStore;
  region: string;
  accountId: string;
  clock: Clock;
  logger: Logger;
  /** Bytes of request bodies admitted at once; past it, ThrottlingException. */
  maxInflightBytes: number;
  /** Every operation name in the service model, to tell "unknown" from "not implemented yet". */
  modelOperations: ReadonlySet<string>;
  /** Applied by ingest; PutMetricFilter and DeleteMetricFilter reload them. */
  metricFilters: MetricFilterEngine;
  /** The CloudWatch (metrics and alarms) service. */
  monitoring: MonitoringContext;
  /** `GET /metrics`. */
  metricsEndpoint: MetricsEndpoint;
  /** Topics, where alarm actions are delivered. */
  topics: TopicsContext;
  access: AccessControl;
  users: UserStore;
  audit: AuditTrail;
  auditGuard: AuditGuard;
  /** Sources of delivered objects (src/sources); without it, /_logward/admin/sources is not served. */
  sources?: SourceManager;
}


/** One service on the port: how a request names it, how it is signed, authorized and answered. */
interface Front {
  prefix: string;
  contentType: string;
  signingName: string;
  /** The IAM service prefix of its actions (`logs`, `cloudwatch`). */
  iamService: string;
  /** The error a refusal by IAM is, in this service. */
  deniedError: ApiErrorName;
  /** The resource ARNs a request acts on, for authorization and the audit record. */
  resources(op: string, input: unknown): string[];
  /** Checks beyond the caller's policies (the audit group's protection); throws ApiError. */
  guard(op: string, input: unknown, resources: string[], caller: Caller, facts: RequestFacts): void;
  operations: ReadonlySet<string>;
  validate(op: string, input: unknown): void;
  implemented(op: string): boolean;
  run(op: string, input: unknown, body: Buffer, caller: Caller, facts: RequestFacts): Promise<unknown>;
  /** awsQueryCompatible services also name their errors' awsQuery code in `x-amzn-query-error`. */
  queryCompatible: boolean;
  /** The service's name in Smithy RPC v2 CBOR paths, for a service that is served in it too. */
  rpcV2Service?: string;
}

const MONITORING_MODEL_OPERATIONS: ReadonlySet<string> = new Set(Object.keys(MONITORING_OPERATIONS));

export function buildHttp(deps: HttpDeps): FastifyInstance {
  const app = Fastify({
    bodyLimit: MAX_BODY_BYTES,
    return503OnClosing: true,
    genReqId: () => randomUUID(),
    // Malformed HTTP and oversized headers never reach a route: answer them in AWS's shape too.
    clientErrorHandler: (err, socket) => {
      const code = (err as { code?: string }).code;
      const [status, text, type, message] =
        code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'Request Header Fields Too Large', 'RequestEntityTooLargeException', 'The request headers are too large.']
          : [400, 'Bad Request', 'SerializationException', 'The request is not valid HTTP.'];
      const body = JSON.stringify({ __type: type, message });
      if (socket.writable) {
        socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: ${CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } else {
        socket.destroy(err);
      }
    },
  });
  let inflightBytes = 0;
  const scope = { region: deps.region, account: deps.accountId };
  const fronts: Front[] = [
    {
      prefix: TARGET_PREFIX,
      contentType: CONTENT_TYPE,
      signingName: 'logs',
      iamService: 'logs',
      deniedError: 'AccessDeniedException',
      operations: deps.modelOperations,
      validate: validateRequest,
      implemented: isImplemented,
      queryCompatible: false,
      resources: (op, input) => resourcesFor(op as LogsOperation, input, scope),
      guard: (op, input, resources, caller, facts) => {
        const ptr = op === 'GetLogRecord' ? decodePtr(String((input as { logRecordPointer?: unknown }).logRecordPointer ?? '')) : null;
        deps.auditGuard.check(op, input, resources, caller, facts, ptr?.groupId === deps.audit.groupId);
      },
      run: (op, input, body, caller, facts) => {
        // Queries name their groups in the query text too (SOURCE): each is authorized when selected.
        const mayQuery = (name: string): string | undefined => {
          const groupDenial = deps.access.check(caller, `logs:${op}`, [resourcesFor('StartQuery', { logGroupName: name }, scope)[0]!], facts);
          if (groupDenial !== undefined) return groupDenial.message;
          return name === deps.auditGuard.auditGroupName ? deps.auditGuard.readDenial(caller, facts) : undefined;
        };
        const ctx: ActionContext = { store: deps.store, insights: deps.insights, subscriptions: deps.subscriptions, region: deps.region, accountId: deps.accountId, clock: deps.clock, logger: deps.logger, metricFilters: deps.metricFilters, body, mayQuery };
        return (actions[op as keyof typeof actions] as (c: ActionContext, i: unknown) => Promise<unknown>)(ctx, input);
      },
    },
    {
      prefix: MONITORING_TARGET_PREFIX,
      contentType: MONITORING_CONTENT_TYPE,
      signingName: 'monitoring',
      iamService: 'cloudwatch',
      deniedError: 'AccessDenied',
      operations: MONITORING_MODEL_OPERATIONS,
      validate: validateMonitoringRequest,
      implemented: isImplementedMonitoring,
      queryCompatible: true,
      rpcV2Service: MONITORING_TARGET_PREFIX.slice(0, -1),
      resources: (op, input) => monitoringResources(op, input, scope),
      guard: () => undefined,
      run: (op, input) => (monitoringActions[op as keyof typeof monitoringActions] as (c: MonitoringContext, i: unknown) => Promise<unknown>)(deps.monitoring, input),
    },
    {
      prefix: TOPICS_TARGET_PREFIX,
      contentType: CONTENT_TYPE,
      signingName: 'sns',
      iamService: 'sns',
      deniedError: 'AccessDeniedException',
      operations: TOPICS_OPERATIONS,
      validate: validateTopicsRequest,
      implemented: () => true,
      queryCompatible: false,
      resources: (_op, input) => topicResources(input, scope),
      guard: () => undefined,
      run: (op, input) => (topicsActions[op as keyof typeof topicsActions] as (c: TopicsContext, i: unknown) => Promise<unknown>)(deps.topics, input),
    },
  ];
  const targetOf = (req: FastifyRequest): { front: Front; op: string | undefined } => {
    const rpc = req.headers['x-amz-target'] === undefined ? rpcV2Path(req.url) : undefined;
    const rpcFront = rpc && fronts.find((f) => f.rpcV2Service === rpc.service);
    if (rpc && rpcFront) {
      (req as AdmittedRequest).front = rpcFront;
      (req as AdmittedRequest).cbor = true;
      return { front: rpcFront, op: rpc.op };
    }
    const t = req.headers['x-amz-target'];
    const front = (typeof t === 'string' && fronts.find((f) => t.startsWith(f.prefix))) || fronts[0]!;
    (req as AdmittedRequest).front = front;
    if (typeof t !== 'string' || !t.startsWith(front.prefix)) return { front, op: undefined };
    const op = t.slice(front.prefix.length);
    return { front, op: /^[A-Za-z0-9]{1,128}$/.test(op) ? op : undefined };
  };

  const bodyLimitOf = (target: { front: Front; op: string | undefined }): number =>
    target.front.prefix === TARGET_PREFIX && target.op !== undefined && TABLE_OPERATIONS.has(target.op) ? MAX_TABLE_REQUEST_BYTES : MAX_BODY_BYTES;

  // Bodies stay raw: the signature covers the exact bytes, and the WAL keeps them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/health', async () => ({ status: 'ok' }));
  const noteCall = (req: FastifyRequest, info: Partial<CallInfo>): void => void Object.assign(callOf(req), info);
  registerAdminRoutes(app, { ...deps, noteCall, privatePaths: privatePaths(deps.store.atRest) });
  registerOtlpRoutes(app, { ...deps, noteCall });
  registerKeyRoutes(app, { ...deps, noteCall });
  if (deps.sources) registerSourceRoutes(app, { ...deps, sources: deps.sources, noteCall });
  app.get('/metrics', async (req, reply) => serveMetricsEndpoint(deps.metricsEndpoint, req, reply));

  // Admission control before the body is read: memory stays bounded under overload. A refusal returns
  // the reply: fastify then ends the request there. (Returning nothing after reply.send() lets the
  // request go on to its handler whenever an async onSend hook, the audit record, delays the sending:
  // a throttled PutLogEvents would be stored although its client was told to retry.)
  app.addHook('onRequest', async (req, reply) => {
    // The admin API (any method) is recorded like every call, so it fails closed with the trail too.
    if (deps.audit.failed !== undefined && req.url.startsWith(`${ADMIN_PREFIX}/`)) return sendError(reply, req, unavailable());
    if (req.method !== 'POST') return;
    if (isQuery(req)) callOf(req).protocol = 'query';
    // Named now, so that a call refused here (overload, size) is recorded under its action.
    const target = targetOf(req);
    if (target.op !== undefined) callOf(req).action = `${target.front.iamService}:${target.op}`;
    // Fail closed: with no durable audit trail, no call is served (see audit/trail.ts).
    if (deps.audit.failed !== undefined) return sendError(reply, req, unavailable());
    const declared = Number(req.headers['content-length'] ?? 0);
    const size = Number.isFinite(declared) && declared > 0 ? declared : 0;
    const limit = bodyLimitOf(target);
    if (size > limit) {
      // Read and drop the body first (up to a bound), so the client is not cut off mid-upload and
      // sees the answer; past the bound the connection is closed.
      await drain(req, 8 * MAX_BODY_BYTES);
      return sendError(reply.header('connection', 'close'), req, tooLarge(size, limit));
    }
    const ingest = (target.front.prefix === TARGET_PREFIX && target.op === 'PutLogEvents') || req.url.split('?')[0] === OTLP_LOGS_PATH;
    if (ingest && (inflightBytes + size > deps.maxInflightBytes || deps.store.overloaded())) {
      return sendError(reply, req, new ApiError('ThrottlingException', MESSAGES.throttled));
    }
    inflightBytes += size;
    (req as AdmittedRequest).admitted = size;
  });
  app.addHook('onResponse', async (req) => {
    inflightBytes -= (req as AdmittedRequest).admitted ?? 0;
  });

  // The route reads up to the largest limit of any operation; each operation's own is checked here and
  // before the body is read (onRequest, from Content-Length).
  const handleCall = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const call = callOf(req);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const target = targetOf(req);
    const limit = bodyLimitOf(target);
    if (body.length > limit) throw tooLarge(body.length, limit); // sent without a Content-Length
    const facts: RequestFacts = { sourceIp: req.ip, userAgent: String(req.headers['user-agent'] ?? ''), nowMs: deps.clock.now() };
    if (call.protocol === 'query') {
      const xml = await handleIam(req, body, facts, { access: deps.access, users: deps.users, region: deps.region, lookupSecret: deps.credentials.lookupSecret }, call);
      return reply.header('content-type', 'text/xml').header('x-amzn-requestid', req.id).send(xml);
    }
    const { front, op } = target;
    if (op === undefined) throw new ApiError('UnknownOperationException', 'Missing or malformed X-Amz-Target header: expected Logs_20140328.<Operation>');
    if (!front.operations.has(op)) throw new ApiError('UnknownOperationException', `Unknown operation ${op}`);
    call.action = `${front.iamService}:${op}`;
    const q = req.raw.url?.indexOf('?') ?? -1;
    const { accessKeyId } = verifySigV4(
      { method: req.method, path: q >= 0 ? req.raw.url!.slice(0, q) : (req.raw.url ?? '/'), query: q >= 0 ? req.raw.url!.slice(q + 1) : '', headers: req.headers, body },
      { service: front.signingName, region: deps.region, nowMs: facts.nowMs, lookupSecret: (k) => deps.credentials.lookupSecret(k) },
    );
    const caller = deps.access.caller(accessKeyId);
    call.caller = caller;
    const ctype = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const cbor = (req as AdmittedRequest).cbor === true;
    if (cbor) {
      if (req.headers['smithy-protocol'] !== SMITHY_PROTOCOL) throw new ApiError('SerializationException', `Missing or unsupported smithy-protocol header: expected ${SMITHY_PROTOCOL}`);
      if (ctype !== CBOR_CONTENT_TYPE && !(ctype === '' && body.length === 0)) throw new ApiError('SerializationException', `Unsupported Content-Type '${ctype}': expected ${CBOR_CONTENT_TYPE}`);
    } else if (ctype !== front.contentType && ctype !== 'application/json') {
      throw new ApiError('SerializationException', `Unsupported Content-Type '${ctype}': expected ${front.contentType}`);
    }
    if (!cbor && !isUtf8(body)) throw new ApiError('SerializationException', 'The request body is not valid UTF-8.');
    let input: unknown;
    if (cbor) input = readCborBody(body);
    else {
      try {
        // PutLogEvents bodies are read without one body-sized string (see put-body.ts), others as usual.
        const put = op === 'PutLogEvents' && front.prefix === TARGET_PREFIX ? parsePutLogEventsBody(body) : undefined;
        input = put ?? (body.length === 0 ? {} : JSON.parse(body.toString('utf8')));
      } catch (e) {
        throw new ApiError('SerializationException', `The request body is not valid JSON: ${(e as Error).message}`, { cause: e });
      }
    }
    front.validate(op, input);
    const resources = front.resources(op, input);
    call.resources = resources;
    const denial = deps.access.check(caller, `${front.iamService}:${op}`, resources, facts);
    if (denial !== undefined) throw new ApiError(front.deniedError, denial.message);
    front.guard(op, input, resources, caller, facts);
    if (!front.implemented(op)) throw new ApiError('UnknownOperationException', `Logward does not implement ${op} yet.`);
    const out = await front.run(op, input, body, caller, facts);
    if (cbor) return reply.header('content-type', CBOR_CONTENT_TYPE).header('smithy-protocol', SMITHY_PROTOCOL).header('x-amzn-requestid', req.id).send(writeCborOutput(op, out));
    reply.header('content-type', front.contentType).header('x-amzn-requestid', req.id);
    return reply.send(JSON.stringify(out));
  };
  app.post('/', { bodyLimit: MAX_TABLE_REQUEST_BYTES }, handleCall);
  app.post('/service/:service/operation/:operation', { bodyLimit: MAX_BODY_BYTES }, handleCall);

  // The audit record of every call, durable before the answer leaves (see the module comment).
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method === 'GET' && (req.url === '/health' || req.url.split('?')[0] === '/metrics')) return payload;
    const call = callOf(req);
    try {
      await deps.audit.record({
        requestId: req.id,
        action: call.action ?? `${req.method} ${req.url.split('?')[0]}`,
        resources: call.resources ?? [],
        caller: call.caller === undefined ? null : { arn: call.caller.arn, accessKeyId: call.caller.accessKeyId },
        sourceIp: req.ip,
        userAgent: String(req.headers['user-agent'] ?? ''),
        httpStatus: reply.statusCode,
        errorCode: call.error?.code ?? null,
        errorMessage: call.error === undefined ? null : clipErrorMessage(call.error.message),
      });
      return payload;
    } catch (err) {
      deps.logger.error({ err, reqId: req.id }, 'audit record failed: the call is answered ServiceUnavailableException');
      const e = unavailable();
      reply.code(e.status).header('x-amzn-errortype', e.code);
      if (call.protocol === 'query') {
        const ie = fromApiError(e);
        reply.code(ie.status).header('content-type', 'text/xml');
        return errorXml(ie, req.id);
      }
      return errorBody(reply, req, e);
    }
  });

  app.setNotFoundHandler((req, reply) => {
    sendError(reply, req, new ApiError('UnknownOperationException', `No such resource: ${req.method} ${req.url.split('?')[0]}`, { status: 404 }));
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof IamApiError) return sendIamError(reply, req, err);
    if (err instanceof ApiError) return sendError(reply, req, err);
    if (err instanceof StoreUnavailableError) {
      deps.logger.error({ err }, 'store unavailable');
      return sendError(reply, req, new ApiError('ServiceUnavailableException', 'The service is unavailable. Retry the request.', { cause: err }));
    }
    const fe = err as { code?: string; statusCode?: number; message?: string };
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, req, tooLarge(Number(req.headers['content-length'] ?? 0), bodyLimitOf(targetOf(req))));
    if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
      return sendError(reply, req, new ApiError('SerializationException', fe.message ?? 'Bad request', { status: fe.statusCode }));
    }
    deps.logger.error({ err, reqId: req.id }, 'internal error');
    return sendError(reply, req, new ApiError('InternalFailure', MESSAGES.internal, { cause: err }));
  });

  return app;
}

interface AdmittedRequest extends FastifyRequest {
  admitted?: number;
  /** The service the request's X-Amz-Target named, for the shape of its error answers. */
  front?: Front;
  /** A Smithy RPC v2 CBOR request: answered in CBOR. */
  cbor?: boolean;
}

function drain(req: FastifyRequest, cap: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const raw = req.raw;
    raw.on('data', (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > cap) raw.destroy();
    });
    raw.once('end', () => resolve());
    raw.once('close', () => resolve());
    raw.resume();
  });
}

const tooLarge = (size: number, limit: number): ApiError =>
  new ApiError('RequestEntityTooLargeException', `Request body of ${size} bytes exceeds the limit of ${limit} bytes.`);

const unavailable = (): ApiError => new ApiError('ServiceUnavailableException', 'The service is unavailable. Retry the request.');

/** A form-encoded POST without X-Amz-Target: the IAM Query API. */
function isQuery(req: FastifyRequest): boolean {
  const ctype = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return ctype === FORM_CONTENT_TYPE && req.headers['x-amz-target'] === undefined;
}

function sendIamError(reply: FastifyReply, req: FastifyRequest, e: IamApiError): FastifyReply {
  callOf(req).error = { code: e.code, message: e.message };
  return reply.code(e.status).header('content-type', 'text/xml').header('x-amzn-requestid', req.id).send(errorXml(e, req.id));
}

function sendError(reply: FastifyReply, req: FastifyRequest, e: ApiError): FastifyReply {
  const call = callOf(req);
  if (call.protocol === 'query') return sendIamError(reply, req, fromApiError(e));
  call.error = { code: e.code, message: e.message };
  const front = (req as AdmittedRequest).front;
  if (front?.queryCompatible === true) reply.header('x-amzn-query-error', `${e.queryCode};${e.status >= 500 ? 'Receiver' : 'Sender'}`);
  reply.code(e.status).header('x-amzn-requestid', req.id).header('x-amzn-errortype', e.code);
  return reply.send(errorBody(reply, req, e));
}

/** An error's body in the wire the request came in (CBOR or its service's JSON), with its content type set. */
function errorBody(reply: FastifyReply, req: FastifyRequest, e: ApiError): string | Buffer {
  if ((req as AdmittedRequest).cbor === true) {
    reply.header('content-type', CBOR_CONTENT_TYPE).header('smithy-protocol', SMITHY_PROTOCOL);
    return writeCborError(e.toBody());
  }
  reply.header('content-type', (req as AdmittedRequest).front?.contentType ?? CONTENT_TYPE);
  return JSON.stringify(e.toBody());
}
