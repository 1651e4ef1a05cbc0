/**
 * Sources end to end: real CloudTrail delivery files (test/fixtures/cloudtrail-stratus-red-team) and a
 * VPC flow log put into AWS-style keys in a real moto_server bucket, and into a local folder; sources
 * added with the `logward` command; the events read back through FilterLogEvents and Logs Insights with
 * the fields discovered, at their own (2023, 2014) timestamps; a bad object recorded and passed; parse
 * errors kept and counted in /metrics; symbolic links out of a folder not followed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetQueryResultsCommand, StartQueryCommand, type CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { startMoto, MOTO_CREDENTIALS, MOTO_REGION, type Moto } from '../helpers/moto.js';
import { runLogward, startLogward, stopAndClean, type LogwardServer } from '../helpers/server.js';
import { filterAll, sleep } from '../helpers/assert-aws.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/cloudtrail-stratus-red-team/', import.meta.url));
const TRAIL_FILES = [
  '218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json.gz',
  '218007301253_CloudTrail_us-east-1_20230710T1150Z_1vnLavRRp0ek1mP4.json',
  '218007301253_CloudTrail_us-east-1_20230710T1205Z_86g9Vok9HiUCgSI7.json',
];
const TRAIL_DIR = 'AWSLogs/218007301253/CloudTrail/us-east-1/2023/07/10/';
const FLOW_KEY = 'AWSLogs/123456789010/vpcflowlogs/us-east-1/2014/12/14/123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20141214T0400Z_0a1b2c3d.log.gz';
const FLOW_LOG = [
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status',
  '2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK',
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
  '2 123456789010 eni-1235b8ca123456789 broken line',
  '',
].join('\n');

interface TrailRecord {
  eventID: string;
  eventName: string;
  eventTime: string;
}

let moto: Moto;
let srv: LogwardServer;
let s3: S3Client;
let folder: string;

async function records(file: string): Promise<TrailRecord[]> {
  const raw = await readFile(join(FIXTURES, file));
  return (JSON.parse((file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as { Records: TrailRecord[] }).Records;
}

async function cli(args: string[]): Promise<string> {
  const r = await runLogward(srv, args);
  assert.equal(r.code, 0, `logward ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface Listed {
  name: string;
  objects: number;
  events: number;
  parseErrors: number;
  failed: number;
  skipped: number;
  lastPollMs: number | null;
  failedObjects: Array<{ key: string; reason: string }>;
}

/** Lists sources until `done` holds for the named one (a poll is at most a second here). */
async function waitFor(name: string, done: (s: Listed) => boolean): Promise<Listed> {
  for (let i = 0; ; i++) {
    const s = (JSON.parse(await cli(['sources', 'list', '--output', 'json'])) as Listed[]).find((x) => x.name === name);
    if (s && done(s)) return s;
    if (i > 600) assert.fail(`source ${name} never reached the expected state: ${JSON.stringify(s)}`);
    await sleep(100);
  }
}

async function insights(client: CloudWatchLogsClient, logGroupName: string, queryString: string): Promise<Array<Record<string, string>>> {
  const { queryId } = await client.send(new StartQueryCommand({ logGroupName, queryString, startTime: 0, endTime: Math.floor(Date.now() / 1000) }));
  for (;;) {
    const r = await client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status === 'Complete') return (r.results ?? []).map((row) => Object.fromEntries(row.map((f) => [f.field!, f.value!])));
    assert.ok(r.status === 'Scheduled' || r.status === 'Running', `query ${r.status}`);
    await sleep(50);
  }
}

