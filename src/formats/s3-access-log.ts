/**
 * Amazon S3 server access logs: one request per line, space-separated, the time in brackets and the
 * request URI, referrer and user agent quoted. Fields in order (later ones appended over the years,
 * so optional here): https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html
 */
import { bracketAfter, BRACKETED, clfTimeAt, mostly, quoted, regexLineParser, sequence, token } from './line-regex.js';
import type { LineFormat } from './types.js';

const EXTRACTION = sequence(
  [
    token('bucket_owner'),
    token('bucket'),
    { names: ['time'], re: BRACKETED },
    token('remote_ip'),
    token('requester'),
    token('request_id'),
    token('operation'),
    token('key'),
    quoted('request_uri'),
    token('http_status'),
    token('error_code'),
    token('bytes_sent'),
    token('object_size'),
    token('total_time'),
    token('turn_around_time'),
    quoted('referer'),
    quoted('user_agent'),
    token('version_id'),
  ],
  [
    token('host_id'),
    token('signature_version'),
    token('cipher_suite'),
    token('authentication_type'),
    token('host_header'),
    token('tls_version'),
    token('access_point_arn'),
    token('acl_required'),
  ],
);

export const s3AccessLog: LineFormat = {
  kind: 'lines',
  name: 's3-access',
  reference: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html',
  lineParser: (opts) => regexLineParser(EXTRACTION, bracketAfter(2), clfTimeAt, opts, 'S3 server access log'),
  sniff: (lines) => mostly(lines, (l) => /^\S+ \S+ \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] \S+ \S+ \S+ [A-Z0-9]+\.[A-Z_.]+ /.test(l)),
  extraction: () => EXTRACTION,
};
