/**
 * The IAM side of every CloudWatch Logs operation: the action it needs (`logs:<Operation>`) and the
 * resource ARNs it is authorized against, computed from the request input.
 *
 * Resource ARNs follow what AWS puts in its AccessDeniedException messages (recorded in public error
 * reports): log-group-level operations are authorized on `...:log-group:<name>:log-stream:` (an empty
 * stream), stream-level ones (PutLogEvents, GetLogEvents, CreateLogStream, DeleteLogStream; log-stream* in
 * the Service Authorization Reference) on `...:log-group:<name>:log-stream:<stream>`, and DescribeLogGroups
 * on `...:log-group::log-stream:`. This is why AWS tells users to write `log-group:<name>:*`: a Resource
 * of `...:log-group:<name>` alone matches neither. Operations with no resource type in the reference are
 * authorized on `*`, so they need a statement with `"Resource": "*"`.
 */
import type { LogsOperation } from '../api/model/generated/logs-types.js';
import type { Decision } from './evaluate.js';

export interface Scope {
  region: string;
  account: string;
}

type Input = Readonly<Record<string, unknown>>;
type Rule = (input: Input, scope: Scope) => string[];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const base = (s: Scope): string => `arn:aws:logs:${s.region}:${s.account}`;

/** The authorization ARN of a log group named or identified (a name, or an ARN with or without `:*`). */
export function groupResource(ref: string, scope: Scope): string {
  if (!ref.startsWith('arn:')) return `${base(scope)}:log-group:${ref}:log-stream:`;
  const arn = ref.endsWith(':*') ? ref.slice(0, -2) : ref;
  return arn.includes(':log-stream:') ? arn : `${arn}:log-stream:`;
}

export function streamResource(group: string, stream: string, scope: Scope): string {
  return `${groupResource(group, scope).replace(/:log-stream:.*$/, '')}:log-stream:${stream}`;
}

/** Any ARN the caller names: log-group ARNs take their authorization form, others are used as given. */
const arnResource = (arn: string, scope: Scope): string => (/:log-group:/.test(arn) ? groupResource(arn, scope) : arn.replace(/:\*$/, ''));

const account: Rule = () => ['*'];
/** logGroupName or logGroupIdentifier; `*` when the operation names no group (it lists across groups). */
const group: Rule = (i, s) => {
  const ref = str(i.logGroupName) ?? str(i.logGroupIdentifier);
  return ref === undefined ? ['*'] : [groupResource(ref, s)];
};
const stream: Rule = (i, s) => {
  const ref = str(i.logGroupName) ?? str(i.logGroupIdentifier) ?? '';
  return [streamResource(ref, str(i.logStreamName) ?? '', s)];
};
/** Several groups (lists of names or ARNs), falling back to the single-group fields. */
const groups = (...fields: string[]): Rule => (i, s) => {
  const refs = fields.flatMap((f) => strs(i[f]));
  return refs.length > 0 ? refs.map((r) => groupResource(r, s)) : group(i, s);
};
const arnField = (field: string): Rule => (i, s) => {
  const arn = str(i[field]);
  return arn === undefined || !arn.startsWith('arn:') ? ['*'] : [arnResource(arn, s)];
};
const named = (type: string, field: string): Rule => (i, s) => {
  const name = str(i[field]);
  return name === undefined ? ['*'] : [`${base(s)}:${type}:${name}`];
};
const either = (...rules: Rule[]): Rule => (i, s) => {
  for (const r of rules) {
    const out = r(i, s);
    if (!(out.length === 1 && out[0] === '*')) return out;
  }
  return ['*'];
};

