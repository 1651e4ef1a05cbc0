/**
 * Route 53 VPC Resolver query logs: one JSON object per line, `query_timestamp` in ISO 8601.
 * Fields: https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html
 * (JSON, so Logs Insights discovers them: query_name, rcode, srcaddr, answers.0.Rdata...).
 */
import { jsonIsoTime, jsonLineParser } from './json-lines.js';
import { mostly } from './line-regex.js';
import type { LineFormat } from './types.js';

export const route53ResolverQueryLog: LineFormat = {
  kind: 'lines',
  name: 'route53-resolver',
  reference: 'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-format.html',
  lineParser: (opts) => jsonLineParser(opts, ['query_timestamp'], jsonIsoTime, 'Route 53 Resolver query log'),
  sniff: (lines) => mostly(lines, (l) => l.startsWith('{') && l.includes('"query_timestamp"') && l.includes('"query_name"')),
};
