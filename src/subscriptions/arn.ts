/**
 * Destination ARNs as subscription filters take them, mapped to the kind of target that binds the name.
 *
 * AWS itself accepts Lambda, Kinesis, Firehose and CloudWatch Logs destination ARNs in PutSubscriptionFilter;
 * an OpenSearch domain is reached in AWS through a Lambda function that the console creates. Logward also
 * accepts `arn:aws:es:<region>:<account>:domain/<name>` (and `arn:aws:opensearch:...`), bound to an
 * OpenSearch target, so that the cluster is fed without a function in between.
 */
import type { TargetKind } from '../store/subscriptions.js';

export interface DestinationRef {
  /** The target kind bound to the name, or 'destination' for a named CloudWatch Logs destination. */
  kind: TargetKind | 'destination';
  /** The vendor as AWS names it in its messages (lambda, kinesis, firehose, es, logs). */
  vendor: string;
  region: string;
  account: string;
  name: string;
}

const FORMS: ReadonlyArray<{ re: RegExp; kind: DestinationRef['kind'] }> = [
  // A qualified function (`function:name:alias`) names the same target as the function.
  { re: /^arn:aws[a-z-]*:(lambda):([a-z0-9-]+):(\d{12}):function:([A-Za-z0-9_-]{1,140})(?::[A-Za-z0-9$_-]{1,128})?$/, kind: 'function' },
  { re: /^arn:aws[a-z-]*:(kinesis):([a-z0-9-]+):(\d{12}):stream\/([A-Za-z0-9_.-]{1,128})$/, kind: 'stream' },
  { re: /^arn:aws[a-z-]*:(firehose):([a-z0-9-]+):(\d{12}):deliverystream\/([A-Za-z0-9_.-]{1,64})$/, kind: 'delivery' },
  { re: /^arn:aws[a-z-]*:(es|opensearch):([a-z0-9-]+):(\d{12}):domain\/([a-z][a-z0-9-]{2,27})$/, kind: 'opensearch' },
  { re: /^arn:aws[a-z-]*:(logs):([a-z0-9-]+):(\d{12}):destination:([^:*]{1,512})$/, kind: 'destination' },
];

export function parseDestinationArn(arn: string): DestinationRef | null {
  for (const { re, kind } of FORMS) {
    const m = re.exec(arn);
    if (m) return { kind, vendor: m[1]!, region: m[2]!, account: m[3]!, name: m[4]! };
  }
  return null;
}

/** The ARN that a target of this kind answers to, as `logward targets list` shows it. */
export function targetArn(kind: TargetKind, region: string, account: string, name: string): string {
  switch (kind) {
    case 'function':
      return `arn:aws:lambda:${region}:${account}:function:${name}`;
    case 'stream':
      return `arn:aws:kinesis:${region}:${account}:stream/${name}`;
    case 'delivery':
      return `arn:aws:firehose:${region}:${account}:deliverystream/${name}`;
    case 'opensearch':
      return `arn:aws:es:${region}:${account}:domain/${name}`;
  }
}

/** Target names are used in ARNs and shown back; they never reach a file path or a shell. */
export const TARGET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
