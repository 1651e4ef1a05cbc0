/**
 * The registry of formats: name → parser, recognition of a format from an S3 key as AWS lays out its
 * deliveries, and from the content (sniffing). See docs/formats.md.
 */
import { Buffer, isAscii } from 'node:buffer';
import { albAccessLog } from './alb-access-log.js';
import { awsConfig } from './aws-config.js';
import { clbAccessLog } from './clb-access-log.js';
import { cloudfrontAccessLog } from './cloudfront-access-log.js';
import { cloudTrail } from './cloudtrail.js';
import { combinedAccessLog } from './combined-access-log.js';
import { globalAcceleratorFlowLog } from './global-accelerator-flow-log.js';
import { jsonLines } from './json-lines.js';
import { parseLines } from './line-regex.js';
export { capture } from './line-regex.js';
import { nlbAccessLog } from './nlb-access-log.js';
import { route53DnsQueryLog } from './route53-dns-query-log.js';
import { route53ResolverQueryLog } from './route53-resolver-query-log.js';
import { s3AccessLog } from './s3-access-log.js';
import { syslogRfc3164 } from './syslog-rfc3164.js';
import { syslogRfc5424 } from './syslog-rfc5424.js';
import type { Format, LineExtraction, ParseOptions, ParseResult } from './types.js';
import { vpcFlowLog } from './vpc-flow-log.js';
import { wafLog } from './waf-log.js';

export type { Format, LineExtraction, ParseOptions, ParseResult, ParsedEvent, Fields } from './types.js';
export { ParsedEvents } from './parsed-events.js';

export const FORMATS = {
  cloudtrail: cloudTrail,
  config: awsConfig,
  'vpc-flow': vpcFlowLog,
  's3-access': s3AccessLog,
  alb: albAccessLog,
  nlb: nlbAccessLog,
  clb: clbAccessLog,
  cloudfront: cloudfrontAccessLog,
  waf: wafLog,
  'route53-resolver': route53ResolverQueryLog,
  'route53-dns': route53DnsQueryLog,
  'global-accelerator': globalAcceleratorFlowLog,
  'syslog-rfc5424': syslogRfc5424,
  'syslog-rfc3164': syslogRfc3164,
  combined: combinedAccessLog,
  json: jsonLines,
} as const satisfies Record<string, Format>;

export type FormatName = keyof typeof FORMATS;

/** Other names people use for a format. */
const ALIASES: Record<string, FormatName> = { nginx: 'combined', apache: 'combined', 'json-lines': 'json', jsonl: 'json' };

export function formatByName(name: string): Format | null {
  const n = Object.hasOwn(ALIASES, name) ? ALIASES[name]! : name;
  return Object.hasOwn(FORMATS, n) ? FORMATS[n as FormatName] : null;
}

export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

/**
 * The text of a delivered object's bytes (already gunzipped), as UTF-8. Logs are mostly ASCII, and
 * ASCII read as Latin-1 is the same text: Node's UTF-8 decoder runs at about 250 MB/s, slower than
 * most parsers, while checking for ASCII and copying runs at several GB/s (bench/formats.ts).
 */
export function decodeText(bytes: Uint8Array): string {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return isAscii(b) ? b.toString('latin1') : b.toString('utf8');
}

/** parseText of a delivered object's bytes (already gunzipped), decoded by decodeText. */
export function parseBytes(format: Format, bytes: Uint8Array, opts: ParseOptions): ParseResult {
  return parseText(format, decodeText(bytes), opts);
}

/** The whole text of one object (already gunzipped) in the given format. */
export function parseText(format: Format, text: string, opts: ParseOptions): ParseResult {
  if (format.kind === 'document') return format.parseDocument(text, opts);
  return parseLines(format.lineParser(opts), text, opts.fallbackMs);
}

export type KeyRecognition = { format: FormatName } | { skip: string } | null;

