/**
 * Lookup tables through the AWS SDK and the aws CLI against a started server: CreateLookupTable,
 * DescribeLookupTables, GetLookupTable, UpdateLookupTable and DeleteLookupTable with their errors; the
 * Logs Insights `lookup` command enriching events through StartQuery and GetQueryResults; a table made
 * from a query's results; and the content never in plaintext under the data dir (with a control run
 * with --no-encryption, where the same scan finds it, so the scan can fail).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  CreateLookupTableCommand,
  DeleteLookupTableCommand,
  DescribeLookupTablesCommand,
  FilterLogEventsCommand,
  GetLookupTableCommand,
  GetQueryResultsCommand,
  PutLogEventsCommand,
  StartQueryCommand,
  UpdateLookupTableCommand,
  type CloudWatchLogsClient,
  type GetQueryResultsCommandOutput,
  type MalformedQueryException,
} from '@aws-sdk/client-cloudwatch-logs';
import { awsCli, makeClient, startLogward, stopAndClean, TEST_ACCOUNT_ID, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, sleep, uid } from '../helpers/assert-aws.js';
import { IamClient } from '../../src/cli/iam-client.js';

let srv: LogwardServer;
const group = `lookup-${uid()}`;
const nowS = Math.floor(Date.now() / 1000);
const base = Date.now() - 60_000;
/** Known plaintext in a table's content, looked for in every file of the data dir. */
const marker = `lkmark${randomBytes(10).toString('hex')}`;
const USERS = `id,name,department\nu1,Alice,Engineering\nu2,Bob,Sales\nu3,Carol ${marker},Engineering\n`;
const arn = (name: string): string => `arn:aws:logs:${TEST_REGION}:${TEST_ACCOUNT_ID}:lookup-table:${name}`;

before(async () => {
  srv = await startLogward();
  await srv.client.send(new CreateLogGroupCommand({ logGroupName: group }));
  await srv.client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
  const events = ['u1', 'u2', 'u3', 'u9', 'u1'].map((id, i) => ({ timestamp: base + i * 1000, message: JSON.stringify({ id, action: `a${i}` }) }));
  await srv.client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: events }));
});

after(async () => {
  await stopAndClean(srv);
});

async function ended(client: CloudWatchLogsClient, queryId: string): Promise<GetQueryResultsCommandOutput> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = await client.send(new GetQueryResultsCommand({ queryId }));
    if (r.status !== 'Scheduled' && r.status !== 'Running') return r;
    if (Date.now() > deadline) assert.fail(`query ${queryId} still ${r.status} after 30 s`);
    await sleep(50);
  }
}

async function query(queryString: string): Promise<Array<Record<string, string>>> {
  const { queryId } = await srv.client.send(new StartQueryCommand({ logGroupName: group, startTime: nowS - 3600, endTime: nowS + 60, queryString }));
  const r = await ended(srv.client, queryId!);
  assert.equal(r.status, 'Complete');
  return r.results!.map((row) => Object.fromEntries(row.filter((f) => f.field !== '@ptr').map((f) => [f.field!, f.value!])));
}

async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile() && (await readFile(p)).includes(Buffer.from(needle))) hits.push(relative(dir, p));
    }
  };
  await walk(dir);
  return hits;
}

test('create, describe, get, update and delete a lookup table', async () => {
  const created = await srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'users', description: 'who is who', tableBody: USERS, tags: { team: 'obs' } }));
  assert.equal(created.lookupTableArn, arn('users'));
  assert.ok(typeof created.createdAt === 'number' && created.createdAt > 0);

  const described = await srv.client.send(new DescribeLookupTablesCommand({}));
  assert.deepEqual(
    described.lookupTables?.map((t) => [t.lookupTableArn, t.lookupTableName, t.description, t.tableFields, t.recordsCount, t.sizeBytes, t.kmsKeyId]),
    [[arn('users'), 'users', 'who is who', ['id', 'name', 'department'], 3, Buffer.byteLength(USERS), undefined]],
  );

  const got = await srv.client.send(new GetLookupTableCommand({ lookupTableArn: arn('users') }));
  assert.equal(got.tableBody, USERS);
  assert.equal(got.lookupTableName, 'users');
  assert.equal(got.sizeBytes, Buffer.byteLength(USERS));

  await rejectsAws(srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'users', tableBody: USERS })), 'ResourceAlreadyExistsException', 'The specified lookup table already exists.');

  const body2 = 'id,name\r\nx,"quoted, with comma"\r\n';
  const updated = await srv.client.send(new UpdateLookupTableCommand({ lookupTableArn: arn('users'), tableBody: body2 }));
  assert.equal(updated.lookupTableArn, arn('users'));
  const after = await srv.client.send(new GetLookupTableCommand({ lookupTableArn: arn('users') }));
  assert.equal(after.tableBody, body2);
  assert.equal(after.description, 'who is who', 'an update without a description keeps it');
  const [t] = (await srv.client.send(new DescribeLookupTablesCommand({ lookupTableNamePrefix: 'us' }))).lookupTables!;
  assert.deepEqual([t!.tableFields, t!.recordsCount], [['id', 'name'], 1]);

  await srv.client.send(new DeleteLookupTableCommand({ lookupTableArn: arn('users') }));
  await rejectsAws(srv.client.send(new GetLookupTableCommand({ lookupTableArn: arn('users') })), 'ResourceNotFoundException', 'The specified lookup table does not exist.');
  await rejectsAws(srv.client.send(new DeleteLookupTableCommand({ lookupTableArn: arn('users') })), 'ResourceNotFoundException');
  await rejectsAws(srv.client.send(new UpdateLookupTableCommand({ lookupTableArn: arn('users'), tableBody: USERS })), 'ResourceNotFoundException');
  assert.deepEqual((await srv.client.send(new DescribeLookupTablesCommand({}))).lookupTables, []);
});

