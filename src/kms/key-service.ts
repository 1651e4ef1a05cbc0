/**
 * The key service: per-log-group data keys, wrapped by a key-encryption key from a KeyProvider and kept in the
 * key store file; plaintext data keys live only in this process's memory (cached, zeroed on shred and close).
 * Data is sealed under the group's current key version; rotate() adds a version for new data while old versions
 * still open; shred() destroys a group's wrapped keys durably, after which nothing sealed for it opens again.
 * Every seal binds the group id into the additional data, in front of the caller's context.
 *
 * Threat model: an attacker with the disk (data dir, object store, backups) but not the master key or KMS
 * access. They CANNOT read any sealed plaintext or data key (data keys are stored only wrapped under the master
 * key); cannot change, cut, reorder or forge a sealed object or chunk, or move one to another log group, object
 * kind, path or stream position, without open() failing; and cannot recover a shredded group from the current
 * disk even if they obtain the master key later, because the key store is rewritten without its wrapped keys
 * (fsync, rename). They CAN see metadata: log group names, key ids, versions and rotation and shred times
 * (keys.json is authenticated per key but not secret), object sizes and chunk counts; they can delete or corrupt
 * data (denial of service; deleting keys.json shreds every group), and roll an object back to an older sealed copy
 * of the same place, which the envelope alone does not detect (the catalog must record which object is current).
 * Shredding does not reach copies made before it (backups or snapshots of keys.json, blocks the file system or SSD
 * has not reused yet): combined with the master key, such a copy still decrypts; destroying or rotating the master
 * key (or the KMS key) closes that gap. An attacker who holds the master key or KMS Decrypt rights and the disk
 * reads every group not yet shredded. Memory, swap and core dumps of the running process are out of scope.
 *
 * One process owns a data dir's key store: the state is read at open and written through this object only.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import {
  context as encodeParts,
  open as openSealed,
  openChunks as openSealedChunks,
  readHeader,
  seal as sealWith,
  sealChunks as sealWithChunks,
  type DataKey,
  type KeyRef,
} from './envelope.js';
import { KeyNotFoundError, KeyShreddedError } from './errors.js';
import type { EncryptionContext, KeyProvider } from './key-provider.js';
import { KEY_STORE_FILE, loadKeyStore, saveKeyStore, type GroupKeys, type KeyStoreState } from './key-store.js';

export interface KeyServiceOptions {
  dataDir: string;
  provider: KeyProvider;
  /** The KEK for new keys; defaults to the provider's. */
  kekId?: string;
  clock?: Clock;
}

export interface GroupKeyDescription {
  keyId: string;
  current: number;
  versions: { version: number; kekId: string; createdAt: string }[];
}

export class KeyService {
  private state: KeyStoreState;
  private readonly path: string;
  private readonly clock: Clock;
  private readonly cache = new Map<string, DataKey>();
  private readonly loading = new Map<string, Promise<DataKey>>();
  /** Serialises changes to the key store (create, rotate, shred): each rewrites the whole file. */
  private mutating: Promise<unknown> = Promise.resolve();