before(async () => {
  moto = await startMoto();
  s3 = new S3Client({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: 'trail' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'flow' }));
  for (const f of TRAIL_FILES) await s3.send(new PutObjectCommand({ Bucket: 'trail', Key: TRAIL_DIR + f, Body: await readFile(join(FIXTURES, f)) }));
  await s3.send(new PutObjectCommand({ Bucket: 'trail', Key: 'AWSLogs/218007301253/CloudTrail-Digest/us-east-1/2023/07/10/218007301253_CloudTrail-Digest_us-east-1_t_us-east-1_20230710T1200Z.json.gz', Body: gzipSync('{"digestStartTime":"x"}') }));
  await s3.send(new PutObjectCommand({ Bucket: 'trail', Key: `${TRAIL_DIR}218007301253_CloudTrail_us-east-1_20230710T1300Z_broken000000000.json.gz`, Body: Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xde, 0xad, 0xbe, 0xef]) }));
  await s3.send(new PutObjectCommand({ Bucket: 'flow', Key: FLOW_KEY, Body: gzipSync(FLOW_LOG) }));
  folder = await mkdtemp(join(tmpdir(), 'logward-folder-'));
  srv = await startLogward({
    args: ['--allow-private-destinations', '127.0.0.1/32'], // moto_server listens on loopback
    env: { ...MOTO_CREDENTIALS && { AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey }, AWS_EC2_METADATA_DISABLED: 'true' },
  });
});

after(async () => {
  await stopAndClean(srv);
  await moto?.stop();
  s3?.destroy();
  if (folder) await rm(folder, { recursive: true, force: true });
});

test('CloudTrail files delivered to a bucket: each record once, at its eventTime, with its fields in Insights', async () => {
  const out = await cli(['sources', 'add', 's3', '--bucket', 'trail', '--prefix', 'AWSLogs/', '--s3-endpoint-url', moto.endpoint, '--log-group', 'cloudtrail', '--poll-seconds', '0.2']);
  assert.match(out, /^source trail: s3:\/\/trail\/AWSLogs\/ → cloudtrail$/m);
  const listed = await waitFor('trail', (s) => s.objects === 3 && s.failed === 1);
  assert.equal(listed.skipped, 1, 'the digest file is left alone');
  assert.equal(listed.failedObjects[0]!.key, `${TRAIL_DIR}218007301253_CloudTrail_us-east-1_20230710T1300Z_broken000000000.json.gz`);
  assert.match(listed.failedObjects[0]!.reason, /^not valid gzip/);

  const expected = (await Promise.all(TRAIL_FILES.map(records))).flat();
  const { events } = await filterAll(srv.client, { logGroupName: 'cloudtrail', startTime: 0 });
  assert.equal(events.length, expected.length);
  const byId = new Map(events.map((e) => [(JSON.parse(e.message!) as TrailRecord).eventID, e]));
  assert.equal(byId.size, expected.length, 'no record twice');
  for (const r of expected) {
    const e = byId.get(r.eventID);
    assert.ok(e, `record ${r.eventID} stored`);
    assert.equal(e.timestamp, Date.parse(r.eventTime), 'backfilled at its own time, 2023');
    assert.equal(e.logStreamName, '218007301253_CloudTrail_us-east-1');
  }

  // Discovered fields: a filter pattern on a JSON field, and Insights stats by a record field.
  const counts = new Map<string, number>();
  for (const r of expected) counts.set(r.eventName, (counts.get(r.eventName) ?? 0) + 1);
  const [topName, topCount] = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
  const matched = await filterAll(srv.client, { logGroupName: 'cloudtrail', startTime: 0, filterPattern: `{ $.eventName = "${topName}" }` });
  assert.equal(matched.events.length, topCount);
  const rows = await insights(srv.client, 'cloudtrail', 'stats count(*) as n by eventName | sort n desc, eventName asc | limit 1000');
  assert.deepEqual(new Map(rows.map((r) => [r.eventName!, Number(r.n)])), counts);
  // Nested fields, as in the README's example.
  const errors = new Map<string, number>();
  for (const r of expected as Array<TrailRecord & { errorCode?: string; userIdentity?: { arn?: string } }>) {
    if (r.errorCode !== undefined) errors.set(`${r.errorCode} ${r.userIdentity?.arn}`, (errors.get(`${r.errorCode} ${r.userIdentity?.arn}`) ?? 0) + 1);
  }
  assert.ok(errors.size > 1);
  const denied = await insights(srv.client, 'cloudtrail', 'filter ispresent(errorCode) | stats count(*) as n by errorCode, userIdentity.arn');
  assert.deepEqual(new Map(denied.map((r) => [`${r.errorCode} ${r['userIdentity.arn']}`, Number(r.n)])), errors);

  // An object delivered later is read at the next poll; nothing before it is read again.
  const late = (await records(TRAIL_FILES[2]!)).map((r) => ({ ...r, eventID: `${r.eventID}-late` }));
  await s3.send(new PutObjectCommand({ Bucket: 'trail', Key: `${TRAIL_DIR}218007301253_CloudTrail_us-east-1_20230710T1210Z_late000000000000.json.gz`, Body: gzipSync(JSON.stringify({ Records: late })) }));
  await waitFor('trail', (s) => s.objects === 4);
  const after = await filterAll(srv.client, { logGroupName: 'cloudtrail', startTime: 0 });
  assert.equal(after.events.length, expected.length + late.length);
  assert.equal(new Set(after.events.map((e) => (JSON.parse(e.message!) as TrailRecord).eventID)).size, expected.length + late.length);

  const table = await cli(['sources', 'list']);
  assert.match(table, /^NAME +LOCATION +FORMAT +LOG GROUP +OBJECTS +EVENTS/m);
  assert.match(table, /^trail +s3:\/\/trail\/AWSLogs\/ +auto +cloudtrail +4 +69 /m);
  assert.match(table, /Failed objects:[\s\S]*broken000000000\.json\.gz +not valid gzip/);
});

