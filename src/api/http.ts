/**
 * The HTTP front, one port for every service, told apart by `X-Amz-Target`:
 *   CloudWatch Logs    AWS JSON 1.1, `Logs_20140328.<Operation>`, SigV4 service `logs`;
 *   CloudWatch         AWS JSON 1.0 (awsQueryCompatible), `GraniteServiceVersion20100801.<Operation>`,
 *                      SigV4 service `monitoring` (metrics and alarms);
 *   Logward topics     AWS JSON 1.1, `LogwardTopics_20261127.<Operation>`, SigV4 service `sns`
 *                      (where alarm actions are delivered, src/api/topics);
 * and `GET /metrics`, the Prometheus exposition (its access rule lives in metrics-endpoint.ts).
 *
 * Order of checks, as AWS does it: operation name, signature, content type, body (UTF-8, JSON),
 * model validation, then the action. Every failure is an AWS-shaped error
 * (`{"__type": ..., "message": ...}`), never a 5xx for anything the client sent.
 */
import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ApiError, MESSAGES } from './errors.js';
import { verifySigV4 } from './auth/sigv4.js';
import type { CredentialStore } from './auth/credentials.js';
import { validateMonitoringRequest, validateRequest } from './model/validate.js';
import { actions, isImplemented } from './actions/index.js';
import type { ActionContext, InsightsContext } from './actions/context.js';
import { isImplementedMonitoring, monitoringActions } from './monitoring/index.js';
import type { MonitoringContext } from './monitoring/context.js';
import { OPERATIONS as MONITORING_OPERATIONS } from './model/generated/monitoring-shapes.js';
import type { MetricFilterEngine } from '../metrics/metric-filters.js';
import { type MetricsEndpoint, serveMetricsEndpoint } from './metrics-endpoint.js';
import { TOPICS_OPERATIONS, topicsActions, validateTopicsRequest, type TopicsContext } from './topics/index.js';
import type { LogStore } from '../store/store.js';
import { StoreUnavailableError } from '../store/store.js';
import type { Clock } from '../clock.js';

export const TARGET_PREFIX = 'Logs_20140328.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';
export const MONITORING_TARGET_PREFIX = 'GraniteServiceVersion20100801.';
export const MONITORING_CONTENT_TYPE = 'application/x-amz-json-1.0';
export const TOPICS_TARGET_PREFIX = 'LogwardTopics_20261127.';
/** Large enough for any valid PutLogEvents body (1 MiB of messages, JSON-escaped), small enough to bound memory. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface HttpDeps {
  store: LogStore;
  insights: InsightsContext;
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
}

/** One service on the port: how a request names it, how it is signed, and how it is answered. */
interface Front {
  prefix: string;
  contentType: string;
  signingName: string;
  operations: ReadonlySet<string>;
  validate(op: string, input: unknown): void;
  implemented(op: string): boolean;
  run(op: string, input: unknown, body: Buffer): Promise<unknown>;
  /** awsQueryCompatible services also name their errors' awsQuery code in `x-amzn-query-error`. */
  queryCompatible: boolean;
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
  const fronts: Front[] = [
    {
      prefix: TARGET_PREFIX,
      contentType: CONTENT_TYPE,
      signingName: 'logs',
      operations: deps.modelOperations,
      validate: validateRequest,
      implemented: isImplemented,
      queryCompatible: false,
      run: (op, input, body) => {
        const ctx: ActionContext = { store: deps.store, insights: deps.insights, region: deps.region, accountId: deps.accountId, clock: deps.clock, logger: deps.logger, metricFilters: deps.metricFilters, body };
        return (actions[op as keyof typeof actions] as (c: ActionContext, i: unknown) => Promise<unknown>)(ctx, input);
      },
    },
    {
      prefix: MONITORING_TARGET_PREFIX,
      contentType: MONITORING_CONTENT_TYPE,
      signingName: 'monitoring',
      operations: MONITORING_MODEL_OPERATIONS,
      validate: validateMonitoringRequest,
      implemented: isImplementedMonitoring,
      queryCompatible: true,
      run: (op, input) => (monitoringActions[op as keyof typeof monitoringActions] as (c: MonitoringContext, i: unknown) => Promise<unknown>)(deps.monitoring, input),
    },
    {
      prefix: TOPICS_TARGET_PREFIX,
      contentType: CONTENT_TYPE,
      signingName: 'sns',
      operations: TOPICS_OPERATIONS,
      validate: validateTopicsRequest,
      implemented: () => true,
      queryCompatible: false,
      run: (op, input) => (topicsActions[op as keyof typeof topicsActions] as (c: TopicsContext, i: unknown) => Promise<unknown>)(deps.topics, input),
    },
  ];
  const targetOf = (req: FastifyRequest): { front: Front; op: string | undefined } => {
    const t = req.headers['x-amz-target'];
    const front = (typeof t === 'string' && fronts.find((f) => t.startsWith(f.prefix))) || fronts[0]!;
    (req as AdmittedRequest).front = front;
    if (typeof t !== 'string' || !t.startsWith(front.prefix)) return { front, op: undefined };
    const op = t.slice(front.prefix.length);
    return { front, op: /^[A-Za-z0-9]{1,128}$/.test(op) ? op : undefined };
  };