test('a table of nearly 10 MB, a request body past the 8 MiB of other calls once JSON-escaped: created, updated and read back whole', async () => {
  // Quoted fields and CRLF line ends: each escaped to two bytes in the request's JSON.
  const row = (k: number): string => `${k},"name ""${k}"", with quotes"\r\n`;
  let big = 'id,name\r\n';
  for (let k = 0; big.length < 9.5 * 1024 * 1024; k++) big += row(k);
  assert.ok(JSON.stringify({ tableBody: big }).length > 8 * 1024 * 1024);
  await srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'big', tableBody: big }));
  assert.equal((await srv.client.send(new GetLookupTableCommand({ lookupTableArn: arn('big') }))).tableBody, big);
  const bigger = `${big}${row(-1)}`;
  await srv.client.send(new UpdateLookupTableCommand({ lookupTableArn: arn('big'), tableBody: bigger }));
  const got = await srv.client.send(new GetLookupTableCommand({ lookupTableArn: arn('big') }));
  assert.equal(got.tableBody, bigger);
  assert.equal(got.sizeBytes, Buffer.byteLength(bigger));
  await srv.client.send(new DeleteLookupTableCommand({ lookupTableArn: arn('big') }));
});

test('bad input: InvalidParameterException, and nothing is created', async () => {
  const bad: Array<[Record<string, unknown>, RegExp]> = [
    [{ lookupTableName: 'bad-name', tableBody: 'a\n1\n' }, /lookupTableName/],
    [{ lookupTableName: 'neither' }, /either tableBody or queryId/],
    [{ lookupTableName: 'both', tableBody: 'a\n1\n', queryId: 'q' }, /either tableBody or queryId/],
    [{ lookupTableName: 'ragged', tableBody: 'a,b\n1,2\n3\n' }, /Row 3 has 1 field; the header row has 2/],
    [{ lookupTableName: 'empty', tableBody: '' }, /at 'tableBody' failed to satisfy constraint: Member must have length greater than or equal to 1/],
    [{ lookupTableName: 'noheader', tableBody: '\n' }, /must start with a header row/],
    [{ lookupTableName: 'dupheader', tableBody: 'a,a\n1,2\n' }, /names column 'a' twice/],
    [{ lookupTableName: 'quotes', tableBody: 'a\n"open\n' }, /not valid CSV/],
    [{ lookupTableName: 'kms', tableBody: 'a\n1\n', kmsKeyId: 'not-an-arn' }, /not a valid KMS key ARN/],
  ];
  for (const [input, message] of bad) {
    await rejectsAws(srv.client.send(new CreateLookupTableCommand(input as never)), 'InvalidParameterException', message);
  }
  // Past AWS's 10 MB of content: refused by the model's constraint; a body past 24 MiB, before it is read.
  await rejectsAws(
    srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'toobig', tableBody: `a\n${'x'.repeat(10 * 1024 * 1024)}\n` })),
    'InvalidParameterException',
    /^1 validation error detected: Value 'a\nx+\n' at 'tableBody' failed to satisfy constraint: Member must have length less than or equal to 10485760$/,
  );
  await rejectsAws(srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'toobig', tableBody: `a\n${'"'.repeat(13 * 1024 * 1024)}\n` })), 'RequestEntityTooLargeException', undefined, 413);
  await rejectsAws(srv.client.send(new GetLookupTableCommand({ lookupTableArn: 'users' })), 'InvalidParameterException', /not a lookup table ARN/);
  await rejectsAws(
    srv.client.send(new GetLookupTableCommand({ lookupTableArn: `arn:aws:logs:eu-west-1:${TEST_ACCOUNT_ID}:lookup-table:users` })),
    'ResourceNotFoundException',
  );
  assert.deepEqual((await srv.client.send(new DescribeLookupTablesCommand({}))).lookupTables, []);
});

