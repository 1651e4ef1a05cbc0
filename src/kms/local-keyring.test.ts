import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { InsecureKeyFileError, KeyProviderError } from './errors.js';
import { LocalKeyring } from './local-keyring.js';

const dir = mkdtempSync(join(tmpdir(), 'logward-keyring-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ctx = { 'logward:log-group': 'g', 'logward:key-id': 'k-1', 'logward:key-version': '1' };

describe('LocalKeyring', () => {
  it('generates the master key file with mode 0600 on first use and reuses it', async () => {
    const path = join(dir, 'sub', 'master.key');
    const first = LocalKeyring.load({ file: path });
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.match(readFileSync(path, 'latin1'), /^[A-Za-z0-9+/]{43}=\n$/);
    const again = LocalKeyring.load({ file: path });
    assert.equal(again.kekId, first.kekId);
    const { plaintext, wrapped } = await first.generateDataKey(first.kekId, ctx);
    assert.equal(plaintext.length, 32);
    assert.ok(!wrapped.includes(plaintext));
    assert.deepEqual(await again.decrypt(wrapped, again.kekId, ctx), plaintext);
  });

  it('refuses a master key file that group or others may access', () => {
    const path = join(dir, 'open.key');
    writeFileSync(path, `${LocalKeyring.generateSecret()}\n`, { mode: 0o600 });
    for (const mode of [0o644, 0o640, 0o604, 0o660, 0o601]) {
      chmodSync(path, mode);
      assert.throws(() => LocalKeyring.load({ file: path }), (err: unknown) => {
        assert.ok(err instanceof InsecureKeyFileError);
        assert.match(err.message, /chmod 600/);
        return true;
      });
    }
    chmodSync(path, 0o400);
    LocalKeyring.load({ file: path });
  });

  it('takes the master key from a secret, and refuses a malformed one', async () => {
    const secret = LocalKeyring.generateSecret();
    const a = LocalKeyring.load({ secret, label: 'LOGWARD_MASTER_KEY' });
    const b = LocalKeyring.load({ secret: ` ${secret}\n` });
    assert.equal(a.kekId, b.kekId);
    assert.equal(a.describe().location, 'LOGWARD_MASTER_KEY');
    assert.throws(() => LocalKeyring.load({ secret: 'short' }), /256-bit master key/);
    assert.throws(() => LocalKeyring.load({ secret: Buffer.alloc(31).toString('base64') }), InsecureKeyFileError);
  });

  it('unwraps only with the same master key and context', async () => {
    const a = LocalKeyring.load({ secret: LocalKeyring.generateSecret() });
    const b = LocalKeyring.load({ secret: LocalKeyring.generateSecret() });
    const { wrapped } = await a.generateDataKey(a.kekId, ctx);
    await assert.rejects(b.decrypt(wrapped, b.kekId, ctx), /wrapped by master key local:[0-9a-f]{16}/);
    await assert.rejects(a.decrypt(wrapped, a.kekId, { ...ctx, 'logward:log-group': 'h' }), KeyProviderError);
    await assert.rejects(a.decrypt(wrapped, b.kekId, ctx), /holds local:/);
    for (let i = 0; i < wrapped.length; i++) {
      const bad = Buffer.from(wrapped);
      bad[i]! ^= 0x80;
      await assert.rejects(a.decrypt(bad, a.kekId, ctx), KeyProviderError);
    }
  });
});