  // Bodies stay raw: the signature covers the exact bytes, and the WAL keeps them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async (req, reply) => serveMetricsEndpoint(deps.metricsEndpoint, req, reply));

  // Admission control before the body is read: memory stays bounded under overload.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST') return;
    const declared = Number(req.headers['content-length'] ?? 0);
    const size = Number.isFinite(declared) && declared > 0 ? declared : 0;
    if (size > MAX_BODY_BYTES) {
      // Read and drop the body first (up to a bound), so the client is not cut off mid-upload and
      // sees the answer; past the bound the connection is closed.
      await drain(req, 8 * MAX_BODY_BYTES);
      return void sendError(reply.header('connection', 'close'), req, tooLarge(size));
    }
    const target = targetOf(req);
    const ingest = target.front.prefix === TARGET_PREFIX && target.op === 'PutLogEvents';
    if (ingest && (inflightBytes + size > deps.maxInflightBytes || deps.store.overloaded())) {
      return void sendError(reply, req, new ApiError('ThrottlingException', MESSAGES.throttled));
    }
    inflightBytes += size;
    (req as AdmittedRequest).admitted = size;
  });
  app.addHook('onResponse', async (req) => {
    inflightBytes -= (req as AdmittedRequest).admitted ?? 0;
  });

  app.post('/', async (req, reply) => {
    const { front, op } = targetOf(req);
    if (op === undefined) throw new ApiError('UnknownOperationException', 'Missing or malformed X-Amz-Target header: expected Logs_20140328.<Operation>');
    if (!front.operations.has(op)) throw new ApiError('UnknownOperationException', `Unknown operation ${op}`);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const q = req.raw.url?.indexOf('?') ?? -1;
    verifySigV4(
      { method: req.method, path: q >= 0 ? req.raw.url!.slice(0, q) : (req.raw.url ?? '/'), query: q >= 0 ? req.raw.url!.slice(q + 1) : '', headers: req.headers, body },
      { service: front.signingName, region: deps.region, nowMs: deps.clock.now(), lookupSecret: (k) => deps.credentials.lookupSecret(k) },
    );
    const ctype = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ctype !== front.contentType && ctype !== 'application/json') {
      throw new ApiError('SerializationException', `Unsupported Content-Type '${ctype}': expected ${front.contentType}`);
    }
    if (!isUtf8(body)) throw new ApiError('SerializationException', 'The request body is not valid UTF-8.');
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new ApiError('SerializationException', `The request body is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    front.validate(op, input);
    if (!front.implemented(op)) throw new ApiError('UnknownOperationException', `Logward does not implement ${op} yet.`);
    const out = await front.run(op, input, body);
    reply.header('content-type', front.contentType).header('x-amzn-requestid', req.id);
    return reply.send(JSON.stringify(out));
  });

  app.setNotFoundHandler((req, reply) => {
    sendError(reply, req, new ApiError('UnknownOperationException', `No such resource: ${req.method} ${req.url.split('?')[0]}`, { status: 404 }));
  });

  app.setErrorHandler((err: unknown, req, reply) => {
    if (err instanceof ApiError) return sendError(reply, req, err);
    if (err instanceof StoreUnavailableError) {
      deps.logger.error({ err }, 'store unavailable');
      return sendError(reply, req, new ApiError('ServiceUnavailableException', 'The service is unavailable. Retry the request.', { cause: err }));
    }
    const fe = err as { code?: string; statusCode?: number; message?: string };
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendError(reply, req, tooLarge(Number(req.headers['content-length'] ?? 0)));
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

const tooLarge = (size: number): ApiError =>
  new ApiError('RequestEntityTooLargeException', `Request body of ${size} bytes exceeds the limit of ${MAX_BODY_BYTES} bytes.`);

function sendError(reply: FastifyReply, req: FastifyRequest, e: ApiError): FastifyReply {
  const front = (req as AdmittedRequest).front;
  if (front?.queryCompatible === true) reply.header('x-amzn-query-error', `${e.queryCode};${e.status >= 500 ? 'Receiver' : 'Sender'}`);
  return reply
    .code(e.status)
    .header('content-type', front?.contentType ?? CONTENT_TYPE)
    .header('x-amzn-requestid', req.id)
    .header('x-amzn-errortype', e.code)
    .send(JSON.stringify(e.toBody()));
}
