/**
 * Identity-policy evaluation with IAM's semantics (reference_policies_evaluation-logic): a request is
 * denied by default; an applicable Deny statement in any policy denies it whatever else allows it; else
 * an applicable Allow allows it. A request on several resources is allowed only when each resource is.
 *
 * A statement applies when the action matches Action (or is not matched by NotAction; case-insensitive,
 * with `*` / `?`), the resource matches Resource (or not NotResource; case-sensitive ARN wildcards) and
 * every Condition test holds against the request context.
 */
import { conditionsHold, type RequestContext } from './conditions.js';
import type { Effect, Policy, Statement } from './policy.js';
import { arnMatch, globMatch } from './wildcard.js';

export interface AuthzRequest {
  /** `service:Action`, e.g. `logs:GetLogEvents`. */
  action: string;
  /** Resource ARNs (or `*` for actions without resource-level permissions); empty means `*`. */
  resources: readonly string[];
  /** Condition keys, e.g. `aws:SourceIp`, `aws:CurrentTime`, `aws:username`. */
  context: RequestContext;
}

export type Decision = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

export interface MatchedStatement {
  /** Index of the policy in the array given to evaluate. */
  policy: number;
  /** Index of the statement in that policy. */
  statement: number;
  sid?: string;
  effect: Effect;
}

export interface AuthzResult {
  decision: Decision;
  /** The deciding statement: the Deny for ExplicitDeny, an Allow for Allow; absent for ImplicitDeny. */
  matched?: MatchedStatement;
  /** For a denial, the (first) resource that was denied: the one AccessDeniedException names. */
  resource?: string;
}

export function evaluate(policies: readonly Policy[], request: AuthzRequest): AuthzResult {
  const resources = request.resources.length === 0 ? ['*'] : request.resources;
  const applicable = (s: Statement, resource: string): boolean =>
    actionMatches(s, request.action) && resourceMatches(s, resource) && conditionsHold(s.conditions, request.context);

  // Deny first, over every resource: one explicit deny decides, whatever order the statements are in.
  for (const resource of resources) {
    for (const [p, policy] of policies.entries()) {
      for (const s of policy.statements) {
        if (s.effect === 'Deny' && applicable(s, resource)) return { decision: 'ExplicitDeny', matched: info(p, s), resource };
      }
    }
  }
  let firstAllow: MatchedStatement | undefined;
  for (const resource of resources) {
    let allowed: MatchedStatement | undefined;
    for (const [p, policy] of policies.entries()) {
      const s = policy.statements.find((x) => x.effect === 'Allow' && applicable(x, resource));
      if (s) {
        allowed = info(p, s);
        break;
      }
    }
    if (!allowed) return { decision: 'ImplicitDeny', resource };
    firstAllow ??= allowed;
  }
  return { decision: 'Allow', matched: firstAllow! };
}

function actionMatches(s: Statement, action: string): boolean {
  if (s.action) return s.action.some((p) => globMatch(p, action, true));
  return !s.notAction!.some((p) => globMatch(p, action, true));
}

function resourceMatches(s: Statement, resource: string): boolean {
  if (s.resource) return s.resource.some((p) => arnMatch(p, resource));
  return !s.notResource!.some((p) => arnMatch(p, resource));
}

const info = (policy: number, s: Statement): MatchedStatement => ({
  policy,
  statement: s.index,
  ...(s.sid !== undefined ? { sid: s.sid } : {}),
  effect: s.effect,
});
