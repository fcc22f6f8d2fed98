import { CipherlayerError } from '@cipherlayer/core';
import { openEnvelope, sealEnvelope } from './envelope.js';
import type { AesKeySource } from './key-source.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Seed 002's `CryptoService` on Web Crypto, in both directions, with the
 * seed's bytes: `encrypt` is the seed server's `encrypt()` (JSON, then
 * base64(iv ‖ tag ‖ ciphertext)) and `decrypt` is the seed's `decrypt`.
 * The key comes from an `AesKeySource` at each call, so a per-session key
 * set after login is picked up without re-creating anything.
 */
export class StaticKeyCrypto {
  readonly #keys: AesKeySource;

  constructor(keys: AesKeySource) {
    this.#keys = keys;
  }

  /** JSON.stringify, then seal. A value with no JSON form is refused; the error never quotes it. */
  async encrypt(value: unknown): Promise<string> {
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch {
      // The cause is dropped on purpose: V8's messages name parts of the value.
      json = undefined;
    }
    if (json === undefined) {
      throw new CipherlayerError('ERR_CONFIG', { detail: 'the value to encrypt has no JSON form' });
    }
    return sealEnvelope(await this.#keys.key(), encoder.encode(json));
  }

  /**
   * Opens and parses. Every failure (not base64, too short, wrong key,
   * tampered, not UTF-8, not JSON) is the same ERR_DECRYPT; a missing
   * session key is the key source's own error.
   */
  async decrypt(payload: string): Promise<unknown> {
    const key = await this.#keys.key();
    if (typeof payload !== 'string') throw new CipherlayerError('ERR_DECRYPT');
    const plaintext = await openEnvelope(key, payload);
    try {
      return JSON.parse(decoder.decode(plaintext));
    } catch {
      // No cause: a SyntaxError from JSON.parse quotes the plaintext.
      throw new CipherlayerError('ERR_DECRYPT');
    } finally {
      plaintext.fill(0);
    }
  }
}
