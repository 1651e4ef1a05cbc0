/**
 * The admin API for log groups' data keys (encryption at rest, docs/encryption.md): what `logward keys`
 * calls. JSON over HTTP under /_logward/admin/keys, signed with SigV4 for service `logs` like the
 * CloudWatch Logs API, with its error shape; each call is recorded in the audit trail (caller, action,
 * the group's ARN, outcome).
 *
 *   POST /_logward/admin/keys/describe  {"logGroupName"}  logward:DescribeKeys  {"keys":{...}}
 *   POST /_logward/admin/keys/rotate    {"logGroupName"}  logward:RotateKeys    {"keys":{...}}
 *   POST /_logward/admin/keys/shred     {"logGroupName"}  logward:ShredKeys     {"shredded":{...}}
 *   POST /_logward/admin/keys/decrypt   an object a subscription delivered, sealed (header
 *        x-logward-log-group: its group)            logward:DecryptObject its plaintext bytes
 *
 * Shredding destroys every data key of the group, then deletes the group: its events cannot be read
 * again from any copy (backups, object storage, disk blocks). The audit group cannot be shredded.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, MESSAGES, notFound } from './errors.js';
import type { HttpDeps } from './http.js';
import { adminAuthorizer, adminJsonBody, sendJson, type AdminDeps } from './admin.js';
import { AUDIT_GROUP } from './audit/chain.js';
import type { LogGroup } from '../store/catalog.js';

export const KEYS_PREFIX = '/_logward/admin/keys';
/** The header that names the group of an object to decrypt. */
export const GROUP_HEADER = 'x-logward-log-group';
/** The largest delivered object `keys decrypt` takes (a delivery target buffers at most 128 MiB of text). */
const MAX_SEALED_OBJECT_BYTES = 256 * 1024 * 1024;

type KeyDeps = Pick<HttpDeps, 'store' | 'credentials' | 'region' | 'accountId' | 'clock' | 'access' | 'subscriptions'> & Pick<AdminDeps, 'noteCall'>;

export function registerKeyRoutes(app: FastifyInstance, deps: KeyDeps): void {
  const authorize = adminAuthorizer(deps);
  /** Checks the call (signature, then IAM on the group's ARN) and finds the group. */
  const admit = (req: FastifyRequest, action: string): LogGroup => {
    let name = '';
    authorize(req, action, () => {
      const input = adminJsonBody(req);
      const given = (input as { logGroupName?: unknown } | null)?.logGroupName;
      if (typeof given !== 'string' || given.length === 0 || given.length > 512) {
        throw new ApiError('InvalidParameterException', 'logGroupName is required: the name of a log group.');
      }
      name = given;
      return `arn:aws:logs:${deps.region}:${deps.accountId}:log-group:${name}`;
    });
    const g = deps.store.catalog.groups.get(name);
    if (!g) throw notFound(MESSAGES.groupNotFound);
    return g;
  };
  const describe = (g: LogGroup): Record<string, unknown> => ({
    logGroupName: g.name,
    encrypted: deps.store.atRest.enabled,
    kmsKeyId: g.kmsKeyId,
    ...(deps.store.atRest.describe(g.id) ?? {}),
  });

  app.post(`${KEYS_PREFIX}/describe`, async (req, reply) => sendJson(reply, { keys: describe(admit(req, 'logward:DescribeKeys')) }));

  app.post(`${KEYS_PREFIX}/rotate`, async (req, reply) => {
    const g = admit(req, 'logward:RotateKeys');
    if (!deps.store.atRest.enabled) throw new ApiError('InvalidOperationException', 'This server stores log data without encryption: there are no keys to rotate.');
    await deps.store.rotateKeys(g);
    return sendJson(reply, { keys: describe(g) });
  });

  app.post(`${KEYS_PREFIX}/decrypt`, { bodyLimit: MAX_SEALED_OBJECT_BYTES }, async (req, reply) => {
    let name = '';
    authorize(req, 'logward:DecryptObject', () => {
      const given = req.headers[GROUP_HEADER];
      if (typeof given !== 'string' || given.length === 0 || given.length > 512) {
        throw new ApiError('InvalidParameterException', `The header ${GROUP_HEADER} is required: the log group the object comes from.`);
      }
      name = given;
      return `arn:aws:logs:${deps.region}:${deps.accountId}:log-group:${name}`;
    });
    const g = deps.store.catalog.groups.get(name);
    if (!g) throw notFound(MESSAGES.groupNotFound);
    if (!deps.store.atRest.enabled) throw new ApiError('InvalidOperationException', 'This server stores log data without encryption: it has no keys to decrypt with.');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let plain: Buffer;
    try {
      plain = await deps.store.atRest.openObject(g.id, body);
    } catch (e) {
      throw new ApiError('InvalidParameterException', `The object does not decrypt with the keys of log group ${g.name}: it is not a Logward object of this group, or it was altered.`, { cause: e });
    }
    return reply.header('content-type', 'application/octet-stream').send(plain);
  });

  app.post(`${KEYS_PREFIX}/shred`, async (req, reply) => {
    const g = admit(req, 'logward:ShredKeys');
    if (g.name === AUDIT_GROUP) throw new ApiError('InvalidOperationException', `The audit log group ${AUDIT_GROUP} cannot be shredded.`);
    const before = describe(g);
    await deps.store.withWriteLock(async () => {
      if (deps.store.catalog.groups.get(g.name) !== g) throw notFound(MESSAGES.groupNotFound);
      await deps.store.shredGroup(g);
    });
    await deps.subscriptions.sync();
    return sendJson(reply, { shredded: { ...before, at: new Date(deps.clock.now()).toISOString() } });
  });
}