test('a VPC flow log: line fields in Insights, the unparsable line kept with parseError and counted in /metrics', async () => {
  await cli(['sources', 'add', 's3', '--bucket', 'flow', '--s3-endpoint-url', moto.endpoint, '--s3-region', MOTO_REGION, '--log-group', 'vpc-flow', '--poll-seconds', '0.2']);
  const listed = await waitFor('flow', (s) => s.objects === 1);
  assert.deepEqual([listed.events, listed.parseErrors, listed.failed], [3, 1, 0]);
  const rows = await insights(srv.client, 'vpc-flow', 'filter action = "REJECT" | fields srcAddr, dstPort, bytes, @timestamp');
  assert.deepEqual(rows.map((r) => [r.srcAddr, r.dstPort, r.bytes, r['@timestamp']]), [['172.31.9.69', '3389', '4249', '2014-12-14 04:06:50.000']]);
  const broken = await filterAll(srv.client, { logGroupName: 'vpc-flow', startTime: 0, filterPattern: '{ $.parseError = * }' });
  assert.equal(broken.events.length, 1);
  assert.equal((JSON.parse(broken.events[0]!.message!) as { raw: string }).raw, '2 123456789010 eni-1235b8ca123456789 broken line');
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /^logward_source_parse_errors_total\{source="flow"\} 1$/m);
  assert.match(metrics, /^logward_source_failed_objects_total\{source="trail"\} 1$/m);
});

test('a folder source stays under its root: symbolic links are not followed', async () => {
  const outside = await mkdtemp(join(tmpdir(), 'logward-outside-'));
  try {
    const dir = join(folder, ...TRAIL_DIR.split('/'));
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, TRAIL_FILES[1]!), await readFile(join(FIXTURES, TRAIL_FILES[1]!)));
    const secret = JSON.stringify({ Records: [{ eventTime: '2023-07-10T12:00:00Z', eventID: 'outside-root', eventName: 'Secret' }] });
    await writeFile(join(outside, 'secret.json'), secret);
    await symlink(join(outside, 'secret.json'), join(dir, '218007301253_CloudTrail_us-east-1_20230710T1159Z_link0000.json'));
    await symlink(outside, join(folder, 'AWSLogs', '218007301253', 'CloudTrail', 'us-east-1', '2023', '07', '11'));
    await cli(['sources', 'add', 'folder', folder, '--name', 'local', '--log-group', 'folder-trail', '--poll-seconds', '0.2']);
    const first = await waitFor('local', (s) => s.objects === 1);
    // Another whole poll after the one that read the file: the links were listed then too.
    await waitFor('local', (s) => s.lastPollMs !== null && first.lastPollMs !== null && s.lastPollMs > first.lastPollMs);
    const { events } = await filterAll(srv.client, { logGroupName: 'folder-trail', startTime: 0 });
    assert.deepEqual(events.map((e) => (JSON.parse(e.message!) as TrailRecord).eventID).sort(), (await records(TRAIL_FILES[1]!)).map((r) => r.eventID).sort());
    const again = await waitFor('local', () => true);
    assert.deepEqual([again.objects, again.failed], [1, 0]);
  } finally {
    await rm(outside, { recursive: true, force: true });
  }
});

