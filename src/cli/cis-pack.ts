/**
 * The CIS AWS Foundations Benchmark's CloudTrail monitoring controls: for each, a metric filter on the
 * CloudTrail log group and an alarm on its metric. The filter patterns are exactly those of AWS Security
 * Hub's controls CloudWatch.1 to CloudWatch.14 (docs: "Security Hub controls for Amazon CloudWatch"; the
 * Security Hub check fails when a pattern differs by a character), plus CIS v1.4.0 4.15 (AWS
 * Organizations changes), which Security Hub has no control for. Metrics go to the LogMetrics namespace
 * with the value 1, as the remediation steps say; alarms are Sum >= 1 over one period.
 */
export interface CisControl {
  /** Security Hub's control id, or the CIS recommendation when Security Hub has none. */
  id: string;
  /** The CIS recommendation(s) it implements. */
  cis: string;
  /** Metric, filter and (prefixed with CIS-) alarm name. */
  name: string;
  title: string;
  pattern: string;
}

export const CIS_NAMESPACE = 'LogMetrics';

export const CIS_CONTROLS: readonly CisControl[] = [
  {
    id: 'CloudWatch.1',
    cis: '1.2.0 3.3, 1.4.0 4.3',
    name: 'RootAccountUsage',
    title: 'usage of the "root" user',
    pattern: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
  },
  {
    id: 'CloudWatch.2',
    cis: '1.2.0 3.1',
    name: 'UnauthorizedAPICalls',
    title: 'unauthorized API calls',
    pattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
  },
  {
    id: 'CloudWatch.3',
    cis: '1.2.0 3.2',
    name: 'ConsoleSigninWithoutMFA',
    title: 'Management Console sign-in without MFA',
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  },
  {
    id: 'CloudWatch.4',
    cis: '1.2.0 3.4, 1.4.0 4.4',
    name: 'IAMPolicyChanges',
    title: 'IAM policy changes',
    pattern:
      '{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}',
  },
  {
    id: 'CloudWatch.5',
    cis: '1.2.0 3.5, 1.4.0 4.5',
    name: 'CloudTrailChanges',
    title: 'CloudTrail configuration changes',
    pattern: '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}',
  },
  {
    id: 'CloudWatch.6',
    cis: '1.2.0 3.6, 1.4.0 4.6',
    name: 'ConsoleAuthenticationFailure',
    title: 'Management Console authentication failures',
    pattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
  },
  {
    id: 'CloudWatch.7',
    cis: '1.2.0 3.7, 1.4.0 4.7',
    name: 'DisableOrDeleteCMK',
    title: 'disabling or scheduled deletion of customer managed keys',
    pattern: '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
  },
  {
    id: 'CloudWatch.8',
    cis: '1.2.0 3.8, 1.4.0 4.8',
    name: 'S3BucketPolicyChanges',
    title: 'S3 bucket policy changes',
    pattern:
      '{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}',
  },
  {
    id: 'CloudWatch.9',
    cis: '1.2.0 3.9, 1.4.0 4.9',
    name: 'AWSConfigChanges',
    title: 'AWS Config configuration changes',
    pattern:
      '{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}',
  },
  {
    id: 'CloudWatch.10',
    cis: '1.2.0 3.10, 1.4.0 4.10',
    name: 'SecurityGroupChanges',
    title: 'security group changes',
    pattern:
      '{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}',
  },
  {
    id: 'CloudWatch.11',
    cis: '1.2.0 3.11, 1.4.0 4.11',
    name: 'NetworkACLChanges',
    title: 'network ACL changes',
    pattern:
      '{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}',
  },
  {
    id: 'CloudWatch.12',
    cis: '1.2.0 3.12, 1.4.0 4.12',
    name: 'NetworkGatewayChanges',
    title: 'network gateway changes',
    pattern:
      '{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}',
  },
  {
    id: 'CloudWatch.13',
    cis: '1.2.0 3.13, 1.4.0 4.13',
    name: 'RouteTableChanges',
    title: 'route table changes',
    pattern:
      '{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}',
  },
  {
    id: 'CloudWatch.14',
    cis: '1.2.0 3.14, 1.4.0 4.14',
    name: 'VPCChanges',
    title: 'VPC changes',
    pattern:
      '{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}',
  },
  {
    id: 'CIS 4.15',
    cis: '1.4.0 4.15',
    name: 'OrganizationsChanges',
    title: 'AWS Organizations changes',
    pattern:
      '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
  },
];
