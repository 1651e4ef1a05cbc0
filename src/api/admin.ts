/**
 * The admin API for targets: what `logward targets` calls. JSON over HTTP on the same port as the
 * CloudWatch Logs API, under /_logward/admin/, signed with SigV4 exactly like it (service `logs`, the
 * server's region, the same credentials); errors have the same AWS shape.
 *
 *   GET    /_logward/admin/targets                 {"targets":[{kind,name,arn,config,createdMs}]}
 *   PUT    /_logward/admin/targets/<kind>/<name>   body: the target's settings      {"target":{...}}
 *   DELETE /_logward/admin/targets/<kind>/<name>   {}
 *   GET    /_logward/admin/subscriptions           {"subscriptions":[delivery state of each filter]}
 *
 * A target still used by a subscription filter or a destination cannot be deleted (ConflictException).
 *
 * Authorization is IAM's like every other call: the actions are `logward:ListTargets`, `logward:PutTarget`,
 * `logward:DeleteTarget` (resource: the target's ARN) and `logward:GetSubscriptionStatus` (resource `*`);
 * the root credentials may do all of them.
 *
 * Every call is recorded in the audit trail like the others (http.ts's onSend hook): `noteCall` tells it
 * the action, the caller and the target's ARN as each becomes known, so a call refused at any step is
 * recorded under its action.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isUtf8 } from 'node:buffer';
import { ApiError } from './errors.js';
import { verifySigV4 } from './auth/sigv4.js';
import type { CredentialStore } from './auth/credentials.js';
import type { SubscriptionsContext } from './actions/context.js';
import type { Clock } from '../clock.js';
import type { AccessControl, Caller } from './access.js';
import { TARGET_KINDS, type Target, type TargetKind } from '../store/subscriptions.js';
import { parseDestinationArn, targetArn, TARGET_NAME } from '../subscriptions/arn.js';
import { refusedFolder } from '../store/private-paths.js';

export const ADMIN_PREFIX = '/_logward/admin';

export interface AdminDeps {
  subscriptions: SubscriptionsContext;
  credentials: CredentialStore;
  region: string;
  accountId: string;
  clock: Clock;
  access: AccessControl;
  /** Where no local delivery bucket may be (store/private-paths.ts). */
  privatePaths: readonly string[];
  /** What the audit record of the call says: its action, then its caller and resources. */
  noteCall(req: FastifyRequest, info: { action?: string; caller?: Caller; resources?: string[] }): void;
}

/**
 * The check of every admin call: notes the action, verifies the signature, notes the caller, then asks IAM
 * whether the caller may do `action` on the resource `resourceOf` returns (it may validate the request
 * and throw first); AccessDeniedException otherwise.
 */
export function adminAuthorizer(
  deps: Pick<AdminDeps, 'credentials' | 'region' | 'clock' | 'access' | 'noteCall'>,
): (req: FastifyRequest, action: string, resourceOf: () => string) => void {
  return (req, action, resourceOf) => {
    deps.noteCall(req, { action });
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const url = req.raw.url ?? '/';
    const q = url.indexOf('?');
    const nowMs = deps.clock.now();
    const { accessKeyId } = verifySigV4(
      { method: req.method, path: q >= 0 ? url.slice(0, q) : url, query: q >= 0 ? url.slice(q + 1) : '', headers: req.headers, body },
      { service: 'logs', region: deps.region, nowMs, lookupSecret: (k) => deps.credentials.lookupSecret(k) },
    );
    const caller = deps.access.caller(accessKeyId);
    deps.noteCall(req, { caller });
    const resource = resourceOf();
    deps.noteCall(req, { resources: [resource] });
    const denial = deps.access.check(caller, action, [resource], { sourceIp: req.ip, userAgent: String(req.headers['user-agent'] ?? ''), nowMs });
    if (denial !== undefined) throw new ApiError('AccessDeniedException', denial.message);
  };
}

/** The JSON body of an admin call; SerializationException when it is not UTF-8 JSON. */
export function adminJsonBody(req: FastifyRequest): unknown {
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  try {
    if (!isUtf8(body)) throw new Error('not UTF-8');
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new ApiError('SerializationException', 'The request body is not valid JSON.', { cause: e });
  }
}

