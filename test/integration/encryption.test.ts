/**
 * Encryption at rest, proven from outside (issue #5, docs/encryption.md): a real server ingests known
 * plaintext, and every byte under its data dir is searched for it, at each stage of the data's life
 * (write-ahead log, sealed segments, shredded columns and bitmaps after a restart). The same scan over a
 * server run with --no-encryption finds it, so the scan can fail. Then crypto-shredding: after
 * `logward keys shred`, the group's files copied before the shred (a backup) no longer decrypt with
 * anything the server has, while another group's copied files still do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  FilterLogEventsCommand,
  PutLogEventsCommand,
  PutMetricFilterCommand,
  PutSubscriptionFilterCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { startLogward, runLogward, TEST_REGION, type LogwardServer } from '../helpers/server.js';
import { rejectsAws, sleep } from '../helpers/assert-aws.js';
import { KeyService } from '../../src/kms/key-service.js';
import { LocalKeyring } from '../../src/kms/local-keyring.js';
import { openSegment } from '../../src/store/at-rest.js';

/** Every file under `dir` (relative paths) whose bytes contain one of `needles`. */
async function filesContaining(dir: string, needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const bytes = await readFile(p);
        if (needles.some((n) => bytes.includes(Buffer.from(n)))) hits.push(relative(dir, p));
      }
    }
  };
  await walk(dir);
  return hits.sort();
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(join(d, e.name));
      else out.push(relative(dir, join(d, e.name)));
    }
  };
  await walk(dir);
  return out.sort();
}

/** Plain and JSON events naming the marker: in messages, in a JSON field that shredding makes a column, in words the bitmaps index. */
function events(marker: string, n: number, t0: number): Array<{ timestamp: number; message: string }> {
  return Array.from({ length: n }, (_, i) => ({
    timestamp: t0 + i,
    message:
      i % 2 === 0
        ? `user ${marker}-${i % 5} signed in from 10.0.${i % 7}.${i % 250}`
        : JSON.stringify({ level: i % 3 === 0 ? 'warn' : 'info', user: `${marker}-${i % 4}`, n: i }),
  }));
}

async function ingest(client: CloudWatchLogsClient, group: string, marker: string, n: number): Promise<void> {
  await client.send(new CreateLogGroupCommand({ logGroupName: group })).catch((e: Error) => {
    if (e.name !== 'ResourceAlreadyExistsException') throw e;
  });
  await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' })).catch((e: Error) => {
    if (e.name !== 'ResourceAlreadyExistsException') throw e;
  });
  const all = events(marker, n, Date.now() - 60_000);
  for (let i = 0; i < all.length; i += 500) {
    await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: all.slice(i, i + 500) }));
  }
}

async function countMatching(client: CloudWatchLogsClient, group: string, term: string): Promise<number> {
  let n = 0;
  let nextToken: string | undefined;
  do {
    const out = await client.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: `"${term}"`, ...(nextToken ? { nextToken } : {}) }));
    n += out.events?.length ?? 0;
    nextToken = out.nextToken;
  } while (nextToken);
  return n;
}

/**
 * A metric filter whose dimension is a value from the events (`$.user`, which holds the marker): the
 * metric store keeps those values, so they must be sealed like the events themselves.
 */
async function putUserMetricFilter(client: CloudWatchLogsClient, group: string): Promise<void> {
  await client.send(new CreateLogGroupCommand({ logGroupName: group })).catch((e: Error) => {
    if (e.name !== 'ResourceAlreadyExistsException') throw e;
  });
  await client.send(
    new PutMetricFilterCommand({
      logGroupName: group,
      filterName: 'by-user',
      filterPattern: '{ $.user = * }',
      metricTransformations: [{ metricName: 'Events', metricNamespace: 'EncTest', metricValue: '1', dimensions: { User: '$.user' } }],
    }),
  );
}

/** The User dimension values of the EncTest metrics. */
async function metricUsers(srv: LogwardServer): Promise<string[]> {
  const cw = new CloudWatchClient({ endpoint: srv.url, region: TEST_REGION, credentials: { ...srv.credentials }, maxAttempts: 1 });
  try {
    const out = await cw.send(new ListMetricsCommand({ Namespace: 'EncTest' }));
    return (out.Metrics ?? []).flatMap((m) => (m.Dimensions ?? []).filter((d) => d.Name === 'User').map((d) => d.Value!)).sort();
  } finally {
    cw.destroy();
  }
}

