import { CipherlayerError } from '@cipherlayer/core';
import type { EncryptionContext, Keyring, WrappedKey } from '../keyring.js';
import { encodeEncryptionContext } from '../lib/encryption-context.js';
import { lengthPrefixed } from '../lib/length-prefixed.js';
import { responseFailure, transportFailure, type VaultOperation } from './vault/errors.js';
import { type VaultBody, VaultHttp } from './vault/http.js';
import {
  type ResolvedVaultOptions,
  resolveVaultOptions,
  type VaultTransitKeyringOptions,
} from './vault/options.js';

export type { VaultContextBinding, VaultTlsOptions, VaultTransitKeyringOptions } from './vault/options.js';

interface KeySettings {
  readonly latestVersion: number;
  readonly at: number;
}

/** `vault:v<n>:<base64>`: what transit returns and what is stored as the wrapped bytes (UTF-8). */
const ciphertextPattern = /^vault:v([1-9][0-9]{0,8}):[A-Za-z0-9+/]+={0,2}$/;
const aeadTypes = new Set(['aes128-gcm96', 'aes256-gcm96', 'chacha20-poly1305']);

/**
 * A keyring whose KEK is a HashiCorp Vault transit key, over Vault's HTTP
 * API (no SDK). Wraps with `transit/encrypt`, unwraps with
 * `transit/decrypt`, re-wraps with `transit/rewrap` (derived keys) so the
 * data key stays in Vault. Key versions come from the `vault:vN:` prefix and
 * are part of the kekId (`<mount>/<key>:vN`); `transit/keys/<key>/rotate`
 * stays the operator's action.
 *
 * The token needs `update` on `<mount>/encrypt|decrypt|rewrap/<key>` and
 * `read` on `<mount>/keys/<key>`: the keyring reads the key's settings to
 * refuse a key that would silently ignore the context (Vault drops `context`
 * for a key that is not derived, and an old Vault drops `associated_data`).
 */
export class VaultTransitKeyring implements Keyring {
  readonly id: string;
  readonly #options: ResolvedVaultOptions;
  readonly #http: VaultHttp;
  readonly #keyPath: string;
  #settings: KeySettings | undefined;
  #reading: Promise<KeySettings> | undefined;
  #closed = false;

  constructor(options: VaultTransitKeyringOptions) {
    this.#options = resolveVaultOptions(options);
    const { namespace, mount, keyName } = this.#options;
    this.#keyPath = `${mount}/${keyName}`;
    this.id = `vault:${namespace === undefined ? '' : `${namespace.replace(/\/$/, '')}/`}${this.#keyPath}`;
    this.#http = new VaultHttp(this.#options);
  }

  async currentKekId(): Promise<string> {
    return this.#kekId((await this.#keySettings()).latestVersion);
  }