export const sendJson = (reply: FastifyReply, out: unknown): unknown => reply.header('content-type', 'application/json').send(JSON.stringify(out));

export function registerAdminRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const subs = deps.subscriptions;
  const authorize = adminAuthorizer(deps);
  const show = (t: Target): Record<string, unknown> => ({ kind: t.kind, name: t.name, arn: targetArn(t.kind, deps.region, deps.accountId, t.name), config: t.config, createdMs: t.createdMs });
  const params = (req: FastifyRequest): { kind: TargetKind; name: string } => {
    const { kind, name } = req.params as { kind: string; name: string };
    if (!(TARGET_KINDS as readonly string[]).includes(kind)) throw new ApiError('InvalidParameterException', `Unknown target kind '${kind}': expected ${TARGET_KINDS.join(', ')}.`);
    if (!TARGET_NAME.test(name)) throw new ApiError('InvalidParameterException', 'A target name is 1 to 64 letters, digits, _ . or -.');
    return { kind: kind as TargetKind, name };
  };

  app.get(`${ADMIN_PREFIX}/targets`, async (req, reply) => {
    authorize(req, 'logward:ListTargets', () => '*');
    const targets = [...subs.catalog.targets.values()].sort((a, b) => (a.kind + a.name < b.kind + b.name ? -1 : 1)).map(show);
    return sendJson(reply, { targets });
  });

  app.put(`${ADMIN_PREFIX}/targets/:kind/:name`, async (req, reply) => {
    let ref = { kind: 'function' as TargetKind, name: '' };
    authorize(req, 'logward:PutTarget', () => {
      ref = params(req);
      return targetArn(ref.kind, deps.region, deps.accountId, ref.name);
    });
    const { kind, name } = ref;
    const input = adminJsonBody(req);
    let config: Record<string, unknown>;
    try {
      config = subs.checkTarget(kind, input);
    } catch (e) {
      throw new ApiError('InvalidParameterException', `Invalid ${kind} target: ${(e as Error).message}`, { cause: e });
    }
    if (kind === 'delivery' && typeof config.bucket === 'string' && config.bucket.startsWith('/')) {
      const why = await refusedFolder(config.bucket, deps.privatePaths);
      if (why !== undefined) throw new ApiError('InvalidParameterException', `Invalid delivery target: bucket: the folder ${config.bucket} cannot be a local bucket: ${why}.`);
    }
    const target = await subs.catalog.lock.run(async () => {
      const t: Target = { kind, name, config, createdMs: subs.catalog.target(kind, name)?.createdMs ?? deps.clock.now() };
      await subs.catalog.putTarget(t);
      return t;
    });
    await subs.sync(); // subscriptions bound to it restart with the new settings
    return sendJson(reply, { target: show(target) });
  });

  app.delete(`${ADMIN_PREFIX}/targets/:kind/:name`, async (req, reply) => {
    let ref = { kind: 'function' as TargetKind, name: '' };
    authorize(req, 'logward:DeleteTarget', () => {
      ref = params(req);
      return targetArn(ref.kind, deps.region, deps.accountId, ref.name);
    });
    const { kind, name } = ref;
    await subs.catalog.lock.run(async () => {
      if (!subs.catalog.target(kind, name)) throw new ApiError('ResourceNotFoundException', `The specified ${kind} target does not exist.`);
      const uses = (arn: string): boolean => {
        const ref = parseDestinationArn(arn);
        return ref !== null && ref.kind === kind && ref.name === name;
      };
      const filter = [...subs.catalog.filters.values()].find((f) => uses(f.destinationArn));
      if (filter) throw new ApiError('ConflictException', `The target is used by subscription filter '${filter.filterName}' of log group '${filter.groupName}'.`);
      const dest = [...subs.catalog.destinations.values()].find((d) => uses(d.targetArn));
      if (dest) throw new ApiError('ConflictException', `The target is used by destination '${dest.name}'.`);
      await subs.catalog.deleteTarget(kind, name);
    });
    return sendJson(reply, {});
  });

  app.get(`${ADMIN_PREFIX}/subscriptions`, async (req, reply) => {
    authorize(req, 'logward:GetSubscriptionStatus', () => '*');
    return sendJson(reply, { subscriptions: subs.stats() });
  });
}
