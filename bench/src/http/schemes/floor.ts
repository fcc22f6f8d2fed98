import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from 'node:crypto';

/**
 * The floor: what sealing a response costs at the very least. One bare
 * node:crypto AES-256-GCM encryption, a random 96-bit IV, no associated data,
 * no header: `iv ‖ ciphertext ‖ tag`. No protocol does less and still
 * encrypts, so the targets are set against it.
 */

const IV_BYTES = 12;
const TAG_BYTES = 16;

export function floorSeal(key: KeyObject, plaintext: string | Uint8Array): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = cipher.update(plaintext);
  const tail = cipher.final();
  return Buffer.concat([iv, body, tail, cipher.getAuthTag()]);
}

/** The inverse, for the POST floor's request body and to check the floor's answers. */
export function floorOpen(key: KeyObject, sealed: Uint8Array): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed body too short');
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length);
  const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const body = decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES));
  const tail = decipher.final();
  return tail.length === 0 ? body : Buffer.concat([body, tail]);
}