test('StartQuery: lookup enriches events; an unknown table is a positioned MalformedQueryException', async () => {
  await srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'user_data', tableBody: USERS }));
  try {
    const rows = await query('fields id, action | lookup user_data id OUTPUT name, department | sort action asc');
    assert.deepEqual(rows, [
      { id: 'u1', action: 'a0', name: 'Alice', department: 'Engineering' },
      { id: 'u2', action: 'a1', name: 'Bob', department: 'Sales' },
      { id: 'u3', action: 'a2', name: `Carol ${marker}`, department: 'Engineering' },
      { id: 'u9', action: 'a3' },
      { id: 'u1', action: 'a4', name: 'Alice', department: 'Engineering' },
    ]);
    // AWS's examples: lookup with aggregation, and a filter on a field the lookup returned.
    assert.deepEqual(await query('lookup user_data id OUTPUT department | stats count(*) as n by department | sort department asc'), [
      { department: 'Engineering', n: '3' },
      { department: 'Sales', n: '1' },
      { n: '1' },
    ]);
    assert.deepEqual(await query('fields id | lookup user_data id OUTPUT department | filter department = "Sales"'), [{ id: 'u2', department: 'Sales' }]);

    const q = 'fields id | lookup nosuch id OUTPUT name';
    const e = (await rejectsAws(
      srv.client.send(new StartQueryCommand({ logGroupName: group, startTime: nowS - 3600, endTime: nowS, queryString: q })),
      'MalformedQueryException',
      "Lookup table 'nosuch' does not exist",
    )) as unknown as MalformedQueryException;
    assert.deepEqual(e.queryCompileError?.location, { startCharOffset: q.indexOf('nosuch'), endCharOffset: q.indexOf('nosuch') + 'nosuch'.length });

    // The content is sealed: no file of the data dir holds it, while the server runs.
    assert.deepEqual(await filesContaining(srv.dataDir, marker), []);
  } finally {
    await srv.client.send(new DeleteLookupTableCommand({ lookupTableArn: arn('user_data') }));
  }
});

test('a lookup table from the results of a completed query (queryId)', async () => {
  const { queryId } = await srv.client.send(
    new StartQueryCommand({ logGroupName: group, startTime: nowS - 3600, endTime: nowS + 60, queryString: 'stats count(*) as seen by id | sort id asc' }),
  );
  await ended(srv.client, queryId!);
  await srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'seen', queryId }));
  try {
    const got = await srv.client.send(new GetLookupTableCommand({ lookupTableArn: arn('seen') }));
    assert.equal(got.tableBody, 'id,seen\nu1,2\nu2,1\nu3,1\nu9,1\n');
    await rejectsAws(srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'nosuchquery', queryId: 'ffffffff-0000-0000-0000-000000000000' })), 'ResourceNotFoundException');
  } finally {
    await srv.client.send(new DeleteLookupTableCommand({ lookupTableArn: arn('seen') }));
  }
});

test('at most 100 lookup tables (LimitExceededException); DescribeLookupTables pages in name order', async () => {
  const names = Array.from({ length: 100 }, (_, i) => `t${String(i).padStart(3, '0')}`);
  for (const name of names) await srv.client.send(new CreateLookupTableCommand({ lookupTableName: name, tableBody: 'k,v\n1,2\n' }));
  try {
    await rejectsAws(srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'one_more', tableBody: 'k\n1\n' })), 'LimitExceededException', 'Resource limit exceeded.');
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await srv.client.send(new DescribeLookupTablesCommand({ maxResults: 30, nextToken }));
      seen.push(...page.lookupTables!.map((t) => t.lookupTableName!));
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    assert.deepEqual(seen, names);
    assert.equal((await srv.client.send(new DescribeLookupTablesCommand({}))).lookupTables!.length, 50, 'default page of 50');
  } finally {
    for (const name of names) await srv.client.send(new DeleteLookupTableCommand({ lookupTableArn: arn(name) }));
  }
});

