/**
 * The HTTP front: AWS JSON 1.1 over `POST /` with `X-Amz-Target: Logs_20140328.<Operation>`.
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
import { validateRequest } from './model/validate.js';
import { actions, isImplemented } from './actions/index.js';
import type { ActionContext, InsightsContext, SubscriptionsContext } from './actions/context.js';
import { registerAdminRoutes } from './admin.js';
import type { LogStore } from '../store/store.js';
import { StoreUnavailableError } from '../store/store.js';
import type { Clock } from '../clock.js';

export const TARGET_PREFIX = 'Logs_20140328.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';
/** Large enough for any valid PutLogEvents body (1 MiB of messages, JSON-escaped), small enough to bound memory. */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

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
}

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

  // Bodies stay raw: the signature covers the exact bytes, and the WAL keeps them.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/health', async () => ({ status: 'ok' }));
  registerAdminRoutes(app, deps);

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
    const ingest = targetOf(req) === 'PutLogEvents';
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
    const op = targetOf(req);
    if (op === undefined) throw new ApiError('UnknownOperationException', 'Missing or malformed X-Amz-Target header: expected Logs_20140328.<Operation>');
    if (!deps.modelOperations.has(op)) throw new ApiError('UnknownOperationException', `Unknown operation ${op}`);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const q = req.raw.url?.indexOf('?') ?? -1;
    verifySigV4(
      { method: req.method, path: q >= 0 ? req.raw.url!.slice(0, q) : (req.raw.url ?? '/'), query: q >= 0 ? req.raw.url!.slice(q + 1) : '', headers: req.headers, body },
      { service: 'logs', region: deps.region, nowMs: deps.clock.now(), lookupSecret: (k) => deps.credentials.lookupSecret(k) },
    );
    const ctype = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ctype !== CONTENT_TYPE && ctype !== 'application/json') {
      throw new ApiError('SerializationException', `Unsupported Content-Type '${ctype}': expected ${CONTENT_TYPE}`);
    }
    if (!isUtf8(body)) throw new ApiError('SerializationException', 'The request body is not valid UTF-8.');
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new ApiError('SerializationException', `The request body is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
    validateRequest(op, input);
    if (!isImplemented(op)) throw new ApiError('UnknownOperationException', `Logward does not implement ${op} yet.`);
    const ctx: ActionContext = { store: deps.store, insights: deps.insights, subscriptions: deps.subscriptions, region: deps.region, accountId: deps.accountId, clock: deps.clock, logger: deps.logger, body };
    const action = actions[op] as (c: ActionContext, i: unknown) => Promise<unknown>;
    const out = await action(ctx, input);
    reply.header('content-type', CONTENT_TYPE).header('x-amzn-requestid', req.id);
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
}

function targetOf(req: FastifyRequest): string | undefined {
  const t = req.headers['x-amz-target'];
  if (typeof t !== 'string' || !t.startsWith(TARGET_PREFIX)) return undefined;
  const op = t.slice(TARGET_PREFIX.length);
  return /^[A-Za-z0-9]{1,128}$/.test(op) ? op : undefined;
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
  return reply
    .code(e.status)
    .header('content-type', CONTENT_TYPE)
    .header('x-amzn-requestid', req.id)
    .header('x-amzn-errortype', e.code)
    .send(JSON.stringify(e.toBody()));
}
