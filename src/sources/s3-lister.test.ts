/**
 * The S3 lister against a real moto_server: partitions found by walking the key tree down to the year,
 * each listed after its own marker, so that a region whose keys sort before another's is still read
 * once the other's marker has moved on (one marker for the whole bucket would pass it by). And the
 * address rule: without --allow-private-destinations a loopback endpoint is never connected to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMoto, MOTO_CREDENTIALS, MOTO_REGION } from '../../test/helpers/moto.js';
import { FakeClock } from '../clock.js';
import { openTestStore } from '../store/testing.js';
import { readBySeq } from '../store/read-seq.js';
import { S3Lister } from './s3-lister.js';
import { SourceRunner } from './runner.js';
import { parseSourceInput } from './spec.js';
import { emptyState } from './state.js';
import { AddressPolicy, DestinationRefusedError } from '../subscriptions/safety.js';

const trail = (id: string): string => JSON.stringify({ Records: [{ eventTime: '2023-07-10T11:00:00Z', eventID: id, eventName: 'X' }] });

test('each partition is listed after its own marker; settled keys are passed over', async () => {
  const moto = await startMoto();
  const dir = await mkdtemp(join(tmpdir(), 'logward-s3-lister-'));
  const clock = new FakeClock(Date.now() + 3_600_000); // every object has settled
  const store = await openTestStore(join(dir, 'store'), clock);
  const s3 = new S3Client({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, forcePathStyle: true });
  const lister = new S3Lister({ bucket: 'multi', prefix: '', region: MOTO_REGION, endpointUrl: moto.endpoint, credentials: MOTO_CREDENTIALS, policy: new AddressPolicy(['127.0.0.1/32']) });
  try {
    await mkdir(join(dir, 'state'));
    await s3.send(new CreateBucketCommand({ Bucket: 'multi' }));
    const put = (Key: string, id: string) => s3.send(new PutObjectCommand({ Bucket: 'multi', Key, Body: trail(id) }));
    const base = 'AWSLogs/111122223333/CloudTrail';
    await put(`${base}/us-east-1/2023/07/10/111122223333_CloudTrail_us-east-1_20230710T1100Z_a.json`, 'use1-a');
    await put('notes/readme.json', 'beside');
    const spec = parseSourceInput({ kind: 's3', name: 'multi', bucket: 'multi', settleSeconds: 0 }, clock.now());
    const runner = new SourceRunner(spec, lister, { store, clock, logger: pino({ level: 'silent' }), stateDir: join(dir, 'state') });
    runner.state = emptyState();
    const signal = new AbortController().signal;
    await runner.pollOnce(signal);
    assert.equal(runner.state.partitions[`${base}/us-east-1/`]?.marker, `${base}/us-east-1/2023/07/10/111122223333_CloudTrail_us-east-1_20230710T1100Z_a.json`);
    assert.equal(runner.state.partitions['notes/']?.marker, 'notes/readme.json');

    await put(`${base}/eu-west-1/2023/07/10/111122223333_CloudTrail_eu-west-1_20230710T1105Z_b.json`, 'euw1-b');
    await put(`${base}/us-east-1/2023/07/10/111122223333_CloudTrail_us-east-1_20230710T1110Z_c.json`, 'use1-c');
    await runner.pollOnce(signal);
    await runner.pollOnce(signal);
    const g = store.catalog.groups.get(spec.logGroup)!;
    const ids = (await readBySeq(store, g, 0, g.nextSeq, 100))!.events.map((e) => (JSON.parse(e.message) as { eventID: string }).eventID);
    assert.deepEqual(ids, ['use1-a', 'beside', 'euw1-b', 'use1-c']);
    assert.deepEqual([...g.streams.keys()].sort(), ['111122223333_CloudTrail_eu-west-1', '111122223333_CloudTrail_us-east-1', 'notes']);
  } finally {
    lister.close();
    s3.destroy();
    await store.close();
    await moto.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test('an endpoint on a loopback address is refused without an allowed range, by literal and by name', async () => {
  const moto = await startMoto();
  const s3 = new S3Client({ region: MOTO_REGION, endpoint: moto.endpoint, credentials: MOTO_CREDENTIALS, forcePathStyle: true });
  const port = new URL(moto.endpoint).port;
  const listers: S3Lister[] = [];
  const lister = (endpointUrl: string, allow: string[] = []): S3Lister => {
    const l = new S3Lister({ bucket: 'guarded', prefix: '', region: MOTO_REGION, endpointUrl, credentials: MOTO_CREDENTIALS, policy: new AddressPolicy(allow) });
    listers.push(l);
    return l;
  };
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'guarded' }));
    await s3.send(new PutObjectCommand({ Bucket: 'guarded', Key: 'a.json', Body: '{}' }));
    const signal = new AbortController().signal;
    const from = { startAfter: () => '', handled: () => false };
    // The literal is checked before any request; the name's addresses when its connection is made.
    await assert.rejects(lister(moto.endpoint).list(from, 10, signal), (e: Error) => e instanceof DestinationRefusedError && /127\.0\.0\.1 is loopback, link-local or private/.test(e.message));
    await assert.rejects(lister(`http://localhost:${port}`).list(from, 10, signal), /is loopback, link-local or private; allow it with --allow-private-destinations/);
    // The same endpoint with its range allowed lists the object: the refusals above are the policy's.
    const listed = await lister(`http://localhost:${port}`, ['127.0.0.1/32', '::1/128']).list(from, 10, signal);
    assert.deepEqual(listed.map((o) => o.key), ['a.json']);
  } finally {
    for (const l of listers) l.close();
    s3.destroy();
    await moto.stop();
  }
});
