import { CipherlayerError } from '@cipherlayer/core';
import type { EncryptionContext, Keyring, WrappedKey } from '../keyring.js';
import { openFailure, sealFailure } from './pkcs11/errors.js';
import { KekVersions, kekIdOf } from './pkcs11/kek-versions.js';
import { type Pkcs11KeyringOptions, resolvePkcs11Options } from './pkcs11/options.js';
import { associatedData, open, seal } from './pkcs11/sealing.js';
import type { SessionPoolStats } from './pkcs11/session-pool.js';
import { openToken, type Pkcs11Token, selectMechanism } from './pkcs11/token.js';

export type { Pkcs11KeyringOptions, Pkcs11Mechanism } from './pkcs11/options.js';
export type { SessionPoolStats as Pkcs11SessionStats } from './pkcs11/session-pool.js';

/**
 * A keyring whose KEKs live in a PKCS#11 token (an HSM, or SoftHSM2) and
 * never leave it: they are generated in the token as sensitive,
 * non-extractable AES-256 keys, and every wrap and unwrap runs inside it.
 *
 * KEK versions are separate keys sharing one CKA_LABEL, told apart by CKA_ID
 * `v1`, `v2`, …; `rotate()` generates the next one, new wraps use it, older
 * versions still unwrap, and `rewrap` moves a wrapped key to the current
 * version. Operations share a pool of sessions, one operation per session.
 */
export class Pkcs11Keyring implements Keyring {
  readonly id: string;
  /** The sealing mechanism in use, chosen when the keyring opened. */
  readonly mechanism: 'aes-gcm' | 'aes-key-wrap-pad';
  readonly #token: Pkcs11Token;
  readonly #keks: KekVersions;
  readonly #keyLabel: string;
  #closing: Promise<void> | undefined;

  private constructor(
    token: Pkcs11Token,
    id: string,
    keyLabel: string,
    keks: KekVersions,
    mechanism: 'aes-gcm' | 'aes-key-wrap-pad',
  ) {
    this.#token = token;
    this.id = id;
    this.#keyLabel = keyLabel;
    this.#keks = keks;
    this.mechanism = mechanism;
  }

  /**
   * Checks the options, loads the library, logs into the token, opens the
   * session pool and finds (or creates) the KEK. Configuration mistakes,
   * including a wrong PIN, fail here with ERR_CONFIG.
   */
  static async open(options: Pkcs11KeyringOptions): Promise<Pkcs11Keyring> {
    const resolved = resolvePkcs11Options(options);
    const token = await openToken(resolved);
    try {
      const mechanism = selectMechanism(token, resolved.mechanism);
      const keks = new KekVersions(token, {
        keyLabel: resolved.keyLabel,
        mechanism,
        refreshMs: resolved.refreshMs,
      });
      await keks.load(resolved.createKey);
      const id = `pkcs11:${resolved.tokenLabel}/${resolved.keyLabel}`;
      return new Pkcs11Keyring(token, id, resolved.keyLabel, keks, mechanism);
    } catch (error) {
      await token.close();
      throw error;
    }
  }

  async currentKekId(): Promise<string> {
    this.#assertOpen();
    return kekIdOf(this.#keyLabel, (await this.#keks.current()).version);
  }

  async wrap(dataKey: Uint8Array, context: EncryptionContext): Promise<WrappedKey> {
    this.#assertOpen();
    if (!(dataKey instanceof Uint8Array) || dataKey.length !== 32) {
      throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'a data key is 32 bytes' });
    }
    const kek = await this.#keks.current();
    const kekId = kekIdOf(this.#keyLabel, kek.version);
    const aad = associatedData(kekId, context);
    try {
      const ciphertext = await this.#token.pool.use((session) =>
        seal(this.#token, this.mechanism, session, kek.handle, dataKey, aad),
      );
      return { keyringId: this.id, kekId, ciphertext };
    } catch (cause) {
      const error = sealFailure(cause, kekId);
      if (error.code === 'ERR_UNKNOWN_KEY') this.#keks.forget(kek.version);
      throw error;
    }
  }

  async unwrap(wrapped: WrappedKey, context: EncryptionContext): Promise<Uint8Array> {
    this.#assertOpen();
    const version = this.#versionOf(wrapped.kekId);
    const handle = version === undefined ? undefined : await this.#keks.find(version);
    if (version === undefined || handle === undefined) {
      throw new CipherlayerError('ERR_UNKNOWN_KEY', { detail: String(wrapped.kekId) });
    }
    if (!(wrapped.ciphertext instanceof Uint8Array)) throw new CipherlayerError('ERR_DECRYPT');
    const aad = associatedData(wrapped.kekId, context);
    try {
      return await this.#token.pool.use((session) =>
        open(this.#token, session, handle, wrapped.ciphertext, aad),
      );
    } catch (cause) {
      const error = openFailure(cause, wrapped.kekId);
      if (error.code === 'ERR_UNKNOWN_KEY') this.#keks.forget(version);
      throw error;
    }
  }

  /**
   * Unwraps under the old version and wraps under the current one, both in
   * the token. The data key passes through this process in between (as it
   * does for every unwrap) and is zeroed right after.
   */
  async rewrap(wrapped: WrappedKey, context: EncryptionContext): Promise<WrappedKey> {
    const dataKey = await this.unwrap(wrapped, context);
    try {
      return await this.wrap(dataKey, context);
    } finally {
      dataKey.fill(0);
    }
  }

  /**
   * Generates the next KEK version in the token and makes it current; returns
   * its kekId. Run it from one place (a deploy step or the CLI): two
   * processes rotating at the same instant would both make the same version.
   */
  async rotate(): Promise<string> {
    this.#assertOpen();
    return kekIdOf(this.#keyLabel, (await this.#keks.rotate()).version);
  }

  /** How busy the session pool is (for metrics and tests). */
  sessionStats(): SessionPoolStats {
    return this.#token.pool.stats();
  }

  /** Lets running operations finish, fails queued ones, logs out and finalizes the library (if no other keyring uses it). */
  close(): Promise<void> {
    this.#closing ??= this.#token.close();
    return this.#closing;
  }

  #versionOf(kekId: unknown): number | undefined {
    if (typeof kekId !== 'string') return undefined;
    const prefix = `${this.#keyLabel}/v`;
    if (!kekId.startsWith(prefix)) return undefined;
    const digits = kekId.slice(prefix.length);
    return /^[1-9][0-9]{0,8}$/.test(digits) ? Number(digits) : undefined;
  }

  #assertOpen(): void {
    if (this.#closing !== undefined) {
      throw new CipherlayerError('ERR_STORE_UNAVAILABLE', { detail: 'the keyring was closed' });
    }
  }
}
