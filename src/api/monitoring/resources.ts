/**
 * The resources a CloudWatch (metrics and alarms) request acts on, for authorization and the audit
 * record: `arn:aws:cloudwatch:<region>:<account>:alarm:<name>` for the alarms an operation names, `*`
 * for metrics and for operations over every alarm (as IAM's service authorization reference lists).
 */
export function monitoringResources(op: string, input: unknown, scope: { region: string; account: string }): string[] {
  const arn = (name: string): string => `arn:aws:cloudwatch:${scope.region}:${scope.account}:alarm:${name}`;
  const i = (input ?? {}) as { AlarmName?: unknown; AlarmNames?: unknown };
  const names = [i.AlarmName, ...(Array.isArray(i.AlarmNames) ? i.AlarmNames : [])].filter((n): n is string => typeof n === 'string');
  return names.length > 0 ? names.map(arn) : ['*'];
}