/** Waits (no time bound of its own: the test's timeout is the bound) until shredding and token indexing have nothing left. */
async function untilSettled(srv: LogwardServer): Promise<void> {
  for (;;) {
    const text = await (await fetch(`${srv.url}/metrics`)).text();
    const shredded = /^logward_unshredded_segments 0$/m.test(text);
    const indexed = /^logward_unindexed_segments 0$/m.test(text);
    if (shredded && indexed) return;
    await sleep(500);
  }
}

/**
 * A marker no data holds by chance, ending in a run of letters after `_`: token indexes keep words
 * (runs of letters), so that run is what a plaintext index would show.
 */
function newMarker(): { marker: string; word: string } {
  const word = `qz${Array.from(randomBytes(14), (b) => String.fromCharCode(97 + (b % 26))).join('')}`;
  return { marker: `mk${randomBytes(12).toString('hex')}_${word}`, word };
}

/** Names of private plaintext directories of a server process (at-rest.ts). */
async function plaintextDirsOf(pid: number | undefined): Promise<string[]> {
  return (await readdir('/dev/shm').catch(() => [] as string[])).filter((n) => n.startsWith(`logward-${pid}-`));
}

test('no plaintext of an event is left anywhere under the data dir: write-ahead log, segments, shredded columns, token indexes, bitmaps, metric dimensions', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lw-enc-'));
  const { marker, word } = newMarker();
  let srv: LogwardServer | undefined;
  try {
    srv = await startLogward({ dataDir });
    await putUserMetricFilter(srv.client, 'app/enc');
    await ingest(srv.client, 'app/enc', marker, 4000);
    // Stage 1: acknowledged, in the write-ahead log only (and the metric series, once flushed).
    while ((await metricUsers(srv)).length < 2) await sleep(200); // users -1 and -3 (the JSON events are the odd ones)
    assert.ok((await filesUnder(dataDir)).some((f) => f.startsWith('wal/')), 'the events are in the write-ahead log');
    assert.deepEqual(await filesContaining(dataDir, [marker]), [], 'plaintext in the data dir while events are in the WAL');
    const pid = srv.proc.pid;
    assert.equal((await plaintextDirsOf(pid)).length, 1, 'the running server has its private plaintext directory in /dev/shm');
    await srv.stop();
    srv = undefined;
    // Stage 2: sealed into segments (and bitmaps) at shutdown; the private directory is gone with the process.
    assert.ok((await filesUnder(dataDir)).some((f) => f.startsWith('segments/')), 'the events are in segments');
    assert.deepEqual(await filesContaining(dataDir, [marker]), [], 'plaintext in the data dir after sealing');
    assert.deepEqual(await plaintextDirsOf(pid), [], 'the private plaintext directory is removed at shutdown');
    // Stage 3: restarted, the segments rewritten with their JSON fields shredded into columns and given
    // token indexes; still readable.
    srv = await startLogward({ dataDir });
    await untilSettled(srv);
    assert.equal(await countMatching(srv.client, 'app/enc', marker), 4000, 'every event still reads back');
    assert.deepEqual(await metricUsers(srv), [`${marker}-1`, `${marker}-3`], 'the metric dimensions still read back');
    await srv.stop();
    srv = undefined;
    assert.ok((await filesUnder(dataDir)).some((f) => f.endsWith('.tokens')), 'the segments have token indexes');
    assert.deepEqual(await filesContaining(dataDir, [marker, word]), [], 'plaintext in the data dir after shredding and a restart');
  } finally {
    await srv?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('the same scan finds the plaintext of a server run with --no-encryption (the scan can fail)', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lw-plain-'));
  const { marker, word } = newMarker();
  let srv: LogwardServer | undefined;
  try {
    srv = await startLogward({ dataDir, args: ['--no-encryption'] });
    await putUserMetricFilter(srv.client, 'app/plain');
    await ingest(srv.client, 'app/plain', marker, 4000);
    assert.ok((await filesContaining(dataDir, [marker])).some((f) => f.startsWith('wal/')), 'plaintext found in the WAL');
    while ((await metricUsers(srv)).length < 2) await sleep(200); // users -1 and -3 (the JSON events are the odd ones)
    await srv.stop();
    srv = undefined;
    const hits = await filesContaining(dataDir, [marker]);
    assert.ok(hits.some((f) => f.startsWith('segments/')), 'plaintext found in a segment');
    assert.ok(hits.some((f) => f.startsWith('metrics.duckdb')), `plaintext found in the metric store: ${hits.join(', ')}`);
    srv = await startLogward({ dataDir, args: ['--no-encryption'] });
    await untilSettled(srv);
    await srv.stop();
    srv = undefined;
    assert.ok((await filesContaining(dataDir, [word])).some((f) => f.endsWith('.tokens')), 'plaintext found in a token index');
  } finally {
    await srv?.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('logward keys shred: the group is gone from every API, and its files copied before the shred no longer decrypt', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lw-shred-'));
  const backup = await mkdtemp(join(tmpdir(), 'lw-shred-backup-'));
  const victim = `mk${randomBytes(12).toString('hex')}`;
  const other = `mk${randomBytes(12).toString('hex')}`;
  let srv: LogwardServer | undefined;
  try {
    srv = await startLogward({ dataDir });
    await putUserMetricFilter(srv.client, 'app/customer-42');
    await ingest(srv.client, 'app/customer-42', victim, 1000);
    await ingest(srv.client, 'app/others', other, 1000);
    while ((await metricUsers(srv)).length < 2) await sleep(200); // users -1 and -3 (the JSON events are the odd ones)
    await srv.stop();
    // A backup of the data dir, taken before the shred.
    await cp(dataDir, backup, { recursive: true });
    srv = await startLogward({ dataDir });
    await ingest(srv.client, 'app/customer-42', victim, 100); // and some events still in the WAL

    const refused = await runLogward({ ...srv, dataDir }, ['keys', 'shred', 'app/customer-42']);
    assert.notEqual(refused.code, 0, 'shredding without --yes and without a confirmation is refused');
    assert.equal(await countMatching(srv.client, 'app/customer-42', victim), 1100, 'nothing was shredded');

    const described = await runLogward({ ...srv, dataDir }, ['keys', 'describe', 'app/customer-42', '--output', 'json']);
    assert.equal(described.code, 0, described.stderr);
    const keys = JSON.parse(described.stdout) as { encrypted: boolean; keyId: string; versions: Array<{ kekId: string }> };
    assert.equal(keys.encrypted, true);
    assert.match(keys.versions[0]!.kekId, /^local:/);

    const out = await runLogward({ ...srv, dataDir }, ['keys', 'shred', 'app/customer-42', '--yes', '--output', 'json']);
    assert.equal(out.code, 0, out.stderr);
    assert.equal((JSON.parse(out.stdout) as { keyId: string }).keyId, keys.keyId);

    await rejectsAws(srv.client.send(new FilterLogEventsCommand({ logGroupName: 'app/customer-42' })), 'ResourceNotFoundException');
    assert.deepEqual(await metricUsers(srv), [], "the metric series holding the group's values are gone with it");
    assert.equal(await countMatching(srv.client, 'app/others', other), 1000, 'other groups are untouched');
    const audit = await srv.client.send(new FilterLogEventsCommand({ logGroupName: 'logward/audit', filterPattern: '{ $.action = "logward:ShredKeys" }' }));
    const records = (audit.events ?? []).map((e) => JSON.parse(e.message!) as { resources: string[]; httpStatus: number; errorCode: string | null });
    assert.ok(
      records.some((r) => r.httpStatus === 200 && r.errorCode === null && r.resources.some((a) => a.endsWith(':log-group:app/customer-42'))),
      `an audit record of the shred: ${JSON.stringify(records)}`,
    );
    await srv.stop();
    srv = undefined;

    // An attacker with the backup and everything the server holds now (key store and master key).
    const keysNow = KeyService.open({ dataDir: join(dataDir, 'keys'), provider: LocalKeyring.load({ file: join(dataDir, 'master.key') }) });
    const segments = (await filesUnder(backup)).filter((f) => f.startsWith('segments/') && f.endsWith('.parquet'));
    const decrypts = async (rel: string): Promise<boolean> => {
      try {
        const parts: Buffer[] = [];
        for await (const p of openSegment(keysNow, rel, join(backup, rel))) parts.push(p);
        return Buffer.concat(parts).subarray(0, 4).toString('latin1') === 'PAR1';
      } catch {
        return false;
      }
    };
    const byGroup = new Map<string, boolean[]>();
    for (const rel of segments) {
      const gid = rel.split('/')[1]!;
      byGroup.set(gid, [...(byGroup.get(gid) ?? []), await decrypts(rel)]);
    }
    const results = [...byGroup.values()];
    assert.ok(results.some((r) => r.length > 0 && r.every((ok) => ok)), `the other group's backed-up segments decrypt: ${JSON.stringify([...byGroup])}`);
    assert.ok(results.some((r) => r.length > 0 && r.every((ok) => !ok)), `the shredded group's backed-up segments do not: ${JSON.stringify([...byGroup])}`);
    keysNow.close();
  } finally {
    await srv?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(backup, { recursive: true, force: true });
  }
});

test('deliveries into object storage are sealed under the group\'s key: `keys decrypt` opens them until the group is shredded', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'lw-deliver-'));
  const bucket = await mkdtemp(join(tmpdir(), 'lw-deliver-bucket-'));
  const out = await mkdtemp(join(tmpdir(), 'lw-deliver-out-'));
  const marker = `mk${randomBytes(12).toString('hex')}`;
  let srv: LogwardServer | undefined;
  try {
    srv = await startLogward({ dataDir });
    const cli = (...args: string[]) => runLogward({ ...srv!, dataDir }, args);
    const bound = await cli('targets', 'put', 'delivery', 'archive', '--bucket', bucket, '--buffer-seconds', '0.2');
    assert.equal(bound.code, 0, bound.stderr);
    await srv.client.send(new CreateLogGroupCommand({ logGroupName: 'app/deliver' }));
    await srv.client.send(
      new PutSubscriptionFilterCommand({
        logGroupName: 'app/deliver',
        filterName: 'all',
        filterPattern: '',
        destinationArn: bound.stdout.trim(),
        roleArn: 'arn:aws:iam::000000000000:role/cwl-to-firehose',
      }),
    );
    await ingest(srv.client, 'app/deliver', marker, 200);

    // Every delivered event, read back through `keys decrypt` (the objects' only way back to plaintext).
    const delivered = async (): Promise<string[]> => {
      const messages: string[] = [];
      for (const rel of (await filesUnder(bucket)).filter((f) => f.endsWith('.ndjson.gz.lwenc'))) {
        const dest = join(out, `${messages.length}-${randomBytes(4).toString('hex')}.gz`);
        const r = await cli('keys', 'decrypt', 'app/deliver', join(bucket, rel), '--out', dest);
        assert.equal(r.code, 0, r.stderr);
        for (const line of gunzipSync(await readFile(dest)).toString('utf8').split('\n').filter(Boolean)) {
          const m = JSON.parse(line) as { messageType: string; logEvents: Array<{ message: string }> };
          if (m.messageType === 'DATA_MESSAGE') messages.push(...m.logEvents.map((e) => e.message));
        }
      }
      return messages;
    };
    let got: string[] = [];
    while ((got = await delivered()).length < 200) await sleep(300);
    assert.equal(got.length, 200, 'each event delivered once');
    assert.equal(got.filter((m) => m.includes(marker)).length, 200);
    assert.deepEqual(await filesContaining(bucket, [marker]), [], 'no plaintext in the bucket');

    const objects = (await filesUnder(bucket)).filter((f) => f.endsWith('.lwenc'));
    const wrongGroup = await cli('keys', 'decrypt', 'app/others', join(bucket, objects[0]!), '--out', join(out, 'wrong'));
    assert.notEqual(wrongGroup.code, 0, 'an object does not open with another group\'s keys');

    const shred = await cli('keys', 'shred', 'app/deliver', '--yes');
    assert.equal(shred.code, 0, shred.stderr);
    for (const rel of objects) {
      const r = await cli('keys', 'decrypt', 'app/deliver', join(bucket, rel), '--out', join(out, `after-${randomBytes(4).toString('hex')}`));
      assert.notEqual(r.code, 0, `${rel} still decrypts after the shred`);
    }
  } finally {
    await srv?.stop();
    for (const d of [dataDir, bucket, out]) await rm(d, { recursive: true, force: true });
  }
});
