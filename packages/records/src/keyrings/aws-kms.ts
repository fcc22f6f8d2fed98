import type { KMSClient } from '@aws-sdk/client-kms';
import { CipherlayerError } from '@cipherlayer/core';
import type { EncryptionContext, Keyring, WrappedKey } from '../keyring.js';
import { type KmsAction, kmsFailure } from './aws-kms/errors.js';
import {
  type AwsKmsKeyringOptions,
  keyArnPattern,
  type ResolvedAwsKmsOptions,
  resolveAwsKmsOptions,
} from './aws-kms/options.js';

export type { AwsKmsCredentials, AwsKmsKeyringOptions } from './aws-kms/options.js';

type KmsSdk = typeof import('@aws-sdk/client-kms');

interface Connection {
  readonly sdk: KmsSdk;
  readonly client: KMSClient;
}

/**
 * A keyring whose KEK is an AWS KMS key, through the official SDK:
 * Encrypt wraps, Decrypt unwraps, ReEncrypt re-wraps inside KMS (the data
 * key never comes back to this process on that path). The encryption
 * context goes with every call as KMS EncryptionContext, so KMS itself
 * refuses a wrapped key presented with another context, and logs the
 * context in CloudTrail.
 *
 * The kekId is the key ARN KMS reports. KMS rotates key material itself
 * under the same ARN (old material stays usable), so `rewrap` matters when
 * moving to another key: point `keyId` (or the alias) at the new key and
 * re-wrap; wrapped keys then carry the new ARN.
 */
export class AwsKmsKeyring implements Keyring {
  readonly id: string;
  readonly #options: ResolvedAwsKmsOptions;
  #connection: Promise<Connection> | undefined;
  #kekId: { readonly arn: string; readonly at: number } | undefined;
  #closed = false;

  constructor(options: AwsKmsKeyringOptions) {
    this.#options = resolveAwsKmsOptions(options);
    this.id = `aws-kms:${this.#options.keyId}`;
  }

  async currentKekId(): Promise<string> {
    const { keyArn, keyId, kekIdCacheMs } = this.#options;
    if (keyArn !== undefined) return keyArn;
    if (this.#kekId !== undefined && performance.now() - this.#kekId.at < kekIdCacheMs)
      return this.#kekId.arn;
    const out = await this.#send('DescribeKey', keyId, (sdk, client) =>
      client.send(new sdk.DescribeKeyCommand({ KeyId: keyId })),
    );
    return this.#remember(out.KeyMetadata?.Arn);
  }

  async wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<WrappedKey> {
    if (!(dataKey instanceof Uint8Array) || dataKey.length !== 32) {
      throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'a data key is 32 bytes' });
    }
    const { keyId } = this.#options;
    const out = await this.#send('Encrypt', keyId, (sdk, client) =>
      client.send(
        new sdk.EncryptCommand({ KeyId: keyId, Plaintext: dataKey, EncryptionContext: { ...context } }),
      ),
    );
    return this.#wrapped(out.KeyId, out.CiphertextBlob);
  }

  async unwrap(wrapped: WrappedKey, context: EncryptionContext): Promise<Uint8Array> {
    const kekId = this.#storedKekId(wrapped);
    // KeyId pinned to the stored ARN: KMS refuses a ciphertext made under any other key.
    const out = await this.#send('Decrypt', kekId, (sdk, client) =>
      client.send(
        new sdk.DecryptCommand({
          KeyId: kekId,
          CiphertextBlob: wrapped.ciphertext,
          EncryptionContext: { ...context },
        }),
      ),
    );
    if (out.Plaintext?.length !== 32) throw new CipherlayerError('ERR_INVALID_KEY', { detail: kekId });
    return out.Plaintext;
  }

  async rewrap(wrapped: WrappedKey, context: EncryptionContext): Promise<WrappedKey> {
    const kekId = this.#storedKekId(wrapped);
    const { keyId } = this.#options;
    const out = await this.#send('ReEncrypt', kekId, (sdk, client) =>
      client.send(
        new sdk.ReEncryptCommand({
          CiphertextBlob: wrapped.ciphertext,
          SourceKeyId: kekId,
          SourceEncryptionContext: { ...context },
          DestinationKeyId: keyId,
          DestinationEncryptionContext: { ...context },
        }),
      ),
    );
    return this.#wrapped(out.KeyId, out.CiphertextBlob);
  }

  /** Closes the SDK client's connections; later calls fail with ERR_STORE_UNAVAILABLE. */
  async close(): Promise<void> {
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection !== undefined) (await connection.catch(() => undefined))?.client.destroy();
  }

  #storedKekId(wrapped: WrappedKey): string {
    // Anything but a KMS key ARN was not made by this kind of keyring.
    if (typeof wrapped.kekId !== 'string' || !keyArnPattern.test(wrapped.kekId)) {
      throw new CipherlayerError('ERR_UNKNOWN_KEY', { detail: String(wrapped.kekId) });
    }
    if (!(wrapped.ciphertext instanceof Uint8Array)) throw new CipherlayerError('ERR_DECRYPT');
    return wrapped.kekId;
  }

  #wrapped(keyArn: string | undefined, ciphertext: Uint8Array | undefined): WrappedKey {
    if (ciphertext === undefined)
      throw new CipherlayerError('ERR_INTERNAL', { detail: 'KMS returned no ciphertext' });
    return { keyringId: this.id, kekId: this.#remember(keyArn), ciphertext };
  }

  #remember(keyArn: string | undefined): string {
    if (keyArn === undefined || !keyArnPattern.test(keyArn)) {
      throw new CipherlayerError('ERR_INTERNAL', { detail: 'KMS returned no key ARN' });
    }
    this.#kekId = { arn: keyArn, at: performance.now() };
    return keyArn;
  }

  async #send<T>(
    action: KmsAction,
    key: string,
    call: (sdk: KmsSdk, client: KMSClient) => Promise<T>,
  ): Promise<T> {
    if (this.#closed)
      throw new CipherlayerError('ERR_STORE_UNAVAILABLE', { detail: 'the keyring was closed' });
    try {
      const { sdk, client } = await this.#connect();
      return await call(sdk, client);
    } catch (cause) {
      throw kmsFailure(cause, action, key);
    }
  }

  /** The SDK is an optional peer dependency, loaded on first use. */
  #connect(): Promise<Connection> {
    this.#connection ??= import('@aws-sdk/client-kms').then(
      (sdk) => {
        const o = this.#options;
        const client = new sdk.KMSClient({
          region: o.region,
          maxAttempts: o.maxAttempts,
          requestHandler: {
            connectionTimeout: o.connectTimeoutMs,
            requestTimeout: o.timeoutMs,
            throwOnRequestTimeout: true,
          },
          ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
          ...(o.credentials === undefined ? {} : { credentials: o.credentials }),
        });
        return { sdk, client };
      },
      (cause: unknown) => {
        this.#connection = undefined;
        throw new CipherlayerError('ERR_CONFIG', {
          detail:
            'AwsKmsKeyring needs the optional dependency @aws-sdk/client-kms (npm install @aws-sdk/client-kms)',
          cause,
        });
      },
    );
    return this.#connection;
  }
}
