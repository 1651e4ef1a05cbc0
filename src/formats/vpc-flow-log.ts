/**
 * VPC flow logs, versions 2 to 8: space-separated fields, the default format (the version 2 fields)
 * or a custom field list. Files delivered to S3 start with a header line naming the fields; log groups
 * fed by VPC get no header (the field list then comes from ParseOptions.fieldList or the default).
 *
 * Fields: https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html (Available fields,
 * with the version each field appeared in). The names fields get here are those CloudWatch Logs
 * Insights discovers for VPC flow logs (accountId, srcAddr, startTime...:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_AnalyzeLogData-discoverable-fields.html);
 * fields of later versions get their AWS name in camelCase (pkt-srcaddr → pktSrcaddr). A field that
 * does not apply is written `-` and kept as `-`.
 */
import { lineOf, mostly, valuesToFields } from './line-regex.js';
import type { LineExtraction, LineFormat, LineParser } from './types.js';

/** AWS's field names by the version that introduced them. */
export const VPC_FIELDS_BY_VERSION: Record<number, readonly string[]> = {
  2: ['version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport', 'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status'],
  3: ['vpc-id', 'subnet-id', 'instance-id', 'tcp-flags', 'type', 'pkt-srcaddr', 'pkt-dstaddr'],
  4: ['region', 'az-id', 'sublocation-type', 'sublocation-id'],
  5: ['pkt-src-aws-service', 'pkt-dst-aws-service', 'flow-direction', 'traffic-path'],
  7: ['ecs-cluster-arn', 'ecs-cluster-name', 'ecs-container-instance-arn', 'ecs-container-instance-id', 'ecs-container-id', 'ecs-second-container-id', 'ecs-service-name', 'ecs-task-definition-arn', 'ecs-task-arn', 'ecs-task-id'],
  8: ['reject-reason'],
};
const KNOWN = new Set(Object.values(VPC_FIELDS_BY_VERSION).flat());
export const VPC_DEFAULT_FIELDS = VPC_FIELDS_BY_VERSION[2]!;

/** CloudWatch's discovered names for the version 2 fields. */
const DISCOVERED: Record<string, string> = {
  'account-id': 'accountId',
  'interface-id': 'interfaceId',
  srcaddr: 'srcAddr',
  dstaddr: 'dstAddr',
  srcport: 'srcPort',
  dstport: 'dstPort',
  start: 'startTime',
  end: 'endTime',
  'log-status': 'logStatus',
};

/** The field name events and Insights use for an AWS field name. */
export function vpcFieldName(aws: string): string {
  return DISCOVERED[aws] ?? aws.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * AWS field names of a field list as written in a flow log's LogFormat (`${version} ${srcaddr}`) or
 * in a header line (`version srcaddr`); null if it names no field we know.
 */
export function parseFieldList(list: string): string[] | null {
  const names = list
    .trim()
    .split(/\s+/)
    .map((t) => t.replace(/^\$\{(.*)\}$/, '$1'));
  if (names.length === 0 || !names.every((n) => /^[a-z][a-z0-9-]*$/.test(n)) || !names.some((n) => KNOWN.has(n))) return null;
  return names;
}

const isHeader = (line: string): boolean => /^[a-z]/.test(line) && parseFieldList(line) !== null;

/** Epoch seconds written in line[from, to) to ms; NaN if not digits. */
function secondsBetween(line: string, from: number, to: number): number {
  if (to <= from || to - from > 12) return Number.NaN;
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = line.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    n = n * 10 + c;
  }
  return n * 1000;
}

function extractionFor(awsNames: readonly string[]): LineExtraction {
  return { pattern: `^${awsNames.map(() => '([^ ]+)').join(' ')}$`, fields: awsNames.map(vpcFieldName) };
}

export const vpcFlowLog: LineFormat = {
  kind: 'lines',
  name: 'vpc-flow',
  reference: 'https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html',
  lineParser(opts) {
    let names: readonly string[] = (opts.fieldList && parseFieldList(opts.fieldList)) || VPC_DEFAULT_FIELDS;
    let out = names.map(vpcFieldName);
    let startAt = names.indexOf('start');
    const reader = (fieldNames: readonly string[]) => (line: string) => valuesToFields(line.split(' '), fieldNames, 0);
    const parser: LineParser = {
      read: reader(out),
      time(text, from, to) {
        const line = lineOf(text, from, to);
        if (isHeader(line)) {
          names = parseFieldList(line)!;
          out = names.map(vpcFieldName);
          startAt = names.indexOf('start');
          parser.read = reader(out);
          return null;
        }
        // Count the fields and read `start` without splitting: no array of strings per line.
        let count = 0;
        let empty = false;
        let t = Number.NaN;
        for (let pos = 0; ; count++) {
          const sp = line.indexOf(' ', pos);
          const end = sp < 0 ? line.length : sp;
          if (end === pos) empty = true;
          if (count === startAt) t = secondsBetween(line, pos, end);
          if (sp < 0) break;
          pos = sp + 1;
        }
        if (count + 1 !== out.length || empty) {
          return `a VPC flow log record has ${out.length} space-separated fields, this line has ${count + 1}`;
        }
        return Number.isFinite(t) ? t : opts.fallbackMs;
      },
    };
    return parser;
  },
  sniff(lines) {
    const first = lines[0] ?? '';
    if (isHeader(first)) return first.startsWith('version ') || first.includes('srcaddr') || first.includes('interface-id');
    return mostly(lines, (l) => /^[2-8] (\d{12}|unknown|-) (eni-[0-9a-f]+|-) \S+ \S+ \S+ \S+ \S+ \S+ \S+ \d+ \d+ (ACCEPT|REJECT|-) (OK|NODATA|SKIPDATA)$/.test(l));
  },
  extraction(fieldList) {
    const names = fieldList ? parseFieldList(fieldList) : VPC_DEFAULT_FIELDS;
    return names ? extractionFor(names) : null;
  },
};
