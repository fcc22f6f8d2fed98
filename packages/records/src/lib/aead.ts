import {
  createCipheriv,
  createDecipheriv,
  createSecretKey,
  type KeyObject,
  randomFillSync,
} from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';

/**
 * AES-256-GCM on node:crypto, the only cipher of this package: 256-bit keys,
 * 96-bit random nonces, 128-bit tags. Callers own the layout around it.
 */

export const KEY_LENGTH = 32;
export const NONCE_LENGTH = 12;
export const TAG_LENGTH = 16;

export function importAesKey(bytes: Uint8Array): KeyObject {
  if (bytes.length !== KEY_LENGTH) throw new CipherlayerError('ERR_INVALID_KEY', { detail: 'key length' });
  return createSecretKey(bytes);
}

// Nonces are public, so they come from a pool filled by the CSPRNG in 4 KiB
// strides: one randomFillSync per 341 nonces instead of one per field. No
// byte of the pool is handed out twice.
const POOL_SIZE = 4096 - (4096 % NONCE_LENGTH);
const pool = Buffer.alloc(POOL_SIZE);
let poolOffset = POOL_SIZE;

/** Writes a fresh random 96-bit nonce into `target` at `offset`. */
export function writeRandomNonce(target: Uint8Array, offset: number): void {
  if (poolOffset === POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  pool.copy(target, offset, poolOffset, poolOffset + NONCE_LENGTH);
  poolOffset += NONCE_LENGTH;
}

/**
 * Seals `plaintext` into `out` at `offset` (ciphertext, then the tag); the
 * nonce must already be in `nonce`. Returns the offset after the tag.
 */
export function sealInto(
  key: KeyObject,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array,
  out: Buffer,
  offset: number,
): number {
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(aad);
  let at = offset + cipher.update(plaintext).copy(out, offset);
  at += cipher.final().copy(out, at);
  return at + cipher.getAuthTag().copy(out, at);
}

/** Opens ciphertext ‖ tag; any failure is the one generic ERR_DECRYPT. */
export function open(key: KeyObject, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (sealed.length < TAG_LENGTH) throw new CipherlayerError('ERR_DECRYPT');
  const end = sealed.length - TAG_LENGTH;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(end));
    const first = decipher.update(sealed.subarray(0, end));
    const last = decipher.final();
    return last.length === 0 ? first : Buffer.concat([first, last]);
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  }
}