  private constructor(private readonly options: KeyServiceOptions) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    this.path = join(options.dataDir, KEY_STORE_FILE);
    this.clock = options.clock ?? systemClock;
    this.state = loadKeyStore(this.path);
  }

  static open(options: KeyServiceOptions): KeyService {
    return new KeyService(options);
  }

  /** The group's current data key, created (and persisted wrapped, under `kekId` if given) on first use. */
  async currentKey(groupId: string, signal?: AbortSignal, kekId?: string): Promise<DataKey> {
    let group = this.state.groups[groupId];
    if (group === undefined) {
      await this.mutate(async () => {
        if (this.state.groups[groupId] !== undefined) return;
        const keyId = `k-${randomBytes(12).toString('hex')}`;
        await this.addVersion(groupId, keyId, 1, signal, kekId);
      });
      group = this.state.groups[groupId];
      if (group === undefined) {
        throw new KeyNotFoundError(`log group ${JSON.stringify(groupId)} was shredded while its key was created`);
      }
    }
    return this.keyFor(groupId, { keyId: group.keyId, version: group.current }, signal);
  }

  /** A data key of the group by id and version (as read from a sealed header). */
  async keyFor(groupId: string, ref: KeyRef, signal?: AbortSignal): Promise<DataKey> {
    const name = cacheName(ref);
    const record = this.lookup(groupId, ref);
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    let pending = this.loading.get(name);
    if (pending === undefined) {
      pending = (async () => {
        const plaintext = await this.options.provider.decrypt(
          Buffer.from(record.wrapped, 'base64'),
          record.kekId,
          wrapContext(groupId, ref),
          signal,
        );
        const key: DataKey = { keyId: ref.keyId, version: ref.version, key: plaintext };
        // A shred may have run while KMS answered: never cache or hand out a key that is gone.
        this.lookup(groupId, ref);
        this.cache.set(name, key);
        return key;
      })();
      this.loading.set(name, pending);
      pending.then(
        () => this.loading.delete(name),
        () => this.loading.delete(name),
      );
    }
    return pending;
  }

  /** Seals `plaintext` for `groupId` under its current key; `aad` says where it belongs (see envelope.context). */
  async seal(groupId: string, plaintext: Uint8Array, aad: Uint8Array, signal?: AbortSignal): Promise<Buffer> {
    return sealWith(plaintext, await this.currentKey(groupId, signal), groupAad(groupId, aad));
  }

  async open(groupId: string, sealed: Uint8Array, aad: Uint8Array, signal?: AbortSignal): Promise<Buffer> {
    const key = await this.keyFor(groupId, readHeader(sealed), signal);
    return openSealed(sealed, key, groupAad(groupId, aad));
  }

  async *sealChunks(
    groupId: string,
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    aad: Uint8Array,
    chunkSize?: number,
  ): AsyncGenerator<Buffer> {
    yield* sealWithChunks(source, await this.currentKey(groupId), groupAad(groupId, aad), chunkSize);
  }

  openChunks(groupId: string, source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, aad: Uint8Array): AsyncGenerator<Buffer> {
    return openSealedChunks(source, (ref) => this.keyFor(groupId, ref), groupAad(groupId, aad));
  }

  /**
   * Adds a key version for new data, wrapped under `kekId` (else the default KEK); older versions keep
   * opening what they sealed. Returns the new current key.
   */
  async rotate(groupId: string, signal?: AbortSignal, kekId?: string): Promise<KeyRef> {
    await this.currentKey(groupId, signal, kekId); // a group rotated before its first write gets version 1 first
    return this.mutate(async () => {
      const group = this.state.groups[groupId]!;
      const version = Math.max(...group.versions.map((v) => v.version)) + 1;
      await this.addVersion(groupId, group.keyId, version, signal, kekId);
      return { keyId: group.keyId, version };
    });
  }

  /**
   * Crypto-shredding: removes every wrapped key of the group from the key store (whole-file rewrite, fsync,
   * rename, directory fsync) and zeroes the cached plaintext keys. When it resolves, the removal is durable and
   * every open() of the group's data fails with KeyShreddedError. A later seal() for the same group name starts
   * a new key id, which opens only data sealed after the shred. Shredding an unknown group is a no-op.
   */
  async shred(groupId: string): Promise<void> {
    await this.mutate(async () => {
      const group = this.state.groups[groupId];
      if (group === undefined) return;
      const { [groupId]: _removed, ...groups } = this.state.groups;
      const next: KeyStoreState = {
        ...this.state,
        groups,
        shredded: { ...this.state.shredded, [group.keyId]: { groupId, at: new Date(this.clock.now()).toISOString() } },
      };
      saveKeyStore(this.path, next);
      this.state = next;
      for (const v of group.versions) this.forget({ keyId: group.keyId, version: v.version });
    });
  }

  /** The KEK new keys are wrapped by when none is chosen. */
  get defaultKekId(): string {
    return this.options.kekId ?? this.options.provider.describe().defaultKekId;
  }

  /** The group's key versions (newest last) and which is current; undefined when it has none. */
  describe(groupId: string): GroupKeyDescription | undefined {
    const group = this.state.groups[groupId];
    if (group === undefined) return undefined;
    return {
      keyId: group.keyId,
      current: group.current,
      versions: group.versions.map(({ version, kekId, createdAt }) => ({ version, kekId, createdAt })),
    };
  }

  /** Zeroes and drops every cached plaintext key. The service stays usable (keys are unwrapped again). */
  close(): void {
    for (const key of this.cache.values()) key.key.fill(0);
    this.cache.clear();
  }

  private lookup(groupId: string, ref: KeyRef): GroupKeys['versions'][number] {
    const tombstone = this.state.shredded[ref.keyId];
    if (tombstone !== undefined && tombstone.groupId === groupId) throw new KeyShreddedError(groupId, tombstone.at);
    const group = this.state.groups[groupId];
    const record = group?.keyId === ref.keyId ? group.versions.find((v) => v.version === ref.version) : undefined;
    if (record === undefined) {
      throw new KeyNotFoundError(
        `log group ${JSON.stringify(groupId)} has no data key ${ref.keyId} version ${ref.version} in ${this.path}`,
      );
    }
    return record;
  }

  private async addVersion(groupId: string, keyId: string, version: number, signal?: AbortSignal, chosenKek?: string): Promise<void> {
    const kekId = chosenKek ?? this.options.kekId ?? this.options.provider.describe().defaultKekId;
    const ref = { keyId, version };
    const generated = await this.options.provider.generateDataKey(kekId, wrapContext(groupId, ref), signal);
    const previous = this.state.groups[groupId];
    const group: GroupKeys = {
      keyId,
      current: version,
      versions: [
        ...(previous?.versions ?? []),
        { version, kekId, wrapped: generated.wrapped.toString('base64'), createdAt: new Date(this.clock.now()).toISOString() },
      ],
    };
    const next: KeyStoreState = { ...this.state, groups: { ...this.state.groups, [groupId]: group } };
    saveKeyStore(this.path, next); // durable before the key seals anything
    this.state = next;
    this.cache.set(cacheName(ref), { ...ref, key: generated.plaintext });
  }

  private forget(ref: KeyRef): void {
    const name = cacheName(ref);
    this.cache.get(name)?.key.fill(0);
    this.cache.delete(name);
  }

  private mutate<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.mutating.then(fn);
    this.mutating = run.catch(() => undefined);
    return run;
  }
}

function cacheName(ref: KeyRef): string {
  return `${ref.keyId}\0${ref.version}`;
}

/** What a wrapped key is bound to: a wrapped key copied to another group or version does not unwrap. */
function wrapContext(groupId: string, ref: KeyRef): EncryptionContext {
  return { 'logward:log-group': groupId, 'logward:key-id': ref.keyId, 'logward:key-version': String(ref.version) };
}

function groupAad(groupId: string, aad: Uint8Array): Buffer {
  return Buffer.concat([encodeParts('logward:log-group', groupId), aad]);
}