test('IAM decides each operation (logs:CreateLookupTable on the table ARN...), and each call is audited', async () => {
  const iam = IamClient.create({ endpoint: srv.url, region: TEST_REGION, credentials: srv.credentials, credentialSource: 'environment' });
  const user = `lk-${uid()}`;
  await iam.call('CreateUser', { UserName: user });
  const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['logs:DescribeLookupTables', 'logs:CreateLookupTable'], Resource: '*' }, { Effect: 'Deny', Action: 'logs:CreateLookupTable', Resource: arn('secret_*') }] };
  await iam.call('PutUserPolicy', { UserName: user, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) });
  const key = (await iam.call('CreateAccessKey', { UserName: user })) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
  const client = makeClient(srv.url, { accessKeyId: key.AccessKey.AccessKeyId, secretAccessKey: key.AccessKey.SecretAccessKey });
  try {
    await client.send(new CreateLookupTableCommand({ lookupTableName: 'allowed', tableBody: 'a\n1\n' }));
    await rejectsAws(
      client.send(new CreateLookupTableCommand({ lookupTableName: 'secret_x', tableBody: 'a\n1\n' })),
      'AccessDeniedException',
      `User: arn:aws:iam::000000000000:user/${user} is not authorized to perform: logs:CreateLookupTable on resource: ${arn('secret_x')} with an explicit deny in an identity-based policy`,
    );
    await rejectsAws(
      client.send(new GetLookupTableCommand({ lookupTableArn: arn('allowed') })),
      'AccessDeniedException',
      `User: arn:aws:iam::000000000000:user/${user} is not authorized to perform: logs:GetLookupTable on resource: ${arn('allowed')} because no identity-based policy allows the logs:GetLookupTable action`,
    );
    assert.deepEqual((await client.send(new DescribeLookupTablesCommand({}))).lookupTables!.map((t) => t.lookupTableName), ['allowed']);
    const records: Array<{ action: string; resources: string[]; errorCode: string | null; caller: { arn: string } | null }> = [];
    let nextToken: string | undefined;
    do {
      const page = await srv.client.send(new FilterLogEventsCommand({ logGroupName: 'logward/audit', nextToken }));
      for (const e of page.events ?? []) records.push(JSON.parse(e.message!) as (typeof records)[number]);
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    const mine = records.filter((r) => r.caller?.arn.endsWith(`user/${user}`)).map((r) => [r.action, r.resources, r.errorCode]);
    assert.deepEqual(mine, [
      ['logs:CreateLookupTable', [arn('allowed')], null],
      ['logs:CreateLookupTable', [arn('secret_x')], 'AccessDeniedException'],
      ['logs:GetLookupTable', [arn('allowed')], 'AccessDeniedException'],
      ['logs:DescribeLookupTables', ['*'], null],
    ]);
  } finally {
    client.destroy();
    await srv.client.send(new DeleteLookupTableCommand({ lookupTableArn: arn('allowed') }));
  }
});

test('the aws CLI: create-lookup-table, describe-lookup-tables, get-lookup-table, delete-lookup-table', async () => {
  const created = await awsCli(['create-lookup-table', '--lookup-table-name', 'cli_table', '--table-body', 'code,text\n200,OK\n'], srv);
  assert.equal(created.code, 0, created.stderr);
  assert.equal((created.json as { lookupTableArn: string }).lookupTableArn, arn('cli_table'));
  const described = await awsCli(['describe-lookup-tables'], srv);
  assert.deepEqual((described.json as { lookupTables: Array<{ tableFields: string[] }> }).lookupTables.map((t) => t.tableFields), [['code', 'text']]);
  const got = await awsCli(['get-lookup-table', '--lookup-table-arn', arn('cli_table')], srv);
  assert.equal((got.json as { tableBody: string }).tableBody, 'code,text\n200,OK\n');
  assert.equal((await awsCli(['delete-lookup-table', '--lookup-table-arn', arn('cli_table')], srv)).code, 0);
  const again = await awsCli(['get-lookup-table', '--lookup-table-arn', arn('cli_table')], srv);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /\(ResourceNotFoundException\) when calling the GetLookupTable operation: The specified lookup table does not exist\./);
});

test('after a restart the table is still there, and still only sealed on disk', async () => {
  await srv.client.send(new CreateLookupTableCommand({ lookupTableName: 'kept', tableBody: USERS }));
  await srv.stop();
  assert.deepEqual(await filesContaining(srv.dataDir, marker), [], 'no plaintext in the data dir of the stopped server');
  srv = await startLogward({ dataDir: srv.dataDir });
  assert.equal((await srv.client.send(new GetLookupTableCommand({ lookupTableArn: arn('kept') }))).tableBody, USERS);
  assert.deepEqual(await query('fields id | filter id = "u3" | lookup kept id OUTPUT name | limit 1'), [{ id: 'u3', name: `Carol ${marker}` }]);
});

test('the same scan finds the content of a server run with --no-encryption (the scan can fail)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lw-lookup-plain-'));
  let plain: LogwardServer | undefined;
  try {
    plain = await startLogward({ dataDir, args: ['--no-encryption'] });
    await plain.client.send(new CreateLookupTableCommand({ lookupTableName: 'users', tableBody: USERS }));
    await plain.stop();
    plain = undefined;
    assert.ok((await filesContaining(dataDir, marker)).some((f) => f.startsWith('lookup-tables/')));
  } finally {
    await plain?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});
