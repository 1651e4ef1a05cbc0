import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CredentialStore, generateCredentials, loadRootCredentials } from './credentials.js';

const root = mkdtempSync(join(tmpdir(), 'logward-credentials-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(root, `case-${++n}`, 'data');

const posix = process.platform !== 'win32';

describe('loadRootCredentials', () => {
  it('generates AWS-looking keys into a new data dir, in a 0600 file', () => {
    const dir = freshDir();
    const { credentials, generated } = loadRootCredentials(dir);
    assert.equal(generated, true);
    assert.match(credentials.accessKeyId, /^LKIA[A-Z0-9]{16}$/);
    assert.match(credentials.secretAccessKey, /^[A-Za-z0-9+/]{40}$/);
    const file = join(dir, 'credentials.json');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), credentials);
    if (posix) assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['credentials.json'], 'no temporary file left behind');
  });

  it('returns the same keys on the next start', () => {
    const dir = freshDir();
    const first = loadRootCredentials(dir);
    const second = loadRootCredentials(dir);
    assert.equal(second.generated, false);
    assert.deepEqual(second.credentials, first.credentials);
  });

  it('refuses a file that group or others can read, naming the fix', { skip: !posix }, () => {
    const dir = freshDir();
    loadRootCredentials(dir);
    const file = join(dir, 'credentials.json');
    for (const mode of [0o644, 0o640, 0o604]) {
      chmodSync(file, mode);
      assert.throws(() => loadRootCredentials(dir), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.ok(err.message.includes(`chmod 600 ${file}`), err.message);
        assert.ok(err.message.includes(mode.toString(8)), err.message);
        return true;
      });
    }
    chmodSync(file, 0o400);
    assert.equal(loadRootCredentials(dir).generated, false);
  });

  it('uses configured credentials over the file, and writes nothing', () => {
    const configured = { accessKeyId: 'AKIACONFIGURED000001', secretAccessKey: 'configured-secret-configured-secret-0000' };
    const dir = freshDir();
    loadRootCredentials(dir);
    assert.deepEqual(loadRootCredentials(dir, configured), { credentials: configured, generated: false });
    const empty = freshDir();
    assert.deepEqual(loadRootCredentials(empty, configured), { credentials: configured, generated: false });
    assert.throws(() => statSync(empty), /ENOENT/);
  });

  it('reads a file written by hand, and rejects a malformed one', () => {
    const dir = mkdtempSync(join(root, 'hand-'));
    const file = join(dir, 'credentials.json');
    writeFileSync(file, '{"accessKeyId":"AKIAHAND","secretAccessKey":"s3cret"}', { mode: 0o600 });
    assert.deepEqual(loadRootCredentials(dir).credentials, { accessKeyId: 'AKIAHAND', secretAccessKey: 's3cret' });
    writeFileSync(file, '{"accessKeyId":"AKIAHAND"}', { mode: 0o600 });
    assert.throws(() => loadRootCredentials(dir), /must be \{"accessKeyId"/);
    writeFileSync(file, 'not json', { mode: 0o600 });
    assert.throws(() => loadRootCredentials(dir), /is not valid JSON/);
  });

  it('generates different keys each time', () => {
    const ids = new Set(Array.from({ length: 50 }, () => generateCredentials().accessKeyId));
    assert.equal(ids.size, 50);
  });
});

describe('CredentialStore', () => {
  it('finds the root secret by access key id, even when lookupSecret is passed unbound', () => {
    const store = new CredentialStore({ accessKeyId: 'LKIAROOT', secretAccessKey: 'root-secret' });
    const { lookupSecret } = store;
    assert.equal(lookupSecret('LKIAROOT'), 'root-secret');
    assert.equal(lookupSecret('LKIAOTHER'), undefined);
    assert.equal(lookupSecret('constructor'), undefined);
  });
});
