/**
 * The key-encryption-key (KEK) seam: a provider makes fresh data keys and unwraps them; the master key never
 * leaves it. Two implementations: local-keyring.ts (default) and aws-kms-provider.ts.
 *
 * Contract: `wrapped` is opaque, safe to store on disk, and decryptable only by the same provider (same master
 * key or KMS key) with the same encryption context; the context is authenticated, not secret.
 */

/** Authenticated, non-secret key/value pairs bound to a wrapped key (KMS EncryptionContext). */
export type EncryptionContext = Readonly<Record<string, string>>;

export interface GeneratedDataKey {
  /** 32 random bytes; the caller owns it and should zero it when done. */
  plaintext: Buffer;
  wrapped: Buffer;
}

export interface ProviderDescription {
  kind: 'local' | 'aws-kms';
  /** The KEK used when none is chosen for a log group. */
  defaultKekId: string;
  /** Where the KEK lives, for operators (a file path, "environment", or a KMS endpoint and region). */
  location: string;
}

export interface KeyProvider {
  generateDataKey(kekId: string, context: EncryptionContext, signal?: AbortSignal): Promise<GeneratedDataKey>;
  decrypt(wrapped: Buffer, kekId: string, context: EncryptionContext, signal?: AbortSignal): Promise<Buffer>;
  describe(): ProviderDescription;
}

/** Canonical bytes of a context: pairs sorted by key, every string length-prefixed. */
export function encodeContext(context: EncryptionContext): Buffer {
  const parts: Buffer[] = [];
  for (const k of Object.keys(context).sort()) {
    for (const s of [k, context[k]!]) {
      const bytes = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(bytes.length);
      parts.push(len, bytes);
    }
  }
  return Buffer.concat(parts);
}
