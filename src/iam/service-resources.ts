/**
 * The resources a request of the services beside CloudWatch Logs acts on, for authorization and the
 * audit record (CloudWatch Logs' own are in actions.ts):
 * - CloudWatch: `arn:aws:cloudwatch:<region>:<account>:alarm:<name>` for the alarms an operation
 *   names, `*` for metrics and for operations over every alarm (as IAM's service authorization
 *   reference lists them);
 * - topics (SNS's operation names): the topic's ARN, `arn:aws:sns:<region>:<account>:<name>`, `*` for
 *   ListTopics.
 */
export interface Scope {
  region: string;
  account: string;
}

export function monitoringResources(_op: string, input: unknown, scope: Scope): string[] {
  const arn = (name: string): string => `arn:aws:cloudwatch:${scope.region}:${scope.account}:alarm:${name}`;
  const i = (input ?? {}) as { AlarmName?: unknown; AlarmNames?: unknown };
  const names = [i.AlarmName, ...(Array.isArray(i.AlarmNames) ? i.AlarmNames : [])].filter((n): n is string => typeof n === 'string');
  return names.length > 0 ? names.map(arn) : ['*'];
}

export function topicResources(input: unknown, scope: Scope): string[] {
  const i = (input ?? {}) as { TopicArn?: unknown; Name?: unknown; SubscriptionArn?: unknown };
  if (typeof i.TopicArn === 'string') return [i.TopicArn];
  if (typeof i.Name === 'string') return [`arn:aws:sns:${scope.region}:${scope.account}:${i.Name}`];
  // A subscription's ARN is its topic's ARN and an id.
  if (typeof i.SubscriptionArn === 'string') return [i.SubscriptionArn.split(':').slice(0, 6).join(':')];
  return ['*'];
}
