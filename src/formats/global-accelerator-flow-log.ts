/**
 * Global Accelerator flow logs, delivered to S3: one flow per line, space-separated, in the order of
 * https://docs.aws.amazon.com/global-accelerator/latest/dg/monitoring-global-accelerator.flow-logs.html
 * (Flow log record syntax; the Athena table of
 * https://docs.aws.amazon.com/athena/latest/ug/querying-global-accelerator-flow-logs.html lists the
 * same columns). start_time is epoch seconds.
 */
import { mostly, regexLineParser, secondsTimeAt, sequence, token, tokenAt } from './line-regex.js';
import type { LineFormat } from './types.js';

const EXTRACTION = sequence(
  [
    'version', 'aws_account_id', 'accelerator_id', 'client_ip', 'client_port', 'accelerator_ip', 'accelerator_port',
    'endpoint_ip', 'endpoint_port', 'protocol', 'ip_address_type', 'packets', 'bytes', 'start_time', 'end_time',
    'action', 'log_status', 'globalaccelerator_source_ip', 'globalaccelerator_source_port', 'endpoint_region',
    'globalaccelerator_region', 'direction', 'vpc_id',
  ].map(token),
  [token('reject_reason')],
);

export const globalAcceleratorFlowLog: LineFormat = {
  kind: 'lines',
  name: 'global-accelerator',
  reference: 'https://docs.aws.amazon.com/global-accelerator/latest/dg/monitoring-global-accelerator.flow-logs.html',
  lineParser: (opts) => regexLineParser(EXTRACTION, tokenAt(13), secondsTimeAt, opts, 'Global Accelerator flow log'),
  sniff: (lines) => mostly(lines, (l) => /^\d+\.\d+ \d{12} [0-9a-f-]{36} \S+ \d+ /.test(l)),
  extraction: () => EXTRACTION,
};
