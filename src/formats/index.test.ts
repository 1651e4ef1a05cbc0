/** The registry: names and aliases, S3 key layouts (AWS's documented examples), group extraction tags. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FORMATS, formatByName, formatOfKey, groupExtraction, parseText, sniffFormat } from './index.js';

test('formats by name and alias', () => {
  assert.equal(formatByName('vpc-flow'), FORMATS['vpc-flow']);
  assert.equal(formatByName('nginx'), FORMATS.combined);
  assert.equal(formatByName('apache'), FORMATS.combined);
  assert.equal(formatByName('toString'), null);
  assert.equal(formatByName('nope'), null);
});

test('formats recognised from S3 keys as AWS lays out deliveries', () => {
  const cases: Array<[string, ReturnType<typeof formatOfKey>]> = [
    ['AWSLogs/123456789012/CloudTrail/us-east-1/2023/07/10/123456789012_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz', { format: 'cloudtrail' }],
    ['prefix/AWSLogs/o-exampleorgid/123456789012/CloudTrail/eu-west-1/2023/07/10/123456789012_CloudTrail_eu-west-1_20230710T1145Z_abc.json.gz', { format: 'cloudtrail' }],
    ['AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2023/07/10/123456789012_CloudTrail-Digest_us-east-1_trail_us-east-1_20230710T114500Z.json.gz', { skip: 'CloudTrail digest file' }],
    ['AWSLogs/123456789012/vpcflowlogs/us-east-1/2023/11/14/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20231114T2210Z_hash.log.gz', { format: 'vpc-flow' }],
    ['AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20180702T2225Z_192.0.2.1_abc.log.gz', { format: 'alb' }],
    ['AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/12/20/123456789012_elasticloadbalancing_us-east-2_net.my-nlb.1234567890abcdef_20181220T0300Z_abc.log.gz', { format: 'nlb' }],
    ['AWSLogs/123456789012/elasticloadbalancing/us-east-1/2015/05/13/123456789012_elasticloadbalancing_us-east-1_my-loadbalancer_20150513T2340Z_192.0.2.1_abc.log', { format: 'clb' }],
    ['AWSLogs/123456789012/WAFLogs/us-east-1/my-web-acl/2019/12/13/23/40/123456789012_waflogs_us-east-1_my-web-acl_20191213T2340Z_abc.log.gz', { format: 'waf' }],
    ['AWSLogs/123456789012/vpcdnsquerylogs/vpc-0c6f9b0fd4d8b4b7a/2021/04/14/123456789012_vpcdnsquerylogs_vpc-0c6f9b0fd4d8b4b7a_20210414T1755Z_abc.log.gz', { format: 'route53-resolver' }],
    ['AWSLogs/123456789012/Config/us-east-1/2016/10/6/ConfigHistory/123456789012_Config_us-east-1_ConfigHistory_AWS::EC2::SecurityGroup_20161006T164616Z_20161006T170231Z_1.json.gz', { format: 'config' }],
    ['AWSLogs/123456789012/Config/us-east-1/2016/10/7/ConfigSnapshot/123456789012_Config_us-east-1_ConfigSnapshot_20161007T000000Z_1a2b3c4d.json.gz', { format: 'config' }],
    ['AWSLogs/123456789012/Config/ConfigWritabilityCheckFile', { skip: 'AWS Config write check' }],
    ['AWSLogs/123456789012/globalaccelerator/us-west-2/2023/11/14/123456789012_globalaccelerator_123e4567-e89b-12d3-a456-426655440000_20231114T2210Z_abc.log.gz', { format: 'global-accelerator' }],
    ['cf-logs/E2EXAMPLE123456.2019-12-04-21.02cb4af3.gz', { format: 'cloudfront' }],
    ['logs/2019-02-06-00-00-38-5A9B4C1E3D2F0A1B', { format: 's3-access' }],
    ['logs/123456789012/us-west-1/awsexamplebucket1/2019/02/06/2019-02-06-00-00-38-5A9B4C1E3D2F0A1B', { format: 's3-access' }],
    ['var/log/nginx/access.log', null],
  ];
  for (const [key, want] of cases) assert.deepEqual(formatOfKey(key), want, key);
});

test('content sniffing leaves unknown text alone', () => {
  assert.equal(sniffFormat(''), null);
  assert.equal(sniffFormat('hello\nworld\n'), null);
  assert.equal(sniffFormat('{"Records":[]}'), 'cloudtrail');
});

test('a log group tag names its format and, for VPC flow logs and CloudFront, its field list', () => {
  assert.equal(groupExtraction(undefined), null);
  assert.equal(groupExtraction('json'), null, 'JSON is discovered as JSON');
  assert.equal(groupExtraction('bogus'), null);
  assert.equal(groupExtraction('vpc-flow')?.fields.length, 14);
  assert.deepEqual(groupExtraction('vpc-flow ${version} ${srcaddr} ${reject-reason}')?.fields, ['version', 'srcAddr', 'rejectReason']);
  assert.deepEqual(groupExtraction('nginx')?.fields.slice(0, 2), ['client_ip', 'ident']);
});

test('a gzip-free object with CRLF line ends parses as its lines', () => {
  const r = parseText(FORMATS['route53-dns'], '1.0 2017-12-13T08:16:02.130Z Z1 example.com A NOERROR UDP FRA6 192.168.1.1 -\r\n\r\n', { fallbackMs: 0 });
  assert.equal(r.count, 1);
  assert.equal(r.fields(0).ednsClientSubnet, '-');
});
