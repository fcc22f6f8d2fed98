import { CipherlayerError } from '@cipherlayer/core';
import { NONCE_LENGTH, TAG_LENGTH } from '../lib/aead.js';

/**
 * The stored form of one encrypted field (spec/records.md, "Field
 * ciphertext"):
 *
 *   0   1  version      0x01
 *   1   1  algorithm    0x01 = AES-256-GCM, 96-bit nonce, 128-bit tag
 *   2   8  data key id
 *   10  12 nonce
 *   22  n  ciphertext   (n ≥ 1: the plaintext starts with a type byte)
 *   22+n 16 tag
 *
 * Bytes for bytea columns; for text columns "clr1." followed by the same
 * bytes in unpadded base64url.
 */

export const FORMAT_VERSION = 0x01;
export const ALGORITHM_AES_256_GCM = 0x01;
export const KEY_ID_LENGTH = 8;
export const KEY_ID_OFFSET = 2;
export const NONCE_OFFSET = KEY_ID_OFFSET + KEY_ID_LENGTH;
export const HEADER_LENGTH = NONCE_OFFSET + NONCE_LENGTH;
/** The part of the header that is authenticated as the start of the AAD (the nonce is GCM's own input). */
export const AAD_HEADER_LENGTH = NONCE_OFFSET;
export const MIN_LENGTH = HEADER_LENGTH + 1 + TAG_LENGTH;
export const TEXT_PREFIX = 'clr1.';

/** A string that is a field ciphertext in text form, as this package produced it. */
export type SealedText = string & { readonly __sealedField: true };

export interface ParsedFieldCiphertext {
  /** The data key id as 16 lowercase hex digits: what the keys table and error messages use. */
  readonly keyId: string;
  /** The binary form (the header, then ciphertext ‖ tag). */
  readonly bytes: Buffer;
}

function malformed(detail?: string): CipherlayerError {
  return new CipherlayerError('ERR_MALFORMED', detail === undefined ? {} : { detail });
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Decodes the text form strictly: one string per byte sequence, so no
 * flipped character goes unnoticed. Node's decoder skips characters outside
 * the alphabet and ignores the unused low bits of the last character; both
 * are refused here.
 */
function fromText(text: string): Buffer {
  if (!text.startsWith(TEXT_PREFIX)) throw malformed('not a cipherlayer field ciphertext');
  const length = text.length - TEXT_PREFIX.length;
  const spare = length % 4;
  if (spare === 1 || !BASE64URL.test(text.slice(TEXT_PREFIX.length))) throw malformed();
  if (spare !== 0) {
    // 2 characters carry 12 bits for 8 (4 unused), 3 carry 18 for 16 (2 unused).
    const last = ALPHABET.indexOf(text[text.length - 1] as string);
    if ((last & (spare === 2 ? 0x0f : 0x03)) !== 0) throw malformed();
  }
  return Buffer.from(text.slice(TEXT_PREFIX.length), 'base64url');
}

export function parseFieldCiphertext(input: string | Uint8Array): ParsedFieldCiphertext {
  const bytes =
    typeof input === 'string'
      ? fromText(input)
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < MIN_LENGTH) throw malformed();
  if (bytes[0] !== FORMAT_VERSION) throw malformed('unknown field ciphertext version');
  if (bytes[1] !== ALGORITHM_AES_256_GCM) throw new CipherlayerError('ERR_SUITE_NOT_ALLOWED');
  return { keyId: bytes.toString('hex', KEY_ID_OFFSET, NONCE_OFFSET), bytes };
}

export function toSealedText(bytes: Uint8Array): SealedText {
  return (TEXT_PREFIX +
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')) as SealedText;
}

/** Whether a stored value looks like a field ciphertext (a cheap check, not a proof: only decryption is). */
export function isSealedField(value: unknown): value is SealedText | Uint8Array {
  if (typeof value === 'string') return value.startsWith(TEXT_PREFIX);
  return value instanceof Uint8Array && value.length >= MIN_LENGTH && value[0] === FORMAT_VERSION;
}
