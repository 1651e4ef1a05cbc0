/**
 * The key-encryption keys a server uses: the local keyring (the default KEK, `local:<fingerprint>`) and,
 * for log groups given a KMS key (CreateLogGroup's kmsKeyId, AssociateKmsKey), AWS KMS, reached only
 * once such a key is used. A wrapped data key records its KEK id, so each unwraps where it was made.
 */
import { AwsKmsProvider, type AwsKmsOptions } from './aws-kms-provider.js';
import type { EncryptionContext, GeneratedDataKey, KeyProvider, ProviderDescription } from './key-provider.js';
import type { LocalKeyring } from './local-keyring.js';

export class KeyProviders implements KeyProvider {
  private kms: AwsKmsProvider | undefined;

  constructor(
    private readonly local: LocalKeyring,
    private readonly kmsOptions: Omit<AwsKmsOptions, 'defaultKeyId'>,
  ) {}

  generateDataKey(kekId: string, context: EncryptionContext, signal?: AbortSignal): Promise<GeneratedDataKey> {
    return this.pick(kekId).generateDataKey(kekId, context, signal);
  }

  decrypt(wrapped: Buffer, kekId: string, context: EncryptionContext, signal?: AbortSignal): Promise<Buffer> {
    return this.pick(kekId).decrypt(wrapped, kekId, context, signal);
  }

  describe(): ProviderDescription {
    return this.local.describe();
  }

  close(): void {
    this.kms?.close();
  }

  private pick(kekId: string): KeyProvider {
    if (kekId.startsWith('local:')) return this.local;
    return (this.kms ??= new AwsKmsProvider({ ...this.kmsOptions, defaultKeyId: kekId }));
  }
}
