/**
 * The root access key: configured, or generated once and kept in `<dataDir>/credentials.json`.
 *
 * The file holds a secret, so it is written with mode 0600 (atomically: temp file, fsync, rename) and
 * refused when group or others may read it, as ssh refuses a readable private key. Nothing here logs;
 * the caller prints a generated key once so the operator can configure clients.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  fsyncSync,
  fchmodSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

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
  writeFileAtomic(dataDir, CREDENTIALS_FILE, `${JSON.stringify(credentials, null, 2)}\n`);
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
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot open ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    // fstat on the open descriptor: the mode checked is the mode of the file read.
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error(`${path} is not a regular file`);
    if (process.platform !== 'win32' && (stat.mode & 0o077) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(3, '0');
      throw new Error(
        `${path} holds the root secret key but its permissions (${mode}) let other users read it; ` +
          `run \`chmod 600 ${path}\` and start again`,
      );
    }
    return parseCredentials(readFileSync(fd, 'utf8'), path);
  } finally {
    closeSync(fd);
  }
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

/** Either the whole file appears as `dir/name`, with mode 0600, or nothing does. */
function writeFileAtomic(dir: string, name: string, contents: string): void {
  const path = join(dir, name);
  const temp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    try {
      fchmodSync(fd, 0o600); // the umask may have cleared bits of 0600; make it exactly that
      const bytes = Buffer.from(contents, 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  syncDirectory(dir);
}

/** Makes the rename durable. Directories cannot be opened for fsync on Windows; there it is skipped. */
function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Secrets by access key id. Only the root key for now; IAM users will be added to the same map. */
export class CredentialStore {
  private readonly secrets = new Map<string, string>();

  constructor(root: Credentials) {
    this.secrets.set(root.accessKeyId, root.secretAccessKey);
  }

  /** An arrow property, so `store.lookupSecret` can be handed to verifySigV4 unbound. */
  readonly lookupSecret = (accessKeyId: string): string | undefined => this.secrets.get(accessKeyId);
}
