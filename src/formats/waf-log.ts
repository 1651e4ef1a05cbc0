/**
 * AWS WAF web ACL traffic logs: one JSON object per line, `timestamp` in epoch milliseconds.
 * Fields: https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html (JSON, so Logs
 * Insights discovers them: httpRequest.clientIp, action, terminatingRuleId...).
 */
import { jsonLineParser, jsonTimeValueMs } from './json-lines.js';
import { mostly } from './line-regex.js';
import type { LineFormat } from './types.js';

export const wafLog: LineFormat = {
  kind: 'lines',
  name: 'waf',
  reference: 'https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html',
  lineParser: (opts) => jsonLineParser(opts, ['timestamp'], jsonTimeValueMs, 'AWS WAF log'),
  sniff: (lines) => mostly(lines, (l) => l.startsWith('{') && l.includes('"webaclId"') && l.includes('"httpRequest"')),
};
