/**
 * CloudTrail log files as delivered to S3: one JSON document `{"Records":[...]}` per file (gzip is
 * undone by the caller). Each record becomes one event whose message is the record's JSON, as
 * CloudTrail writes records to CloudWatch Logs, at its eventTime.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html and
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * A file that is not such a document is kept line by line as raw events (CloudTrail digest files,
 * `CloudTrail-Digest/`, are not events: the key layout leaves them out).
 */
import { rawDocument, recordsDocument } from './json-document.js';
import { jsonIsoTime } from './json-lines.js';
import type { DocumentFormat } from './types.js';

export const cloudTrail: DocumentFormat = {
  kind: 'document',
  name: 'cloudtrail',
  reference: 'https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html',
  parseDocument(text, opts) {
    const r = recordsDocument(text, 'Records', 'eventTime', jsonIsoTime, opts);
    return r ?? rawDocument(text, opts, 'not a CloudTrail log file ({"Records":[...]})');
  },
  sniff: (text) => /^\s*\{\s*"Records"\s*:\s*\[/.test(text),
};