const ACCOUNT_PART = String.raw`AWSLogs/(?:o-[a-z0-9]+/)?\d{12}/`;
const KEY_RULES: Array<[RegExp, KeyRecognition]> = [
  // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html (finding your log files)
  [new RegExp(`${ACCOUNT_PART}CloudTrail-Digest/`), { skip: 'CloudTrail digest file' }],
  [new RegExp(`${ACCOUNT_PART}CloudTrail(-Insight)?/[a-z0-9-]+/\\d{4}/\\d\\d/\\d\\d/`), { format: 'cloudtrail' }],
  // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
  [new RegExp(`${ACCOUNT_PART}vpcflowlogs/`), { format: 'vpc-flow' }],
  // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/enable-access-logging.html (access log files)
  [new RegExp(`${ACCOUNT_PART}elasticloadbalancing/[a-z0-9-]+/\\d{4}/\\d\\d/\\d\\d/\\d{12}_elasticloadbalancing_[a-z0-9-]+_app\\.`), { format: 'alb' }],
  [new RegExp(`${ACCOUNT_PART}elasticloadbalancing/[a-z0-9-]+/\\d{4}/\\d\\d/\\d\\d/\\d{12}_elasticloadbalancing_[a-z0-9-]+_net\\.`), { format: 'nlb' }],
  [new RegExp(`${ACCOUNT_PART}elasticloadbalancing/`), { format: 'clb' }],
  // https://docs.aws.amazon.com/waf/latest/developerguide/logging-s3.html
  [new RegExp(`${ACCOUNT_PART}WAFLogs/`), { format: 'waf' }],
  // https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs-choosing-target-resource.html
  [new RegExp(`${ACCOUNT_PART}vpcdnsquerylogs/`), { format: 'route53-resolver' }],
  // https://docs.aws.amazon.com/config/latest/developerguide/config-concepts.html (delivery channel file names)
  [new RegExp(`${ACCOUNT_PART}Config/.*ConfigWritabilityCheckFile`), { skip: 'AWS Config write check' }],
  [new RegExp(`${ACCOUNT_PART}Config/[a-z0-9-]+/\\d{4}/\\d{1,2}/\\d{1,2}/(ConfigHistory|ConfigSnapshot)/`), { format: 'config' }],
  // https://docs.aws.amazon.com/global-accelerator/latest/dg/monitoring-global-accelerator.flow-logs.html
  [new RegExp(`${ACCOUNT_PART}globalaccelerator/`), { format: 'global-accelerator' }],
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging-legacy-s3.html (file name format)
  [/(?:^|\/)E[A-Z0-9]{6,}\.\d{4}-\d\d-\d\d-\d\d\.[0-9a-f]{8}(\.gz)?$/, { format: 'cloudfront' }],
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html (log object key format, simple and partitioned)
  [/(?:^|\/)\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}$/, { format: 's3-access' }],
];

/** The format AWS delivers under `key`, a key to leave alone, or null (unknown: sniff the content). */
export function formatOfKey(key: string): KeyRecognition {
  for (const [re, r] of KEY_RULES) if (re.test(key)) return r;
  return null;
}

/** Order matters: specific formats before the general ones they resemble (WAF before JSON lines). */
const SNIFF_ORDER: FormatName[] = [
  'cloudtrail', 'config', 'waf', 'route53-resolver', 'json', 'vpc-flow', 'alb', 'nlb', 'clb', 'cloudfront',
  's3-access', 'route53-dns', 'global-accelerator', 'syslog-rfc5424', 'syslog-rfc3164', 'combined',
];

/** The format whose shape the beginning of `text` has, or null. */
export function sniffFormat(text: string): FormatName | null {
  const head = text.slice(0, 64 * 1024);
  const lines = head.split('\n').slice(0, 20).map((l) => l.replace(/\r$/, '')).filter((l) => l !== '');
  // The last line of a cut head may be partial.
  if (head.length < text.length && lines.length > 1) lines.pop();
  for (const name of SNIFF_ORDER) {
    const f = FORMATS[name];
    if (f.kind === 'document' ? f.sniff(head) : f.sniff(lines)) return name;
  }
  return null;
}

/** The log group tag that names the format of the group's events (docs/formats.md). */
export const FORMAT_TAG = 'logward:format';

/**
 * How Logs Insights extracts the fields of a log group whose tag `logward:format` names a line format
 * (`vpc-flow`, or `vpc-flow <field list>`): null when the format has no extraction (JSON formats are
 * discovered as JSON) or is unknown.
 */
export function groupExtraction(tagValue: string | undefined): LineExtraction | null {
  if (tagValue === undefined) return null;
  const m = /^\s*(\S+)(?:\s+(.*))?$/.exec(tagValue);
  const f = m ? formatByName(m[1]!) : null;
  if (!f || f.kind !== 'lines' || !f.extraction) return null;
  return f.extraction(m![2]?.trim() || undefined);
}
