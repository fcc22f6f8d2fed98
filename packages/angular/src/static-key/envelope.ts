import { CipherlayerError, fromBase64, toBase64 } from '@cipherlayer/core';

/**
 * Seed 002's envelope: base64(iv ‖ tag ‖ ciphertext), AES-256-GCM with a
 * 12-byte IV and a 16-byte tag, no associated data. Web Crypto reads and
 * writes ciphertext ‖ tag, so the tag moves on the way in and out.
 */
export const IV_BYTES = 12;
export const TAG_BYTES = 16;

export interface EnvelopeParts {
  readonly iv: Uint8Array<ArrayBuffer>;
  /** Web Crypto's order: ciphertext, then tag. */
  readonly sealed: Uint8Array<ArrayBuffer>;
}

/** Decodes and splits an envelope; anything that is not one is the generic decryption failure. */
export function readEnvelope(payload: string): EnvelopeParts {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64(payload);
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  }
  if (bytes.length < IV_BYTES + TAG_BYTES) throw new CipherlayerError('ERR_DECRYPT');
  return splitEnvelope(bytes);
}

/** iv ‖ tag ‖ ciphertext, at least IV_BYTES + TAG_BYTES long, into Web Crypto's pieces. */
export function splitEnvelope(bytes: Uint8Array): EnvelopeParts {
  const iv = new Uint8Array(bytes.subarray(0, IV_BYTES));
  const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const ciphertext = bytes.subarray(IV_BYTES + TAG_BYTES);
  const sealed = new Uint8Array(ciphertext.length + TAG_BYTES);
  sealed.set(ciphertext, 0);
  sealed.set(tag, ciphertext.length);
  return { iv, sealed };
}

export function writeEnvelope(iv: Uint8Array, sealed: ArrayBuffer): string {
  const ciphertextLength = sealed.byteLength - TAG_BYTES;
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv, 0);
  out.set(new Uint8Array(sealed, ciphertextLength), IV_BYTES);
  out.set(new Uint8Array(sealed, 0, ciphertextLength), IV_BYTES + TAG_BYTES);
  return toBase64(out);
}

export async function sealEnvelope(key: CryptoKey, plaintext: Uint8Array<ArrayBuffer>): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, plaintext);
  return writeEnvelope(iv, sealed);
}

export async function openEnvelope(key: CryptoKey, payload: string): Promise<Uint8Array> {
  const { iv, sealed } = readEnvelope(payload);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv }, key, sealed));
  } catch (cause) {
    throw new CipherlayerError('ERR_DECRYPT', { cause });
  }
}
