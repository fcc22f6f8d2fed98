import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import type { EncryptionContext, Keyring, WrappedKey } from '../keyring.js';
import { KEY_LENGTH, NONCE_LENGTH, open, sealInto, TAG_LENGTH, writeRandomNonce } from '../lib/aead.js';
import { encodeEncryptionContext } from '../lib/encryption-context.js';
import { lengthPrefixed } from '../lib/length-prefixed.js';
import { configError, isPlainObject, isProductionEnvironment, onlyKnownKeys } from '../lib/options.js';
import { checkKek, generateKeyEntry, type LocalKek, readKeyFile, readKeyVariable } from './local-keys.js';

export type { LocalKek } from './local-keys.js';

export interface LocalKeyringOptions {
  /** The master keys, current first; or give `file` or `env` instead. */
  readonly keys?: readonly LocalKek[];
  /** A file of "id:base64url" entries, current first. */
  readonly file?: string;
  /** An environment variable holding "id:base64url" entries, current first. */
  readonly env?: string;
  /** Names this keyring: its id is "local:<name>" (default "main"). */
  readonly name?: string;
  /**
   * The local keyring keeps its master key beside the application, which is
   * what envelope encryption is meant to avoid; it refuses to start when
   * NODE_ENV=production unless this is true.
   */
  readonly allowInProduction?: boolean;
}

const WRAP_LABEL = Buffer.from('cipherlayer local wrap v1', 'ascii');
const KEK_LABEL = Buffer.from('cipherlayer local kek v1', 'ascii');
const WRAPPED_LENGTH = NONCE_LENGTH + KEY_LENGTH + TAG_LENGTH;

/**
 * A keyring whose KEKs are 32-byte master keys from a file, an environment
 * variable or memory: for development and tests (and production only by
 * explicit choice). Wrapping is AES-256-GCM under a key derived from the
 * master key, with the KEK id and the encryption context as associated data
 * (spec/records.md, "Local keyring").
 */
export class LocalKeyring implements Keyring {
  readonly id: string;
  readonly #keks = new Map<string, KeyObject>();
  readonly #current: string;

  constructor(options: LocalKeyringOptions) {
    if (!isPlainObject(options as unknown))
      throw configError('LocalKeyring needs options: { keys } or { file } or { env }');
    onlyKnownKeys('LocalKeyring', options, ['keys', 'file', 'env', 'name', 'allowInProduction']);
    if (isProductionEnvironment() && options.allowInProduction !== true)
      throw configError(
        'LocalKeyring refuses to run with NODE_ENV=production: its master key lives beside the application. ' +
          'Use a KMS, HSM or Vault keyring, or pass allowInProduction: true if you accept that',
      );
    const sources = (['keys', 'file', 'env'] as const).filter((s) => options[s] !== undefined);
    if (sources.length !== 1) throw configError('LocalKeyring takes exactly one of keys, file or env');
    const name = options.name ?? 'main';
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name))
      throw configError('LocalKeyring name: 1 to 64 letters, digits, ".", "_" or "-"');
    this.id = `local:${name}`;

    const keks =
      options.keys !== undefined
        ? options.keys
        : options.file !== undefined
          ? readKeyFile(options.file)
          : readKeyVariable(options.env as string);
    if (!Array.isArray(keks) || keks.length === 0)
      throw configError('LocalKeyring keys: give at least one { id, key }');
    for (const kek of keks) {
      checkKek('LocalKeyring', kek);
      if (this.#keks.has(kek.id)) throw configError(`LocalKeyring: the KEK id ${kek.id} appears twice`);
      // The master key only ever keys HKDF; what wraps is derived from it.
      const derived = Buffer.from(hkdfSync('sha256', kek.key, Buffer.alloc(0), KEK_LABEL, KEY_LENGTH));
      this.#keks.set(kek.id, createSecretKey(derived));
      derived.fill(0);
    }
    this.#current = (keks[0] as LocalKek).id;
  }

  /** A keyring from the variable (default CIPHERLAYER_MASTER_KEYS). */
  static fromEnvironment(
    variable = 'CIPHERLAYER_MASTER_KEYS',
    options: Omit<LocalKeyringOptions, 'keys' | 'file' | 'env'> = {},
  ): LocalKeyring {
    return new LocalKeyring({ ...options, env: variable });
  }

  static fromFile(
    path: string,
    options: Omit<LocalKeyringOptions, 'keys' | 'file' | 'env'> = {},
  ): LocalKeyring {
    return new LocalKeyring({ ...options, file: path });
  }

  /** "id:base64url" of 32 random bytes, for a key file or the environment variable. */
  static generateKeyEntry(id = 'k1'): string {
    return generateKeyEntry(id);
  }

  async currentKekId(): Promise<string> {
    return this.#current;
  }

  async wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<WrappedKey> {
    return this.#wrapWith(this.#current, dataKey, context);
  }

  async unwrap(wrapped: WrappedKey, context: EncryptionContext): Promise<Uint8Array> {
    if (wrapped.keyringId !== this.id)
      throw new CipherlayerError('ERR_UNKNOWN_KEY', {
        detail: `wrapped by keyring ${wrapped.keyringId}, not by ${this.id}`,
      });
    const kek = this.#keks.get(wrapped.kekId);
    if (kek === undefined)
      throw new CipherlayerError('ERR_UNKNOWN_KEY', {
        detail: `KEK ${wrapped.kekId} is not in keyring ${this.id}`,
      });
    const bytes = wrapped.ciphertext;
    if (bytes.length !== WRAPPED_LENGTH) throw new CipherlayerError('ERR_DECRYPT');
    const key = open(
      kek,
      bytes.subarray(0, NONCE_LENGTH),
      bytes.subarray(NONCE_LENGTH),
      this.#aad(wrapped.kekId, context),
    );
    return new Uint8Array(key.buffer, key.byteOffset, key.byteLength);
  }

  async rewrap(wrapped: WrappedKey, context: EncryptionContext): Promise<WrappedKey> {
    const key = await this.unwrap(wrapped, context);
    try {
      return this.#wrapWith(this.#current, key, context);
    } finally {
      key.fill(0);
    }
  }

  #wrapWith(kekId: string, dataKey: Uint8Array, context: EncryptionContext): WrappedKey {
    if (dataKey.length !== KEY_LENGTH)
      throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'a data key is 32 bytes' });
    const out = Buffer.allocUnsafe(WRAPPED_LENGTH);
    writeRandomNonce(out, 0);
    sealInto(
      this.#keks.get(kekId) as KeyObject,
      out.subarray(0, NONCE_LENGTH),
      dataKey,
      this.#aad(kekId, context),
      out,
      NONCE_LENGTH,
    );
    return { keyringId: this.id, kekId, ciphertext: new Uint8Array(out) };
  }

  #aad(kekId: string, context: EncryptionContext): Buffer {
    return Buffer.concat([WRAP_LABEL, lengthPrefixed([kekId]), encodeEncryptionContext(context)]);
  }
}
