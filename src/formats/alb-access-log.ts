/**
 * Application Load Balancer access logs: one request per line, space-separated, some fields quoted.
 * Fields in order (later fields were appended over the years, so they are optional here):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
 * (Access log entries: Syntax). `client:port` and `target:port` become client_ip/client_port and
 * target_ip/target_port. The time is when the load balancer sent the response (ISO 8601, UTC).
 */
import { hostPort, isoTimeAt, mostly, quoted, regexLineParser, sequence, token, tokenAt } from './line-regex.js';
import type { LineFormat } from './types.js';

const EXTRACTION = sequence(
  [
    token('type'),
    token('time'),
    token('elb'),
    hostPort('client_ip', 'client_port'),
    hostPort('target_ip', 'target_port'),
    token('request_processing_time'),
    token('target_processing_time'),
    token('response_processing_time'),
    token('elb_status_code'),
    token('target_status_code'),
    token('received_bytes'),
    token('sent_bytes'),
    quoted('request'),
    quoted('user_agent'),
    token('ssl_cipher'),
    token('ssl_protocol'),
  ],
  [
    token('target_group_arn'),
    quoted('trace_id'),
    quoted('domain_name'),
    quoted('chosen_cert_arn'),
    token('matched_rule_priority'),
    token('request_creation_time'),
    quoted('actions_executed'),
    quoted('redirect_url'),
    quoted('error_reason'),
    quoted('target_port_list'),
    quoted('target_status_code_list'),
    quoted('classification'),
    quoted('classification_reason'),
    token('conn_trace_id'),
  ],
);

export const albAccessLog: LineFormat = {
  kind: 'lines',
  name: 'alb',
  reference: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html',
  lineParser: (opts) => regexLineParser(EXTRACTION, tokenAt(1), isoTimeAt, opts, 'Application Load Balancer access log'),
  sniff: (lines) => mostly(lines, (l) => /^(http|https|h2|grpcs|ws|wss) \d{4}-\d\d-\d\dT\S+ app\/\S+ /.test(l)),
  extraction: () => EXTRACTION,
};
