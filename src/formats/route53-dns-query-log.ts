/**
 * Route 53 public DNS query logs (hosted zones, delivered to CloudWatch Logs): one query per line,
 * space-separated: `1.0 2017-12-13T08:16:02.130Z Z123412341234 example.com A NOERROR UDP FRA6 192.168.1.1 -`.
 * Fields: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html (Query log
 * format); names as CloudWatch Logs Insights discovers them for Route 53 logs
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html).
 */
import { isoTimeAt, mostly, regexLineParser, sequence, token, tokenAt } from './line-regex.js';
import type { LineFormat } from './types.js';

const EXTRACTION = sequence(
  ['version', 'queryTimestamp', 'hostZoneId', 'queryName', 'queryType', 'responseCode', 'protocol', 'edgeLocation', 'resolverIp'].map(token),
  [token('ednsClientSubnet')],
);

export const route53DnsQueryLog: LineFormat = {
  kind: 'lines',
  name: 'route53-dns',
  reference: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/query-logs.html',
  lineParser: (opts) => regexLineParser(EXTRACTION, tokenAt(1), isoTimeAt, opts, 'Route 53 DNS query log'),
  sniff: (lines) => mostly(lines, (l) => /^\d+\.\d+ \d{4}-\d\d-\d\dT\S+Z Z[A-Z0-9]+ \S+ [A-Z0-9]+ [A-Z]+ (UDP|TCP) /.test(l)),
  extraction: () => EXTRACTION,
};
