/**
 * Errors of the key service. Each names what failed in terms an operator can act on; none carries key
 * material, plaintext or a wrapped key in its message.
 */

/** The bytes are not a sealed object of a format this build reads (bad magic, unknown version, cut short). */
export class EnvelopeFormatError extends Error {
  override readonly name = 'EnvelopeFormatError';
}

/**
 * Authentication failed: the ciphertext, its header or its context (AAD) was changed, the data was sealed
 * for another place, or the key is not the one it was sealed with. GCM cannot tell these apart.
 */
export class DecryptionFailedError extends Error {
  override readonly name = 'DecryptionFailedError';
}

/**
 * Plaintext where an encrypted store keeps only sealed data: a file or value replaced on disk (or written
 * by a server run with --no-encryption). Read as it is, it would let anyone who can write the data dir
 * put forged events, indexes or values in front of queries; it is refused instead.
 */
export class UnsealedDataError extends Error {
  override readonly name = 'UnsealedDataError';
}

/** A chunked stream ended before its final chunk, or continued after it. */
export class TruncatedStreamError extends Error {
  override readonly name = 'TruncatedStreamError';
}

/** The group's keys were destroyed by shred(): its data is unrecoverable by design. */
export class KeyShreddedError extends Error {
  override readonly name = 'KeyShreddedError';
  constructor(
    readonly groupId: string,
    shreddedAt: string,
  ) {
    super(`the keys of log group ${JSON.stringify(groupId)} were shredded at ${shreddedAt}; its data cannot be decrypted`);
  }
}

/** No data key with this id and version is known: the key store is not the one the data was sealed with. */
export class KeyNotFoundError extends Error {
  override readonly name = 'KeyNotFoundError';
}

/** A master key file others may read, or a master key of the wrong size or encoding. */
export class InsecureKeyFileError extends Error {
  override readonly name = 'InsecureKeyFileError';
}

/** The key-encryption-key provider (local keyring or AWS KMS) refused or failed. */
export class KeyProviderError extends Error {
  override readonly name = 'KeyProviderError';
}
