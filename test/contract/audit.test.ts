/**
 * Contract: the audit trail. Every call (successful, failed, denied, unauthenticated) is a record in
 * `logward/audit`; the group cannot be deleted, written or shortened by anyone, root included; reading it
 * needs logward:ReadAudit; the chain continues across restarts; `logward audit verify` reports OK, and
 * the first altered or removed record after the write-ahead log is tampered with.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DeleteLogGroupCommand,
  DeleteLogStreamCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  PutQueryDefinitionCommand,
  PutRetentionPolicyCommand,
  StartQueryCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { makeClient, runLogward, startLogward, stopAndClean, TEST_REGION, type Credentials, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, uid } from '../helpers/assert-aws.js';
import { IamClient } from '../../src/cli/iam-client.js';
import type { AuditRecord } from '../../src/api/audit/chain.js';

const AUDIT = 'logward/audit';
let srv: LogwardServer;
const run = uid();

before(async () => {
  srv = await startLogward();
});

after(async () => {
  await stopAndClean(srv);
});

async function auditRecords(client: CloudWatchLogsClient = srv.client): Promise<AuditRecord[]> {
  const out: AuditRecord[] = [];
  let nextToken: string | undefined;
  do {
    const page = await client.send(new FilterLogEventsCommand({ logGroupName: AUDIT, nextToken }));
    for (const e of page.events ?? []) out.push(JSON.parse(e.message!) as AuditRecord);
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return out;
}

async function userWith(s: LogwardServer, name: string, policy: object): Promise<Credentials> {
  const iam = IamClient.create({ endpoint: s.url, region: TEST_REGION, credentials: s.credentials, credentialSource: 'environment' });
  await iam.call('CreateUser', { UserName: name });
  await iam.call('PutUserPolicy', { UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
  const r = (await iam.call('CreateAccessKey', { UserName: name })) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
  return { accessKeyId: r.AccessKey.AccessKeyId, secretAccessKey: r.AccessKey.SecretAccessKey };
}

test('every call is recorded: caller, key, action, resources, source IP, user agent, status, error, time, request id', async () => {
  const g = `lw-${run}/audited`;
  const ok = await srv.client.send(new CreateLogGroupCommand({ logGroupName: g }));
  const failed = await srv.client.send(new CreateLogGroupCommand({ logGroupName: g })).catch((e: { $metadata: { requestId?: string } }) => e);
  const user = await userWith(srv, `aud-${run}`, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:Describe*', Resource: '*' }] });
  const client = makeClient(srv.url, user);
  const denied = await client.send(new DeleteLogGroupCommand({ logGroupName: g })).catch((e: { $metadata: { requestId?: string } }) => e);
  client.destroy();
  const stranger = makeClient(srv.url, { accessKeyId: 'LKIANOSUCHKEY0000000', secretAccessKey: 'x'.repeat(40) });
  const unknown = await stranger.send(new DescribeLogGroupsCommand({})).catch((e: { $metadata: { requestId?: string } }) => e);
  stranger.destroy();

  // A validation message quotes the refused value: the record keeps 4,096 characters of it and its length.
  const tooLong = await srv.client.send(new PutQueryDefinitionCommand({ name: 'q', queryString: `fields @message | filter @message like /${'x'.repeat(12_000)}/` })).catch((e: { $metadata: { requestId?: string }; message: string }) => e);
  assert.ok('message' in tooLong && tooLong.message.length > 12_000, 'the caller gets the whole message');

  const records = await auditRecords();
  const byId = (id: string | undefined): AuditRecord => {
    const r = records.find((x) => x.requestId === id);
    assert.ok(r, `no audit record for request ${String(id)}`);
    return r;
  };
  const created = byId(ok.$metadata.requestId);
  assert.equal(created.action, 'logs:CreateLogGroup');
  assert.deepEqual(created.resources, [`arn:aws:logs:us-east-1:000000000000:log-group:${g}:log-stream:`]);
  assert.deepEqual(created.caller, { arn: 'arn:aws:iam::000000000000:root', accessKeyId: srv.credentials.accessKeyId });
  assert.equal(created.sourceIp, '127.0.0.1');
  assert.match(created.userAgent, /aws-sdk-js/);
  assert.equal(created.httpStatus, 200);
  assert.equal(created.errorCode, null);
  assert.ok(Math.abs(Date.parse(created.time) - Date.now()) < 600_000);

  const again = byId(failed.$metadata.requestId);
  assert.equal(again.errorCode, 'ResourceAlreadyExistsException');
  assert.equal(again.httpStatus, 400);

  const refused = byId(denied.$metadata.requestId);
  assert.equal(refused.errorCode, 'AccessDeniedException');
  assert.equal(refused.caller?.arn, `arn:aws:iam::000000000000:user/aud-${run}`);
  assert.equal(refused.caller?.accessKeyId, user.accessKeyId);
  assert.match(refused.errorMessage ?? '', /is not authorized to perform: logs:DeleteLogGroup/);

  const anonymous = byId(unknown.$metadata.requestId);
  assert.equal(anonymous.caller, null);
  assert.equal(anonymous.errorCode, 'UnrecognizedClientException');
  assert.equal(anonymous.action, 'logs:DescribeLogGroups');

  const clipped = byId(tooLong.$metadata.requestId);
  assert.equal(clipped.errorCode, 'InvalidParameterException');
  assert.match(clipped.errorMessage ?? '', /^1 validation error detected: Value 'fields @message \| filter @message like \/x{4000,}\.\.\. \(\d{5} characters in all\)$/);
  assert.ok(clipped.errorMessage!.length < 4200);

  // The records form one chain, in order.
  records.forEach((r, i) => assert.equal(r.seq, records[0]!.seq + i));
});

test('the audit group is protected from everyone, root included; retention only down to the configured minimum', async () => {
  const before = await auditRecords();
  const invalid = /^The operation is not valid on the specified resource: logward\/audit is the protected audit trail/;
  await rejectsAws(srv.client.send(new DeleteLogGroupCommand({ logGroupName: AUDIT })), 'InvalidOperationException', invalid);
  const stream = before[0]!.time.slice(0, 10);
  await rejectsAws(srv.client.send(new DeleteLogStreamCommand({ logGroupName: AUDIT, logStreamName: stream })), 'InvalidOperationException', invalid);
  await rejectsAws(srv.client.send(new CreateLogStreamCommand({ logGroupName: AUDIT, logStreamName: 'forged' })), 'InvalidOperationException', invalid);
  await rejectsAws(
    srv.client.send(new PutLogEventsCommand({ logGroupName: AUDIT, logStreamName: stream, logEvents: [{ timestamp: Date.now(), message: '{"seq":0}' }] })),
    'InvalidOperationException',
    invalid,
  );
  await rejectsAws(
    srv.client.send(new PutRetentionPolicyCommand({ logGroupName: AUDIT, retentionInDays: 30 })),
    'InvalidParameterException',
    'The retention of logward/audit cannot be shorter than 365 days (the configured minimum for the audit trail).',
  );
  await rejectsAws(srv.client.send(new CreateLogGroupCommand({ logGroupName: AUDIT })), 'ResourceAlreadyExistsException');
  await srv.client.send(new PutRetentionPolicyCommand({ logGroupName: AUDIT, retentionInDays: 400 }));
  await srv.client.send(new DeleteRetentionPolicyCommand({ logGroupName: AUDIT }));

  const after = await auditRecords();
  assert.deepEqual(after.slice(0, before.length), before, 'no record changed');
  assert.ok(!after.some((r) => (r as unknown as { forged?: unknown }).forged !== undefined));
  const groups = await srv.client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: AUDIT }));
  assert.equal(groups.logGroups?.[0]?.logGroupName, AUDIT);
  assert.equal(groups.logGroups?.[0]?.retentionInDays, undefined);
});

test('reading the audit group needs logward:ReadAudit: logs:* is not enough', async () => {
  const denyMsg = (u: string): string =>
    `User: arn:aws:iam::000000000000:user/${u} is not authorized to perform: logward:ReadAudit on resource: arn:aws:logs:us-east-1:000000000000:log-group:logward/audit because no identity-based policy allows the logward:ReadAudit action`;
  const logsAll = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] };
  const admin = await userWith(srv, `logsall-${run}`, logsAll);
  const auditor = await userWith(srv, `auditor-${run}`, {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['logs:FilterLogEvents', 'logs:GetLogEvents'], Resource: 'arn:aws:logs:*:*:log-group:logward/audit:*' },
      { Effect: 'Allow', Action: 'logward:ReadAudit', Resource: 'arn:aws:logs:us-east-1:000000000000:log-group:logward/audit' },
    ],
  });
  const a = makeClient(srv.url, admin);
  const b = makeClient(srv.url, auditor);
  try {
    await rejectsAws(a.send(new FilterLogEventsCommand({ logGroupName: AUDIT })), 'AccessDeniedException', denyMsg(`logsall-${run}`));
    await rejectsAws(a.send(new StartQueryCommand({ logGroupName: AUDIT, queryString: 'fields @message', startTime: 0, endTime: 2e9 })), 'AccessDeniedException', denyMsg(`logsall-${run}`));
    // A SOURCE selection by prefix leaves the audit group out for this caller; naming it is denied.
    const mine = `logward-${run}-app`;
    await a.send(new CreateLogGroupCommand({ logGroupName: mine }));
    await a.send(new CreateLogStreamCommand({ logGroupName: mine, logStreamName: 's' }));
    await a.send(new PutLogEventsCommand({ logGroupName: mine, logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'app event' }] }));
    const now = Math.floor(Date.now() / 1000);
    const q = await a.send(new StartQueryCommand({ queryString: 'SOURCE logGroups(namePrefix: ["logward"]) | stats count(*) as n by @log', startTime: now - 3600, endTime: now + 60 }));
    const rows = await queryRows(a, q.queryId!);
    assert.deepEqual(rows.map((r) => r['@log']), [`000000000000:${mine}`]);
    await rejectsAws(
      a.send(new StartQueryCommand({ queryString: 'SOURCE "logward/audit" | fields @message', startTime: now - 3600, endTime: now + 60 })),
      'AccessDeniedException',
      denyMsg(`logsall-${run}`),
    );

    const records = await auditRecords(b);
    assert.ok(records.length > 0);
    await rejectsAws(b.send(new DeleteLogGroupCommand({ logGroupName: AUDIT })), 'AccessDeniedException');
  } finally {
    a.destroy();
    b.destroy();
  }
});

async function queryRows(client: CloudWatchLogsClient, queryId: string): Promise<Array<Record<string, string>>> {
  for (;;) {
    const r = await client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status === 'Complete') return (r.results ?? []).map((row) => Object.fromEntries(row.map((f) => [f.field!, f.value!])));
    assert.ok(r.status === 'Running' || r.status === 'Scheduled', `query ended ${String(r.status)}`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

test('the chain continues across a restart, and logward audit verify says OK', async () => {
  const before = await auditRecords();
  assert.equal(await srv.stop(), 0);
  srv = await startLogward({ dataDir: srv.dataDir });
  await srv.client.send(new DescribeLogGroupsCommand({}));
  const after = await auditRecords();
  assert.deepEqual(after.slice(0, before.length), before);
  const next = after[before.length]!;
  assert.equal(next.seq, before.at(-1)!.seq + 1);
  assert.equal(next.prev, before.at(-1)!.hash);
  const v = await runLogward(srv, ['audit', 'verify']);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /^OK: \d+ records, 0 to \d+, head [0-9a-f]{64}\n$/);
});

// With encryption at rest (the default) nobody without the keys can read or rewrite a record; these
// two run without it to show what the chain alone detects. The encrypted case follows.
for (const tamper of ['altered', 'removed'] as const) {
  test(`logward audit verify finds a record ${tamper} in the write-ahead log (exit 1)`, async () => {
    const s = await startLogward({ args: ['--no-encryption'] });
    try {
      for (let i = 0; i < 4; i++) await s.client.send(new CreateLogGroupCommand({ logGroupName: `lw-${run}-t${i}` }));
      await s.kill(); // the records stay in the write-ahead log, as they were acknowledged
      const walDir = join(s.dataDir, 'wal');
      const [file] = (await readdir(walDir)).filter((f) => f.endsWith('.wal'));
      const path = join(walDir, file!);
      const lines = (await readFile(path, 'utf8')).split('\n');
      const target = lines.findIndex((l) => l.includes(`lw-${run}-t2`) && l.includes('\\"action\\"'));
      assert.ok(target >= 0, 'the audit record of the third call is in the WAL');
      if (tamper === 'altered') lines[target] = lines[target]!.replace('\\"httpStatus\\":200', '\\"httpStatus\\":201');
      else lines.splice(target, 1);
      await writeFile(path, lines.join('\n'));

      const again = await startLogward({ dataDir: s.dataDir, args: ['--no-encryption'] });
      try {
        const v = await runLogward(again, ['audit', 'verify']);
        assert.equal(v.code, 1, v.stdout);
        const seq = tamper === 'altered' ? /altered at record (\d+): record \1 does not match its hash/ : /removed at record (\d+): records \1 to \1 are missing/;
        assert.match(v.stderr, new RegExp(`^logward: AuditChainBroken: ${seq.source}`));
      } finally {
        await again.stop();
      }
    } finally {
      await stopAndClean(s);
    }
  });
}

test('a record altered in the encrypted write-ahead log does not decrypt: logward audit verify reports it missing (exit 1)', async () => {
  const s = await startLogward();
  try {
    for (let i = 0; i < 4; i++) await s.client.send(new CreateLogGroupCommand({ logGroupName: `lw-${run}-e${i}` }));
    await s.kill(); // the records stay in the write-ahead log, sealed
    const walDir = join(s.dataDir, 'wal');
    const [file] = (await readdir(walDir)).filter((f) => f.endsWith('.wal'));
    const path = join(walDir, file!);
    const data = await readFile(path);
    assert.ok(!data.includes(`lw-${run}-e2`), 'no plaintext of the records in the WAL');
    // Records: a header line with "n", then n bytes of ciphertext and a newline (store/wal.ts).
    const bodies: number[] = [];
    for (let at = 0; at < data.length; ) {
      const nl = data.indexOf(10, at);
      const n = (JSON.parse(data.toString('utf8', at, nl)) as { n: number }).n;
      bodies.push(nl + 1);
      at = nl + 1 + n + 1;
    }
    const target = bodies[bodies.length - 2]!; // the third of the four records
    data.writeUInt8(data[target + 40]! ^ 1, target + 40);
    await writeFile(path, data);

    const again = await startLogward({ dataDir: s.dataDir });
    try {
      const v = await runLogward(again, ['audit', 'verify']);
      assert.equal(v.code, 1, v.stdout);
      assert.match(v.stderr, /^logward: AuditChainBroken: removed at record (\d+): records \1 to \1 are missing/);
    } finally {
      await again.stop();
    }
  } finally {
    await stopAndClean(s);
  }
});
