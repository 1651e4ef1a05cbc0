/**
 * The default key-encryption key: one 256-bit master key, from a file with mode 0600 (generated on first use)
 * or from a secret the configuration passes in (for example an environment variable; only the config module
 * reads process.env). Data keys are wrapped with AES-256-GCM under the master key.
 *
 * Wrapped key, format 1: "LWK" 0x01 | master fingerprint (8) | nonce (12) | tag (16) | ciphertext (32).
 * The GCM additional data is the first 12 bytes followed by the canonical encryption context, so a wrapped key
 * unwraps only for the group, key id and version it was made for.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { InsecureKeyFileError, KeyProviderError } from './errors.js';
import {
  encodeContext,
  type EncryptionContext,
  type GeneratedDataKey,
  type KeyProvider,
  type ProviderDescription,
} from './key-provider.js';
import { createPrivateFileExclusive, readPrivateFile } from './secure-file.js';

/** The environment variable the configuration should map to `secret` (documented here, read by config). */
export const MASTER_KEY_ENV = 'LOGWARD_MASTER_KEY';

const MAGIC = Buffer.from('LWK\x01', 'latin1');
const FINGERPRINT_BYTES = 8;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const WRAPPED_BYTES = MAGIC.length + FINGERPRINT_BYTES + NONCE_BYTES + TAG_BYTES + KEY_BYTES;

export type MasterKeySource = { file: string } | { secret: string; label?: string };

export class LocalKeyring implements KeyProvider {
  private readonly fingerprint: Buffer;
  readonly kekId: string;

  private constructor(
    private readonly master: Buffer,
    private readonly location: string,
  ) {
    // A public fingerprint: tells which master key wrapped a key without revealing anything about it.
    this.fingerprint = createHash('sha256')
      .update('logward master key fingerprint\0')
      .update(master)
      .digest()
      .subarray(0, FINGERPRINT_BYTES);
    this.kekId = `local:${this.fingerprint.toString('hex')}`;
  }

  /** Loads the master key (creating the file with a fresh key when it does not exist). */
  static load(source: MasterKeySource): LocalKeyring {
    if ('secret' in source) {
      const label = source.label ?? 'secret';
      return new LocalKeyring(parseMasterKey(source.secret, `the master key ${label}`), label);
    }
    const path = source.file;
    let bytes = readPrivateFile(path);
    if (bytes === undefined) {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      createPrivateFileExclusive(path, Buffer.from(`${randomBytes(KEY_BYTES).toString('base64')}\n`, 'latin1'));
      bytes = readPrivateFile(path); // another process may have won the race: use what is on disk
      if (bytes === undefined) throw new Error(`${path} vanished right after it was created`);
    }
    return new LocalKeyring(parseMasterKey(bytes.toString('latin1'), path), path);
  }

  /** A fresh master key in the encoding load() accepts (base64 of 32 random bytes). */
  static generateSecret(): string {
    return randomBytes(KEY_BYTES).toString('base64');
  }

  async generateDataKey(kekId: string, context: EncryptionContext): Promise<GeneratedDataKey> {
    this.checkKek(kekId);
    const plaintext = randomBytes(KEY_BYTES);
    const head = Buffer.concat([MAGIC, this.fingerprint, randomBytes(NONCE_BYTES)]);
    const cipher = createCipheriv('aes-256-gcm', this.master, head.subarray(MAGIC.length + FINGERPRINT_BYTES), {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.concat([head, encodeContext(context)]));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { plaintext, wrapped: Buffer.concat([head, cipher.getAuthTag(), body]) };
  }

  async decrypt(wrapped: Buffer, kekId: string, context: EncryptionContext): Promise<Buffer> {
    this.checkKek(kekId);
    if (wrapped.length !== WRAPPED_BYTES || !wrapped.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new KeyProviderError('not a data key wrapped by the local keyring (format 1)');
    }
    const fingerprint = wrapped.subarray(MAGIC.length, MAGIC.length + FINGERPRINT_BYTES);
    if (!fingerprint.equals(this.fingerprint)) {
      throw new KeyProviderError(
        `data key was wrapped by master key local:${fingerprint.toString('hex')}, but the loaded master key is ${this.kekId}`,
      );
    }
    const nonceEnd = MAGIC.length + FINGERPRINT_BYTES + NONCE_BYTES;
    const decipher = createDecipheriv('aes-256-gcm', this.master, wrapped.subarray(MAGIC.length + FINGERPRINT_BYTES, nonceEnd), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(Buffer.concat([wrapped.subarray(0, nonceEnd), encodeContext(context)]));
    decipher.setAuthTag(wrapped.subarray(nonceEnd, nonceEnd + TAG_BYTES));
    const body = decipher.update(wrapped.subarray(nonceEnd + TAG_BYTES));
    try {
      return Buffer.concat([body, decipher.final()]);
    } catch (err) {
      body.fill(0);
      throw new KeyProviderError('wrapped data key failed authentication (altered, or wrapped for another context)', {
        cause: err,
      });
    }
  }

  describe(): ProviderDescription {
    return { kind: 'local', defaultKekId: this.kekId, location: this.location };
  }

  private checkKek(kekId: string): void {
    if (kekId !== this.kekId) throw new KeyProviderError(`the local keyring holds ${this.kekId}, not ${kekId}`);
  }
}

function parseMasterKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = /^[A-Za-z0-9+/]{43}=$/.test(trimmed) ? Buffer.from(trimmed, 'base64') : undefined;
  if (key === undefined || key.length !== KEY_BYTES) {
    throw new InsecureKeyFileError(`${where} must hold a 256-bit master key in base64 (44 characters)`);
  }
  return key;
}
