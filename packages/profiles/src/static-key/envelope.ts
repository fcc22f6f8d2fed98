import { CipherlayerError } from '@cipherlayer/core';
import { gcmOpen, gcmSeal, IV_BYTES, TAG_BYTES } from '../lib/aes-gcm.js';
import { fromBase64Strict } from '../lib/base64.js';

/**
 * Seed 002's `data`: base64(iv(12) ‖ tag(16) ‖ ciphertext), AES-256-GCM,
 * no associated data, the plaintext being the JSON text. This is the seed's
 * `encrypt()` byte for byte, and the mirror image of its `decrypt`.
 */
export function sealData(key: Uint8Array, plaintext: Uint8Array): string {
  const { iv, tag, ciphertext } = gcmSeal(key, plaintext);
  return Buffer.concat([iv, tag, ciphertext]).toString('base64');
}

/** The IV of an envelope (for the replay check) and its parts; ERR_MALFORMED or ERR_DECRYPT when it is not one. */
export function splitData(data: string): { iv: Buffer; tag: Buffer; ciphertext: Buffer } {
  const bytes = fromBase64Strict(data);
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new CipherlayerError('ERR_DECRYPT');
  return {
    iv: bytes.subarray(0, IV_BYTES),
    tag: bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    ciphertext: bytes.subarray(IV_BYTES + TAG_BYTES),
  };
}

/**
 * Opens with the first of `keys` that fits (several during a rotation):
 * the plaintext and the key that opened it, or the generic ERR_DECRYPT.
 */
export function openData(
  keys: readonly Uint8Array[],
  parts: { iv: Buffer; tag: Buffer; ciphertext: Buffer },
): { plaintext: Buffer; key: Uint8Array } {
  for (const key of keys) {
    try {
      return { plaintext: gcmOpen(key, parts.iv, parts.ciphertext, parts.tag), key };
    } catch {
      // the next key
    }
  }
  throw new CipherlayerError('ERR_DECRYPT');
}