  async wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<WrappedKey> {
    if (!(dataKey instanceof Uint8Array) || dataKey.length !== 32) {
      throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'a data key is 32 bytes' });
    }
    await this.#keySettings();
    const body = await this.#post('encrypt', this.#keyPath, {
      // A view, not a copy: no stray copy of the data key is left in Buffer's shared pool.
      plaintext: Buffer.from(dataKey.buffer, dataKey.byteOffset, dataKey.byteLength).toString('base64'),
      ...this.#binding(context),
    });
    return this.#wrapped(body, 'encrypt');
  }

  async unwrap(wrapped: WrappedKey, context: EncryptionContext): Promise<Uint8Array> {
    const ciphertext = this.#storedCiphertext(wrapped);
    await this.#keySettings();
    const body = await this.#post('decrypt', wrapped.kekId, { ciphertext, ...this.#binding(context) });
    const plaintext = body.data?.plaintext;
    const decoded = typeof plaintext === 'string' ? Buffer.from(plaintext, 'base64') : undefined;
    if (decoded?.length !== 32) throw new CipherlayerError('ERR_INVALID_KEY', { detail: wrapped.kekId });
    // Decoded bytes may sit in Buffer's shared pool: hand out a copy of its own and wipe the pooled one.
    const dataKey = Uint8Array.from(decoded);
    decoded.fill(0);
    return dataKey;
  }

  async rewrap(wrapped: WrappedKey, context: EncryptionContext): Promise<WrappedKey> {
    if (this.#options.contextBinding === 'associated-data') {
      // transit/rewrap takes no associated_data (hashicorp/vault#29532): decrypt and encrypt instead.
      const dataKey = await this.unwrap(wrapped, context);
      try {
        return await this.wrap(dataKey, context);
      } finally {
        dataKey.fill(0);
      }
    }
    const ciphertext = this.#storedCiphertext(wrapped);
    await this.#keySettings();
    const body = await this.#post('rewrap', wrapped.kekId, { ciphertext, ...this.#binding(context) });
    return this.#wrapped(body, 'rewrap');
  }

  /** Closes kept-alive connections; later calls fail with ERR_STORE_UNAVAILABLE. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#http.close();
  }

  #kekId(version: number): string {
    return `${this.#keyPath}:v${version}`;
  }

  #binding(context: EncryptionContext): Record<string, string> {
    // The package's canonical context bytes after a label: never empty, as derived keys require.
    const encoded = Buffer.concat([
      lengthPrefixed(['cipherlayer/vault/v1']),
      encodeEncryptionContext(context),
    ]).toString('base64');
    return this.#options.contextBinding === 'derived' ? { context: encoded } : { associated_data: encoded };
  }

  /** The stored `vault:vN:…` string, after checking it names this key and the same version as its kekId. */
  #storedCiphertext(wrapped: WrappedKey): string {
    const prefix = `${this.#keyPath}:v`;
    if (typeof wrapped.kekId !== 'string' || !wrapped.kekId.startsWith(prefix)) {
      throw new CipherlayerError('ERR_UNKNOWN_KEY', { detail: String(wrapped.kekId) });
    }
    if (!(wrapped.ciphertext instanceof Uint8Array)) throw new CipherlayerError('ERR_DECRYPT');
    const ciphertext = Buffer.from(wrapped.ciphertext).toString('utf8');
    const version = ciphertextPattern.exec(ciphertext)?.[1];
    if (version === undefined || this.#kekId(Number(version)) !== wrapped.kekId) {
      throw new CipherlayerError('ERR_DECRYPT');
    }
    return ciphertext;
  }

  #wrapped(body: VaultBody, operation: VaultOperation): WrappedKey {
    const ciphertext = body.data?.ciphertext;
    const version = typeof ciphertext === 'string' ? ciphertextPattern.exec(ciphertext)?.[1] : undefined;
    if (typeof ciphertext !== 'string' || version === undefined) {
      throw new CipherlayerError('ERR_INTERNAL', { detail: `Vault ${operation} returned no ciphertext` });
    }
    const latest = Number(version);
    if (this.#settings !== undefined && latest > this.#settings.latestVersion) {
      this.#settings = { ...this.#settings, latestVersion: latest };
    }
    return {
      keyringId: this.id,
      kekId: this.#kekId(latest),
      ciphertext: new Uint8Array(Buffer.from(ciphertext, 'utf8')),
    };
  }

  /** Reads (at most once per kekIdCacheMs, one read at a time) the key's latest version, and checks it binds the context. */
  #keySettings(): Promise<KeySettings> {
    const cached = this.#settings;
    if (cached !== undefined && performance.now() - cached.at < this.#options.kekIdCacheMs) {
      return Promise.resolve(cached);
    }
    this.#reading ??= this.#readKey().finally(() => {
      this.#reading = undefined;
    });
    return this.#reading;
  }

  async #readKey(): Promise<KeySettings> {
    const { mount, keyName, contextBinding } = this.#options;
    const path = `${mount}/keys/${keyName}`;
    const data = (await this.#request('GET', 'read key', path, this.#keyPath)).data ?? {};
    const latestVersion = data.latest_version;
    if (typeof latestVersion !== 'number' || !Number.isInteger(latestVersion) || latestVersion < 1) {
      throw new CipherlayerError('ERR_INTERNAL', {
        detail: `Vault returned no latest_version for ${this.#keyPath}`,
      });
    }
    const refuse = (detail: string) =>
      new CipherlayerError('ERR_CONFIG', {
        detail: `VaultTransitKeyring: transit key ${this.#keyPath} ${detail}`,
      });
    if (data.supports_encryption === false)
      throw refuse('does not support encryption; use an aes256-gcm96 key');
    if (contextBinding === 'derived' && data.derived !== true) {
      throw refuse(
        'is not derived, so Vault would ignore the context; create it with derived=true or set contextBinding: "associated-data"',
      );
    }
    if (contextBinding === 'associated-data') {
      if (data.derived === true) throw refuse('is derived; set contextBinding: "derived"');
      if (typeof data.type !== 'string' || !aeadTypes.has(data.type)) {
        throw refuse(
          `has type ${String(data.type)}; associated data needs aes128-gcm96, aes256-gcm96 or chacha20-poly1305`,
        );
      }
    }
    this.#settings = { latestVersion, at: performance.now() };
    return this.#settings;
  }

  async #post(
    operation: VaultOperation,
    kekId: string,
    payload: Record<string, unknown>,
  ): Promise<VaultBody> {
    const body = await this.#request(
      'POST',
      operation,
      `${this.#options.mount}/${operation}/${this.#options.keyName}`,
      kekId,
      payload,
    );
    // Vault ignores parameters it does not know and says so only in a warning: an old Vault would drop the context.
    if (
      (body.warnings ?? []).some(
        (warning) => /ignored/i.test(warning) && /associated_data|context/.test(warning),
      )
    ) {
      throw new CipherlayerError('ERR_CONFIG', {
        detail: `VaultTransitKeyring: this Vault ignored the context parameter on ${operation}; upgrade Vault or set contextBinding: "derived"`,
      });
    }
    return body;
  }

  async #request(
    method: 'GET' | 'POST',
    operation: VaultOperation,
    path: string,
    kekId: string,
    payload?: Record<string, unknown>,
  ): Promise<VaultBody> {
    if (this.#closed)
      throw new CipherlayerError('ERR_STORE_UNAVAILABLE', { detail: 'the keyring was closed' });
    let response: Awaited<ReturnType<VaultHttp['request']>>;
    try {
      response = await this.#http.request(method, path, payload);
    } catch (cause) {
      throw transportFailure(cause, this.#options.address.origin);
    }
    if (response.status !== 200) throw responseFailure(response, operation, path, kekId);
    return response.body;
  }
}
