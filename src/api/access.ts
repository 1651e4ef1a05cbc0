/**
 * Authorization of a verified caller: who the access key belongs to, the request context IAM conditions
 * see, and the decision for an action on its resources. The root principal is allowed everything; an IAM
 * user is allowed what its inline policies allow (explicit deny wins, default deny: src/iam/evaluate.ts).
 *
 * Both APIs use it: CloudWatch Logs answers a denial with AccessDeniedException (HTTP 400), the IAM
 * Query API with AccessDenied (HTTP 403); the message, AWS's wording, is the same.
 */
import type { CredentialStore } from './auth/credentials.js';
import type { UserStore } from '../iam/user-store.js';
import { evaluate } from '../iam/evaluate.js';
import { accessDeniedMessage, userArn } from '../iam/actions.js';
import type { RequestContext } from '../iam/conditions.js';

export interface Caller {
  accessKeyId: string;
  root: boolean;
  /** `arn:aws:iam::<account>:root` or `arn:aws:iam::<account>:user/<name>`. */
  arn: string;
  userName?: string;
  userId?: string;
}

/** What of the HTTP request the condition keys need. */
export interface RequestFacts {
  sourceIp: string;
  userAgent: string;
  nowMs: number;
}

export type Denial = { message: string; resource: string };

export class AccessControl {
  constructor(
    private readonly credentials: CredentialStore,
    private readonly users: UserStore,
    readonly accountId: string,
  ) {}

  /** The caller behind a key that verified. */
  caller(accessKeyId: string): Caller {
    const owner = this.credentials.ownerOf(accessKeyId);
    if (owner?.kind === 'user') {
      const user = this.users.lookupKey(accessKeyId)?.user;
      return { accessKeyId, root: false, arn: userArn(this.accountId, owner.userName), userName: owner.userName, ...(user ? { userId: user.userId } : {}) };
    }
    if (owner?.kind === 'root') return { accessKeyId, root: true, arn: `arn:aws:iam::${this.accountId}:root` };
    // A key that verified but has no owner any more (deleted meanwhile): a principal with no policies.
    return { accessKeyId, root: false, arn: `arn:aws:iam::${this.accountId}:user/${accessKeyId}` };
  }

  /**
   * Undefined when `caller` may perform `action` on every resource; else the denial (AWS's message, and
   * the first resource denied). A user deleted since its key verified has no policies: denied.
   */
  check(caller: Caller, action: string, resources: readonly string[], facts: RequestFacts): Denial | undefined {
    if (caller.root) return undefined;
    const policies = caller.userName === undefined ? [] : this.users.policiesOf(caller.userName);
    const result = evaluate(policies, { action, resources, context: conditionContext(caller, facts) });
    if (result.decision === 'Allow') return undefined;
    const resource = result.resource ?? resources[0] ?? '*';
    return { resource, message: accessDeniedMessage({ principalArn: caller.arn, action, resource, decision: result.decision }) };
  }
}

/** The global condition keys Logward knows for a request (IAM's names; keys are case-insensitive). */
export function conditionContext(caller: Caller, facts: RequestFacts): RequestContext {
  const now = new Date(facts.nowMs);
  return {
    'aws:SourceIp': facts.sourceIp,
    'aws:UserAgent': facts.userAgent,
    'aws:CurrentTime': now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'aws:EpochTime': String(Math.floor(facts.nowMs / 1000)),
    'aws:SecureTransport': 'false',
    'aws:PrincipalArn': caller.arn,
    'aws:PrincipalAccount': caller.arn.split(':')[4] ?? '',
    'aws:PrincipalType': caller.root ? 'Account' : 'User',
    ...(caller.userName !== undefined ? { 'aws:username': caller.userName } : {}),
    ...(caller.userId !== undefined ? { 'aws:userid': caller.userId } : {}),
  };
}
