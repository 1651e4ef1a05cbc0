import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { FakeClock } from '../clock.js';
import { context, readHeader } from './envelope.js';
import { DecryptionFailedError, KeyNotFoundError, KeyShreddedError } from './errors.js';
import { KeyService } from './key-service.js';
import { KEY_STORE_FILE } from './key-store.js';
import { LocalKeyring } from './local-keyring.js';

const root = mkdtempSync(join(tmpdir(), 'logward-keyservice-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

function setup(): { dataDir: string; start: () => KeyService; clock: FakeClock } {
  const dataDir = join(root, `d${n++}`);
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const masterFile = join(dataDir, 'master.key');
  return { dataDir, clock, start: () => KeyService.open({ dataDir, provider: LocalKeyring.load({ file: masterFile }), clock }) };
}

async function collect(gen: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const b of gen) out.push(b);
  return Buffer.concat(out);
}

const where = context('segment', '2026/01/01/000001.seg');

describe('KeyService', () => {
  it('round-trips per group, and a sealed object does not open in another group', async () => {
    const { start } = setup();
    const ks = start();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('app/web', 'app/db', '/aws/lambda/x'), fc.uint8Array({ maxLength: 2000 }), async (group, plain) => {
        const sealed = await ks.seal(group, plain, where);
        assert.deepEqual(await ks.open(group, sealed, where), Buffer.from(plain));
      }),
      { numRuns: 60 },
    );
    const sealed = await ks.seal('app/web', Buffer.from('only for web'), where);
    await assert.rejects(ks.open('app/db', sealed, where), KeyNotFoundError);
    await assert.rejects(ks.open('app/web', sealed, context('segment', 'other.seg')), DecryptionFailedError);
  });

  it('keeps only wrapped keys in a 0600 key store', async () => {
    const { dataDir, start } = setup();
    const ks = start();
    const key = await ks.currentKey('g');
    const file = join(dataDir, KEY_STORE_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const raw = readFileSync(file);
    assert.ok(!raw.includes(key.key) && !raw.includes(key.key.toString('base64')) && !raw.includes(key.key.toString('hex')));
    assert.deepEqual(readdirSync(dataDir).sort(), [KEY_STORE_FILE, 'master.key']); // no temp files left
  });

  it('rotates: new data under the new version, old versions still open, across a restart', async () => {
    const { start, clock } = setup();
    const ks = start();
    const v1 = await ks.seal('g', Buffer.from('before rotation'), where);
    clock.advance(1000);
    const ref = await ks.rotate('g');
    assert.equal(ref.version, 2);
    const v2 = await ks.seal('g', Buffer.from('after rotation'), where);
    assert.equal(readHeader(v1).version, 1);
    assert.equal(readHeader(v2).version, 2);
    assert.equal(readHeader(v2).keyId, readHeader(v1).keyId);
    await ks.rotate('g');
    const restarted = start();
    assert.equal((await restarted.open('g', v1, where)).toString(), 'before rotation');
    assert.equal((await restarted.open('g', v2, where)).toString(), 'after rotation');
    assert.equal(readHeader(await restarted.seal('g', Buffer.from('x'), where)).version, 3);
    assert.deepEqual(
      restarted.describe('g')?.versions.map((v) => [v.version, v.createdAt]),
      [
        [1, '2026-01-01T00:00:00.000Z'],
        [2, '2026-01-01T00:00:01.000Z'],
        [3, '2026-01-01T00:00:01.000Z'],
      ],
    );
  });

  it('a group rotated before its first write starts at version 2', async () => {
    const { start } = setup();
    const ks = start();
    assert.equal((await ks.rotate('fresh')).version, 2);
    assert.equal(ks.describe('fresh')?.current, 2);
  });

  it('creates one key when many writers race on a new group', async () => {
    const { start } = setup();
    const ks = start();
    const keys = await Promise.all(Array.from({ length: 20 }, () => ks.currentKey('busy')));
    assert.equal(new Set(keys.map((k) => `${k.keyId}@${k.version}`)).size, 1);
    assert.equal(ks.describe('busy')?.versions.length, 1);
  });

  it('shreds durably: the wrapped keys leave the file and nothing of the group opens, before or after a restart', async () => {
    const { dataDir, start, clock } = setup();
    const ks = start();
    const a1 = await ks.seal('victim', Buffer.from('personal data v1'), where);
    await ks.rotate('victim');
    const a2 = await ks.seal('victim', Buffer.from('personal data v2'), where);
    const stream = await collect(ks.sealChunks('victim', [Buffer.from('chunked personal data')], where, 4));
    const keep = await ks.seal('bystander', Buffer.from('unrelated'), where);
    const file = join(dataDir, KEY_STORE_FILE);
    const wrapped = JSON.parse(readFileSync(file, 'utf8')).groups.victim.versions.map((v: { wrapped: string }) => v.wrapped) as string[];
    assert.equal(wrapped.length, 2);
    const held = await ks.currentKey('victim');

    clock.set(Date.UTC(2026, 1, 2));
    await ks.shred('victim');

    const raw = readFileSync(file, 'utf8');
    for (const w of wrapped) assert.ok(!raw.includes(w), 'a wrapped key of the shredded group is still in the key store');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.ok(held.key.every((b) => b === 0), 'the cached plaintext key was not zeroed');
    for (const service of [ks, start()]) {
      for (const sealed of [a1, a2]) {
        await assert.rejects(service.open('victim', sealed, where), (err: unknown) => {
          assert.ok(err instanceof KeyShreddedError);
          assert.equal(
            err.message,
            'the keys of log group "victim" were shredded at 2026-02-02T00:00:00.000Z; its data cannot be decrypted',
          );
          return true;
        });
      }
      await assert.rejects(collect(service.openChunks('victim', [stream], where)), KeyShreddedError);
      assert.equal((await service.open('bystander', keep, where)).toString(), 'unrelated');
    }
    // The name can be used again; new data gets a new key id, the old data stays shredded.
    const fresh = await ks.seal('victim', Buffer.from('new life'), where);
    assert.notEqual(readHeader(fresh).keyId, readHeader(a1).keyId);
    const restarted = start();
    assert.equal((await restarted.open('victim', fresh, where)).toString(), 'new life');
    await assert.rejects(restarted.open('victim', a1, where), KeyShreddedError);
  });

  it('a stream being sealed when its group is shredded stops instead of sealing under a destroyed key', async () => {
    const { start } = setup();
    const ks = start();
    async function* source(): AsyncGenerator<Buffer> {
      yield Buffer.from('first part ');
      await ks.shred('g');
      yield Buffer.from('second part that must not be sealed');
    }
    await assert.rejects(collect(ks.sealChunks('g', source(), where, 4)), /was destroyed/);
  });

  it('refuses a key store others may read, and one that names an unknown master key', async () => {
    const { dataDir, start } = setup();
    const ks = start();
    const sealed = await ks.seal('g', Buffer.from('x'), where);
    const { chmodSync } = await import('node:fs');
    chmodSync(join(dataDir, KEY_STORE_FILE), 0o644);
    assert.throws(() => start(), /chmod 600/);
    chmodSync(join(dataDir, KEY_STORE_FILE), 0o600);
    const other = KeyService.open({ dataDir, provider: LocalKeyring.load({ secret: LocalKeyring.generateSecret() }) });
    await assert.rejects(other.open('g', sealed, where), /holds local:[0-9a-f]+, not local:/);
  });
});
