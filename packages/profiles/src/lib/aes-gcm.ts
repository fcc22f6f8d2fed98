import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';

/** AES-256-GCM as every seed uses it: 12-byte IV, 16-byte tag, node:crypto (the server's fast path). */
export const IV_BYTES = 12;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export interface GcmSealed {
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

export function gcmSeal(key: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): GcmSealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad !== undefined) cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/**
 * Opens, or throws the one generic ERR_DECRYPT: a wrong key, a bad tag, a
 * short IV all look the same from outside.
 */
export function gcmOpen(
  key: Uint8Array,
  iv: Uint8Array,
  ciphertext: Uint8Array,
  tag: Uint8Array,
  aad?: Uint8Array,
): Buffer {
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new CipherlayerError('ERR_DECRYPT');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    if (aad !== undefined) decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  }
}
