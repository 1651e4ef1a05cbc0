/**
 * Network Load Balancer access logs (TLS listeners only): one connection per line, space-separated.
 * Fields in order: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
 * (Access log entries: Syntax). The time is when the TLS connection ended (ISO 8601 without zone: UTC).
 */
import { hostPort, isoTimeAt, mostly, regexLineParser, sequence, token, tokenAt } from './line-regex.js';
import type { LineFormat } from './types.js';

const EXTRACTION = sequence(
  [
    token('type'),
    token('version'),
    token('time'),
    token('elb'),
    token('listener'),
    hostPort('client_ip', 'client_port'),
    hostPort('destination_ip', 'destination_port'),
    token('connection_time'),
    token('tls_handshake_time'),
    token('received_bytes'),
    token('sent_bytes'),
    token('incoming_tls_alert'),
    token('chosen_cert_arn'),
    token('chosen_cert_serial'),
    token('tls_cipher'),
    token('tls_protocol_version'),
    token('tls_named_group'),
    token('domain_name'),
  ],
  [token('alpn_fe_protocol'), token('alpn_be_protocol'), token('alpn_client_preference_list'), token('tls_connection_creation_time')],
);

export const nlbAccessLog: LineFormat = {
  kind: 'lines',
  name: 'nlb',
  reference: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html',
  lineParser: (opts) => regexLineParser(EXTRACTION, tokenAt(2), isoTimeAt, opts, 'Network Load Balancer access log'),
  sniff: (lines) => mostly(lines, (l) => /^tls \d+\.\d+ \d{4}-\d\d-\d\dT\S+ net\/\S+ /.test(l)),
  extraction: () => EXTRACTION,
};
