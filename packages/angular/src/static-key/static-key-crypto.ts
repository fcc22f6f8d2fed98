import { openStaticEnvelope, sealStaticEnvelope } from '@cipherlayer/profiles/static-key/browser';
import type { AesKeySource } from './key-source.js';

/**
 * Seed 002's `CryptoService` on Web Crypto, in both directions, with the
 * seed's bytes: `encrypt` is the seed server's `encrypt()` (JSON, then
 * base64(iv ‖ tag ‖ ciphertext)) and `decrypt` is the seed's `decrypt`.
 * The key comes from an `AesKeySource` at each call, so a per-session key
 * set after login is picked up without re-creating anything. The envelope
 * itself is `@cipherlayer/profiles/static-key/browser`'s.
 */
export class StaticKeyCrypto {
  readonly #keys: AesKeySource;

  constructor(keys: AesKeySource) {
    this.#keys = keys;
  }

  /** JSON.stringify, then seal. A value with no JSON form is refused (ERR_CONFIG); the error never quotes it. */
  async encrypt(value: unknown): Promise<string> {
    return await sealStaticEnvelope(await this.#keys.key(), value);
  }

  /**
   * Opens and parses. Every failure (not base64, too short, wrong key,
   * tampered, not UTF-8, not JSON) is the same ERR_DECRYPT; a missing
   * session key is the key source's own error.
   */
  async decrypt(payload: string): Promise<unknown> {
    return await openStaticEnvelope(await this.#keys.key(), payload);
  }
}
