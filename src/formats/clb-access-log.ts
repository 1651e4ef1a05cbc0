/**
 * Classic Load Balancer access logs: one request (HTTP listeners) or connection (TCP) per line.
 * Fields in order: https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html
 * (Access log entry syntax). `client:port` and `backend:port` are split; a TCP entry's request is
 * `"- - - "` and its status codes are `-`.
 */
import { hostPort, isoTimeAt, mostly, quoted, regexLineParser, sequence, token, tokenAt } from './line-regex.js';
import type { LineFormat } from './types.js';

const EXTRACTION = sequence([
  token('time'),
  token('elb'),
  hostPort('client_ip', 'client_port'),
  hostPort('backend_ip', 'backend_port'),
  token('request_processing_time'),
  token('backend_processing_time'),
  token('response_processing_time'),
  token('elb_status_code'),
  token('backend_status_code'),
  token('received_bytes'),
  token('sent_bytes'),
  quoted('request'),
  quoted('user_agent'),
  token('ssl_cipher'),
  token('ssl_protocol'),
]);

export const clbAccessLog: LineFormat = {
  kind: 'lines',
  name: 'clb',
  reference: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html',
  lineParser: (opts) => regexLineParser(EXTRACTION, tokenAt(0), isoTimeAt, opts, 'Classic Load Balancer access log'),
  sniff: (lines) => mostly(lines, (l) => /^\d{4}-\d\d-\d\dT\S+Z [\w-]+ \S+:\d+ \S+ [\d.-]+ [\d.-]+ [\d.-]+ /.test(l)),
  extraction: () => EXTRACTION,
};
