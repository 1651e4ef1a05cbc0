/**
 * IAM users, their access keys and inline policies, kept in `<dir>/users.json` (mode 0600, replaced
 * atomically on every change).
 *
 * Secret access keys are never written in plaintext: each is sealed (AES-256-GCM under a data key of the
 * key service, see src/kms) with the access key id as additional data, so a sealed secret copied to
 * another key id does not open. At open, every secret is unsealed into memory once: the SigV4 verifier
 * needs them synchronously, on every request.
 *
 * Errors are IamError with IAM's error codes and wordings (as real IAM and moto word them); the HTTP
 * layer turns them into IAM Query protocol errors. Mutations are serialised, and each is durable on disk
 * before its promise resolves; a failed write leaves memory as it was.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { readPrivateFile, writePrivateFileAtomic } from '../kms/secure-file.js';
import { parsePolicy, PolicyError, type Policy } from './policy.js';

export const USERS_FILE = 'users.json';
/** "Access keys per IAM user: 2" (IAM quotas). */
export const MAX_ACCESS_KEYS_PER_USER = 2;
/** Inline policies of one user may total 2,048 characters, whitespace not counted (IAM quotas). */
export const MAX_USER_POLICY_CHARS = 2048;

export type KeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  accessKeyId: string;
  status: KeyStatus;
  /** ISO 8601, seconds precision, as IAM gives it. */
  createDate: string;
  /** base64 of the sealed secret. */
  sealedSecret: string;
}

export interface UserRecord {
  userName: string;
  userId: string;
  path: string;
  createDate: string;
  accessKeys: AccessKeyRecord[];
  /** Policy name → document text as given. */
  policies: Record<string, string>;
}

/** Seals and opens secrets; bound to the key service in server wiring, to a fake in tests. */
export interface SecretSealer {
  seal(plaintext: Buffer, aad: string): Promise<Buffer>;
  open(sealed: Buffer, aad: string): Promise<Buffer>;
}

export type IamErrorCode = 'NoSuchEntity' | 'EntityAlreadyExists' | 'DeleteConflict' | 'LimitExceeded' | 'MalformedPolicyDocument';

