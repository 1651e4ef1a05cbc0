/**
 * The admin API for sources (objects delivered to S3-compatible buckets or local folders, read by the
 * server: src/sources, docs/sources.md): what `logward sources` calls. JSON over HTTP under
 * /_logward/admin/sources, signed with SigV4 for service `logs` like the CloudWatch Logs API, with its
 * error shape; each call is recorded in the audit trail (caller, action, the source's ARN, outcome).
 *
 *   GET    /_logward/admin/sources         logward:ListSources   (resource *)          {"sources":[status]}
 *   PUT    /_logward/admin/sources/<name>  logward:CreateSource  body: the settings     {"source":status}
 *   DELETE /_logward/admin/sources/<name>  logward:DeleteSource                         {}
 *
 * A source's ARN is `arn:aws:logs:<region>:<account>:source:<name>`. Creating a source lets the
 * server write into its log group, and a folder source makes it read the files of a folder on its host
 * with its own permissions: grant `logward:CreateSource` to administrators only. A folder cannot be the
 * server's data directory or its decrypted cache, lie inside one or hold one (store/private-paths.ts). An
 * S3 endpoint on a loopback, link-local or private address needs --allow-private-destinations, as
 * subscription targets do (subscriptions/safety.ts): the server's credentials and network are not for
 * reaching internal services.
 */
import { promises as fsp } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, notFound } from './errors.js';
import { adminAuthorizer, adminJsonBody, sendJson, type AdminDeps } from './admin.js';
import type { HttpDeps } from './http.js';
import { SourceExistsError, type SourceManager } from '../sources/manager.js';
import { FolderRefusedError } from '../store/private-paths.js';
import { DestinationRefusedError } from '../subscriptions/safety.js';
import { parseSourceInput, SOURCE_NAME, type SourceSpec } from '../sources/spec.js';

export const SOURCES_PREFIX = '/_logward/admin/sources';

type SourceDeps = Pick<HttpDeps, 'credentials' | 'region' | 'accountId' | 'clock' | 'access'> & Pick<AdminDeps, 'noteCall'> & { sources: SourceManager };

export function registerSourceRoutes(app: FastifyInstance, deps: SourceDeps): void {
  const authorize = adminAuthorizer(deps);
  const arn = (name: string): string => `arn:aws:logs:${deps.region}:${deps.accountId}:source:${name}`;
  const nameOf = (req: FastifyRequest): string => {
    const { name } = req.params as { name: string };
    if (!SOURCE_NAME.test(name)) throw new ApiError('InvalidParameterException', 'A source name is 1 to 64 letters, digits, _ . or -.');
    return name;
  };
  const shown = (name: string): Record<string, unknown> => deps.sources.status().find((s) => s.name === name)!;

  app.get(SOURCES_PREFIX, async (req, reply) => {
    authorize(req, 'logward:ListSources', () => '*');
    return sendJson(reply, { sources: deps.sources.status() });
  });

  app.put(`${SOURCES_PREFIX}/:name`, async (req, reply) => {
    let name = '';
    authorize(req, 'logward:CreateSource', () => arn((name = nameOf(req))));
    const input = adminJsonBody(req);
    let spec: SourceSpec;
    try {
      spec = parseSourceInput({ ...(input !== null && typeof input === 'object' ? input : {}), name }, deps.clock.now());
    } catch (e) {
      throw new ApiError('InvalidParameterException', `Invalid source: ${(e as Error).message}`, { cause: e });
    }
    if (spec.kind === 'folder') {
      const st = await fsp.stat(spec.path).catch(() => null);
      if (!st?.isDirectory()) throw new ApiError('InvalidParameterException', `Invalid source: path: ${spec.path} is not a directory on the server.`);
    }
    try {
      await deps.sources.add(spec);
    } catch (e) {
      if (e instanceof SourceExistsError) throw new ApiError('ResourceAlreadyExistsException', e.message, { cause: e });
      if (e instanceof FolderRefusedError) throw new ApiError('InvalidParameterException', `Invalid source: path: ${e.message}`, { cause: e });
      if (e instanceof DestinationRefusedError) throw new ApiError('InvalidParameterException', `Invalid source: endpointUrl: ${e.message}`, { cause: e });
      throw e;
    }
    return sendJson(reply, { source: shown(name) });
  });

  app.delete(`${SOURCES_PREFIX}/:name`, async (req, reply) => {
    let name = '';
    authorize(req, 'logward:DeleteSource', () => arn((name = nameOf(req))));
    if (!(await deps.sources.remove(name))) throw notFound(`The source '${name}' does not exist.`);
    return sendJson(reply, {});
  });
}
