/**
 * Key-encryption keys held by AWS KMS (or anything that speaks its API, such as moto_server in tests): data keys
 * come from GenerateDataKey (AES_256) and are unwrapped by Decrypt. The KMS key never leaves KMS; the wrapped
 * key is KMS's CiphertextBlob, bound to the encryption context.
 */
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { KeyProviderError } from './errors.js';
import type { EncryptionContext, GeneratedDataKey, KeyProvider, ProviderDescription } from './key-provider.js';

export interface AwsKmsOptions {
  /** KMS key id, ARN or alias used when a log group names none. */
  defaultKeyId: string;
  region: string;
  /** Endpoint override (a private KMS endpoint, or moto_server in tests). */
  endpoint?: string;
  /** Static credentials; otherwise the SDK's default chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A client to use instead of one built from the options (the caller then owns and destroys it). */
  client?: KMSClient;
}

export class AwsKmsProvider implements KeyProvider {
  private readonly client: KMSClient;
  private readonly ownsClient: boolean;

  constructor(private readonly options: AwsKmsOptions) {
    this.ownsClient = options.client === undefined;
    this.client =
      options.client ??
      new KMSClient({
        region: options.region,
        ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
        ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
      });
  }

  async generateDataKey(kekId: string, context: EncryptionContext, signal?: AbortSignal): Promise<GeneratedDataKey> {
    let out;
    try {
      out = await this.client.send(
        new GenerateDataKeyCommand({ KeyId: kekId, KeySpec: 'AES_256', EncryptionContext: { ...context } }),
        signal !== undefined ? { abortSignal: signal } : {},
      );
    } catch (err) {
      throw new KeyProviderError(`KMS GenerateDataKey with key ${kekId} failed: ${(err as Error).message}`, { cause: err });
    }
    if (out.Plaintext === undefined || out.CiphertextBlob === undefined || out.Plaintext.length !== 32) {
      throw new KeyProviderError(`KMS GenerateDataKey with key ${kekId} returned no 256-bit data key`);
    }
    return { plaintext: Buffer.from(out.Plaintext), wrapped: Buffer.from(out.CiphertextBlob) };
  }

  async decrypt(wrapped: Buffer, kekId: string, context: EncryptionContext, signal?: AbortSignal): Promise<Buffer> {
    let out;
    try {
      out = await this.client.send(
        new DecryptCommand({ CiphertextBlob: wrapped, KeyId: kekId, EncryptionContext: { ...context } }),
        signal !== undefined ? { abortSignal: signal } : {},
      );
    } catch (err) {
      throw new KeyProviderError(`KMS Decrypt with key ${kekId} failed: ${(err as Error).message}`, { cause: err });
    }
    if (out.Plaintext === undefined || out.Plaintext.length !== 32) {
      throw new KeyProviderError(`KMS Decrypt with key ${kekId} returned no 256-bit data key`);
    }
    return Buffer.from(out.Plaintext);
  }

  describe(): ProviderDescription {
    const where = this.options.endpoint ?? `AWS KMS ${this.options.region}`;
    return { kind: 'aws-kms', defaultKekId: this.options.defaultKeyId, location: `${where} (${this.options.region})` };
  }

  /** Closes the HTTP connections of a client this provider built. */
  close(): void {
    if (this.ownsClient) this.client.destroy();
  }
}