export class IamError extends Error {
  override readonly name = 'IamError';
  constructor(
    readonly code: IamErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** IAM's wordings. */
export const IAM_MESSAGES = {
  noUser: (name: string) => `The user with name ${name} cannot be found.`,
  userExists: (name: string) => `User with name ${name} already exists.`,
  noKey: (id: string) => `The Access Key with id ${id} cannot be found.`,
  noPolicy: (policy: string) => `The user policy with name ${policy} cannot be found.`,
  keyQuota: `Cannot exceed quota for AccessKeysPerUser: ${MAX_ACCESS_KEYS_PER_USER}`,
  policySize: (name: string) => `Maximum policy size of ${MAX_USER_POLICY_CHARS} bytes exceeded for user ${name}`,
  deleteKeysFirst: 'Cannot delete entity, must delete access keys first.',
  deletePoliciesFirst: 'Cannot delete entity, must delete policies first.',
} as const;

interface FileState {
  version: 1;
  users: UserRecord[];
}

export interface KeyLookup {
  secret: string;
  status: KeyStatus;
  user: UserRecord;
}

export class UserStore {
  private readonly users = new Map<string, UserRecord>();
  /** Plaintext secrets by access key id: memory only. */
  private readonly secrets = new Map<string, string>();
  private readonly parsed = new Map<string, Policy[]>();
  /** Access key id → user name: every signed request looks its key up. */
  private readonly owners = new Map<string, string>();
  private mutating: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly path: string,
    private readonly sealer: SecretSealer,
    private readonly clock: Clock,
  ) {}

  static async open(dir: string, sealer: SecretSealer, clock: Clock): Promise<UserStore> {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const store = new UserStore(join(dir, USERS_FILE), sealer, clock);
    const bytes = readPrivateFile(store.path, 'sealed IAM access keys');
    if (bytes !== undefined) {
      const state = JSON.parse(bytes.toString('utf8')) as FileState;
      if (state.version !== 1 || !Array.isArray(state.users)) throw new Error(`${store.path}: unknown format`);
      for (const u of state.users) {
        store.users.set(u.userName, u);
        for (const k of u.accessKeys) store.owners.set(k.accessKeyId, u.userName);
        for (const k of u.accessKeys) {
          const plain = await sealer.open(Buffer.from(k.sealedSecret, 'base64'), k.accessKeyId);
          store.secrets.set(k.accessKeyId, plain.toString('utf8'));
        }
      }
    }
    return store;
  }

  /** The key's secret, status and owner; undefined when no user has it. */
  lookupKey(accessKeyId: string): KeyLookup | undefined {
    const secret = this.secrets.get(accessKeyId);
    const name = this.owners.get(accessKeyId);
    const user = name === undefined ? undefined : this.users.get(name);
    const key = user?.accessKeys.find((k) => k.accessKeyId === accessKeyId);
    return secret === undefined || user === undefined || key === undefined ? undefined : { secret, status: key.status, user };
  }

  getUser(name: string): UserRecord {
    const u = this.users.get(name);
    if (u === undefined) throw new IamError('NoSuchEntity', IAM_MESSAGES.noUser(name));
    return u;
  }

  listUsers(): UserRecord[] {
    return [...this.users.values()].sort((a, b) => (a.userName.toLowerCase() < b.userName.toLowerCase() ? -1 : 1));
  }

  /** The user's inline policies, parsed (they were validated when put). */
  policiesOf(name: string): readonly Policy[] {
    let p = this.parsed.get(name);
    if (p === undefined) {
      const u = this.users.get(name);
      p = u === undefined ? [] : Object.values(u.policies).map((d) => parsePolicy(d));
      this.parsed.set(name, p);
    }
    return p;
  }

  createUser(name: string): Promise<UserRecord> {
    return this.mutate(() => {
      // IAM user names are unique case-insensitively.
      for (const u of this.users.keys()) if (u.toLowerCase() === name.toLowerCase()) throw new IamError('EntityAlreadyExists', IAM_MESSAGES.userExists(name));
      const user: UserRecord = { userName: name, userId: `AIDA${randomId(17)}`, path: '/', createDate: this.now(), accessKeys: [], policies: {} };
      return { apply: (m) => m.set(name, user), result: user };
    });
  }

  deleteUser(name: string): Promise<void> {
    return this.mutate(() => {
      const u = this.getUser(name);
      if (u.accessKeys.length > 0) throw new IamError('DeleteConflict', IAM_MESSAGES.deleteKeysFirst);
      if (Object.keys(u.policies).length > 0) throw new IamError('DeleteConflict', IAM_MESSAGES.deletePoliciesFirst);
      return { apply: (m) => m.delete(name), result: undefined };
    });
  }

  async createAccessKey(name: string): Promise<{ key: AccessKeyRecord; secret: string }> {
    const accessKeyId = `LKIA${randomId(16)}`;
    const secret = randomBytes(30).toString('base64');
    const sealed = await this.sealer.seal(Buffer.from(secret, 'utf8'), accessKeyId);
    return this.mutate(() => {
      const u = this.getUser(name);
      if (u.accessKeys.length >= MAX_ACCESS_KEYS_PER_USER) throw new IamError('LimitExceeded', IAM_MESSAGES.keyQuota);
      const key: AccessKeyRecord = { accessKeyId, status: 'Active', createDate: this.now(), sealedSecret: sealed.toString('base64') };
      return {
        apply: (m) => m.set(name, { ...u, accessKeys: [...u.accessKeys, key] }),
        after: () => this.secrets.set(accessKeyId, secret),
        result: { key, secret },
      };
    });
  }

  /** The user named, or else the owner of the key (IAM's default is the caller; see the API layer). */
  private keyOwner(name: string, accessKeyId: string): { user: UserRecord; index: number } {
    const user = this.getUser(name);
    const index = user.accessKeys.findIndex((k) => k.accessKeyId === accessKeyId);
    if (index < 0) throw new IamError('NoSuchEntity', IAM_MESSAGES.noKey(accessKeyId));
    return { user, index };
  }

  updateAccessKey(name: string, accessKeyId: string, status: KeyStatus): Promise<void> {
    return this.mutate(() => {
      const { user, index } = this.keyOwner(name, accessKeyId);
      const keys = user.accessKeys.map((k, i) => (i === index ? { ...k, status } : k));
      return { apply: (m) => m.set(name, { ...user, accessKeys: keys }), result: undefined };
    });
  }

  deleteAccessKey(name: string, accessKeyId: string): Promise<void> {
    return this.mutate(() => {
      const { user, index } = this.keyOwner(name, accessKeyId);
      const keys = user.accessKeys.filter((_, i) => i !== index);
      return { apply: (m) => m.set(name, { ...user, accessKeys: keys }), after: () => this.secrets.delete(accessKeyId), result: undefined };
    });
  }

  /** The owner of an access key, for calls that name the key but not the user. */
  ownerOfKey(accessKeyId: string): string | undefined {
    return this.lookupKey(accessKeyId)?.user.userName;
  }

  putUserPolicy(name: string, policyName: string, document: string): Promise<void> {
    return this.mutate(() => {
      const u = this.getUser(name);
      try {
        parsePolicy(document);
      } catch (e) {
        if (e instanceof PolicyError) throw new IamError('MalformedPolicyDocument', e.awsMessage, { cause: e });
        throw e;
      }
      const policies = { ...u.policies, [policyName]: document };
      const size = Object.values(policies).reduce((n, d) => n + d.replace(/\s/g, '').length, 0);
      if (size > MAX_USER_POLICY_CHARS) throw new IamError('LimitExceeded', IAM_MESSAGES.policySize(name));
      return { apply: (m) => m.set(name, { ...u, policies }), result: undefined };
    });
  }

  getUserPolicy(name: string, policyName: string): string {
    const doc = this.getUser(name).policies[policyName];
    if (doc === undefined) throw new IamError('NoSuchEntity', IAM_MESSAGES.noPolicy(policyName));
    return doc;
  }

  deleteUserPolicy(name: string, policyName: string): Promise<void> {
    return this.mutate(() => {
      const u = this.getUser(name);
      if (!Object.hasOwn(u.policies, policyName)) throw new IamError('NoSuchEntity', IAM_MESSAGES.noPolicy(policyName));
      const { [policyName]: _gone, ...policies } = u.policies;
      return { apply: (m) => m.set(name, { ...u, policies }), result: undefined };
    });
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }

  /**
   * Runs `plan` (which checks and describes a change) after every earlier change, writes the changed
   * state durably, and only then applies it in memory.
   */
  private mutate<T>(plan: () => { apply: (m: Map<string, UserRecord>) => void; after?: () => void; result: T }): Promise<T> {
    const run = this.mutating.then(() => {
      const step = plan();
      const next = new Map(this.users);
      step.apply(next);
      const state: FileState = { version: 1, users: [...next.values()] };
      writePrivateFileAtomic(this.path, Buffer.from(`${JSON.stringify(state, null, 2)}\n`, 'utf8'));
      this.users.clear();
      this.owners.clear();
      for (const [k, v] of next) {
        this.users.set(k, v);
        for (const key of v.accessKeys) this.owners.set(key.accessKeyId, k);
      }
      this.parsed.clear();
      step.after?.();
      return step.result;
    });
    this.mutating = run.catch(() => undefined);
    return run;
  }
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `n` characters of [A-Z0-9], each equally likely (252 = 7 * 36). */
function randomId(n: number): string {
  let out = '';
  while (out.length < n) for (const b of randomBytes(32)) if (b < 252 && out.length < n) out += ID_ALPHABET[b % 36];
  return out;
}
