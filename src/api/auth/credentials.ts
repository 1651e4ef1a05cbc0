/**
 * The root access key: configured, or generated once and kept in `<dataDir>/credentials.json`.
 *
 * The file holds a secret, so it is written with mode 0600 (atomically: temp file, fsync, rename) and
 * refused when group or others may read it, as ssh refuses a readable private key. Nothing here logs;
 * the caller prints a generated key once so the operator can configure clients.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readPrivateFile, writePrivateFileAtomic } from '../../kms/secure-file.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export const CREDENTIALS_FILE = 'credentials.json';

const KEY_ID_PREFIX = 'LKIA';
const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function loadRootCredentials(
  dataDir: string,
  configured?: Credentials,
): { credentials: Credentials; generated: boolean } {
  if (configured !== undefined) return { credentials: configured, generated: false };
  const path = join(dataDir, CREDENTIALS_FILE);
  const existing = readCredentialsFile(path);
  if (existing !== undefined) return { credentials: existing, generated: false };
  const credentials = generateCredentials();
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  writePrivateFileAtomic(path, Buffer.from(`${JSON.stringify(credentials, null, 2)}\n`, 'utf8'));
  return { credentials, generated: true };
}

/** `LKIA` + 16 of [A-Z0-9] (like AWS's `AKIA...`), and a 40-character base64 secret (240 random bits). */
export function generateCredentials(): Credentials {
  let suffix = '';
  while (suffix.length < 16) {
    for (const b of randomBytes(32)) {
      // 252 = 7 * 36: rejecting the top four byte values keeps every character equally likely.
      if (b < 252 && suffix.length < 16) suffix += KEY_ID_ALPHABET[b % 36];
    }
  }
  return { accessKeyId: KEY_ID_PREFIX + suffix, secretAccessKey: randomBytes(30).toString('base64') };
}

/** The stored credentials, or undefined when the file does not exist. */
function readCredentialsFile(path: string): Credentials | undefined {
  const bytes = readPrivateFile(path, 'the root secret key');
  return bytes === undefined ? undefined : parseCredentials(bytes.toString('utf8'), path);
}

function parseCredentials(text: string, path: string): Credentials {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`${path} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const { accessKeyId, secretAccessKey } = record;
  const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';
  if (!nonEmpty(accessKeyId) || !nonEmpty(secretAccessKey)) {
    throw new Error(`${path} must be {"accessKeyId": "...", "secretAccessKey": "..."} with non-empty strings`);
  }
  return { accessKeyId, secretAccessKey };
}

/** Access keys of IAM users (src/iam/user-store.ts), as the credential store needs them. */
export interface UserKeys {
  lookupKey(accessKeyId: string): { secret: string; status: 'Active' | 'Inactive'; user: { userName: string } } | undefined;
}

/** Who signed with an access key: the root (allowed everything) or an IAM user. */
export type KeyOwner = { kind: 'root' } | { kind: 'user'; userName: string };

/**
 * Secrets by access key id: the root key, then the keys of IAM users. An Inactive key has no secret
 * here, so the verifier refuses it exactly as it refuses an unknown key, as AWS does.
 */
export class CredentialStore {
  constructor(
    private readonly root: Credentials,
    private readonly users?: UserKeys,
  ) {}

  /** An arrow property, so `store.lookupSecret` can be handed to verifySigV4 unbound. */
  readonly lookupSecret = (accessKeyId: string): string | undefined => {
    if (accessKeyId === this.root.accessKeyId) return this.root.secretAccessKey;
    const key = this.users?.lookupKey(accessKeyId);
    return key?.status === 'Active' ? key.secret : undefined;
  };

  /** The owner of a key that verified; undefined for an unknown key. */
  ownerOf(accessKeyId: string): KeyOwner | undefined {
    if (accessKeyId === this.root.accessKeyId) return { kind: 'root' };
    const key = this.users?.lookupKey(accessKeyId);
    return key === undefined ? undefined : { kind: 'user', userName: key.user.userName };
  }
}