test('bad requests: AWS-shaped errors that change nothing; remove forgets a source, its group stays', async () => {
  const bad = await runLogward(srv, ['sources', 'add', 's3', '--bucket', 'no such bucket!']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /InvalidParameterException.*bucket/);
  const missing = await runLogward(srv, ['sources', 'add', 'folder', '/nonexistent/logward/folder']);
  assert.match(missing.stderr, /InvalidParameterException.*not a directory/);
  // The data dir (master key, credentials), what holds it, and a link to it are no folder to read.
  const link = join(folder, 'to-data');
  await symlink(srv.dataDir, link);
  for (const [path, why] of [[srv.dataDir, 'is inside'], [dirname(srv.dataDir), 'holds'], [link, 'is inside']] as const) {
    const refused = await runLogward(srv, ['sources', 'add', 'folder', path, '--name', 'keys']);
    assert.notEqual(refused.code, 0, path);
    assert.match(refused.stderr, new RegExp(`InvalidParameterException.*cannot be a source: it ${why} the server's data directory`), path);
  }
  await rm(link);
  // An S3 endpoint outside the allowed range (127.0.0.1/32 here): the instance metadata service, a private network.
  for (const endpoint of ['http://169.254.169.254/', 'http://10.1.2.3:9000']) {
    const internal = await runLogward(srv, ['sources', 'add', 's3', '--bucket', 'meta', '--s3-endpoint-url', endpoint]);
    assert.notEqual(internal.code, 0, endpoint);
    assert.match(internal.stderr, /InvalidParameterException: Invalid source: endpointUrl: destination address [\d.]+ is loopback, link-local or private; allow it with --allow-private-destinations/, endpoint);
  }
  const dup = await runLogward(srv, ['sources', 'add', 's3', '--bucket', 'flow', '--s3-endpoint-url', moto.endpoint]);
  assert.match(dup.stderr, /ResourceAlreadyExistsException/);
  await cli(['sources', 'remove', 'flow']);
  const names = (JSON.parse(await cli(['sources', 'list', '--output', 'json'])) as Listed[]).map((s) => s.name);
  assert.ok(!names.includes('flow'));
  assert.ok(!names.includes('folder'));
  assert.ok(!names.includes('keys'));
  assert.ok(!names.includes('meta'));
  const gone = await runLogward(srv, ['sources', 'remove', 'flow']);
  assert.match(gone.stderr, /ResourceNotFoundException/);
  assert.equal((await filterAll(srv.client, { logGroupName: 'vpc-flow', startTime: 0 })).events.length, 3);
});

test('an IAM user needs the logward: actions of sources', async () => {
  await cli(['iam', 'create-user', '--user-name', 'reader']);
  const key = (JSON.parse(await cli(['iam', 'create-access-key', '--user-name', 'reader'])) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } }).AccessKey;
  const user = { ...srv, credentials: { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey } };
  const denied = await runLogward(user, ['sources', 'list']);
  assert.match(denied.stderr, /AccessDeniedException.*logward:ListSources/);
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logward:ListSources', Resource: '*' }] });
  await cli(['iam', 'put-user-policy', '--user-name', 'reader', '--policy-name', 'list', '--policy-document', policy]);
  const listed = await runLogward(user, ['sources', 'list', '--output', 'json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.ok((JSON.parse(listed.stdout) as Listed[]).some((x) => x.name === 'trail'));
  const add = await runLogward(user, ['sources', 'add', 'folder', folder, '--name', 'nope']);
  assert.match(add.stderr, /AccessDeniedException.*logward:CreateSource.*arn:aws:logs:us-east-1:000000000000:source:nope/);
  const remove = await runLogward(user, ['sources', 'remove', 'trail']);
  assert.match(remove.stderr, /AccessDeniedException.*logward:DeleteSource/);
});