/** Resource rules per operation; a missing operation fails to compile. */
const RULES: Record<LogsOperation, Rule> = {
  AssociateKmsKey: either(group, arnField('resourceIdentifier')),
  AssociateSourceToS3TableIntegration: account,
  CancelExportTask: account,
  CancelImportTask: account,
  CreateDelivery: (i, s) => [...named('delivery-source', 'deliverySourceName')(i, s), ...arnField('deliveryDestinationArn')(i, s)].filter((r) => r !== '*'),
  CreateExportTask: group,
  CreateImportTask: account,
  CreateLogAnomalyDetector: groups('logGroupArnList'),
  CreateLogGroup: group,
  CreateLogStream: stream,
  CreateLookupTable: named('lookup-table', 'lookupTableName'),
  CreateScheduledQuery: groups('logGroupIdentifiers'),
  DeleteAccountPolicy: account,
  DeleteDataProtectionPolicy: group,
  DeleteDelivery: named('delivery', 'id'),
  DeleteDeliveryDestination: named('delivery-destination', 'name'),
  DeleteDeliveryDestinationPolicy: named('delivery-destination', 'deliveryDestinationName'),
  DeleteDeliverySource: named('delivery-source', 'name'),
  DeleteDestination: named('destination', 'destinationName'),
  DeleteIndexPolicy: group,
  DeleteIntegration: account,
  DeleteLogAnomalyDetector: arnField('anomalyDetectorArn'),
  DeleteLogGroup: group,
  DeleteLogStream: stream,
  DeleteLookupTable: arnField('lookupTableArn'),
  DeleteMetricFilter: group,
  DeleteQueryDefinition: account,
  DeleteResourcePolicy: arnField('resourceArn'),
  DeleteRetentionPolicy: group,
  DeleteScheduledQuery: arnField('identifier'),
  DeleteSubscriptionFilter: group,
  DeleteSyslogConfiguration: group,
  DeleteTransformer: group,
  DescribeAccountPolicies: account,
  DescribeConfigurationTemplates: account,
  DescribeDeliveries: account,
  DescribeDeliveryDestinations: account,
  DescribeDeliverySources: account,
  DescribeDestinations: account,
  DescribeExportTasks: account,
  DescribeFieldIndexes: groups('logGroupIdentifiers'),
  DescribeImportTaskBatches: account,
  DescribeImportTasks: account,
  DescribeIndexPolicies: groups('logGroupIdentifiers'),
  // Recorded AWS denials name `log-group::log-stream:` for DescribeLogGroups.
  DescribeLogGroups: (_i, s) => [`${base(s)}:log-group::log-stream:`],
  DescribeLogStreams: group,
  DescribeLookupTables: account,
  DescribeMetricFilters: group,
  DescribeQueries: group,
  DescribeQueryDefinitions: account,
  DescribeResourcePolicies: account,
  DescribeSubscriptionFilters: group,
  DisassociateKmsKey: either(group, arnField('resourceIdentifier')),
  DisassociateSourceFromS3TableIntegration: account,
  FilterLogEvents: group,
  GetDataProtectionPolicy: group,
  GetDelivery: named('delivery', 'id'),
  GetDeliveryDestination: named('delivery-destination', 'name'),
  GetDeliveryDestinationPolicy: named('delivery-destination', 'deliveryDestinationName'),
  GetDeliverySource: named('delivery-source', 'name'),
  GetIntegration: account,
  GetLogAnomalyDetector: arnField('anomalyDetectorArn'),
  GetLogEvents: stream,
  GetLogFields: account,
  GetLogGroupFields: group,
  GetLogObject: account,
  GetLogRecord: account,
  GetLookupTable: arnField('lookupTableArn'),
  GetQueryResults: account,
  GetScheduledQuery: arnField('identifier'),
  GetScheduledQueryHistory: arnField('identifier'),
  GetStorageTierPolicy: account,
  GetTransformer: group,
  ListAggregateLogGroupSummaries: account,
  ListAnomalies: arnField('anomalyDetectorArn'),
  ListIntegrations: account,
  ListLogAnomalyDetectors: account,
  ListLogGroups: account,
  ListLogGroupsForQuery: account,
  ListScheduledQueries: account,
  ListSourcesForS3TableIntegration: account,
  ListSyslogConfigurations: group,
  ListTagsForResource: arnField('resourceArn'),
  ListTagsLogGroup: group,
  PutAccountPolicy: account,
  PutBearerTokenAuthentication: group,
  PutDataProtectionPolicy: group,
  PutDeliveryDestination: named('delivery-destination', 'name'),
  PutDeliveryDestinationPolicy: named('delivery-destination', 'deliveryDestinationName'),
  PutDeliverySource: named('delivery-source', 'name'),
  PutDestination: named('destination', 'destinationName'),
  PutDestinationPolicy: named('destination', 'destinationName'),
  PutIndexPolicy: group,
  PutIntegration: account,
  PutLogEvents: stream,
  PutLogGroupDeletionProtection: group,
  PutMetricFilter: group,
  PutQueryDefinition: account,
  PutResourcePolicy: arnField('resourceArn'),
  PutRetentionPolicy: group,
  PutStorageTierPolicy: account,
  PutSubscriptionFilter: group,
  PutSyslogConfiguration: group,
  PutTransformer: group,
  StartLiveTail: groups('logGroupIdentifiers'),
  StartQuery: groups('logGroupNames', 'logGroupIdentifiers'),
  StopQuery: account,
  TagLogGroup: group,
  TagResource: arnField('resourceArn'),
  TestMetricFilter: account,
  TestTransformer: account,
  UntagLogGroup: group,
  UntagResource: arnField('resourceArn'),
  UpdateAnomaly: arnField('anomalyDetectorArn'),
  UpdateDeliveryConfiguration: named('delivery', 'id'),
  UpdateLogAnomalyDetector: arnField('anomalyDetectorArn'),
  UpdateLookupTable: arnField('lookupTableArn'),
  UpdateScheduledQuery: arnField('identifier'),
};

export const OPERATIONS_WITH_RULES: readonly LogsOperation[] = Object.keys(RULES) as LogsOperation[];

/** The IAM action an operation needs: every CloudWatch Logs operation is `logs:<Operation>`. */
export const actionFor = (operation: LogsOperation): `logs:${LogsOperation}` => `logs:${operation}`;

/** The resource ARNs an operation is authorized against, from its (validated) input. Never empty. */
export function resourcesFor(operation: LogsOperation, input: unknown, scope: Scope): string[] {
  const i = typeof input === 'object' && input !== null ? (input as Input) : {};
  const out = RULES[operation](i, scope);
  return out.length === 0 ? ['*'] : [...new Set(out)];
}

export const userArn = (account: string, userName: string, path = '/'): string => `arn:aws:iam::${account}:user${path}${userName}`;

/**
 * AWS's AccessDeniedException message (IAM User Guide, "Troubleshoot access denied error messages";
 * wording checked against recorded CloudWatch Logs denials):
 *   User: <arn> is not authorized to perform: <action> on resource: <arn> because no identity-based policy allows the <action> action
 *   User: <arn> is not authorized to perform: <action> on resource: <arn> with an explicit deny in an identity-based policy
 */
export function accessDeniedMessage(a: { principalArn: string; action: string; resource: string; decision: Exclude<Decision, 'Allow'> }): string {
  const head = `User: ${a.principalArn} is not authorized to perform: ${a.action} on resource: ${a.resource}`;
  return a.decision === 'ExplicitDeny'
    ? `${head} with an explicit deny in an identity-based policy`
    : `${head} because no identity-based policy allows the ${a.action} action`;
}
