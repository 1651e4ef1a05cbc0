/**
 * The HTTP front: AWS JSON 1.1 over `POST /` with `X-Amz-Target: Logs_20140328.<Operation>`, and the IAM
 * Query API (a form-encoded `POST /` without X-Amz-Target, see iam/handler.ts).
 *
 * Order of checks, as AWS does it: operation name, signature, content type, body (UTF-8, JSON),
 * model validation, authorization of `logs:<Operation>` on the resources of the request
 * (AccessDeniedException), the audit group's protection, then the action. Every failure is an
 * AWS-shaped error (`{"__type": ..., "message": ...}`), never a 5xx for anything the client sent.
 *
 * Every call, whatever its outcome, is recorded in the audit trail before it is answered (the onSend
 * hook); when the record cannot be made durable the answer becomes ServiceUnavailableException, and
 * the server refuses calls from then on (audit/trail.ts).
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
import type { ActionContext, InsightsContext } from './actions/context.js';
import type { LogStore } from '../store/store.js';
import { StoreUnavailableError } from '../store/store.js';
import type { Clock } from '../clock.js';
import type { LogsOperation } from './model/generated/logs-types.js';
import { resourcesFor } from '../iam/actions.js';
import type { UserStore } from '../iam/user-store.js';
import { decodePtr } from '../query/insights/engine.js';
import type { AccessControl, Caller, RequestFacts } from './access.js';
import type { AuditTrail } from './audit/trail.js';
import type { AuditGuard } from './audit/guard.js';
import { handleIam } from './iam/handler.js';
import { FORM_CONTENT_TYPE, IamApiError, errorXml, fromApiError } from './iam/protocol.js';

export const TARGET_PREFIX = 'Logs_20140328.';
export const CONTENT_TYPE = 'application/x-amz-json-1.1';
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
  access: AccessControl;
  users: UserStore;
  audit: AuditTrail;
  auditGuard: AuditGuard;
}

/** What the audit record of a call says of it, filled in as the call's checks pass. */
interface CallInfo {
  protocol: 'json' | 'query';
  action?: string;
  resources?: string[];
  caller?: Caller;
  error?: { code: string; message: string };
}

interface CallRequest extends FastifyRequest {
  call?: CallInfo;
}

const callOf = (req: FastifyRequest): CallInfo => ((req as CallRequest).call ??= { protocol: 'json' });

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

  // Admission control before the body is read: memory stays bounded under overload.
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'POST') return;
    if (isQuery(req)) callOf(req).protocol = 'query';
    // Named now, so that a call refused here (overload, size) is recorded under its action.
    const target = targetOf(req);
    if (target !== undefined) callOf(req).action = `logs:${target}`;
    // Fail closed: with no durable audit trail, no call is served (see audit/trail.ts).
    if (deps.audit.failed !== undefined) return void sendError(reply, req, unavailable());
    const declared = Number(req.headers['content-length'] ?? 0);
    const size = Number.isFinite(declared) && declared > 0 ? declared : 0;
    if (size > MAX_BODY_BYTES) {
      // Read and drop the body first (up to a bound), so the client is not cut off mid-upload and
      // sees the answer; past the bound the connection is closed.
      await drain(req, 8 * MAX_BODY_BYTES);
      return void sendError(reply.header('connection', 'close'), req, tooLarge(size));
    }
    const ingest = target === 'PutLogEvents';
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
    const call = callOf(req);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const facts: RequestFacts = { sourceIp: req.ip, userAgent: String(req.headers['user-agent'] ?? ''), nowMs: deps.clock.now() };
    if (call.protocol === 'query') {
      const xml = await handleIam(req, body, facts, { access: deps.access, users: deps.users, region: deps.region, lookupSecret: deps.credentials.lookupSecret }, call);
      return reply.header('content-type', 'text/xml').header('x-amzn-requestid', req.id).send(xml);
    }
    const op = targetOf(req);
    if (op === undefined) throw new ApiError('UnknownOperationException', 'Missing or malformed X-Amz-Target header: expected Logs_20140328.<Operation>');
    if (!deps.modelOperations.has(op)) throw new ApiError('UnknownOperationException', `Unknown operation ${op}`);
    call.action = `logs:${op}`;
    const q = req.raw.url?.indexOf('?') ?? -1;
    const { accessKeyId } = verifySigV4(
      { method: req.method, path: q >= 0 ? req.raw.url!.slice(0, q) : (req.raw.url ?? '/'), query: q >= 0 ? req.raw.url!.slice(q + 1) : '', headers: req.headers, body },
      { service: 'logs', region: deps.region, nowMs: facts.nowMs, lookupSecret: (k) => deps.credentials.lookupSecret(k) },
    );
    const caller = deps.access.caller(accessKeyId);
    call.caller = caller;
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
    const scope = { region: deps.region, account: deps.accountId };
    const resources = resourcesFor(op as LogsOperation, input, scope);
    call.resources = resources;
    const denial = deps.access.check(caller, `logs:${op}`, resources, facts);
    if (denial !== undefined) throw new ApiError('AccessDeniedException', denial.message);
    const ptr = op === 'GetLogRecord' ? decodePtr(String((input as { logRecordPointer?: unknown }).logRecordPointer ?? '')) : null;
    deps.auditGuard.check(op, input, resources, caller, facts, ptr?.groupId === deps.audit.groupId);
    if (!isImplemented(op)) throw new ApiError('UnknownOperationException', `Logward does not implement ${op} yet.`);
    const mayQuery = (name: string): string | undefined => {
      const groupDenial = deps.access.check(caller, `logs:${op}`, [resourcesFor('StartQuery', { logGroupName: name }, scope)[0]!], facts);
      if (groupDenial !== undefined) return groupDenial.message;
      return name === deps.auditGuard.auditGroupName ? deps.auditGuard.readDenial(caller, facts) : undefined;
    };
    const ctx: ActionContext = { store: deps.store, insights: deps.insights, region: deps.region, accountId: deps.accountId, clock: deps.clock, logger: deps.logger, body, mayQuery };
    const action = actions[op] as (c: ActionContext, i: unknown) => Promise<unknown>;
    const out = await action(ctx, input);
    reply.header('content-type', CONTENT_TYPE).header('x-amzn-requestid', req.id);
    return reply.send(JSON.stringify(out));
  });

  // The audit record of every call, durable before the answer leaves (see the module comment).
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method === 'GET' && req.url === '/health') return payload;
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
        errorMessage: call.error?.message ?? null,
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
      reply.header('content-type', CONTENT_TYPE);
      return JSON.stringify(e.toBody());
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
  return reply
    .code(e.status)
    .header('content-type', CONTENT_TYPE)
    .header('x-amzn-requestid', req.id)
    .header('x-amzn-errortype', e.code)
    .send(JSON.stringify(e.toBody()));
}
