import { constants, type KeyObject, privateDecrypt } from 'node:crypto';
import { CipherlayerError } from '@cipherlayer/core';
import { gcmOpen, gcmSeal, KEY_BYTES } from '../lib/aes-gcm.js';
import { fromBase64Strict } from '../lib/base64.js';

/**
 * Seed 001's messages. Requests: `{encryptedAesKey, encryptedData, iv,
 * authTag}`, all base64; responses (and the session creation's answer):
 * `{encryptedData, iv, authTag}`. AES-256-GCM with 12-byte IVs; the AES key
 * wrapped with RSA-OAEP.
 */
export const REQUEST_FIELDS = ['encryptedAesKey', 'encryptedData', 'iv', 'authTag'] as const;
export const RESPONSE_FIELDS = ['encryptedData', 'iv', 'authTag'] as const;

export type OaepHash = 'sha256' | 'sha1';

/**
 * Unwraps the request's AES key with the session's private key. The seed's
 * server decrypts with OAEP-SHA256; the seed's client, as written, calls
 * `crypto.publicEncrypt(bePublicKey, aesKey)`, whose OAEP hash is Node's
 * default, SHA-1. `hashes` lists what is tried, in order; any failure is
 * the one ERR_DECRYPT.
 */
export function unwrapAesKey(
  privateKey: KeyObject,
  wrapped: Uint8Array,
  hashes: readonly OaepHash[],
): Buffer {
  for (const oaepHash of hashes) {
    try {
      const key = privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash },
        wrapped,
      );
      if (key.length === KEY_BYTES) return key;
    } catch {
      // the next hash, if any
    }
  }
  throw new CipherlayerError('ERR_DECRYPT');
}

/** Opens `{encryptedData, iv, authTag}` (with the AAD of strict mode, if any). */
export function openPayload(
  key: Uint8Array,
  fields: { encryptedData: string; iv: string; authTag: string },
  aad: Uint8Array | undefined,
): Buffer {
  const iv = fromBase64Strict(fields.iv);
  const tag = fromBase64Strict(fields.authTag);
  const ciphertext = fromBase64Strict(fields.encryptedData);
  return gcmOpen(key, iv, ciphertext, tag, aad);
}

/** `{encryptedData, iv, authTag}` as JSON text: the seed's `encryptData()`, a fresh IV each time. */
export function sealPayload(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array | undefined): string {
  const { iv, ciphertext, tag } = gcmSeal(key, plaintext, aad);
  return JSON.stringify({
    encryptedData: ciphertext.toString('base64'),
    iv: iv.toString('base64'),
    authTag: tag.toString('base64'),
  });
}

/**
 * Strict mode's associated data: what a message is for. A request is bound
 * to its method and target, an answer also to its status, so a ciphertext
 * moved to another route, or an answer given another status, fails to open.
 */
export function requestAad(method: string, target: string): Uint8Array {
  return Buffer.from(`cipherlayer rsa-session/1 request\n${method}\n${target}`, 'utf8');
}

export function responseAad(status: number, method: string, target: string): Uint8Array {
  return Buffer.from(`cipherlayer rsa-session/1 response\n${status}\n${method}\n${target}`, 'utf8');
}
