/**
 * What anyone may do to the audit group `logward/audit`, decided after IAM authorization (so it binds
 * the root principal too):
 * - nothing that writes, removes or rewrites its events or streams: those operations answer
 *   InvalidOperationException ("The operation is not valid on the specified resource", CloudWatch Logs'
 *   error for an operation a resource does not allow), root included;
 * - a retention shorter than the configured minimum is InvalidParameterException;
 * - reading its events (GetLogEvents, FilterLogEvents, StartQuery, GetLogRecord of one of its events,
 *   exports, subscriptions, live tail) needs, besides the `logs:` action, an allow of the dedicated
 *   action `logward:ReadAudit` on the group's ARN. No `logs:*` policy grants it; only a statement that
 *   names `logward:ReadAudit` (or `logward:*`, or `*`) does. Root may read it.
 * Listing the group and its streams, tags and metric filters stays governed by the logs: actions alone.
 */
import { ApiError } from '../errors.js';
import type { AccessControl, Caller, RequestFacts } from '../access.js';
import { AUDIT_GROUP } from './trail.js';

export const READ_AUDIT_ACTION = 'logward:ReadAudit';

/** Operations that would add, change or remove the group's events or streams, or the group itself. */
const FORBIDDEN: ReadonlySet<string> = new Set([
  'DeleteLogGroup', 'DeleteLogStream', 'CreateLogStream', 'PutLogEvents', 'PutTransformer', 'DeleteTransformer',
  'AssociateKmsKey', 'DisassociateKmsKey', 'PutDataProtectionPolicy', 'DeleteDataProtectionPolicy',
  'PutLogGroupDeletionProtection', 'PutIndexPolicy', 'DeleteIndexPolicy', 'PutBearerTokenAuthentication',
  'PutSyslogConfiguration', 'DeleteSyslogConfiguration',
]);

/** Operations that hand the group's events to the caller (or to a destination the caller chooses). */
const READS: ReadonlySet<string> = new Set([
  'GetLogEvents', 'FilterLogEvents', 'StartQuery', 'GetLogRecord', 'CreateExportTask', 'StartLiveTail', 'PutSubscriptionFilter',
  'GetLogGroupFields', 'GetLogObject', 'CreateScheduledQuery', 'GetLogFields',
]);

export interface GuardDeps {
  access: AccessControl;
  region: string;
  minRetentionDays: number;
}

export class AuditGuard {
  readonly auditGroupName = AUDIT_GROUP;
  readonly groupArn: string;
  private readonly resourcePrefix: string;

  constructor(private readonly deps: GuardDeps) {
    this.groupArn = `arn:aws:logs:${deps.region}:${deps.access.accountId}:log-group:${AUDIT_GROUP}`;
    this.resourcePrefix = `${this.groupArn}:log-stream:`;
  }

  /** Whether one of the authorization resources of a call (src/iam/actions.ts) is the audit group. */
  touches(resources: readonly string[]): boolean {
    return resources.some((r) => r.startsWith(this.resourcePrefix) || r === this.groupArn || r === `${this.groupArn}:*`);
  }

  /** Throws the AWS-shaped refusal when the call may not do this to the audit group. */
  check(op: string, input: unknown, resources: readonly string[], caller: Caller, facts: RequestFacts, readsAudit = false): void {
    if (!this.touches(resources) && !readsAudit) return;
    if (FORBIDDEN.has(op)) {
      throw new ApiError('InvalidOperationException', `The operation is not valid on the specified resource: ${AUDIT_GROUP} is the protected audit trail, and ${op} is not allowed on it.`);
    }
    if (op === 'PutRetentionPolicy') {
      const days = (input as { retentionInDays?: unknown }).retentionInDays;
      if (typeof days === 'number' && days < this.deps.minRetentionDays) {
        throw new ApiError(
          'InvalidParameterException',
          `The retention of ${AUDIT_GROUP} cannot be shorter than ${this.deps.minRetentionDays} days (the configured minimum for the audit trail).`,
        );
      }
    }
    if (READS.has(op) || readsAudit) this.checkRead(caller, facts);
  }

  /** logward:ReadAudit on the group, or AccessDeniedException in AWS's wording. */
  checkRead(caller: Caller, facts: RequestFacts): void {
    const denial = this.readDenial(caller, facts);
    if (denial !== undefined) throw new ApiError('AccessDeniedException', denial);
  }

  /** Undefined when the caller may read the audit group's events, else the AccessDeniedException message. */
  readDenial(caller: Caller, facts: RequestFacts): string | undefined {
    return this.deps.access.check(caller, READ_AUDIT_ACTION, [this.groupArn], facts)?.message;
  }
}
