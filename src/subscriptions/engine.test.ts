/** The delivery engine end to end with a function target (a real HTTP peer on 127.0.0.1). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeAwslogs, openHarness, recordingServer, waitFor } from './testing.js';
import { deadLetterGroupName, DEAD_LETTER_PREFIX } from './dead-letter.js';
import { CHECKPOINT_FILE } from './checkpoint-file.js';
import type { SubscriptionMessage } from './payload.js';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:hook';

const dataEvents = (bodies: Buffer[]): string[] =>
  bodies.map(decodeAwslogs).filter((m) => m.messageType === 'DATA_MESSAGE').flatMap((m) => m.logEvents.map((e) => e.message));

test('a function target gets a CONTROL_MESSAGE, then exactly the matching events, one payload per stream, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const peer = await recordingServer();
  const h = await openHarness(dir);
  try {
    const g = await h.group('app', ['a', 'b']);
    await h.put(g, 'a', ['before the filter ERROR']);
    await h.subscribe(g, 'errors', 'ERROR', { kind: 'function', name: 'hook', config: { url: peer.url }, createdMs: Date.now() }, ARN);
    await h.put(g, 'a', ['ERROR one', 'INFO skip', 'ERROR two']);
    await h.put(g, 'b', ['ERROR three']);
    await waitFor('three events', () => dataEvents(peer.requests.map((r) => r.body)).length >= 3);
    const messages: SubscriptionMessage[] = peer.requests.map((r) => decodeAwslogs(r.body));
    assert.equal(peer.requests[0]!.headers['content-type'], 'application/json');
    assert.deepEqual(messages[0]!.messageType, 'CONTROL_MESSAGE');
    assert.match(messages[0]!.logEvents[0]!.message, /^CWL CONTROL MESSAGE: Checking health of destination/);
    const data = messages.filter((m) => m.messageType === 'DATA_MESSAGE');
    for (const m of data) {
      assert.equal(m.owner, '000000000000');
      assert.equal(m.logGroup, 'app');
      assert.deepEqual(m.subscriptionFilters, ['errors']);
      assert.equal(new Set(m.logEvents.map(() => m.logStream)).size, 1);
      for (const e of m.logEvents) assert.match(e.id, /^\d{56}$/);
    }
    assert.deepEqual(data.filter((m) => m.logStream === 'a').flatMap((m) => m.logEvents.map((e) => e.message)), ['ERROR one', 'ERROR two']);
    assert.deepEqual(data.filter((m) => m.logStream === 'b').flatMap((m) => m.logEvents.map((e) => e.message)), ['ERROR three']);
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a destination that is down for a while receives everything, in order, once it recovers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  let down = true;
  let refused = 0;
  const peer = await recordingServer(() => (down ? (refused++, { status: 503 }) : { status: 200 }));
  const h = await openHarness(dir);
  try {
    const g = await h.group('app');
    await h.subscribe(g, 'all', '', { kind: 'function', name: 'hook', config: { url: peer.url }, createdMs: Date.now() }, ARN);
    const sent = Array.from({ length: 50 }, (_, k) => `event ${k}`);
    for (let k = 0; k < sent.length; k += 10) await h.put(g, 's1', sent.slice(k, k + 10));
    await waitFor('several refused attempts', () => refused >= 3);
    assert.equal(peer.requests.length, 0);
    down = false;
    await waitFor('every event', () => dataEvents(peer.requests.map((r) => r.body)).length >= sent.length);
    assert.deepEqual(dataEvents(peer.requests.map((r) => r.body)), sent);
    assert.ok(h.engine.stats()[0]!.retries >= 3);
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a restart in the middle of delivery loses nothing: the consumer resumes from its checkpoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  let down = false;
  const peer = await recordingServer(() => ({ status: down ? 500 : 200 }));
  let h = await openHarness(dir);
  try {
    let g = await h.group('app');
    await h.subscribe(g, 'all', '', { kind: 'function', name: 'hook', config: { url: peer.url }, createdMs: Date.now() }, ARN);
    await h.put(g, 's1', ['a1', 'a2']);
    await waitFor('the first events', () => dataEvents(peer.requests.map((r) => r.body)).length >= 2);
    down = true; // what follows is acknowledged by the store but not delivered before the restart
    await h.put(g, 's1', ['b1', 'b2', 'b3']);
    await h.close();
    down = false;
    h = await openHarness(dir);
    g = h.store.catalog.groups.get('app')!;
    await h.put(g, 's1', ['c1']);
    await waitFor('every event', () => dataEvents(peer.requests.map((r) => r.body)).includes('c1'));
    const got = dataEvents(peer.requests.map((r) => r.body));
    // At least once: nothing missing, in order; only a batch in flight may come twice.
    assert.deepEqual([...new Set(got)], ['a1', 'a2', 'b1', 'b2', 'b3', 'c1']);
    const controls = peer.requests.map((r) => decodeAwslogs(r.body)).filter((m) => m.messageType === 'CONTROL_MESSAGE');
    assert.equal(controls.length, 1, 'the CONTROL_MESSAGE is sent once per subscription, not per start');
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('past its retry budget a batch goes to the source group\'s dead-letter log group, and delivery goes on', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const peer = await recordingServer(() => ({ status: 500 }));
  const h = await openHarness(dir, { retry: { baseMs: 5, maxMs: 20, budgetMs: 100 } });
  try {
    const g = await h.group('app');
    await h.store.catalog.setRetention(g, 7);
    await h.subscribe(g, 'all', '', { kind: 'function', name: 'hook', config: { url: peer.url }, createdMs: Date.now() }, ARN);
    await h.put(g, 's1', ['lost 1', 'lost 2']);
    const dlName = `${DEAD_LETTER_PREFIX}/app`;
    await waitFor('dead letters', () => {
      const dl = h.store.catalog.groups.get(dlName);
      return dl !== undefined && [...h.store.hot.events(dl.id, () => true)].some((e) => e.message.includes('lost 2'));
    });
    const dl = h.store.catalog.groups.get(dlName)!;
    const letters = [...h.store.hot.events(dl.id, () => true)].map((e) => JSON.parse(e.message) as Record<string, unknown>).filter((l) => l.messageType === 'DATA_MESSAGE');
    assert.deepEqual(letters.map((l) => l.message), ['lost 1', 'lost 2']);
    assert.equal(letters[0]!.destinationArn, ARN);
    assert.equal(letters[0]!.logGroup, 'app');
    assert.match(String(letters[0]!.error), /HTTP 500/);
    assert.deepEqual([...dl.streams.keys()], ['all']);
    assert.equal(dl.retentionDays, 7, 'the copies are kept no longer than the source keeps its events');
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

for (const how of ['shredGroup', 'deleteGroup'] as const) {
  test(`${how} of a group takes its dead letters with it: the dead-letter group and its data keys are gone, other groups' stay`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'subs-'));
    const peer = await recordingServer(() => ({ status: 500 }));
    const h = await openHarness(dir, { retry: { baseMs: 5, maxMs: 20, budgetMs: 50 } });
    try {
      const dead = new Map<string, number>();
      for (const name of ['app', 'other']) {
        const g = await h.group(name);
        await h.subscribe(g, 'all', '', { kind: 'function', name: 'hook', config: { url: peer.url }, createdMs: Date.now() }, ARN);
        await h.put(g, 's1', [`secret of ${name}`]);
        await waitFor(`dead letters of ${name}`, () => {
          const dl = h.store.catalog.groups.get(deadLetterGroupName(name));
          return dl !== undefined && [...h.store.hot.events(dl.id, () => true)].some((e) => e.message.includes(`secret of ${name}`));
        });
        dead.set(name, h.store.catalog.groups.get(deadLetterGroupName(name))!.id);
      }
      assert.ok(h.store.atRest.describe(dead.get('app')!) !== undefined, 'the dead-letter group has data keys of its own');
      await h.store.withWriteLock(() => h.store[how](h.store.catalog.groups.get('app')!));
      assert.equal(h.store.catalog.groups.get(deadLetterGroupName('app')), undefined);
      assert.equal(h.store.atRest.describe(dead.get('app')!), undefined, 'its data keys are destroyed');
      assert.ok(h.store.catalog.groups.get(deadLetterGroupName('other')) !== undefined, "another group's dead letters stay");
      assert.ok(h.store.atRest.describe(dead.get('other')!) !== undefined);
    } finally {
      await h.close();
      await peer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('dead-letter group names: one per source, within 512 characters, distinct for long names', () => {
  assert.equal(deadLetterGroupName('/aws/lambda/f'), '/logward/subscriptions/dead-letter//aws/lambda/f');
  const a = deadLetterGroupName(`${'x'.repeat(500)}a`);
  const b = deadLetterGroupName(`${'x'.repeat(500)}b`);
  assert.equal(a.length, 512);
  assert.notEqual(a, b);
  assert.match(a, /^\/logward\/subscriptions\/dead-letter\/x+#[0-9a-f]{16}$/);
});

test('a slow destination does not hold back another subscription of the same group', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const stuck = await recordingServer(() => ({ status: 503 }));
  const fine = await recordingServer();
  const h = await openHarness(dir);
  try {
    const g = await h.group('app');
    await h.subscribe(g, 'stuck', '', { kind: 'function', name: 'stuck', config: { url: stuck.url }, createdMs: Date.now() }, 'arn:aws:lambda:us-east-1:000000000000:function:stuck');
    await h.subscribe(g, 'fine', '', { kind: 'function', name: 'fine', config: { url: fine.url }, createdMs: Date.now() }, 'arn:aws:lambda:us-east-1:000000000000:function:fine');
    for (let k = 0; k < 5; k++) await h.put(g, 's1', [`e${k}`]);
    await waitFor('the healthy subscription to get everything', () => dataEvents(fine.requests.map((r) => r.body)).length >= 5);
    assert.deepEqual(dataEvents(fine.requests.map((r) => r.body)), ['e0', 'e1', 'e2', 'e3', 'e4']);
  } finally {
    await h.close();
    await stuck.close();
    await fine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('positions go to the checkpoint file, not the catalog, and a restart resumes from it; a filter created again under the same name ignores its predecessor\'s entry', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const peer = await recordingServer();
  const target = { kind: 'function' as const, name: 'hook', config: { url: peer.url }, createdMs: Date.now() };
  let h = await openHarness(dir);
  try {
    let g = await h.group('app');
    await h.subscribe(g, 'all', '', target, ARN);
    await h.put(g, 's1', ['a1', 'a2']);
    await waitFor('the first events', () => dataEvents(peer.requests.map((r) => r.body)).length >= 2);
    // The peer has them before the engine has read its answer: a close before that keeps them unacknowledged.
    await waitFor('the delivery acknowledged', () => h.engine.stats()[0]!.deliveredBatches >= 1);
    await h.close();
    const file = JSON.parse(readFileSync(join(dir, CHECKPOINT_FILE), 'utf8')) as { checkpoints: Array<{ filterName: string; nextSeq: number }> };
    assert.deepEqual(file.checkpoints.map((c) => [c.filterName, c.nextSeq]), [['all', 2]]);
    h = await openHarness(dir);
    const rows = await h.store.db.all(`SELECT next_seq FROM sub_checkpoints WHERE filter_name = 'all'`);
    assert.deepEqual(rows.map((r) => r.next_seq), [0], 'a delivery does not write the catalog database');
    g = h.store.catalog.groups.get('app')!;
    await h.put(g, 's1', ['b1']);
    await waitFor('the event after the restart', () => dataEvents(peer.requests.map((r) => r.body)).includes('b1'));
    assert.deepEqual(dataEvents(peer.requests.map((r) => r.body)), ['a1', 'a2', 'b1'], 'nothing delivered twice after a clean restart');

    // Deleted, an event, created again: the file still names `all` at 3, the new filter starts past it.
    await h.subs.deleteFilter(g.id, 'all');
    await h.engine.sync();
    await h.put(g, 's1', ['while unsubscribed']);
    await h.subscribe(g, 'all', '', target, ARN);
    await h.close();
    h = await openHarness(dir);
    g = h.store.catalog.groups.get('app')!;
    await h.put(g, 's1', ['c1']);
    await waitFor('the event for the new filter', () => dataEvents(peer.requests.map((r) => r.body)).includes('c1'));
    assert.deepEqual(dataEvents(peer.requests.map((r) => r.body)), ['a1', 'a2', 'b1', 'c1']);
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('events sealed out of the hot tier while the destination is down are delivered, in order, once it recovers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  let down = true;
  const peer = await recordingServer(() => ({ status: down ? 503 : 200 }));
  const h = await openHarness(dir, { walSealBytes: 2048 });
  try {
    const g = await h.group('app', ['s1', 's2']);
    await h.subscribe(g, 'all', '', { kind: 'function', name: 'hook', config: { url: peer.url }, createdMs: Date.now() }, ARN);
    const sent: string[] = [];
    for (let k = 0; k < 60; k++) {
      const batch = Array.from({ length: 5 }, (_, j) => `event ${k}.${j} ${'x'.repeat(60)}`);
      await h.put(g, k % 2 === 0 ? 's1' : 's2', batch);
      sent.push(...batch);
    }
    await waitFor('sealed segments', () => g.segments.length > 0);
    assert.ok(firstHotSeq(h) > 0, 'the first events left the hot tier');
    down = false;
    await waitFor('every event', () => dataEvents(peer.requests.map((r) => r.body)).length >= sent.length);
    const got = dataEvents(peer.requests.map((r) => r.body));
    assert.deepEqual([...new Set(got)].sort(), [...sent].sort());
    for (const stream of ['s1', 's2']) {
      const ofStream = peer.requests.map((r) => decodeAwslogs(r.body)).filter((m) => m.logStream === stream).flatMap((m) => m.logEvents.map((e) => e.message));
      assert.deepEqual([...new Set(ofStream)], sent.filter((_, i) => (Math.floor(i / 5) % 2 === 0) === (stream === 's1')), `in order in ${stream}`);
    }
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

const firstHotSeq = (h: Awaited<ReturnType<typeof openHarness>>): number => h.store.hot.batches(h.store.catalog.groups.get('app')!.id)[0]?.firstSeq ?? Infinity;

test('a batch carries up to 1 MiB per log stream (one message each), not 1 MiB in all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const peer = await recordingServer();
  const h = await openHarness(dir);
  try {
    const g = await h.group('app', ['a', 'b']);
    // Everything is visible before the filter's consumer starts, so it reads all of it at once.
    const start = h.engine.visibleThrough(g.id);
    const part = (stream: string, k: number): string[] => Array.from({ length: 40 }, (_, i) => `${stream}${k}-${i} ${'x'.repeat(10_000)}`);
    for (let k = 1; k <= 3; k++) for (const s of ['a', 'b']) await h.put(g, s, part(s, k));
    await h.subs.putTarget({ kind: 'function', name: 'hook', config: { url: peer.url }, createdMs: Date.now() });
    await h.subs.putFilter({ groupId: g.id, groupName: g.name, filterName: 'all', filterPattern: '', destinationArn: ARN, roleArn: null, distribution: 'ByLogStream', createdMs: Date.now() }, start);
    await h.engine.sync();
    await waitFor('every event', () => dataEvents(peer.requests.map((r) => r.body)).length >= 240);
    const data = peer.requests.map((r) => decodeAwslogs(r.body)).filter((m) => m.messageType === 'DATA_MESSAGE');
    for (const m of data) assert.ok(m.logEvents.reduce((n, e) => n + Buffer.byteLength(e.message) + 26, 0) <= 1024 * 1024, 'a message holds at most 1 MiB');
    for (const s of ['a', 'b']) {
      const expected = [1, 2, 3].flatMap((k) => part(s, k));
      assert.deepEqual(data.filter((m) => m.logStream === s).flatMap((m) => m.logEvents.map((e) => e.message)), expected);
    }
    // 1.6 MB in the first batch (two parts of each stream), the third parts in the second.
    assert.equal(data.length, 4);
    // The peer has every event before the engine has read its last answer: wait for the count, then check it.
    await waitFor('two batches acknowledged', () => h.engine.stats()[0]!.deliveredBatches >= 2);
    assert.equal(h.engine.stats()[0]!.deliveredBatches, 2);
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a batch carries up to 10,000 events per log stream (one message each), not 10,000 in all', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'subs-'));
  const peer = await recordingServer();
  const h = await openHarness(dir);
  try {
    const g = await h.group('app', ['a', 'b']);
    const start = h.engine.visibleThrough(g.id);
    const part = (stream: string, k: number): string[] => Array.from({ length: 4000 }, (_, i) => `${stream}${k}-${i}`);
    for (let k = 1; k <= 3; k++) for (const s of ['a', 'b']) await h.put(g, s, part(s, k));
    await h.subs.putTarget({ kind: 'function', name: 'hook', config: { url: peer.url }, createdMs: Date.now() });
    await h.subs.putFilter({ groupId: g.id, groupName: g.name, filterName: 'all', filterPattern: '', destinationArn: ARN, roleArn: null, distribution: 'ByLogStream', createdMs: Date.now() }, start);
    await h.engine.sync();
    await waitFor('every event', () => dataEvents(peer.requests.map((r) => r.body)).length >= 24_000);
    const data = peer.requests.map((r) => decodeAwslogs(r.body)).filter((m) => m.messageType === 'DATA_MESSAGE');
    for (const m of data) assert.ok(m.logEvents.length <= 10_000, 'a message holds at most 10,000 events');
    for (const s of ['a', 'b']) {
      const expected = [1, 2, 3].flatMap((k) => part(s, k));
      assert.deepEqual(data.filter((m) => m.logStream === s).flatMap((m) => m.logEvents.map((e) => e.message)), expected);
    }
    // 16,000 events in the first batch (two parts of each stream), the third parts in the second.
    assert.deepEqual(data.map((m) => m.logEvents.length), [8000, 8000, 4000, 4000]);
    // The peer has every event before the engine has read its last answer: wait for the count, then check it.
    await waitFor('two batches acknowledged', () => h.engine.stats()[0]!.deliveredBatches >= 2);
    assert.equal(h.engine.stats()[0]!.deliveredBatches, 2);
  } finally {
    await h.close();
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
