/**
 * The IAM Query API on the server's own endpoint: `POST /` with a form-encoded body and no X-Amz-Target,
 * signed for the service `iam`. So `aws iam ... --endpoint-url http://127.0.0.1:4599` and the IAM SDKs
 * work, and `logward iam` is a thin client of it.
 *
 * Order of checks: body → Action and Version → signature → parameters (IAM's ValidationError) →
 * authorization of `iam:<Action>` on the user's ARN (AccessDenied, HTTP 403, AWS's wording) → the
 * operation. Nothing is changed before all of them pass.
 *
 * IAM is a global service: clients sign it for us-east-1 unless told otherwise, so a signature scoped
 * to us-east-1 is accepted besides one scoped to the server's region.
 */
import type { FastifyRequest } from 'fastify';
import { verifySigV4 } from '../auth/sigv4.js';
import { firstHeader } from '../auth/canonical.js';
import { ApiError } from '../errors.js';
import type { AccessControl, Caller, RequestFacts } from '../access.js';
import { IamError, type UserStore } from '../../iam/user-store.js';
import { IAM_OPERATIONS, validateParams } from './operations.js';
import { IAM_VERSION, IamApiError, fromApiError, parseForm, responseXml } from './protocol.js';

export interface IamDeps {
  access: AccessControl;
  users: UserStore;
  region: string;
  lookupSecret(accessKeyId: string): string | undefined;
}

/** What the audit record of the call needs, filled in as the checks pass. */
export interface IamCall {
  action?: string;
  resources?: string[];
  caller?: Caller;
}

export async function handleIam(req: FastifyRequest, body: Buffer, facts: RequestFacts, deps: IamDeps, call: IamCall): Promise<string> {
  const form = parseForm(body.toString('utf8'));
  const action = form.get('Action');
  if (action === undefined || !/^[A-Za-z]{1,64}$/.test(action)) throw new IamApiError('InvalidAction', 'Missing or invalid Action parameter.');
  call.action = `iam:${action}`;
  const version = form.get('Version');
  if (version !== IAM_VERSION) throw new IamApiError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`);
  const op = Object.hasOwn(IAM_OPERATIONS, action) ? IAM_OPERATIONS[action] : undefined;

  const q = req.raw.url?.indexOf('?') ?? -1;
  const scoped = /Credential=[^/\s,]+\/\d{8}\/([^/\s,]+)\/iam\//.exec(firstHeader(req.headers, 'authorization') ?? '')?.[1];
  const region = scoped === 'us-east-1' ? scoped : deps.region;
  let accessKeyId: string;
  try {
    ({ accessKeyId } = verifySigV4(
      { method: req.method, path: q >= 0 ? req.raw.url!.slice(0, q) : (req.raw.url ?? '/'), query: q >= 0 ? req.raw.url!.slice(q + 1) : '', headers: req.headers, body },
      { service: 'iam', region, nowMs: facts.nowMs, lookupSecret: deps.lookupSecret },
    ));
  } catch (e) {
    throw e instanceof ApiError ? fromApiError(e) : e;
  }
  const caller = deps.access.caller(accessKeyId);
  call.caller = caller;
  if (op === undefined) throw new IamApiError('InvalidAction', `Could not find operation ${action} for version ${IAM_VERSION}`);

  const params = validateParams(op, form);
  const ctx = { users: deps.users, accountId: deps.access.accountId, caller };
  const resource = op.resource(params, ctx);
  call.resources = [resource];
  const denial = deps.access.check(caller, `iam:${action}`, [resource], facts);
  if (denial !== undefined) throw new IamApiError('AccessDenied', denial.message);
  try {
    return responseXml(action, await op.run(params, ctx), req.id);
  } catch (e) {
    if (e instanceof IamError) throw new IamApiError(e.code, e.message, { cause: e });
    throw e;
  }
}
